/**
 * Losses on the GPU against test/reference/loss.ts, with their gradients: crossEntropy with class
 * indices (class weights, ignoreIndex (the default -100 and a class index), labelSmoothing, the three
 * reductions, dense targets [N, d1, d2], unbatched logits, batch 1 and long rows) and with class
 * probabilities, nllLoss, mseLoss, binaryCrossEntropyWithLogits, the loss modules, PyTorch's
 * deprecated sizeAverage / reduce, errors, and PyTorch 1.13 (test/fixtures/losses.json, gen_losses.py).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/internal.js'; // ops and engineFor are internal
import * as loss from '../reference/loss.js';
import { numel } from '../reference/ndarray.js';
import fixtures from '../fixtures/losses.json';
import { compareFixture, fixtureCases, type FixtureCase } from '../fixture-cases.js';
import { checkDirectional, checkOp, expectClose, randomArray, randomClasses, readPoisoned, tensorOf, testArray, type TestArray } from '../helpers.js';

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

/** Rows of positive numbers normalized along `dim` (class probabilities). */
function probabilities(shape: number[], dim: number, seed: number): TestArray {
  const r = randomArray(shape, seed, { lo: 0.05, hi: 1 });
  const data = Float64Array.from(r.data);
  const n = shape[dim]!;
  const inner = shape.slice(dim + 1).reduce((p, d) => p * d, 1);
  const outer = data.length / (n * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let s = 0;
      for (let c = 0; c < n; c++) s += data[(o * n + c) * inner + i]!;
      for (let c = 0; c < n; c++) data[(o * n + c) * inner + i]! /= s;
    }
  }
  return testArray(shape, data);
}

describe('crossEntropy with class probabilities', () => {
  const cases: { name: string; shape: number[]; p: loss.CrossEntropyParams }[] = [
    { name: 'mean', shape: [6, 5], p: {} },
    { name: 'sum', shape: [4, 3], p: { reduction: 'sum' } },
    { name: 'none', shape: [4, 3], p: { reduction: 'none' } },
    { name: 'weights (mean over rows, not weights)', shape: [5, 4], p: { weight: [0.5, 1, 2, 0.25] } },
    { name: 'labelSmoothing 0.25 + weights, none', shape: [3, 4], p: { weight: [1, 2, 0.5, 1.5], labelSmoothing: 0.25, reduction: 'none' } },
    { name: 'dense [N, C, d1, d2]', shape: [2, 3, 2, 5], p: { labelSmoothing: 0.1 } },
    { name: 'unbatched [C]', shape: [7], p: {} },
  ];
  cases.forEach((c, k) => {
    it(c.name, async () => {
      const dim = c.shape.length === 1 ? 0 : 1;
      const weight = c.p.weight ? wt.tensor(Float32Array.from(c.p.weight)) : null;
      const p = { ...c.p, ...(c.p.weight ? { weight: Array.from(Float32Array.from(c.p.weight)) } : {}) };
      await checkOp({
        what: `crossEntropy(probabilities) ${c.name}`,
        inputs: [randomArray(c.shape, 100 + k, { lo: -3, hi: 3 }), probabilities(c.shape, dim, 110 + k)],
        gpu: (x, t) => F.crossEntropy(x, t, { weight, reduction: c.p.reduction ?? 'mean', labelSmoothing: c.p.labelSmoothing ?? 0 }),
        ref: (x, t) => loss.crossEntropyProbs(x, t, p),
        fd: { maxPoints: 100 },
      });
    });
  });

  it('equals crossEntropy with class indices for one-hot targets (with smoothing and weights)', async () => {
    const x = randomArray([5, 4], 120, { lo: -3, hi: 3 });
    const target = Int32Array.from([0, 3, 1, 1, 2]);
    const onehot = testArray([5, 4], Array.from({ length: 20 }, (_, i) => (target[Math.floor(i / 4)] === i % 4 ? 1 : 0)));
    const w = wt.tensor([1, 2, 0.5, 1.5]);
    // Class-index 'mean' divides by the summed weights, probabilities by the rows: compare 'sum'.
    const [a, b] = await readPoisoned(
      F.crossEntropy(tensorOf(x), wt.tensor(target), { weight: w, labelSmoothing: 0.2, reduction: 'sum' }),
      F.crossEntropy(tensorOf(x), tensorOf(onehot), { weight: w, labelSmoothing: 0.2, reduction: 'sum' }),
    );
    expectClose(b!, a!, 1e-6, 'one-hot probabilities vs indices');
  });
});

