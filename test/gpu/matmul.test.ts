/**
 * matmul and linear on the GPU against test/reference/matmul.ts: sizes that are not multiples of the
 * 4x4 register tile, 1-D operands, batched and broadcast batch dims, split-K (few output tiles and a
 * long K: partial products added by a reduction), with gradients (which run the same kernel with
 * transpose flags); against PyTorch 1.13 for every batch-broadcasting form
 * (test/fixtures/matmul_broadcast.json from gen_matmul.py); a batch of 4.2M products (a 2-D grid).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/internal.js'; // ops and engineFor are internal
import { splitCount } from '../../src/kernels/matmul.js';
import broadcastFixtures from '../fixtures/matmul_broadcast.json';
import * as mm from '../reference/matmul.js';
import { checkDirectional, checkOp, describeCase, expectClose, randomArray, readPoisoned, tensorOf } from '../helpers.js';

const F = wt.nn.functional;

beforeAll(async () => {
  await wt.init();
});

/** Operand shapes: [a, b]. */
const shapes: [number[], number[]][] = [
  [[1, 1], [1, 1]],
  [[5, 7], [7, 3]],
  [[13, 9], [9, 6]],
  [[4, 8], [8, 4]],
  [[1, 11], [11, 17]],
  // 1-D operands: dot product, vector-matrix, matrix-vector, batched.
  [[7], [7]],
  [[7], [7, 3]],
  [[5, 7], [7]],
  [[2, 5, 7], [7]],
  [[7], [2, 7, 3]],
  // Batched, equal batch dims.
  [[3, 5, 7], [3, 7, 2]],
  // Broadcast batch dims: one side's batch is 1, a missing dim, and a partial broadcast [2,1] x [3].
  [[1, 5, 6], [4, 6, 3]],
  [[4, 5], [2, 5, 3]],
  [[2, 1, 4, 5], [3, 5, 6]],
  // A weight-like 2-D right operand (folded into one product over all rows).
  [[2, 3, 4, 5], [5, 6]],
  // Both sides broadcast (each is expanded over the other's batch dims), ranks 5 x 4, batch dims of 1.
  [[2, 1, 4, 5], [1, 3, 5, 6]],
  [[3, 4, 5], [2, 1, 5, 6]],
  [[2, 3, 1, 4, 5], [3, 2, 5, 3]],
  [[1, 1, 3, 5], [2, 3, 5, 4]],
  [[6, 1, 7], [6, 7, 1]],
];

describe('matmul: forward and both gradients', () => {
  for (const [sa, sb] of shapes) {
    it(`[${sa}] x [${sb}]`, async () => {
      await checkOp({
        what: `matmul [${sa}] x [${sb}]`,
        inputs: [randomArray(sa, 1), randomArray(sb, 2)],
        gpu: (a, b) => a.matmul(b),
        ref: mm.matmul,
        refGrad: (gy, a, b) => mm.matmulBackward(a, b, gy),
      });
    });
  }

  it('F.matmul is the same op', async () => {
    const a = randomArray([3, 4], 5);
    const b = randomArray([4, 2], 6);
    await checkOp({ what: 'F.matmul', inputs: [a, b], gpu: (x, y) => F.matmul(x, y), ref: mm.matmul, forwardOnly: true });
  });

  it('directional derivative (GPU only)', async () => {
    const a = randomArray([2, 1, 5, 6], 7);
    const b = randomArray([3, 6, 4], 8);
    await checkDirectional({ what: 'matmul broadcast', f: (x, y) => x.matmul(y).tanh(), at: [a, b] });
  });
});

describe('split-K: few output tiles and a long K', () => {
  // [a, b] and what each shape is for; the split count is src/kernels/matmul.ts's choice, checked
  // below so that a change of heuristic that stops covering the path is noticed.
  const splitShapes: [number[], number[], string][] = [
    [[5, 1000], [1000, 7], '4 tiles, K = 1000'],
    [[2, 3, 300], [2, 300, 5], 'batched'],
    [[3, 129], [129, 2], 'just past the threshold'],
    [[1, 8200], [8200, 1], 'one tile: chunks of ceil(K / splits) leave the last one empty (it must add 0)'],
  ];
  for (const [sa, sb, why] of splitShapes) {
    it(`[${sa}] x [${sb}]: ${why}`, async () => {
      const m = sa[sa.length - 2]!;
      const n = sb[sb.length - 1]!;
      const k = sb[sb.length - 2]!;
      const batch = sa.length > 2 ? sa[0]! : 1;
      const splits = splitCount(Math.ceil(m / 4) * Math.ceil(n / 4) * batch, k);
      expect(splits, 'this shape splits K').toBeGreaterThan(1);
      if (k === 8200) expect((splits - 1) * Math.ceil(k / splits), 'the last chunk is empty').toBeGreaterThanOrEqual(k);
      await checkOp({
        what: `matmul split-K ${describeCase(sa)} x ${describeCase(sb)}`,
        inputs: [randomArray(sa, 3), randomArray(sb, 4)],
        gpu: (a, b) => a.matmul(b),
        ref: mm.matmul,
        refGrad: (gy, a, b) => mm.matmulBackward(a, b, gy),
        // Dot products of up to 8200 random-sign float32 terms: relative rounding ~sqrt(K) * 6e-8
        // over a result that is itself ~sqrt(K) smaller than the sum of |terms|.
        tol: 5e-5,
        gradTol: 5e-5,
        fd: { maxPoints: 80 },
      });
    });
  }

  it('the gradient of a long-K product with few outputs splits too (dB = A^T dC with K = 200)', async () => {
    // dB = A^T dC has K = rows of A: split-K through the transposed kernel.
    expect(splitCount(1, 200)).toBeGreaterThan(1);
    await checkOp({
      what: 'matmul [200, 3] x [3, 2]',
      inputs: [randomArray([200, 3], 5), randomArray([3, 2], 6)],
      gpu: (a, b) => a.matmul(b),
      ref: mm.matmul,
      refGrad: (gy, a, b) => mm.matmulBackward(a, b, gy),
      fd: { maxPoints: 80 },
    });
  });
});

