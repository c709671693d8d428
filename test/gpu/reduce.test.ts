/**
 * Reductions on the GPU against test/reference/reduce.ts: sum, mean, amax, amin over any dims with
 * keepdim and their gradients; argmax/argmin; integer sums; the split paths of
 * src/kernels/reduce.ts (few outputs and a long axis: a partial pass, then passes over the partials);
 * and tensors past the dispatch limit of one grid dimension.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/internal.js'; // ops and engineFor are internal
import * as red from '../reference/reduce.js';
import { numel } from '../reference/ndarray.js';
import {
  checkDirectional,
  checkOp,
  describeCase,
  distinctArray,
  expectClose,
  expectEqualValues,
  randomArray,
  readPoisoned,
  tensorOf,
  testArray,
} from '../helpers.js';

beforeAll(async () => {
  await wt.init();
});

type Dims = number | number[] | null;

const gpuReduce = (op: red.Reduction, x: wt.Tensor, dims: Dims, keepdim: boolean): wt.Tensor => {
  const d = dims ?? undefined;
  if (op === 'sum') return x.sum(d, keepdim);
  if (op === 'mean') return x.mean(d, keepdim);
  if (op === 'amax') return x.amax(d, keepdim);
  return wt.ops.amin(x, d, keepdim);
};

/** Shapes and dims: single dims, adjacent and non-adjacent sets, negative dims, all dims, size-1 dims. */
const cases: [number[], Dims, boolean][] = [
  [[7], 0, false],
  [[2, 3, 5], 1, false],
  [[2, 3, 5], -1, true],
  [[2, 3, 5], [0, 2], false],
  [[2, 3, 5], [0, 1], true],
  [[4, 1, 7, 3], [1, 2], false],
  [[4, 1, 7, 3], [0, 3], true],
  [[3, 5, 2], null, false],
  [[1, 1], null, true],
];

describe('sum, mean, amax, amin: forward and gradient', () => {
  for (const op of ['sum', 'mean', 'amax', 'amin'] as const) {
    it(op, async () => {
      for (const [k, [shape, dims, keepdim]] of cases.entries()) {
        // Distinct values: amax/amin's maximum is unambiguous, so finite differences are clean.
        const x = distinctArray(shape, 10 + k, 0.07);
        await checkOp({
          what: `${op} ${describeCase(shape, { dims, keepdim })}`,
          inputs: [x],
          gpu: (t) => gpuReduce(op, t, dims, keepdim),
          ref: (a) => red.reduce(op, a, dims, keepdim),
          refGrad: (gy, a) => [red.reduceBackward(op, a, dims, keepdim, gy)],
        });
      }
    });
  }

  it('amax / amin split the gradient evenly among tied maxima (as torch.amax)', async () => {
    const x = wt.tensor([[1, 3, 3, 2], [5, 5, 5, -1]], { requiresGrad: true });
    x.amax(1).sum().backward();
    expectClose(await x.grad!.data(), [0, 0.5, 0.5, 0, 1 / 3, 1 / 3, 1 / 3, 0], 1e-7, 'amax gradient with ties');
    const y = wt.tensor([2, -4, -4], { requiresGrad: true });
    wt.ops.amin(y).backward();
    expectClose(await y.grad!.data(), [0, 0.5, 0.5], 1e-7, 'amin gradient with ties');
  });

  it('a NaN propagates through amax and amin, as in PyTorch (shaders/reduce.wgsl says it does)', async () => {
    const x = wt.tensor([[1, NaN, 3], [4, 5, 6]]);
    const [mx, mn] = await readPoisoned(x.amax(1), wt.ops.amin(x, 1));
    expect(Array.from(mx!)).toEqual([NaN, 6]);
    expect(Array.from(mn!)).toEqual([NaN, 4]);
  });

  it('directional derivatives (GPU only)', async () => {
    const x = distinctArray([3, 4, 5], 3, 0.1);
    // Values 0.1 apart, perturbations below 1e-3: the extreme elements stay the same.
    await checkDirectional({ what: 'mean over [0, 2] times sum over 1', f: (t) => t.mean([0, 2], true).mul(t.sum(1, true)), at: [x], eps: 1e-3 });
    await checkDirectional({ what: 'amax(tanh(x), 1) * amin(x, 1)', f: (t) => t.tanh().amax(1).mul(wt.ops.amin(t, 1)), at: [x], eps: 1e-3 });
  });
});

describe('integer and bool reductions', () => {
  it('sum of int32 and bool tensors is int32; mean is float', async () => {
    const i = wt.tensor(Int32Array.from([3, -5, 7, 100, 2, -1]), { shape: [2, 3] });
    const s = i.sum(1);
    expect(s.dtype).toBe('int32');
    expectEqualValues((await readPoisoned(s))[0]!, [5, 101], 'int32 sum');
    const m = i.mean();
    expect(m.dtype).toBe('float32');
    expectClose(await m.data(), [106 / 6], 1e-7, 'int32 mean');
    const b = i.gt(0).sum();
    expect(b.dtype).toBe('int32');
    expect(await b.item()).toBe(4);
    expect(await i.amax().item()).toBe(100);
  });
});

