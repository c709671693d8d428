/**
 * `npm run bench -- --profile CASE`: per-kernel GPU times of one webtrain step of a case, from
 * timestamp queries (src/graph/profile.ts), with each kernel's FLOPs, the fewest bytes it must move,
 * the rates it achieved, and its fraction of the best rate any kernel of the step achieved
 * (whichever of compute or memory it is closer to), slowest first. The step is profiled several
 * times and each kernel's median taken.
 */
import * as wt from '../src/internal.ts'; // ops and engineFor are internal
import { profilePlan, type KernelTiming } from '../src/graph/profile.ts';
import { benchCases, type BenchContext } from './cases.ts';
import { fmtMs } from './report.ts';
import { median } from './suite.ts';
import type { TfjsWebGPU } from './tfjs-backend.ts';

const PROFILE_RUNS = 3;

function num(v: number): string {
  if (v === 0) return '0';
  return v >= 10 ? v.toFixed(1) : v >= 0.01 ? v.toFixed(2) : v.toPrecision(2);
}

/** Which case's step is profiled for each case id. */
const STEP_OF: Record<string, string> = { 'mnist-epoch': 'lenet-step' };

export interface KernelRow {
  label: string;
  entryPoint: string;
  ms: number;
  flops: number;
  bytes: number;
  gflops: number;
  gbps: number;
  /** Fraction of the best rate in this step (compute or memory, whichever is higher). */
  fraction: number;
  bound: 'compute' | 'memory';
}

export interface Rate {
  gflops: number;
  gbps: number;
}

/**
 * Per-kernel medians over the profiled runs, with each kernel's fraction of the best rate measured:
 * the best of this step's kernels and of the reference kernels (a large matmul for compute, a large
 * elementwise add for memory), so a step of one kernel still gets a meaningful fraction.
 */
export function kernelRows(runs: KernelTiming[][], references: Rate[] = []): KernelRow[] {
  const first = runs[0]!;
  const rows = first.map((k, i) => {
    const ms = median(runs.map((r) => r[i]!.ms));
    return { label: k.label, entryPoint: k.entryPoint, ms, flops: k.flops, bytes: k.bytes, gflops: ms > 0 ? k.flops / ms / 1e6 : 0, gbps: ms > 0 ? k.bytes / ms / 1e6 : 0 };
  });
  const bestF = Math.max(1e-12, ...rows.map((r) => r.gflops), ...references.map((r) => r.gflops));
  const bestB = Math.max(1e-12, ...rows.map((r) => r.gbps), ...references.map((r) => r.gbps));
  return rows
    .map((r) => {
      const f = r.gflops / bestF;
      const b = r.gbps / bestB;
      return { ...r, fraction: Math.max(f, b), bound: (f >= b ? 'compute' : 'memory') as KernelRow['bound'] };
    })
    .sort((a, b) => b.ms - a.ms);
}

/** Times one kernel of a one-node plan: warmed up once, then the median of PROFILE_RUNS. */
async function referenceRate(device: wt.Device, make: () => wt.Tensor): Promise<Rate & { label: string; ms: number }> {
  const engine = wt.engineFor(device);
  const warm = make();
  engine.flush([]);
  await device.sync();
  warm.dispose();
  const runs: KernelTiming[][] = [];
  for (let i = 0; i < PROFILE_RUNS; i++) {
    let out: wt.Tensor | null = null;
    const { kernels } = await profilePlan(device, () => {
      out = make();
      engine.flush([]);
    });
    await device.sync();
    (out as wt.Tensor | null)?.dispose();
    runs.push(kernels);
  }
  const k = runs[0]!.reduce((best, x, i) => (x.flops + x.bytes > best.k.flops + best.k.bytes ? { k: x, i } : best), { k: runs[0]![0]!, i: 0 });
  const ms = median(runs.map((r) => r[k.i]!.ms));
  return { label: k.k.label, ms, gflops: k.k.flops / ms / 1e6, gbps: k.k.bytes / ms / 1e6 };
}

function noTfjs(): TfjsWebGPU {
  return new Proxy({} as TfjsWebGPU, {
    get() {
      throw new Error('tfjs is not loaded in --profile mode');
    },
  });
}