describe('nllLoss', () => {
  const cases: { name: string; shape: number[]; p: loss.NllParams; ignored?: number[] }[] = [
    { name: 'mean', shape: [6, 4], p: {} },
    { name: 'weights, mean over the summed weights', shape: [6, 4], p: { weight: [0.2, 1, 2.5, 0.7] } },
    { name: 'sum, ignoreIndex = a class', shape: [7, 3], p: { reduction: 'sum', ignoreIndex: 1 } },
    { name: 'none, ignored rows', shape: [5, 4], p: { reduction: 'none' }, ignored: [1, 3] },
    { name: 'dense [N, C, d1]', shape: [2, 4, 5], p: { weight: [1, 2, 3, 4] }, ignored: [0, 7] },
    { name: 'unbatched [C]', shape: [5], p: {} },
    { name: 'batch 1', shape: [1, 6], p: {} },
  ];
  cases.forEach((c, k) => {
    it(c.name, async () => {
      const classes = c.shape.length === 1 ? c.shape[0]! : c.shape[1]!;
      const rowShape = c.shape.length === 1 ? [] : [c.shape[0]!, ...c.shape.slice(2)];
      const target = randomClasses(rowShape.reduce((a, b) => a * b, 1), classes, 130 + k);
      for (const r of c.ignored ?? []) target[r] = c.p.ignoreIndex ?? -100;
      const weight = c.p.weight ? wt.tensor(Float32Array.from(c.p.weight)) : null;
      const p = { ...c.p, ...(c.p.weight ? { weight: Array.from(Float32Array.from(c.p.weight)) } : {}) };
      await checkOp({
        what: `nllLoss ${c.name}`,
        inputs: [randomArray(c.shape, 140 + k, { lo: -4, hi: -0.1 })],
        gpu: (x) => F.nllLoss(x, wt.tensor(target, { shape: rowShape }), { weight, ignoreIndex: c.p.ignoreIndex ?? -100, reduction: c.p.reduction ?? 'mean' }),
        ref: (x) => loss.nllLoss(x, target, p),
      });
    });
  });

  it('nllLoss(logSoftmax(x)) equals crossEntropy(x) (GPU, directional check)', async () => {
    const x = randomArray([6, 5], 150, { lo: -3, hi: 3 });
    const target = wt.tensor(Int32Array.from([0, 4, 2, 2, 1, 3]));
    const [a, b] = await readPoisoned(F.nllLoss(F.logSoftmax(tensorOf(x), 1), target), F.crossEntropy(tensorOf(x), target));
    expectClose(a!, b!, 1e-6, 'nll(logSoftmax) vs crossEntropy');
    await checkDirectional({ what: 'nllLoss(logSoftmax(x * w))', f: (u, v) => F.nllLoss(F.logSoftmax(u.mul(v), 1), target), at: [x, randomArray([6, 5], 151)], eps: 1e-3 });
  });
});

describe('binaryCrossEntropyWithLogits', () => {
  const cases: { name: string; shape: number[]; weight?: [number[], number[]]; posWeight?: [number[], number[]]; reduction?: loss.LossReduction; range?: number }[] = [
    { name: 'mean', shape: [4, 3] },
    { name: 'weight [C], sum', shape: [4, 3], weight: [[3], [0.5, 2, 1]], reduction: 'sum' },
    { name: 'posWeight [C], none', shape: [5, 3], posWeight: [[3], [1, 3, 0.5]], reduction: 'none' },
    { name: 'weight [N, 1] and posWeight [C]', shape: [2, 4], weight: [[2, 1], [0.5, 2]], posWeight: [[4], [2, 1, 0.5, 3]] },
    { name: 'NCHW, posWeight [C, 1, 1]', shape: [2, 3, 2, 2], posWeight: [[3, 1, 1], [2, 1, 0.25]] },
    { name: 'logits up to +-30 (no overflow)', shape: [3, 5], range: 30 },
  ];
  cases.forEach((c, k) => {
    it(c.name, async () => {
      const r = c.range ?? 3;
      const x = randomArray(c.shape, 160 + k, { lo: -r, hi: r });
      const t = randomArray(c.shape, 170 + k, { lo: 0, hi: 1 });
      const wArr = c.weight ? testArray(c.weight[0], c.weight[1]) : null;
      const pArr = c.posWeight ? testArray(c.posWeight[0], c.posWeight[1]) : null;
      const reduction = c.reduction ?? 'mean';
      await checkOp({
        what: `binaryCrossEntropyWithLogits ${c.name}`,
        inputs: [x, t],
        gpu: (a, b) => F.binaryCrossEntropyWithLogits(a, b, { weight: wArr ? tensorOf(wArr) : null, posWeight: pArr ? tensorOf(pArr) : null, reduction }),
        ref: (a, b) => loss.bceWithLogits(a, b, { weight: wArr?.ref ?? null, posWeight: pArr?.ref ?? null, reduction }),
        ...(c.range ? { tol: 1e-5, gradTol: 1e-5 } : {}),
      });
    });
  });

  it('stays finite for logits of +-100 (log(1 + exp(100)) would overflow)', async () => {
    const x = wt.tensor([100, -100, 100, -100], { requiresGrad: true });
    const t = wt.tensor([1, 0, 0, 1]);
    const l = F.binaryCrossEntropyWithLogits(x, t, { reduction: 'none' });
    l.sum().backward();
    const [v, g] = await readPoisoned(l, x.grad!);
    expectClose(v!, [0, 0, 100, 100], 1e-6, 'loss at +-100');
    expectClose(g!, [0, 0, 1, -1], 1e-6, 'gradient at +-100');
  });
});