describe('argmax and argmin', () => {
  const argCases: [number[], number | null, boolean][] = [
    [[11], null, false],
    [[3, 7], 1, false],
    [[3, 7], 0, true],
    [[2, 3, 5], -2, false],
    [[2, 3, 5], null, true],
    [[1, 6, 1], 1, false],
  ];
  for (const op of ['argmax', 'argmin'] as const) {
    it(op, async () => {
      for (const [k, [shape, dim, keepdim]] of argCases.entries()) {
        const x = distinctArray(shape, 30 + k);
        const t = tensorOf(x);
        const y = op === 'argmax' ? t.argmax(dim, keepdim) : wt.ops.argmin(t, dim, keepdim);
        expect(y.dtype).toBe('int32');
        const expected = red.argReduce(op, x.ref, dim, keepdim);
        expect(y.shape).toEqual(expected.shape);
        expectEqualValues((await readPoisoned(y))[0]!, expected, `${op} ${describeCase(shape, { dim, keepdim })}`);
      }
    });
  }

  it('returns the first of tied maxima', async () => {
    const x = wt.tensor([[1, 4, 4, 2], [7, 0, 7, 7]]);
    expectEqualValues(await x.argmax(1).data(), [1, 0], 'argmax with ties');
    expectEqualValues(await wt.ops.argmin(wt.tensor([3, 1, 1, 2])).data(), [1], 'argmin with ties');
  });
});

describe('long reductions: the split paths', () => {
  // [outer, r, inner] with few outputs and r > 512: one partial pass, then a pass over the partials.
  const splitCases: [number[], Dims][] = [
    [[3, 1000, 5], 1], // 15 outputs, 4 chunks of 250
    [[1025], null], // just over the threshold
    [[7, 3001], 1], // 7 outputs, 12 chunks of 251
    [[2, 513, 3], [0, 1]], // two reduced dims in one run
    [[20000, 3], 0], // 3 outputs strided by 3
  ];
  for (const op of ['sum', 'mean', 'amax', 'amin'] as const) {
    it(op, async () => {
      for (const [k, [shape, dims]] of splitCases.entries()) {
        const x = op === 'sum' || op === 'mean' ? randomArray(shape, 50 + k) : distinctArray(shape, 50 + k, 1e-3);
        await checkOp({
          what: `${op} ${describeCase(shape, { dims })}`,
          inputs: [x],
          gpu: (t) => gpuReduce(op, t, dims, false),
          ref: (a) => red.reduce(op, a, dims, false),
          refGrad: (gy, a) => [red.reduceBackward(op, a, dims, false, gy)],
          // Sums of up to 20000 float32 terms: rounding grows like sqrt(n) * 6e-8 per chunk and pass.
          tol: 1e-5,
          fd: { maxPoints: 60 },
        });
      }
    });
  }

  it('a full sum over 200000 elements takes three passes', async () => {
    const x = randomArray([200000], 60);
    const [out] = await readPoisoned(tensorOf(x).sum());
    // |sum| is ~sqrt(n) times smaller than the sum of |x|, so relative rounding grows: 1e-4 is
    // still 1000x below the error of dropping one chunk of 256 elements.
    expectClose(out!, red.reduce('sum', x.ref), 1e-4, 'sum of 200000');
    const [mx] = await readPoisoned(tensorOf(x).amax());
    expectClose(mx!, red.reduce('amax', x.ref), 0, 'amax of 200000');
  });
});

describe('tensors larger than one dispatch dimension (> 65535 * 64 elements)', () => {
  it('sum over a short axis with 4.19M outputs (a 2-D grid of reduce invocations)', async () => {
    const shape = [2, 4194305];
    expect(shape[1]!).toBeGreaterThan(65535 * 64);
    const x = randomArray(shape, 70);
    const [out] = await readPoisoned(tensorOf(x).sum(0));
    const expected = new Float32Array(shape[1]!);
    for (let i = 0; i < expected.length; i++) expected[i] = x.data[i]! + x.data[shape[1]! + i]!;
    // One float32 addition per output, rounded the same way on both sides.
    expectClose(out!, expected, 0, 'sum(0) of [2, 4194305]');
  });

  it('full sum and mean of 4.2M elements', async () => {
    const x = randomArray([2053, 2053], 71, { lo: 0, hi: 1 });
    const t = tensorOf(x);
    const [s, m] = await readPoisoned(t.sum(), t.mean());
    // Positive terms: no cancellation, float32 chunked sums stay within ~1e-6.
    expectClose(s!, red.reduce('sum', x.ref), 1e-5, 'sum of 4.2M');
    expectClose(m!, red.reduce('mean', x.ref), 1e-5, 'mean of 4.2M');
  });

  // Row r holds values in [r, r + 1), so a chunk that reads past its row's end finds a larger
  // value of the next row (or, for the last row, whatever lies past the buffer). With 55 outputs
  // and r = 76033 the split gives 297 chunks of 257, and 296 * 257 >= 76033: the last chunk of
  // each row is empty. (About the smallest tensor where that happens: 4.18M elements.)
  const [rows, cols] = [55, 76033];
  const rowOffsets = (): ReturnType<typeof testArray> => {
    const rng = randomArray([rows, cols], 72, { lo: 0, hi: 0.999 });
    return testArray([rows, cols], rng.data.map((v, i) => v + Math.floor(i / cols)));
  };
  for (const op of ['amax', 'amin'] as const) {
    it(`${op}(1) of [55, 76033]: every row has its own extreme value`, async () => {
      const x = rowOffsets();
      const [out] = await readPoisoned(gpuReduce(op, tensorOf(x), 1, false));
      const expected = red.reduce(op, x.ref, 1);
      expect(numel(expected.shape)).toBe(rows);
      expectClose(out!, expected, 0, `${op}(1) of [55, 76033]`);
    });
  }
});
