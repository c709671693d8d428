/**
 * GPU times of the normalization, dropout and pooling-extra kernels, interleaved:
 *   node scripts/vite-run.mjs bench/norm-kernels.ts [--reps 7] [--cases bn,bn-composed,gn,ln,lrn,dropout,adaptive,gap]
 * Every repetition runs each case once (forward + backward, one plan, with timestamp queries), in an
 * order that reverses every repetition, plus the memory reference y = 2x on the same element count
 * (one read, one write: what an elementwise kernel achieves on this adapter). Prints each case's
 * minimum over repetitions of every entry point's summed time and of the step. `bn-composed` is the
 * same batch norm written with mean/sub/mul/rsqrt ops, for the fused op's gain. Figures in
 * bench/NOTES.md (section "Normalization, dropout and pooling extras").
 */
import * as wt from '../src/internal.ts'; // ops and engineFor are internal
import { profilePlan } from '../src/graph/profile.ts';

const F = wt.nn.functional;

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}

const reps = Number(arg('reps', '7'));
const selected = arg('cases', 'bn,bn-composed,gn,ln,lrn,dropout,adaptive,gap').split(',');

const device = await wt.init();
const engine = wt.engineFor(device);

interface Case {
  id: string;
  shape: number[];
  /** Records forward and backward; returns the values to compute. */
  step: (x: wt.Tensor, gy: wt.Tensor) => wt.Tensor[];
}


/** Batch norm over [N, C, H, W] from reductions and elementwise ops (autodiff through them). */
function composedBatchNorm(x: wt.Tensor, w: wt.Tensor, b: wt.Tensor): wt.Tensor {
  const c = x.shape[1]!;
  const mean = x.mean([0, 2, 3], true);
  const d = x.sub(mean);
  const variance = d.mul(d).mean([0, 2, 3], true);
  const inv = variance.add(1e-5).pow(-0.5);
  return d.mul(inv).mul(w.reshape([1, c, 1, 1])).add(b.reshape([1, c, 1, 1]));
}

function withParams(make: (w: wt.Tensor, b: wt.Tensor, x: wt.Tensor) => wt.Tensor, c: number) {
  return (x: wt.Tensor, gy: wt.Tensor): wt.Tensor[] => {
    const w = wt.ones([c], { requiresGrad: true });
    const b = wt.zeros([c], { requiresGrad: true });
    const y = make(w, b, x);
    y.backward(gy);
    return [x.grad!, w.grad!, b.grad!];
  };
}

const allCases: Case[] = [
  { id: 'bn', shape: [16, 64, 32, 32], step: withParams((w, b, x) => F.batchNorm(x, null, null, w, b, true), 64) },
  { id: 'bn-composed', shape: [16, 64, 32, 32], step: withParams((w, b, x) => composedBatchNorm(x, w, b), 64) },
  { id: 'gn', shape: [16, 64, 32, 32], step: withParams((w, b, x) => F.groupNorm(x, 8, w, b), 64) },
  { id: 'ln', shape: [4096, 256], step: withParams((w, b, x) => F.layerNorm(x, 256, w, b), 256) },
  {
    id: 'lrn',
    shape: [16, 96, 27, 27],
    step: (x, gy) => {
      F.localResponseNorm(x, 5, 1e-4, 0.75, 2).backward(gy);
      return [x.grad!];
    },
  },
  {
    id: 'dropout',
    shape: [16, 64, 32, 32],
    step: (x, gy) => {
      F.dropout(x, 0.5).backward(gy);
      return [x.grad!];
    },
  },
  {
    id: 'adaptive',
    shape: [16, 256, 13, 13],
    step: (x) => {
      const y = F.adaptiveAvgPool2d(x, [6, 6]);
      y.backward(wt.ones(y.shape));
      return [x.grad!];
    },
  },
  {
    id: 'gap',
    shape: [16, 512, 7, 7],
    step: (x) => {
      const y = F.adaptiveAvgPool2d(x, 1);
      y.backward(wt.ones(y.shape));
      return [x.grad!];
    },
  },
];
const cases = allCases.filter((c) => selected.includes(c.id));

const best = new Map<string, Map<string, number>>();
const note = (id: string, entry: string, ms: number) => {
  let m = best.get(id);
  if (!m) best.set(id, (m = new Map()));
  m.set(entry, Math.min(m.get(entry) ?? Infinity, ms));
};

const inputs = new Map<string, { x: wt.Tensor; gy: wt.Tensor }>();
for (const c of cases) {
  const x = wt.randn(...c.shape);
  const gy = wt.randn(...c.shape);
  await x.data();
  await gy.data();
  inputs.set(c.id, { x, gy });
}

for (let rep = 0; rep < reps; rep++) {
  const order = rep % 2 === 0 ? cases : [...cases].reverse();
  for (const c of order) {
    const { x, gy } = inputs.get(c.id)!;
    const xr = x.detach().requiresGrad_(true);
    const { kernels } = await profilePlan(device, () => engine.flush(c.step(xr, gy).map((t) => t._value)));
    const sums = new Map<string, number>();
    for (const k of kernels) sums.set(k.entryPoint, (sums.get(k.entryPoint) ?? 0) + k.ms);
    for (const [e, ms] of sums) note(c.id, e, ms);
    note(c.id, 'step', kernels.reduce((s, k) => s + k.ms, 0));
    const { kernels: ref } = await profilePlan(device, () => engine.flush([x.mul(2)._value]));
    note(c.id, 'reference y = 2x', ref.reduce((s, k) => s + k.ms, 0));
  }
}

console.log(`adapter: ${device.adapter.description}; min over ${reps} repetitions, GPU ms (timestamp queries)`);
for (const c of cases) {
  console.log(`${c.id} [${c.shape.join(', ')}]`);
  for (const [e, ms] of best.get(c.id)!) console.log(`  ${e.padEnd(40)} ${ms.toFixed(2)}`);
}
