/**
 * Per-pass GPU times of conv2d under each algorithm that can run a shape, interleaved:
 *   node scripts/vite-run.mjs bench/conv-algos.ts [--reps 5] [--shapes lenet1,lenet2,resnet] [--algos direct,gemm]
 * For every repetition, every (shape, algorithm) pair runs one forward + backward step (input and
 * weight gradients) with timestamp queries; the order of the algorithms alternates between
 * repetitions. Prints the minimum over repetitions of each pass (forward, input gradient, weight
 * gradient: the sums of the kernels each pass ran) and of the whole step. Used for the algorithm
 * choices of src/kernels/conv/choose.ts; the figures are in bench/NOTES.md.
 */
import * as wt from '../src/internal.ts'; // ops and engineFor are internal
import { profilePlan } from '../src/graph/profile.ts';

interface Shape {
  id: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  opts: wt.nn.functional.Conv2dOptions;
  bias?: boolean;
  /** conv1 of LeNet needs no input gradient. */
  noInputGrad?: boolean;
}

export const SHAPES: Shape[] = [
  { id: 'lenet1', x: [64, 1, 28, 28], w: [6, 1, 5, 5], opts: { padding: 2 }, bias: true, noInputGrad: true },
  { id: 'lenet2', x: [64, 6, 14, 14], w: [16, 6, 5, 5], opts: {}, bias: true },
  { id: 'resnet', x: [8, 64, 32, 32], w: [64, 64, 3, 3], opts: { padding: 1 } },
  { id: 'resnet16', x: [16, 64, 32, 32], w: [64, 64, 3, 3], opts: { padding: 1 } },
  { id: 'stem', x: [16, 3, 32, 32], w: [64, 3, 3, 3], opts: { padding: 1 } },
  { id: 'r128', x: [8, 128, 16, 16], w: [128, 128, 3, 3], opts: { padding: 1 } },
  { id: 'r256', x: [8, 256, 8, 8], w: [256, 256, 3, 3], opts: { padding: 1 } },
  { id: 'c7x7', x: [8, 64, 7, 7], w: [64, 64, 3, 3], opts: { padding: 1 } },
  { id: 'pw', x: [8, 64, 32, 32], w: [128, 64, 1, 1], opts: {} },
  { id: 'pw7', x: [8, 64, 7, 7], w: [128, 64, 1, 1], opts: {} },
  { id: 'dw', x: [8, 64, 32, 32], w: [64, 1, 3, 3], opts: { padding: 1, groups: 64 } },
  { id: 'dw2', x: [8, 64, 32, 32], w: [64, 1, 3, 3], opts: { padding: 1, groups: 64, stride: 2 } },
  { id: 'grp', x: [8, 128, 16, 16], w: [128, 4, 3, 3], opts: { padding: 1, groups: 32 } },
  { id: 'alex', x: [8, 3, 63, 63], w: [64, 3, 11, 11], opts: { stride: 4, padding: 2 } },
  { id: 'w8', x: [8, 8, 32, 32], w: [8, 8, 3, 3], opts: { padding: 1 } },
  { id: 'w16', x: [8, 16, 32, 32], w: [16, 16, 3, 3], opts: { padding: 1 } },
  { id: 'w32', x: [8, 32, 32, 32], w: [32, 32, 3, 3], opts: { padding: 1 } },
];

type Algo = 'direct' | 'gemm' | 'matmul1x1' | 'depthwise' | 'winograd' | 'auto';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}

const reps = Number(arg('reps', '5'));
const shapeIds = arg('shapes', 'lenet1,lenet2,resnet').split(',');
const algos = arg('algos', 'direct,gemm').split(',') as Algo[];

const device = await wt.init();
const engine = wt.engineFor(device);
const F = wt.nn.functional;

function rand(shape: number[], seed: number): wt.Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const a = new Float32Array(n);
  let s = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    a[i] = (s / 4294967296) * 2 - 1;
  }
  return wt.tensor(a, { shape });
}

type Pass = 'fwd' | 'dx' | 'dw' | 'db';
function passOf(label: string): Pass {
  if (label.startsWith('conv2d_input_grad') || label.startsWith('col2im')) return 'dx';
  if (label.startsWith('conv2d_weight_grad')) return 'dw';
  if (label.startsWith('reduce') || label.startsWith('sum')) return 'db';
  return 'fwd';
}

async function step(s: Shape, variant: string): Promise<{ algo: string; times: Record<Pass, number>; kernels: string[] }> {
  const algo = variant as Algo;
  engine.clearPlans();
  engine.tuning.conv = algo as typeof engine.tuning.conv;
  const x = rand(s.x, 1);
  if (!s.noInputGrad) x.requiresGrad_(true);
  const w = rand(s.w, 2).requiresGrad_(true);
  const b = s.bias ? rand([s.w[0]], 3).requiresGrad_(true) : null;
  let y: wt.Tensor | null = null;
  const { kernels } = await profilePlan(device, () => {
    y = F.conv2d(x, w, b, s.opts);
    y.backward(wt.onesLike(y));
    engine.flush([]);
  });
  await device.sync();
  const times: Record<Pass, number> = { fwd: 0, dx: 0, dw: 0, db: 0 };
  for (const k of kernels) times[passOf(k.label)] += k.ms;
  for (const t of [x, w, b, y as wt.Tensor | null]) t?.dispose();
  x.grad?.dispose();
  w.grad?.dispose();
  b?.grad?.dispose();
  return { algo: variant, times, kernels: kernels.map((k) => `${k.label}:${k.entryPoint}`) };
}

const best = new Map<string, Record<Pass | 'all', number>>();
const kernelsOf = new Map<string, string[]>();
for (let r = 0; r < reps + 1; r++) {
  for (const id of shapeIds) {
    const s = SHAPES.find((q) => q.id === id)!;
    const order = r % 2 === 0 ? algos : [...algos].reverse();
    for (const a of order) {
      const res = await step(s, a);
      if (r === 0) continue; // warm-up: pipelines compile
      const key = `${id} ${a}`;
      const all = res.times.fwd + res.times.dx + res.times.dw + res.times.db;
      const prev = best.get(key);
      const cur = { ...res.times, all };
      best.set(key, prev ? { fwd: Math.min(prev.fwd, cur.fwd), dx: Math.min(prev.dx, cur.dx), dw: Math.min(prev.dw, cur.dw), db: Math.min(prev.db, cur.db), all: Math.min(prev.all, cur.all) } : cur);
      kernelsOf.set(key, res.kernels);
    }
  }
}
engine.tuning.conv = 'auto';
const f = (v: number): string => v.toFixed(1).padStart(8);
console.log(`adapter: ${wt.describeAdapter(device.adapter)}; min over ${reps} interleaved repetitions, ms`);
console.log(`${'shape algorithm'.padEnd(24)}${'fwd'.padStart(8)}${'dx'.padStart(8)}${'dw'.padStart(8)}${'db'.padStart(8)}${'all'.padStart(8)}  kernels`);
for (const [key, t] of best) {
  console.log(`${key.padEnd(24)}${f(t.fwd)}${f(t.dx)}${f(t.dw)}${f(t.db)}${f(t.all)}  ${[...new Set(kernelsOf.get(key))].join(' ')}`);
}
