/**
 * The printed table and the JSON record of a bench run (pure functions, Node or browser).
 */
import type { CaseResult, SideResult } from './suite.ts';

export interface RunInfo {
  date: string;
  /** 'node' (Dawn through the `webgpu` package) or 'browser' (Chromium through Playwright). */
  runtime: 'node' | 'browser';
  adapter: { webtrain: string; tfjs: string; same: boolean };
  smoke: boolean;
  versions: Record<string, string>;
  machine: { cpu: string; cores: number; loadAverage: { start: number[]; end: number[] } } | null;
  torch: { version: string; threads: number } | { na: string };
  wallSeconds: number;
}

export interface BenchRecord extends RunInfo {
  cases: CaseResult[];
}

function isSide(s: SideResult | { na: string } | undefined): s is SideResult {
  return !!s && 'medianMs' in s;
}

export function fmtMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

function fmtThroughput(v: number, unit: string): string {
  const n = v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(2);
  return `${n} ${unit === 'GFLOP/s' ? 'GFLOP/s' : 'img/s'}`;
}

export function fmtBytes(b: number): string {
  if (b >= 1 << 30) return `${(b / (1 << 30)).toFixed(2)} GiB`;
  if (b >= 1 << 20) return `${(b / (1 << 20)).toFixed(1)} MiB`;
  return `${(b / 1024).toFixed(0)} KiB`;
}

function table(rows: string[][], rightAlign: boolean[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (rightAlign[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function side(s: SideResult | { na: string } | undefined, unit: string): [string, string] {
  if (!s) return ['-', ''];
  if (!isSide(s)) return [s.na, ''];
  return [fmtMs(s.medianMs), fmtThroughput(s.throughput, unit)];
}

/** The table: one row per case; n/a rows say why. */
export function formatTable(record: BenchRecord): string {
  const torchHead = 'torch' in record && !('na' in record.torch) ? `PyTorch CPU (${record.torch.threads} thr)` : 'PyTorch CPU';
  const head = ['case', 'webtrain', '', 'tfjs-webgpu', '', 'speedup', 'peak GPU webtrain', 'peak GPU tfjs', torchHead, ''];
  const rows: string[][] = [head];
  const notes: string[] = [];
  for (const c of record.cases) {
    const [wm, wt] = side(c.webtrain, c.unit);
    const [tm, tt] = side(c.tfjs, c.unit);
    const [pm, pt] = side(c.torch, c.unit);
    const speed = c.speedup === null ? 'n/a' : `${c.speedup.toFixed(2)}x`;
    const wp = isSide(c.webtrain) ? fmtBytes(c.webtrain.peakBytes) : 'n/a';
    const tp = isSide(c.tfjs) ? fmtBytes(c.tfjs.peakBytes) : 'n/a';
    // Long n/a reasons go below the table, so the columns stay readable.
    const short = (s: string): string => {
      if (s.length <= 12) return s;
      if (!notes.includes(s)) notes.push(s);
      return `n/a [${notes.indexOf(s) + 1}]`;
    };
    rows.push([c.id, short(wm), wt, short(tm), tt, speed, wp, tp, short(pm), pt]);
  }
  const right = [false, true, true, true, true, true, true, true, true, true];
  const lines = [table(rows, right)];
  notes.forEach((n, i) => lines.push(`[${i + 1}] ${n}`));
  return lines.join('\n');
}

export function formatHeader(info: RunInfo): string {
  const lines = [
    `webtrain bench ${info.smoke ? '(SMOKE: tiny shapes, 1 repetition; figures mean nothing) ' : ''}${info.date}, ${info.runtime === 'node' ? 'Node + Dawn (webgpu package)' : 'Chromium (Playwright)'}`,
    `adapter: ${info.adapter.webtrain}${info.adapter.same ? ' (tfjs: the same adapter)' : ` -- tfjs: ${info.adapter.tfjs} (NOT the same adapter)`}`,
  ];
  if (info.machine) {
    const la = info.machine.loadAverage;
    lines.push(
      `machine: ${info.machine.cpu}, ${info.machine.cores} cores; load average ${la.start.map((v) => v.toFixed(1)).join(' ')} at start, ${la.end.map((v) => v.toFixed(1)).join(' ')} at end`,
    );
  }
  lines.push(`versions: ${Object.entries(info.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  return lines.join('\n');
}

export function formatFooter(record: BenchRecord): string {
  const lines = [
    'median time per iteration (step, kernel call or epoch) over the timed repetitions, warm-up excluded;',
    'speedup = tfjs median / webtrain median (> 1: webtrain faster); peak GPU = highest bytes in use during the case',
    "above what was in use before it (webtrain: device.pool.stats.peakInUseBytes; tfjs: tf.memory().numBytesInGPU, sampled at every buffer acquire).",
    'PyTorch runs on the CPU as a reference of this processor, never part of the speedup.',
  ];
  if (record.adapter.webtrain.toLowerCase().includes('swiftshader')) {
    lines.push('SwiftShader is a CPU implementation of Vulkan: compare ratios within this run, not absolute speeds.');
  }
  lines.push(`wall time ${record.wallSeconds.toFixed(0)} s`);
  return lines.join('\n');
}

export function formatAgreement(record: BenchRecord): string {
  const lines: string[] = [];
  for (const c of record.cases) {
    for (const a of c.agreement ?? []) {
      const ok = a.relError <= a.tolerance;
      lines.push(`${ok ? 'agree' : 'DIFFER'}  ${c.id}: ${a.what}: rel. error ${a.relError.toExponential(2)} (tolerance ${a.tolerance})`);
    }
  }
  return lines.join('\n');
}

/** bench/results/<date>-<adapter>-<runtime>.json */
export function resultFileName(info: RunInfo): string {
  const slug = info.adapter.webtrain
    .toLowerCase()
    .split(',')[0]!
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `${info.date}-${slug || 'adapter'}-${info.runtime}.json`;
}
