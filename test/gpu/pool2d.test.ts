/**
 * maxPool2d and avgPool2d on the GPU against test/reference/pool2d.ts, forward (and max pooling's
 * indices) and backward, with every option the ops take: kernel and stride pairs, stride defaulting
 * to the kernel, padding, dilation (max), ceilMode (incl. a last window that would start in the
 * padding), countIncludePad, divisorOverride, returnIndices, unbatched input.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';
import * as pool from '../reference/pool2d.js';
import type { NDArray } from '../reference/ndarray.js';
import {
  TOL,
  checkDirectional,
  checkOp,
  describeCase,
  distinctArray,
  expectClose,
  expectEqualValues,
  randomArray,
  readPoisoned,
  tensorOf,
} from '../helpers.js';

const F = wt.nn.functional;

beforeAll(async () => {
  await wt.init();
});

const maxCases: [number[], pool.PoolParams][] = [
  [[2, 3, 8, 8], { kernelSize: 2 }],
  [[1, 4, 13, 13], { kernelSize: 3, stride: 2 }], // overlapping windows (AlexNet)
  [[2, 3, 7, 9], { kernelSize: 3, stride: 1, padding: 1 }],
  [[1, 2, 11, 6], { kernelSize: [3, 2], stride: [2, 1], padding: [1, 0] }],
  [[2, 2, 9, 10], { kernelSize: 3, stride: 1, dilation: 2 }],
  [[1, 3, 10, 7], { kernelSize: [2, 3], stride: [3, 2], padding: [1, 1], dilation: [3, 1] }],
  [[2, 3, 7, 9], { kernelSize: 2, stride: 2, ceilMode: true }],
  // Ceil mode where the 4th window would start inside the right padding, so it is dropped.
  [[1, 2, 5, 5], { kernelSize: 2, stride: 2, padding: 1, ceilMode: true }],
  [[1, 3, 8, 8], { kernelSize: 3, stride: 2, padding: 1, dilation: 2, ceilMode: true }],
  [[3, 5, 4, 4], { kernelSize: 1 }],
  [[2, 3, 1, 1], { kernelSize: 1 }], // spatial size 1
  [[1, 1, 13, 1], { kernelSize: [5, 1], stride: [4, 1], padding: [2, 0] }],
];

const maxOptions = (p: pool.PoolParams) => ({
  stride: p.stride ?? null,
  padding: p.padding ?? 0,
  dilation: p.dilation ?? 1,
  ceilMode: p.ceilMode ?? false,
});

describe('maxPool2d: forward, indices and gradient', () => {
  maxCases.forEach(([shape, p], k) => {
    it(describeCase(shape, p as unknown as Record<string, unknown>), async () => {
      // Distinct values: no ties, so the argmax (and the gradient) is unambiguous.
      const x = distinctArray(shape, 10 + k);
      const { indices } = pool.maxPool2d(x.ref, p);
      await checkOp({
        what: `maxPool2d ${describeCase(shape, p as unknown as Record<string, unknown>)}`,
        inputs: [x],
        gpu: (t) => F.maxPool2d(t, p.kernelSize, maxOptions(p)),
        ref: (a) => pool.maxPool2d(a, p).out,
        refGrad: (gy) => [pool.maxPool2dBackward(gy, indices, shape)],
      });
      const [out, idx] = F.maxPool2d(tensorOf(x), p.kernelSize, { ...maxOptions(p), returnIndices: true });
      expect(idx.dtype).toBe('int32');
      const [, gotIdx] = await readPoisoned(out, idx);
      expectEqualValues(gotIdx!, indices, `maxPool2d indices ${describeCase(shape)}`);
    });
  });

  it('positional arguments, and stride omitted defaults to the kernel', async () => {
    const x = distinctArray([2, 2, 9, 8], 50);
    const p: pool.PoolParams = { kernelSize: 3, stride: 2, padding: 1, dilation: 1, ceilMode: true };
    await checkOp({
      what: 'maxPool2d(x, 3, 2, 1, 1, true)',
      inputs: [x],
      gpu: (t) => F.maxPool2d(t, 3, 2, 1, 1, true) as wt.Tensor,
      ref: (a) => pool.maxPool2d(a, p).out,
    });
    await checkOp({ what: 'maxPool2d(x, [3, 2])', inputs: [x], gpu: (t) => F.maxPool2d(t, [3, 2]), ref: (a) => pool.maxPool2d(a, { kernelSize: [3, 2] }).out });
  });

  it('unbatched [C, H, W] input, with indices', async () => {
    const x = distinctArray([3, 7, 6], 51);
    const batched = (a: NDArray): NDArray => ({ shape: [1, ...a.shape], data: a.data });
    const p: pool.PoolParams = { kernelSize: 2, stride: 2, ceilMode: true };
    const ref = pool.maxPool2d(batched(x.ref), p);
    const [y, idx] = F.maxPool2d(tensorOf(x), 2, { stride: 2, ceilMode: true, returnIndices: true });
    expect(y.shape).toEqual([3, 4, 3]);
    expect(idx.shape).toEqual([3, 4, 3]);
    const [out, gotIdx] = await readPoisoned(y, idx);
    expectEqualValues(out!, ref.out, 'unbatched maxPool2d');
    expectEqualValues(gotIdx!, ref.indices, 'unbatched maxPool2d indices');
  });

  it('a NaN in a window is its maximum, as in PyTorch', async () => {
    const x = wt.tensor([1, NaN, 3, 2, 5, 6, 7, 8], { shape: [1, 1, 2, 4] });
    const [y, idx] = F.maxPool2d(x, 2, { returnIndices: true });
    const [out, gotIdx] = await readPoisoned(y, idx);
    expect(Number.isNaN(out![0]!)).toBe(true);
    expect(out![1]).toBe(8);
    expectEqualValues(gotIdx!, [1, 7], 'indices with a NaN');
  });

  it('directional derivative (GPU only)', async () => {
    // Values 0.05 apart and perturbations of at most 1e-2: the maxima do not change.
    const x = distinctArray([2, 3, 9, 9], 52);
    await checkDirectional({
      what: 'maxPool2d(3, 2, padding 1), tanh, then 2x2 with ceil mode',
      f: (t) => F.maxPool2d(F.tanh(F.maxPool2d(t, 3, { stride: 2, padding: 1 })), 2, { ceilMode: true }),
      at: [x],
      eps: 1e-2,
    });
  });
});

const avgCases: [number[], pool.PoolParams][] = [
  [[2, 3, 8, 8], { kernelSize: 2 }],
  [[1, 4, 13, 13], { kernelSize: 3, stride: 2 }],
  [[2, 3, 7, 9], { kernelSize: 3, stride: 2, padding: 1 }],
  [[2, 3, 7, 9], { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false }],
  [[1, 2, 11, 6], { kernelSize: [3, 2], stride: [2, 1], padding: [1, 0] }],
  [[2, 3, 7, 9], { kernelSize: 2, stride: 2, ceilMode: true }],
  [[1, 2, 5, 5], { kernelSize: 2, stride: 2, padding: 1, ceilMode: true }],
  [[1, 2, 6, 7], { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }],
  [[2, 3, 6, 6], { kernelSize: 2, divisorOverride: 3 }],
  [[1, 2, 7, 7], { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, divisorOverride: 5 }],
  [[2, 3, 1, 1], { kernelSize: 1 }],
  [[1, 5, 4, 4], { kernelSize: 4 }], // global average pooling
];

const avgOptions = (p: pool.PoolParams) => ({
  stride: p.stride ?? null,
  padding: p.padding ?? 0,
  ceilMode: p.ceilMode ?? false,
  countIncludePad: p.countIncludePad ?? true,
  divisorOverride: p.divisorOverride ?? null,
});

describe('avgPool2d: forward and gradient', () => {
  avgCases.forEach(([shape, p], k) => {
    it(describeCase(shape, p as unknown as Record<string, unknown>), async () => {
      const x = randomArray(shape, 100 + k);
      await checkOp({
        what: `avgPool2d ${describeCase(shape, p as unknown as Record<string, unknown>)}`,
        inputs: [x],
        gpu: (t) => F.avgPool2d(t, p.kernelSize, avgOptions(p)),
        ref: (a) => pool.avgPool2d(a, p),
        refGrad: (gy) => [pool.avgPool2dBackward(gy, shape, p)],
      });
    });
  });

  it('positional arguments and unbatched input', async () => {
    const x = randomArray([3, 7, 6], 150);
    const p: pool.PoolParams = { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false, divisorOverride: null };
    await checkOp({
      what: 'avgPool2d(x, 3, 2, 1, true, false, null) on [3, 7, 6]',
      inputs: [x],
      gpu: (t) => F.avgPool2d(t, 3, 2, 1, true, false, null),
      ref: (a) => {
        const y = pool.avgPool2d({ shape: [1, ...a.shape], data: a.data }, p);
        return { shape: y.shape.slice(1), data: y.data };
      },
    });
  });

  it('directional derivative (GPU only)', async () => {
    const x = randomArray([2, 3, 9, 8], 151);
    await checkDirectional({
      what: 'avgPool2d(3, 2, padding 1, ceil, no pad count) squared',
      f: (t) => F.avgPool2d(t, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }).pow(2),
      at: [x],
    });
  });
});

// ---- adaptive pooling ------------------------------------------------------------------------------

const adaptiveCases: [number[], wt.nn.functional.AdaptiveSize, [number, number]][] = [
  [[2, 3, 7, 5], [3, 2], [3, 2]], // overlapping windows (7 -> 3: 0..2, 2..4, 4..6)
  [[1, 5, 13, 11], [4, null], [4, 11]], // null keeps the width
  [[2, 3, 5, 9], [null, 4], [5, 4]],
  [[2, 3, 4, 4], 8, [8, 8]], // larger than the input: windows of 1 and 2
  [[1, 2, 5, 7], [7, 3], [7, 3]],
  [[3, 2, 8, 6], [4, 3], [4, 3]], // divisible: plain pooling with kernel = stride = 2
  [[2, 3, 6, 6], 1, [1, 1]], // global
  [[1, 3, 1, 1], [3, 2], [3, 2]], // spatial size 1 upsampled
  [[2, 4, 3, 5], [3, 5], [3, 5]], // same size
];

describe('adaptiveAvgPool2d: forward and gradient', () => {
  adaptiveCases.forEach(([shape, size, [oh, ow]], k) => {
    it(`${describeCase(shape)} -> ${JSON.stringify(size)}`, async () => {
      const x = randomArray(shape, 300 + k);
      await checkOp({
        what: `adaptiveAvgPool2d ${describeCase(shape)} -> ${JSON.stringify(size)}`,
        inputs: [x],
        gpu: (t) => F.adaptiveAvgPool2d(t, size),
        ref: (a) => pool.adaptiveAvgPool2d(a, oh, ow),
        refGrad: (gy) => [pool.adaptiveAvgPool2dBackward(gy, shape)],
      });
    });
  });

  it('unbatched [C, H, W] input; global average pooling of a long plane is a split mean', async () => {
    const x = randomArray([3, 7, 6], 320);
    const y = F.adaptiveAvgPool2d(tensorOf(x), [2, 4]);
    expect(y.shape).toEqual([3, 2, 4]);
    const [out] = await readPoisoned(y);
    expectClose(out!, pool.adaptiveAvgPool2d({ shape: [1, 3, 7, 6], data: x.ref.data }, 2, 4).data, TOL, 'unbatched');
    const big = randomArray([2, 3, 100, 90], 321);
    await checkOp({
      what: 'global average pooling of [2, 3, 100, 90]',
      inputs: [big],
      gpu: (t) => F.adaptiveAvgPool2d(t, 1),
      ref: (a) => pool.adaptiveAvgPool2d(a, 1, 1),
      fd: { maxPoints: 50 },
    });
  });

  it('errors: rank, empty planes, bad sizes', () => {
    expect(() => F.adaptiveAvgPool2d(wt.zeros([3, 4]), 2)).toThrow(/adaptive_avg_pool2d: expected a 3-D \[C, H, W\] or 4-D \[N, C, H, W\] input, got \[3, 4\]/);
    expect(() => F.adaptiveAvgPool2d(wt.zeros([2, 3, 0, 4]), 2)).toThrow(/non-zero sizes for the non-batch dims, got \[2, 3, 0, 4\]/);
    expect(() => F.adaptiveAvgPool2d(wt.zeros([2, 3, 4, 4]), [2, 2, 2])).toThrow(/outputSize must be a non-negative integer or a pair/);
    expect(() => F.adaptiveMaxPool2d(wt.zeros([2, 3, 4, 4]), -1)).toThrow(/adaptive_max_pool2d: outputSize must be/);
  });
});

describe('adaptiveMaxPool2d: forward, indices and gradient', () => {
  adaptiveCases.forEach(([shape, size, [oh, ow]], k) => {
    it(`${describeCase(shape)} -> ${JSON.stringify(size)}`, async () => {
      const x = distinctArray(shape, 400 + k);
      const { out, indices } = pool.adaptiveMaxPool2d(x.ref, oh, ow);
      // Overlapping windows can share a maximum: its gradient is the sum over them.
      const refGrad = (gy: NDArray) => [pool.maxPool2dBackward(gy, indices, shape)];
      await checkOp({
        what: `adaptiveMaxPool2d ${describeCase(shape)} -> ${JSON.stringify(size)}`,
        inputs: [x],
        gpu: (t) => F.adaptiveMaxPool2d(t, size),
        ref: (a) => pool.adaptiveMaxPool2d(a, oh, ow).out,
        refGrad: (gy) => refGrad(gy),
      });
      const [y, idx] = F.adaptiveMaxPool2d(tensorOf(x), size, true);
      expect(idx.dtype).toBe('int32');
      const [gotY, gotIdx] = await readPoisoned(y, idx);
      expectClose(gotY!, out, 0, 'output');
      expectEqualValues(gotIdx!, indices, `adaptiveMaxPool2d indices ${describeCase(shape)}`);
    });
  });

  it('returnIndices as an option, unbatched input, NaN is the maximum', async () => {
    const x = distinctArray([2, 5, 7], 420);
    const [y, idx] = F.adaptiveMaxPool2d(tensorOf(x), [3, 4], { returnIndices: true });
    expect([y.shape, idx.shape]).toEqual([[2, 3, 4], [2, 3, 4]]);
    const ref = pool.adaptiveMaxPool2d({ shape: [1, 2, 5, 7], data: x.ref.data }, 3, 4);
    const [, gotIdx] = await readPoisoned(y, idx);
    expectEqualValues(gotIdx!, ref.indices, 'unbatched indices');
    const withNaN = wt.tensor([1, NaN, 3, 2, 5, 6, 7, 8, 9], { shape: [1, 1, 3, 3] });
    const [m, i] = F.adaptiveMaxPool2d(withNaN, 2, true);
    const [mv, iv] = await readPoisoned(m, i);
    expect(Number.isNaN(mv![0]!)).toBe(true);
    expect(iv![0]).toBe(1);
  });
});

describe('pooling modules', () => {
  it('MaxPool2d with returnIndices returns [output, indices]; AvgPool2d options; adaptive modules', async () => {
    const x = distinctArray([2, 3, 9, 9], 430);
    const p: pool.PoolParams = { kernelSize: 3, stride: 2, padding: 1, ceilMode: true };
    const ref = pool.maxPool2d(x.ref, p);
    const withIndices = new wt.nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true, returnIndices: true });
    const [y, idx] = withIndices.call(tensorOf(x));
    const [gotY, gotIdx] = await readPoisoned(y, idx);
    expectClose(gotY!, ref.out, 0, 'MaxPool2d output');
    expectEqualValues(gotIdx!, ref.indices, 'MaxPool2d indices');
    // Positional: (kernelSize, stride, padding, dilation, returnIndices, ceilMode).
    const positional = new wt.nn.MaxPool2d(3, 2, 1, 1, true, true);
    const [y2] = positional.call(tensorOf(x));
    expectClose(await y2.data(), ref.out, 0, 'positional MaxPool2d');
    expect(new wt.nn.MaxPool2d(2).call(tensorOf(x)).shape).toEqual([2, 3, 4, 4]);
    const avg = new wt.nn.AvgPool2d(3, 2, 1, true, false);
    expect([avg.stride, avg.padding, avg.ceilMode, avg.countIncludePad, avg.divisorOverride]).toEqual([2, 1, true, false, null]);
    const [a] = await readPoisoned(avg.call(tensorOf(x)));
    expectClose(a!, pool.avgPool2d(x.ref, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), TOL, 'AvgPool2d');
    const gap = new wt.nn.AdaptiveAvgPool2d(1);
    expect(gap.call(tensorOf(x)).shape).toEqual([2, 3, 1, 1]);
    const amp = new wt.nn.AdaptiveMaxPool2d([4, null], true);
    const [ay, ai] = amp.call(tensorOf(x));
    expect([ay.shape, ai.shape]).toEqual([[2, 3, 4, 9], [2, 3, 4, 9]]);
    expect(new wt.nn.AdaptiveMaxPool2d(2).call(tensorOf(x)).shape).toEqual([2, 3, 2, 2]);
    expect(Object.keys(new wt.nn.Sequential(new wt.nn.MaxPool2d(2), new wt.nn.AdaptiveAvgPool2d([2, 3])).stateDict())).toEqual([]);
  });
});

describe('pooling past one dispatch (more than 65535 * 64 rows)', () => {
  it('maxPool2d, avgPool2d and adaptive pooling (all with overlapping windows) on [1, 2200000, 3, 1]', async () => {
    const shape = [1, 2_200_000, 3, 1];
    // 6.6M distinct float32 values (1e-5 apart, up to +-33: more than one ulp apart).
    const x = distinctArray(shape, 440, 1e-5);
    const maxP: pool.PoolParams = { kernelSize: [2, 1], stride: 1 };
    const avgP: pool.PoolParams = { kernelSize: [2, 1], stride: 1, padding: [1, 0] };
    const cases: [string, (t: wt.Tensor) => wt.Tensor, () => NDArray, (g: NDArray) => NDArray][] = [
      ['maxPool2d', (t) => F.maxPool2d(t, [2, 1], { stride: 1 }), () => pool.maxPool2d(x.ref, maxP).out, (g) => pool.maxPool2dBackward(g, pool.maxPool2d(x.ref, maxP).indices, shape)],
      ['avgPool2d', (t) => F.avgPool2d(t, [2, 1], { stride: 1, padding: [1, 0] }), () => pool.avgPool2d(x.ref, avgP), (g) => pool.avgPool2dBackward(g, shape, avgP)],
      ['adaptiveAvgPool2d', (t) => F.adaptiveAvgPool2d(t, [2, 1]), () => pool.adaptiveAvgPool2d(x.ref, 2, 1), (g) => pool.adaptiveAvgPool2dBackward(g, shape)],
      ['adaptiveMaxPool2d', (t) => F.adaptiveMaxPool2d(t, [2, 1]), () => pool.adaptiveMaxPool2d(x.ref, 2, 1).out, (g) => pool.maxPool2dBackward(g, pool.adaptiveMaxPool2d(x.ref, 2, 1).indices, shape)],
    ];
    for (const [name, f, ref, refGrad] of cases) {
      const xt = tensorOf(x, true);
      const y = f(xt);
      // 4.4M (8.8M for avgPool2d's padded rows) output rows forward, 6.6M input rows backward.
      expect(y.shape[1]! * y.shape[2]!, name).toBeGreaterThan(65535 * 64);
      const gy = randomArray(y.shape, 441);
      y.backward(tensorOf(gy));
      const [out, dx] = await readPoisoned(y, xt.grad!);
      expectClose(out!, ref(), TOL, `${name} forward`);
      expectClose(dx!, refGrad(gy.ref), TOL, `${name} gradient`);
    }
  });
});