describe('linear', () => {
  const linearCases: [number[], number, boolean][] = [
    [[4, 9], 5, true],
    [[1, 3], 1, true],
    [[2, 3, 9], 6, true],
    [[9], 5, true],
    [[7, 10], 3, false],
    // K > 128 with few tiles: linear with a bias never splits K; without one it may.
    [[2, 300], 3, true],
    [[2, 300], 3, false],
  ];
  for (const [xs, outF, bias] of linearCases) {
    it(describeCase(xs, { outFeatures: outF, bias }), async () => {
      const inF = xs[xs.length - 1]!;
      const inputs = [randomArray(xs, 10), randomArray([outF, inF], 11)];
      if (bias) inputs.push(randomArray([outF], 12));
      await checkOp({
        what: `linear ${describeCase(xs, { outFeatures: outF, bias })}`,
        inputs,
        gpu: (x, w, b) => F.linear(x, w, b ?? null),
        ref: (x, w, b) => mm.linear(x, w, b ?? null),
        refGrad: (gy, x, w) => {
          const g = mm.linearBackward(x, w, gy);
          return bias ? [g.dx, g.dw, g.db] : [g.dx, g.dw];
        },
        // 300-term dot products: as for split-K above, rounding grows like sqrt(K).
        tol: inF > 100 ? 5e-5 : undefined,
        gradTol: inF > 100 ? 5e-5 : undefined,
        fd: { maxPoints: 80 },
      });
    });
  }

  it('nn.Linear computes F.linear with its parameters', async () => {
    const layer = new wt.nn.Linear(6, 4);
    const x = randomArray([3, 6], 13);
    const [y] = await readPoisoned(layer.call(tensorOf(x)));
    const w = await layer.weight.data();
    const b = await layer.bias!.data();
    expectClose(y!, mm.linear(x.ref, { shape: [4, 6], data: Float64Array.from(w) }, { shape: [4], data: Float64Array.from(b) }), 1e-5, 'nn.Linear');
  });
});

describe('matmul: PyTorch 1.13 fixtures (batch broadcasting, linear with batch dims)', () => {
  interface T {
    shape: number[];
    data: number[];
  }
  interface Fixture {
    name: string;
    inputs: Record<string, T>;
    output: T;
    upstream: T;
    grads: Record<string, T>;
  }
  for (const c of (broadcastFixtures as unknown as { cases: Fixture[] }).cases) {
    it(c.name, async () => {
      const t: Record<string, wt.Tensor> = {};
      for (const [k, v] of Object.entries(c.inputs)) t[k] = wt.tensor(Float32Array.from(v.data), { shape: v.shape, requiresGrad: true });
      const y = 'weight' in t ? F.linear(t['input']!, t['weight']!, t['bias'] ?? null) : wt.ops.matmul(t['input']!, t['other']!);
      expect(y.shape).toEqual(c.output.shape);
      y.backward(wt.tensor(Float32Array.from(c.upstream.data), { shape: c.upstream.shape }));
      const names = Object.keys(c.grads);
      const [out, ...grads] = await readPoisoned(y, ...names.map((k) => t[k]!.grad!));
      expectClose(out!, c.output.data, 1e-4, `${c.name}: output vs PyTorch`);
      names.forEach((k, i) => expectClose(grads[i]!, c.grads[k]!.data, 1e-4, `${c.name}: d/d${k} vs PyTorch`));
    });
  }
});

describe('matmul: more than 65535 workgroups', () => {
  it('a batch of 4.2M [1, 2] x [2, 1] products: forward and both gradients', async () => {
    const batch = 4_200_000;
    const a = new Float32Array(2 * batch);
    const b = new Float32Array(2 * batch);
    for (let i = 0; i < 2 * batch; i++) {
      a[i] = ((i * 7919) % 997) / 997 - 0.5;
      b[i] = ((i * 104729) % 991) / 991 - 0.5;
    }
    const ta = wt.tensor(a, { shape: [batch, 1, 2], requiresGrad: true });
    const tb = wt.tensor(b, { shape: [batch, 2, 1], requiresGrad: true });
    const y = ta.matmul(tb);
    y.backward(wt.onesLike(y));
    const [out, ga, gb] = await readPoisoned(y, ta.grad!, tb.grad!);
    const expected = new Float32Array(batch);
    for (let i = 0; i < batch; i++) expected[i] = a[2 * i]! * b[2 * i]! + a[2 * i + 1]! * b[2 * i + 1]!;
    expectClose(out!, expected, 1e-6, 'y[i] = a[i] . b[i]');
    // With an upstream of ones, dA[i] = B[i]^T and dB[i] = A[i]^T: the same numbers.
    expectClose(ga!, b, 0, 'dA = B^T');
    expectClose(gb!, a, 0, 'dB = A^T');
  });
});
