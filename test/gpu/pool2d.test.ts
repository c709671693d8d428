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
  checkDirectional,
  checkOp,
  describeCase,
  distinctArray,
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
