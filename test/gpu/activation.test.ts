/**
 * softmax / logSoftmax / softmin on the GPU against test/reference/softmax.ts (forward, gradient,
 * finite differences) over every dim, through both lane layouts and the vec4 rows of
 * shaders/softmax.wgsl; numerical stability, NaN and -inf rows; rows past one dispatch dimension;
 * the activation modules; and PyTorch 1.13 (test/fixtures/activations_more.json, gen_activations.py).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';
import fixtures from '../fixtures/activations_more.json';
import { compareFixture, fixtureCases } from '../fixture-cases.js';
import { checkDirectional, checkOp, describeCase, expectClose, randomArray, readPoisoned, tensorOf, testArray } from '../helpers.js';
import * as sm from '../reference/softmax.js';

const F = wt.nn.functional;

beforeAll(async () => {
  await wt.init();
});

type Kind = 'softmax' | 'logSoftmax' | 'softmin';

const gpuOf = (kind: Kind, dim: number) => (t: wt.Tensor): wt.Tensor =>
  kind === 'softmax' ? F.softmax(t, dim) : kind === 'logSoftmax' ? F.logSoftmax(t, dim) : F.softmin(t, dim);

const refOf = (kind: Kind, dim: number) => (a: { shape: readonly number[]; data: Float64Array }) => {
  if (kind === 'softmax') return sm.softmax(a, dim);
  if (kind === 'logSoftmax') return sm.logSoftmax(a, dim);
  return sm.softmax({ shape: a.shape, data: a.data.map((v) => -v) }, dim);
};

const refGradOf = (kind: Kind, dim: number) => (gy: { shape: readonly number[]; data: Float64Array }, a: { shape: readonly number[]; data: Float64Array }) => {
  if (kind === 'softmin') {
    const g = sm.softmaxBackward({ shape: a.shape, data: a.data.map((v) => -v) }, dim, gy, false);
    return [{ shape: g.shape, data: g.data.map((v) => -v) }];
  }
  return [sm.softmaxBackward(a, dim, gy, kind === 'logSoftmax')];
};

// [shape, dim]: the lanes run over outer (dim 0 of [3, 5] has outer 1 < inner 5: over inner),
// rows of 8 and 12 take the vec4 entry points, prime and 1-sized dims, batch 1.
const cases: [number[], number][] = [
  [[3, 5], 1],
  [[3, 5], 0],
  [[2, 8], -1],
  [[5, 12], 1],
  [[2, 3, 4, 5], 1],
  [[2, 3, 4, 5], 3],
  [[2, 3, 4, 5], 0],
  [[7], 0],
  [[1, 1], 1],
  [[1, 13, 1], 1],
  [[6, 2, 3], 1],
];

describe('softmax, logSoftmax, softmin: forward and gradient', () => {
  for (const kind of ['softmax', 'logSoftmax', 'softmin'] as const) {
    it(kind, async () => {
      for (const [k, [shape, dim]] of cases.entries()) {
        const x = randomArray(shape, 10 + k, { lo: -3, hi: 3 });
        await checkOp({
          what: `${kind} ${describeCase(shape, { dim })}`,
          inputs: [x],
          gpu: gpuOf(kind, dim),
          ref: refOf(kind, dim),
          refGrad: refGradOf(kind, dim),
        });
      }
    });
  }

  it('a 0-dim tensor (dim 0 or -1): softmax is 1, logSoftmax 0', async () => {
    const x = wt.tensor(2.5);
    const [a, b] = await readPoisoned(F.softmax(x, 0), F.logSoftmax(x, -1));
    expect(Array.from(a!)).toEqual([1]);
    expect(Array.from(b!)).toEqual([0]);
  });

  it('rows of 1000 classes (ImageNet logits), long sums in float32', async () => {
    const x = randomArray([3, 1000], 40, { lo: -5, hi: 5 });
    for (const kind of ['softmax', 'logSoftmax'] as const) {
      await checkOp({
        what: `${kind} [3, 1000]`,
        inputs: [x],
        gpu: gpuOf(kind, 1),
        ref: refOf(kind, 1),
        refGrad: refGradOf(kind, 1),
        // 1000-term float32 sums: rounding grows like sqrt(1000) * 6e-8.
        tol: 1e-5,
        gradTol: 3e-5,
        fd: { maxPoints: 100 },
      });
    }
  });

  it('directional derivatives of compositions (GPU only)', async () => {
    const x = randomArray([4, 6], 41, { lo: -2, hi: 2 });
    await checkDirectional({ what: 'softmax(x, 1) * logSoftmax(x, 0)', f: (t) => F.softmax(t, 1).mul(F.logSoftmax(t, 0)), at: [x] });
    await checkDirectional({ what: 'softmax(tanh(x), -1) ^ 2', f: (t) => F.softmax(F.tanh(t), -1).pow(2), at: [x] });
  });
});

describe('numerics', () => {
  it('is stable for large logits (exp(100) overflows float32)', async () => {
    const x = testArray([2, 4], [100, 99, 98, -100, -1000, -1001, -999.5, -1002]);
    const [s, l] = await readPoisoned(F.softmax(tensorOf(x), 1), F.logSoftmax(tensorOf(x), 1));
    expectClose(s!, sm.softmax(x.ref, 1), 1e-6, 'softmax of large logits');
    expectClose(l!, sm.logSoftmax(x.ref, 1), 1e-6, 'logSoftmax of large logits');
  });

  it('a NaN makes its row NaN; a row of -inf is NaN; other rows are unaffected (as PyTorch)', async () => {
    const x = wt.tensor([[1, NaN, 2, 3], [-Infinity, -Infinity, -Infinity, -Infinity], [0, -Infinity, 1, 2], [1, 2, 3, 4]]);
    for (const f of [(t: wt.Tensor) => F.softmax(t, 1), (t: wt.Tensor) => F.logSoftmax(t, 1), (t: wt.Tensor) => F.softmax(t.slice(1, 0, 3), 1)]) {
      const out = Array.from((await readPoisoned(f(x)))[0]!);
      const w = out.length / 4;
      expect(out.slice(0, w).every(Number.isNaN), `row with NaN: ${out.slice(0, w)}`).toBe(true);
      expect(out.slice(w, 2 * w).every(Number.isNaN), `row of -inf: ${out.slice(w, 2 * w)}`).toBe(true);
      expect(out.slice(2 * w).every((v) => !Number.isNaN(v)), `finite rows: ${out.slice(2 * w)}`).toBe(true);
    }
    // A -inf logit gets probability 0 (and log-probability -inf).
    const [p] = await readPoisoned(F.softmax(wt.tensor([0, -Infinity, 1]), 0));
    expect(p![1]).toBe(0);
  });
});

describe('rows past one dispatch dimension (> 65535 * 64 rows)', () => {
  // The references here are direct loops: the general one walks multi-indices and would take
  // most of a minute on 8.4M elements.
  it('softmax over the last dim of [4194305, 2] (lanes along rows, a grid-stride loop)', async () => {
    const rows = 4194305;
    const x = randomArray([rows, 2], 50, { lo: -3, hi: 3 });
    const t = tensorOf(x, true);
    const y = F.softmax(t, 1);
    const gy = randomArray([rows, 2], 51);
    y.backward(tensorOf(gy));
    const [out, g] = await readPoisoned(y, t.grad!);
    const expected = new Float64Array(2 * rows);
    const expectedGrad = new Float64Array(2 * rows);
    for (let r = 0; r < rows; r++) {
      const [a, b] = [x.data[2 * r]!, x.data[2 * r + 1]!];
      const p = 1 / (1 + Math.exp(b - a));
      expected[2 * r] = p;
      expected[2 * r + 1] = 1 - p;
      const dot = gy.data[2 * r]! * p + gy.data[2 * r + 1]! * (1 - p);
      expectedGrad[2 * r] = p * (gy.data[2 * r]! - dot);
      expectedGrad[2 * r + 1] = (1 - p) * (gy.data[2 * r + 1]! - dot);
    }
    expectClose(out!, expected, 1e-6, 'softmax forward, 4.2M rows');
    expectClose(g!, expectedGrad, 1e-5, 'softmax backward, 4.2M rows');
  });

  it('logSoftmax over dim 0 of [3, 1400003] (rows along inner)', async () => {
    const n = 1400003;
    const x = randomArray([3, n], 52, { lo: -3, hi: 3 });
    const [out] = await readPoisoned(F.logSoftmax(tensorOf(x), 0));
    const expected = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      const v = [x.data[i]!, x.data[n + i]!, x.data[2 * n + i]!];
      const m = Math.max(...v);
      const lse = m + Math.log(v.reduce((s, t) => s + Math.exp(t - m), 0));
      v.forEach((t, k) => (expected[k * n + i] = t - lse));
    }
    expectClose(out!, expected, 1e-6, 'logSoftmax over dim 0 of 4.2M elements');
  });
});

describe('modules and errors', () => {
  it('nn.Softmax / LogSoftmax / Softmin take dim positionally or as an option', async () => {
    const x = randomArray([3, 4], 60);
    const t = tensorOf(x);
    const [a, b, c] = await readPoisoned(new wt.nn.Softmax(1).call(t), new wt.nn.LogSoftmax({ dim: 0 }).call(t), new wt.nn.Softmin(-1).call(t));
    expectClose(a!, sm.softmax(x.ref, 1), 1e-6, 'nn.Softmax(1)');
    expectClose(b!, sm.logSoftmax(x.ref, 0), 1e-6, 'nn.LogSoftmax({ dim: 0 })');
    expectClose(c!, refOf('softmin', -1)(x.ref), 1e-6, 'nn.Softmin(-1)');
    expect(new wt.nn.Softmax(1).toString()).toBe('Softmax(dim=1)');
  });

  it('Tensor.softmax / logSoftmax and the options form of F.softmax', async () => {
    const x = randomArray([2, 5], 61);
    const [a, b, c] = await readPoisoned(tensorOf(x).softmax(-1), tensorOf(x).logSoftmax(1), F.softmax(tensorOf(x), { dim: 0 }));
    expectClose(a!, sm.softmax(x.ref, 1), 1e-6, 'x.softmax(-1)');
    expectClose(b!, sm.logSoftmax(x.ref, 1), 1e-6, 'x.logSoftmax(1)');
    expectClose(c!, sm.softmax(x.ref, 0), 1e-6, 'softmax(x, { dim: 0 })');
  });

  it('a missing dim is an error naming the op and the layer, as is a bad dim', () => {
    const messageOf = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(wt.WebtrainError);
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    const x = wt.zeros([2, 3]);
    expect(messageOf(() => F.softmax(x, undefined as unknown as number))).toMatch(/softmax: dim is required/);
    expect(messageOf(() => F.logSoftmax(x, { dim: null }))).toMatch(/log_softmax: dim is required/);
    expect(messageOf(() => F.softmax(x, 2))).toMatch(/softmax: dim 2 is out of range for a tensor of rank 2/);
    expect(messageOf(() => F.softmax(wt.zeros([2], { dtype: 'int32' }), 0))).toMatch(/softmax: input must be float32, got int32/);
    class Head extends wt.nn.Module {
      probs = new wt.nn.Softmax();
      forward(t: wt.Tensor): wt.Tensor {
        return this.probs.call(t);
      }
    }
    expect(messageOf(() => new Head().call(x))).toMatch(/softmax \(probs\): dim is required/);
  });
});

// ---- PyTorch 1.13 fixtures ---------------------------------------------------------------------------

type ModuleCtor = new (...args: unknown[]) => wt.nn.Module;

describe('PyTorch 1.13 fixtures (gen_activations.py)', () => {
  for (const c of fixtureCases(fixtures)) {
    it(c.name, async () => {
      const a = c.args;
      if (a['op'] === 'module') {
        const Ctor = (wt.nn as unknown as Record<string, ModuleCtor>)[a['module'] as string];
        expect(Ctor, `nn.${String(a['module'])}`).toBeDefined();
        // Once with PyTorch's positional arguments, once with the options object.
        await compareFixture(c, (t) => new Ctor!(...(a['positional'] as unknown[])).call(t['input']!));
        await compareFixture(c, (t) => new Ctor!(a['options']).call(t['input']!));
        return;
      }
      await compareFixture(c, (t) => gpuOf(a['op'] as Kind, a['dim'] as number)(t['input']!));
    });
  }
});
