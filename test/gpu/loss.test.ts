/**
 * crossEntropy and mseLoss on the GPU against test/reference/loss.ts, with their gradients:
 * class weights, ignoreIndex (the default -100 and a class index), labelSmoothing, the three
 * reductions, dense targets [N, d1, d2], unbatched logits, batch 1 and long rows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';
import * as loss from '../reference/loss.js';
import { numel } from '../reference/ndarray.js';
import { checkDirectional, checkOp, expectClose, randomArray, randomClasses, readPoisoned, tensorOf } from '../helpers.js';

const F = wt.nn.functional;

beforeAll(async () => {
  await wt.init();
});

interface CeCase {
  name: string;
  logits: number[];
  p: loss.CrossEntropyParams;
  /** Row indices whose target is replaced by the ignore index. */
  ignored?: number[];
}

const cases: CeCase[] = [
  { name: 'defaults', logits: [7, 5], p: {} },
  { name: 'batch 1', logits: [1, 3], p: {} },
  { name: 'reduction sum', logits: [6, 4], p: { reduction: 'sum' } },
  { name: 'reduction none', logits: [6, 4], p: { reduction: 'none' } },
  { name: 'class weights, mean (divides by the summed weights)', logits: [8, 5], p: { weight: [0.2, 1, 2.5, 0.7, 1.3] } },
  { name: 'class weights, none', logits: [5, 3], p: { weight: [2, 0.5, 1], reduction: 'none' } },
  { name: 'ignoreIndex -100 (default) on two rows', logits: [6, 4], p: {}, ignored: [1, 4] },
  { name: 'ignoreIndex = a class, with weights and sum', logits: [9, 4], p: { ignoreIndex: 2, weight: [1, 2, 3, 4], reduction: 'sum' } },
  { name: 'labelSmoothing 0.1', logits: [7, 6], p: { labelSmoothing: 0.1 } },
  { name: 'labelSmoothing 0.3 + weights + ignoreIndex, mean', logits: [8, 5], p: { labelSmoothing: 0.3, weight: [0.5, 1, 2, 1.5, 0.25] }, ignored: [0, 5] },
  { name: 'labelSmoothing 1 with reduction none', logits: [4, 3], p: { labelSmoothing: 1, reduction: 'none' } },
  { name: 'dense targets [N, d1, d2]', logits: [2, 3, 4, 5], p: {} },
  { name: 'dense targets with weights, smoothing, none', logits: [2, 4, 3, 1], p: { weight: [1, 0.5, 2, 3], labelSmoothing: 0.2, reduction: 'none' }, ignored: [2] },
  { name: 'unbatched logits [C]', logits: [6], p: {} },
  { name: 'long rows: 1000 classes', logits: [3, 1000], p: { labelSmoothing: 0.1 } },
];

function targetsFor(c: CeCase, seed: number): Int32Array {
  const classes = c.logits.length === 1 ? c.logits[0]! : c.logits[1]!;
  const rowShape = c.logits.length === 1 ? [] : [c.logits[0]!, ...c.logits.slice(2)];
  const t = randomClasses(numel(rowShape), classes, seed);
  for (const r of c.ignored ?? []) t[r] = c.p.ignoreIndex ?? -100;
  return t;
}

describe('crossEntropy: forward and logit gradient', () => {
  cases.forEach((c, k) => {
    it(c.name, async () => {
      const x = randomArray(c.logits, 10 + k, { lo: -3, hi: 3 });
      const target = targetsFor(c, 20 + k);
      const rowShape = c.logits.length === 1 ? [] : [c.logits[0]!, ...c.logits.slice(2)];
      const weight = c.p.weight ? wt.tensor(Float32Array.from(c.p.weight)) : null;
      const p = { ...c.p, ...(c.p.weight ? { weight: Array.from(Float32Array.from(c.p.weight)) } : {}) };
      await checkOp({
        what: `crossEntropy ${c.name}: logits [${c.logits}] ${JSON.stringify(c.p)}`,
        inputs: [x],
        gpu: (t) =>
          F.crossEntropy(t, wt.tensor(target, { shape: rowShape }), {
            weight,
            ignoreIndex: c.p.ignoreIndex ?? -100,
            reduction: c.p.reduction ?? 'mean',
            labelSmoothing: c.p.labelSmoothing ?? 0,
          }),
        ref: (a) => loss.crossEntropy(a, target, p),
        refGrad: (gy, a) => [loss.crossEntropyBackward(a, target, p, gy)],
        // The 1000-class rows sum 1000 exponentials in float32.
        ...(c.logits[1] === 1000 ? { tol: 3e-5, gradTol: 3e-5 } : {}),
        fd: { maxPoints: 200 },
      });
    });
  });

  it('positional options in PyTorch order: crossEntropy(x, t, weight, sizeAverage, ignoreIndex, reduce, reduction, labelSmoothing)', async () => {
    const x = randomArray([5, 4], 60);
    const target = Int32Array.from([0, 3, 1, 1, 2]);
    const w = [1, 2, 0.5, 1.5];
    await checkOp({
      what: 'crossEntropy positional',
      inputs: [x],
      gpu: (t) => F.crossEntropy(t, wt.tensor(target), wt.tensor(w), null, 1, null, 'sum', 0.2),
      ref: (a) => loss.crossEntropy(a, target, { weight: w, ignoreIndex: 1, reduction: 'sum', labelSmoothing: 0.2 }),
    });
  });

  it('every target ignored with mean gives NaN (0 / 0), as PyTorch', async () => {
    const x = wt.tensor([[1, 2], [3, 4]]);
    const l = F.crossEntropy(x, wt.tensor(Int32Array.from([-100, -100])));
    expect(Number.isNaN(await l.item())).toBe(true);
  });

  it('loss of a training-like composite: directional derivative (GPU only)', async () => {
    const x = randomArray([6, 8], 61);
    const w = randomArray([5, 8], 62);
    const target = wt.tensor(Int32Array.from([0, 4, 2, 2, 1, 3]));
    await checkDirectional({
      what: 'crossEntropy(linear(x, w), t, labelSmoothing 0.1)',
      f: (a, b) => F.crossEntropy(F.linear(a, b), target, { labelSmoothing: 0.1 }),
      at: [x, w],
      eps: 1e-3,
    });
  });
});

describe('mseLoss', () => {
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    it(`reduction ${reduction}, both gradients`, async () => {
      const a = randomArray([3, 5, 2], 70);
      const b = randomArray([3, 5, 2], 71);
      await checkOp({
        what: `mseLoss ${reduction}`,
        inputs: [a, b],
        gpu: (x, y) => F.mseLoss(x, y, { reduction }),
        ref: (x, y) => loss.mseLoss(x, y, reduction),
        refGrad: (gy, x, y) => loss.mseLossBackward(x, y, reduction, gy),
      });
    });
  }

  it('options object form', async () => {
    const a = randomArray([7], 72);
    const b = randomArray([7], 73);
    const [out] = await readPoisoned(F.mseLoss(tensorOf(a), tensorOf(b), { reduction: 'sum' }));
    expectClose(out!, loss.mseLoss(a.ref, b.ref, 'sum'), 1e-6, 'mseLoss({ reduction: sum })');
  });
});
