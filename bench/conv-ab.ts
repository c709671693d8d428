/**
 * A/B of the conv work on whole benchmark steps, in one process, interleaved:
 *   node scripts/vite-run.mjs bench/conv-ab.ts [--reps 7] [--cases lenet-step,resnet-step,conv-fwdbwd]
 * A = im2col + gemm for every conv pass that can take it and no epilogue fusion (the algorithm
 * choice before the per-pass choice, Winograd, depthwise and fusion); B = the defaults ('auto',
 * fused). Each repetition times one step of each case under A and under B (alternating which goes
 * first): the GPU time (sum of its kernels' timestamps, profilePlan) and the wall time of the step
 * (record, submit, wait). Prints the minima and the B/A ratios.
 */
import * as wt from '../src/internal.ts'; // ops and engineFor are internal
import { profilePlan } from '../src/graph/profile.ts';
import { benchCases, type BenchContext } from './cases.ts';
import type { TfjsWebGPU } from './tfjs-backend.ts';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}
const reps = Number(arg('reps', '7'));
const ids = arg('cases', 'lenet-step,resnet-step,conv-fwdbwd').split(',');

const device = await wt.init();
const engine = wt.engineFor(device);
const noTfjs = new Proxy({} as TfjsWebGPU, {
  get() {
    throw new Error('tfjs is not loaded here');
  },
});
const ctx: BenchContext = { device, tfjs: noTfjs, smoke: false, mnist: () => wt.loadMnist() };
const settings = {
  A: { conv: 'gemm', fuse: false },
  B: { conv: 'auto', fuse: true },
} as const;

const results: string[] = [];
for (const id of ids) {
  const c = benchCases({ smoke: false }).find((x) => x.id === id)!;
  const impls = { A: await c.webtrain(ctx), B: await c.webtrain(ctx) };
  const best = { A: { gpu: Infinity, wall: Infinity, n: 0 }, B: { gpu: Infinity, wall: Infinity, n: 0 } };
  for (let r = 0; r < reps + 1; r++) {
    for (const k of (r % 2 === 0 ? ['A', 'B'] : ['B', 'A']) as ('A' | 'B')[]) {
      engine.tuning.conv = settings[k].conv;
      engine.tuning.fuse = settings[k].fuse;
      const t0 = performance.now();
      const { kernels } = await profilePlan(device, () => {
        void impls[k].iter();
        engine.flush([]);
      });
      await impls[k].sync();
      const wall = performance.now() - t0;
      if (r === 0) continue;
      const gpu = kernels.reduce((s, q) => s + q.ms, 0);
      best[k] = { gpu: Math.min(best[k].gpu, gpu), wall: Math.min(best[k].wall, wall), n: kernels.length };
    }
  }
  impls.A.dispose();
  impls.B.dispose();
  const line =
    `${c.title}: GPU A ${best.A.gpu.toFixed(1)} ms, B ${best.B.gpu.toFixed(1)} ms (B/A ${(best.B.gpu / best.A.gpu).toFixed(3)}); ` +
    `wall A ${best.A.wall.toFixed(1)}, B ${best.B.wall.toFixed(1)} (B/A ${(best.B.wall / best.A.wall).toFixed(3)}); dispatches ${best.A.n} vs ${best.B.n}`;
  results.push(line);
  console.log(line);
}
engine.tuning.conv = 'auto';
engine.tuning.fuse = true;
console.log(`adapter: ${wt.describeAdapter(device.adapter)}; min over ${reps} interleaved repetitions`);