describe('loss modules and PyTorch argument forms', () => {
  it('modules equal the functional forms; weights are buffers under PyTorch names', async () => {
    const x = randomArray([5, 4], 180, { lo: -2, hi: 2 });
    const target = wt.tensor(Int32Array.from([1, 0, 3, 3, 2]));
    const w = wt.tensor([1, 2, 0.5, 1]);
    const ce = new wt.nn.CrossEntropyLoss({ weight: w, labelSmoothing: 0.1 });
    const nll = new wt.nn.NLLLoss(null, null, 2, null, 'sum');
    const mse = new wt.nn.MSELoss({ reduction: 'none' });
    const bce = new wt.nn.BCEWithLogitsLoss({ posWeight: w });
    const probs = tensorOf(probabilities([5, 4], 1, 181));
    const [a, a2, b, b2, c, c2, d, d2] = await readPoisoned(
      ce.call(tensorOf(x), target),
      F.crossEntropy(tensorOf(x), target, { weight: w, labelSmoothing: 0.1 }),
      nll.call(tensorOf(x), target),
      F.nllLoss(tensorOf(x), target, { ignoreIndex: 2, reduction: 'sum' }),
      mse.call(tensorOf(x), probs),
      F.mseLoss(tensorOf(x), probs, { reduction: 'none' }),
      bce.call(tensorOf(x), probs),
      F.binaryCrossEntropyWithLogits(tensorOf(x), probs, { posWeight: w }),
    );
    expectClose(a!, a2!, 0, 'CrossEntropyLoss');
    expectClose(b!, b2!, 0, 'NLLLoss');
    expectClose(c!, c2!, 0, 'MSELoss');
    expectClose(d!, d2!, 0, 'BCEWithLogitsLoss');
    expect(Object.keys(ce.stateDict())).toEqual(['weight']);
    expect(Object.keys(bce.stateDict())).toEqual(['pos_weight']);
    expect(Object.keys(new wt.nn.CrossEntropyLoss().stateDict())).toEqual([]);
    expect(nll.reduction).toBe('sum');
    expect(nll.ignoreIndex).toBe(2);
  });

  it("the deprecated sizeAverage / reduce pair decides the reduction as PyTorch's legacy rule", () => {
    expect(wt.ops.legacyReduction('t', null, null, 'sum')).toBe('sum');
    expect(wt.ops.legacyReduction('t', false, null, 'mean')).toBe('sum');
    expect(wt.ops.legacyReduction('t', null, false, 'mean')).toBe('none');
    expect(wt.ops.legacyReduction('t', true, true, 'none')).toBe('mean');
    expect(wt.ops.legacyReduction('t', false, false, 'mean')).toBe('none');
    expect(new wt.nn.MSELoss(false).reduction).toBe('sum');
    expect(new wt.nn.CrossEntropyLoss({ reduce: false }).reduction).toBe('none');
  });

  it('errors name the op, the layer and the expected vs actual values', () => {
    const messageOf = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(wt.WebtrainError);
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    const x = wt.zeros([4, 3]);
    expect(messageOf(() => F.crossEntropy(x, wt.zeros([4, 2])))).toMatch(/cross_entropy: class-probability targets must have the input's shape \[4, 3\], got \[4, 2\]/);
    expect(messageOf(() => F.crossEntropy(x, x, { ignoreIndex: 1 }))).toMatch(/cross_entropy: ignoreIndex is not supported for floating point target/);
    expect(messageOf(() => F.crossEntropy(x, wt.zeros([4], { dtype: 'int32' }), { weight: wt.ones([4]) }))).toMatch(/weight must be a float32 tensor of shape \[3\]/);
    expect(messageOf(() => F.crossEntropy(x, wt.zeros([4], { dtype: 'int32' }), { reduction: 'avg' as never }))).toMatch(/reduction must be 'mean', 'sum' or 'none', got 'avg'/);
    expect(messageOf(() => F.crossEntropy(x, wt.zeros([4], { dtype: 'int32' }), { labelSmoothing: 1.5 }))).toMatch(/labelSmoothing must be in \[0, 1\], got 1.5/);
    expect(messageOf(() => F.nllLoss(x, wt.zeros([3], { dtype: 'int32' })))).toMatch(/nll_loss: target shape \[3\] does not match input \[4, 3\]: expected \[4\]/);
    expect(messageOf(() => F.nllLoss(wt.zeros([]), wt.zeros([], { dtype: 'int32' })))).toMatch(/nll_loss: input must have a class dimension/);
    expect(messageOf(() => F.binaryCrossEntropyWithLogits(x, wt.zeros([4, 1])))).toMatch(/target size \[4, 1\] must be the same as input size \[4, 3\]/);
    expect(messageOf(() => F.binaryCrossEntropyWithLogits(x, x, { posWeight: wt.ones([2]) }))).toMatch(/binary_cross_entropy_with_logits: shapes \[2\] and \[4, 3\] cannot be broadcast/);
    expect(messageOf(() => F.binaryCrossEntropyWithLogits(x, x, { weight: wt.ones([2, 4, 3]) }))).toMatch(/weight of shape \[2, 4, 3\] must broadcast to the input's shape \[4, 3\]/);
    expect(messageOf(() => F.mseLoss(x, x, 'sum' as never))).toMatch(/mse_loss: sizeAverage must be a boolean or null, got sum/);
    class Net extends wt.nn.Module {
      criterion = new wt.nn.NLLLoss();
      forward(a: wt.Tensor, b: wt.Tensor): wt.Tensor {
        return this.criterion.call(a, b);
      }
    }
    expect(messageOf(() => new Net().call(x, wt.zeros([5], { dtype: 'int32' })))).toMatch(/nll_loss \(criterion\): target shape \[5\]/);
  });
});

// ---- PyTorch 1.13 fixtures ---------------------------------------------------------------------------

/** Options with tensors given as nested lists turned into tensors. */
function optionTensors(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    out[k] = (k === 'weight' || k === 'posWeight') && v !== null && v !== undefined ? wt.tensor(v as wt.NestedArray) : v;
  }
  return out;
}

type LossFn = (input: wt.Tensor, target: wt.Tensor, ...rest: unknown[]) => wt.Tensor;
type LossCtor = new (...args: unknown[]) => wt.nn.Module;

describe('PyTorch 1.13 fixtures (gen_losses.py)', () => {
  for (const c of fixtureCases(fixtures).filter((f: FixtureCase) => f.args['op'] !== 'accuracy')) {
    it(`${c.args['op']}: ${c.name}`, async () => {
      const op = c.args['op'] as string;
      const options = c.args['options'] as Record<string, unknown>;
      if (op === 'module') {
        const { module, ...rest } = options;
        const Ctor = (wt.nn as unknown as Record<string, LossCtor>)[module as string]!;
        await compareFixture(c, (t) => new Ctor(optionTensors(rest)).call(t['input']!, t['target']!));
        return;
      }
      const fn = (F as unknown as Record<string, LossFn>)[op]!;
      expect(fn, op).toBeDefined();
      await compareFixture(c, (t) => fn(t['input']!, t['target']!, optionTensors(options)));
      const positional = c.args['positional'] as unknown[] | undefined;
      if (positional) {
        await compareFixture(c, (t) => fn(t['input']!, t['target']!, ...positional.map((v, i) => (v !== null && Array.isArray(v) && (i === 0 || i === 4) ? wt.tensor(v as wt.NestedArray) : v))));
      }
    });
  }
});