export async function runProfile(caseId: string, o: { adapter: 'auto' | 'gpu' | 'swiftshader'; boundsChecks: boolean | 'auto'; log: (s: string) => void }): Promise<number> {
  const stepId = STEP_OF[caseId] ?? caseId;
  const c = benchCases({ smoke: false }).find((x) => x.id === stepId);
  if (!c) throw new Error(`no case ${caseId}`);
  const missing = c.webtrainMissing();
  if (missing) {
    process.stdout.write(`${caseId}: ${missing}\n`);
    return 0;
  }
  const device = await wt.init({ adapter: o.adapter, boundsChecks: o.boundsChecks });
  if (!device.features.has('timestamp-query')) {
    process.stdout.write(`${caseId}: the adapter (${wt.describeAdapter(device.adapter)}) has no timestamp-query; per-kernel times are not available\n`);
    return 1;
  }
  let mnist: Promise<wt.MnistData> | null = null;
  const ctx: BenchContext = { device, tfjs: noTfjs(), smoke: false, mnist: () => (mnist ??= wt.loadMnist()) };
  const impl = await c.webtrain(ctx);
  o.log(`profiling ${stepId}${stepId !== caseId ? ` (the step of ${caseId})` : ''}: ${c.title}`);
  for (let i = 0; i < 2; i++) {
    await impl.iter();
    await impl.sync();
  }
  const runs: KernelTiming[][] = [];
  const walls: number[] = [];
  for (let i = 0; i < PROFILE_RUNS; i++) {
    const t0 = performance.now();
    const { kernels } = await profilePlan(device, () => void impl.iter());
    await impl.sync();
    walls.push(performance.now() - t0);
    runs.push(kernels);
  }
  impl.dispose();
  // Reference kernels: what this adapter reaches on a big matmul (compute) and a big add (memory).
  const n = 512;
  const a = wt.randn(n, n);
  const b = wt.randn(n, n);
  const big = 1 << 20;
  const u = wt.randn(big);
  const v = wt.randn(big);
  const refs = [
    { what: `matmul ${n}x${n}x${n}`, ...(await referenceRate(device, () => wt.ops.matmul(a, b))) },
    { what: `add of ${big} floats`, ...(await referenceRate(device, () => u.add(v))) },
  ];
  for (const t of [a, b, u, v]) t.dispose();
  const rows = kernelRows(runs, refs);
  const total = rows.reduce((s, r) => s + r.ms, 0);
  const table: string[][] = [['kernel', 'entry point', 'GPU time', '% step', 'MFLOP', 'min MB', 'GFLOP/s', 'GB/s', 'of best', 'bound']];
  for (const r of rows) {
    table.push([
      r.label,
      r.entryPoint,
      fmtMs(r.ms),
      `${((100 * r.ms) / total).toFixed(1)}%`,
      (r.flops / 1e6).toFixed(2),
      (r.bytes / 1e6).toFixed(2),
      num(r.gflops),
      num(r.gbps),
      `${(100 * r.fraction).toFixed(0)}%`,
      r.bound,
    ]);
  }
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const lines = table.map((row) => row.map((cell, i) => (i < 2 || i === 9 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd());
  const flops = rows.reduce((s, r) => s + r.flops, 0);
  process.stdout.write(
    [
      `per-kernel GPU times of one webtrain ${stepId} step (median of ${PROFILE_RUNS} profiled steps, one compute pass per dispatch while profiling)`,
      `adapter: ${wt.describeAdapter(device.adapter)}`,
      '',
      ...lines,
      '',
      `${rows.length} dispatches, GPU time ${fmtMs(total)} (${(flops / 1e6).toFixed(1)} MFLOP, ${(flops / total / 1e6).toFixed(2)} GFLOP/s), wall time of a profiled step ${fmtMs(median(walls))}`,
      ...refs.map((r) => `reference ${r.what}: ${fmtMs(r.ms)}, ${num(r.gflops)} GFLOP/s, ${num(r.gbps)} GB/s`),
      '"of best": the kernel\'s GFLOP/s (or GB/s when that fraction is higher) over the best rate measured, by a kernel of',
      'this step or by a reference kernel;',
      'MB are the fewest bytes the kernel must read and write. SwiftShader timestamps are CPU time of the emulated GPU.',
      '',
    ].join('\n'),
  );
  device.destroy();
  return 0;
}
