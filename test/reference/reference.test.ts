/**
 * The CPU references checked on their own (no GPU): hand-computed values and known PyTorch results,
 * and every reference gradient against float64 finite differences of the reference forward. The
 * GPU tests trust these, so they must be right first.
 */
import { describe, expect, it } from 'vitest';
import { checkFiniteDifferences, expectClose, randomArray, randomClasses, distinctArray } from '../helpers.js';
import * as conv from './conv2d.js';
import * as ew from './elementwise.js';
import * as loss from './loss.js';
import * as mm from './matmul.js';
import { ndarray, type NDArray } from './ndarray.js';
import { AdamReference, SgdReference } from './optim.js';
import * as pool from './pool2d.js';
import * as red from './reduce.js';

/** Differentiates `forward` at `inputs` against `grads` with a random upstream gradient. */
function fdCheck(what: string, forward: (...xs: NDArray[]) => NDArray, inputs: NDArray[], grads: (gy: NDArray) => (NDArray | null)[]): void {
  const y = forward(...inputs);
  const gy = randomArray(y.shape, 99).ref;
  checkFiniteDifferences({ what, forward, at: inputs, upstream: gy, gradients: grads(gy).map((g) => g?.data ?? null), tol: 1e-7 });
}

describe('reference values', () => {
  it('erf matches known values', () => {
    // Values from Abramowitz & Stegun table 7.1 / scipy.special.erf.
    const known: [number, number][] = [
      [0, 0],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [-3, -0.9999779095030014],
      [7, 1],
    ];
    for (const [x, e] of known) expect(ew.erf(x)).toBeCloseTo(e, 14);
  });

  it('conv2d of a 2x2 image, hand-computed', () => {
    const x = ndarray([1, 1, 2, 2], [1, 2, 3, 4]);
    const w = ndarray([1, 1, 2, 2], [1, 0, 0, -1]);
    expect(Array.from(conv.conv2d(x, w, null).data)).toEqual([1 - 4]);
    // padding 1: every 2x2 window of the zero-padded 4x4 image.
    const y = conv.conv2d(x, w, ndarray([1], [10]), { padding: 1 });
    expect(y.shape).toEqual([1, 1, 3, 3]);
    expect(Array.from(y.data)).toEqual([10 - 1, 10 - 2, 10, 10 - 3, 10 + 1 - 4, 10 + 2, 10, 10 + 3, 10 + 4]);
  });

  it("conv2d padding='same' puts the odd pixel at the bottom/right, as PyTorch", () => {
    const g = conv.convGeometry([1, 1, 5, 6], [1, 1, 4, 3], { padding: 'same', dilation: [1, 2] });
    expect([g.padTop, g.padBottom, g.padLeft, g.padRight, g.oh, g.ow]).toEqual([1, 2, 2, 2, 5, 6]);
  });

  it('pooling output sizes match PyTorch, ceil mode included', () => {
    // torch.nn.MaxPool2d(k, s, p, ceil_mode=c)(torch.zeros(1, 1, n, n)).shape[-1]
    expect(pool.poolOutputSize(7, 2, 2, 0, 1, false)).toBe(3);
    expect(pool.poolOutputSize(7, 2, 2, 0, 1, true)).toBe(4);
    expect(pool.poolOutputSize(5, 2, 2, 1, 1, true)).toBe(3); // the 4th window would start in the padding
    expect(pool.poolOutputSize(13, 3, 2, 0, 1, false)).toBe(6);
    expect(pool.poolOutputSize(8, 3, 2, 1, 2, true)).toBe(4);
  });

  it('max pooling returns the value and plane index of the first maximum', () => {
    const x = ndarray([1, 1, 2, 3], [1, 5, 2, 5, 0, 3]);
    const { out, indices } = pool.maxPool2d(x, { kernelSize: [2, 2], stride: 1 });
    expect(Array.from(out.data)).toEqual([5, 5]);
    expect(Array.from(indices.data)).toEqual([1, 1]);
  });

  it('avg pooling divisors: countIncludePad, ceil-mode clipping and divisorOverride', () => {
    const x = ndarray([1, 1, 3, 3], [1, 1, 1, 1, 1, 1, 1, 1, 1]);
    // Window at the corner with padding 1 covers 4 real pixels of 9.
    expect(pool.avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }).data[0]).toBeCloseTo(4 / 9, 15);
    expect(pool.avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false }).data[0]).toBe(1);
    expect(pool.avgPool2d(x, { kernelSize: 2, stride: 2, divisorOverride: 3 }).data[0]).toBeCloseTo(4 / 3, 15);
    // Ceil mode: the last window sticks out past the padded input; only its part inside counts.
    const y = pool.avgPool2d(x, { kernelSize: 2, stride: 2, ceilMode: true });
    expect(Array.from(y.data)).toEqual([1, 1, 1, 1]);
  });

  it('cross entropy of uniform logits is log(C); label smoothing and weights as PyTorch', () => {
    const logits = ndarray([2, 4], [0, 0, 0, 0, 0, 0, 0, 0]);
    expect(loss.crossEntropy(logits, [1, 3]).data[0]).toBeCloseTo(Math.log(4), 14);
    // torch.nn.functional.cross_entropy(torch.tensor([[1., 2., 3.]]), torch.tensor([0]), label_smoothing=0.2)
    const l = loss.crossEntropy(ndarray([1, 3], [1, 2, 3]), [0], { labelSmoothing: 0.2 });
    const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    expect(l.data[0]).toBeCloseTo(0.8 * (lse - 1) + (0.2 / 3) * (3 * lse - 6), 14);
    // Weighted mean divides by the weights of the counted targets; ignored rows count nothing.
    const w = [1, 2, 3];
    const x = ndarray([3, 3], [1, 2, 3, 3, 2, 1, 0, 0, 1]);
    const rows = loss.crossEntropy(x, [0, 2, -100], { weight: w, reduction: 'none' });
    expect(rows.data[2]).toBe(0);
    const mean = loss.crossEntropy(x, [0, 2, -100], { weight: w });
    expect(mean.data[0]).toBeCloseTo((rows.data[0]! + rows.data[1]!) / (1 + 3), 14);
  });

  it('SGD momentum and Adam steps, hand-computed', () => {
    const p = Float64Array.of(1, -2);
    const sgd = new SgdReference({ lr: 0.1, momentum: 0.9, dampening: 0.5 });
    sgd.step(p, [1, 1]); // buf = g (no dampening on the first step)
    expect(Array.from(p)).toEqual([1 - 0.1, -2 - 0.1]);
    sgd.step(p, [1, 1]); // buf = 0.9 * 1 + 0.5 * 1
    expect(p[0]).toBeCloseTo(0.9 - 0.1 * 1.4, 15);
    // Adam's first step moves every coordinate by about lr, against the gradient's sign.
    const q = Float64Array.of(1, -2, 3);
    new AdamReference({ lr: 0.01 }).step(q, [0.5, -3, 1e-3]);
    expect(q[0]).toBeCloseTo(0.99, 6);
    expect(q[1]).toBeCloseTo(-1.99, 6);
    expect(q[2]).toBeCloseTo(2.99, 4);
  });
});

describe('reference gradients vs finite differences', () => {
  it('unary maps', () => {
    const maps: [string, ew.UnaryMap, number, number][] = [
      ['relu', ew.relu, -2, 2],
      ['tanh', ew.tanh, -2, 2],
      ['sigmoid', ew.sigmoid, -3, 3],
      ['leakyRelu', ew.leakyRelu(0.2), -2, 2],
      ['elu', ew.elu(0.7), -2, 2],
      ['gelu', ew.gelu(), -3, 3],
      ['gelu tanh', ew.gelu('tanh'), -3, 3],
      ['softplus', ew.softplus(2, 1), -2, 2],
      ['silu', ew.silu, -3, 3],
      ['hardswish', ew.hardswish, -4, 4],
      ['hardsigmoid', ew.hardsigmoid, -4, 4],
      ['relu6', ew.relu6, -2, 8],
      ['hardtanh', ew.hardtanh(-0.5, 0.7), -1, 1],
      ['exp', ew.exp, -2, 2],
      ['log', ew.log, 0.1, 3],
      ['sqrt', ew.sqrt, 0.1, 3],
      ['rsqrt', ew.rsqrt, 0.1, 3],
      ['pow 3', ew.pow(3), -2, 2],
      ['pow 1.5', ew.pow(1.5), 0.1, 2],
      ['reciprocal', ew.reciprocal, 0.2, 2],
      ['abs', ew.abs, -2, 2],
      ['sin', ew.sin, -3, 3],
      ['cos', ew.cos, -3, 3],
    ];
    for (const [name, m, lo, hi] of maps) {
      const x = randomArray([40], 1, { lo, hi }).ref;
      fdCheck(name, (a) => ew.unary(m, a), [x], (gy) => [ew.unaryBackward(m, x, gy)]);
    }
  });

  it('binary maps with broadcasting', () => {
    const a = randomArray([3, 1, 5], 2).ref;
    const b = randomArray([4, 5], 3, { lo: 0.5, hi: 2 }).ref;
    for (const [name, m] of [['add', ew.add(2)], ['sub', ew.sub(0.5)], ['mul', ew.mul], ['div', ew.div], ['maximum', ew.maximum], ['minimum', ew.minimum]] as const) {
      fdCheck(name, (x, y) => ew.binary(m, x, y), [a, b], (gy) => ew.binaryBackward(m, a, b, gy));
    }
  });

  it('reductions', () => {
    const x = distinctArray([3, 4, 5], 4, 0.1).ref;
    for (const op of ['sum', 'mean', 'amax', 'amin'] as const) {
      for (const [dims, keepdim] of [[1, false], [[0, 2], true], [null, false], [-1, true]] as const) {
        fdCheck(`${op} ${JSON.stringify(dims)}`, (a) => red.reduce(op, a, dims, keepdim), [x], (gy) => [red.reduceBackward(op, x, dims, keepdim, gy)]);
      }
    }
  });

  it('matmul (1-D, batched, broadcast) and linear', () => {
    const shapes: [number[], number[]][] = [
      [[3, 4], [4, 2]],
      [[4], [4]],
      [[4], [2, 4, 3]],
      [[2, 1, 3, 4], [3, 4, 2]],
      [[2, 3, 4], [4]],
    ];
    shapes.forEach(([sa, sb], i) => {
      const a = randomArray(sa, 10 + i).ref;
      const b = randomArray(sb, 20 + i).ref;
      fdCheck(`matmul [${sa}] x [${sb}]`, mm.matmul, [a, b], (gy) => mm.matmulBackward(a, b, gy));
    });
    const x = randomArray([2, 3, 4], 5).ref;
    const w = randomArray([5, 4], 6).ref;
    const bias = randomArray([5], 7).ref;
    fdCheck('linear', mm.linear, [x, w, bias], (gy) => {
      const g = mm.linearBackward(x, w, gy);
      return [g.dx, g.dw, g.db];
    });
  });

  it('conv2d input, weight and bias gradients', () => {
    const cases: [number[], number[], conv.Conv2dParams][] = [
      [[2, 3, 5, 6], [4, 3, 3, 2], { stride: [2, 1], padding: [1, 0] }],
      [[1, 4, 6, 6], [6, 2, 3, 3], { groups: 2, dilation: 2, padding: 2 }],
      [[1, 2, 5, 5], [3, 2, 4, 2], { padding: 'same' }],
    ];
    for (const [xs, ws, p] of cases) {
      const x = randomArray(xs, 1).ref;
      const w = randomArray(ws, 2).ref;
      const b = randomArray([ws[0]!], 3).ref;
      fdCheck(`conv2d ${JSON.stringify(p)}`, (a, c, d) => conv.conv2d(a, c, d, p), [x, w, b], (gy) => [
        conv.conv2dInputGrad(gy, w, xs, p),
        conv.conv2dWeightGrad(gy, x, ws, p),
        conv.conv2dBiasGrad(gy),
      ]);
    }
  });

  it('pooling gradients', () => {
    const x = distinctArray([2, 2, 7, 6], 8).ref;
    const maxCases: pool.PoolParams[] = [
      { kernelSize: 2 },
      { kernelSize: 3, stride: 2, padding: 1, ceilMode: true },
      { kernelSize: [2, 3], stride: 1, dilation: [2, 1] },
    ];
    for (const p of maxCases) {
      const { indices } = pool.maxPool2d(x, p);
      fdCheck(`max ${JSON.stringify(p)}`, (a) => pool.maxPool2d(a, p).out, [x], (gy) => [pool.maxPool2dBackward(gy, indices, x.shape)]);
    }
    const avgCases: pool.PoolParams[] = [
      { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false, ceilMode: true },
      { kernelSize: 2, divisorOverride: 3 },
    ];
    for (const p of avgCases) {
      fdCheck(`avg ${JSON.stringify(p)}`, (a) => pool.avgPool2d(a, p), [x], (gy) => [pool.avgPool2dBackward(gy, x.shape, p)]);
    }
  });

  it('cross entropy and mse', () => {
    const x = randomArray([5, 4, 3], 11).ref;
    const target = Array.from(randomClasses(15, 4, 12));
    target[3] = 1;
    target[4] = 1;
    const options: loss.CrossEntropyParams[] = [
      {},
      { weight: [0.5, 1, 2, 0.25], ignoreIndex: 1, labelSmoothing: 0.3 },
      { weight: [0.5, 1, 2, 0.25], reduction: 'sum', labelSmoothing: 0.1 },
      { reduction: 'none', ignoreIndex: 1 },
    ];
    for (const p of options) {
      fdCheck(`crossEntropy ${JSON.stringify(p)}`, (a) => loss.crossEntropy(a, target, p), [x], (gy) => [loss.crossEntropyBackward(x, target, p, gy)]);
    }
    const a = randomArray([3, 4], 13).ref;
    const b = randomArray([3, 4], 14).ref;
    for (const r of ['mean', 'sum', 'none'] as const) {
      fdCheck(`mse ${r}`, (u, v) => loss.mseLoss(u, v, r), [a, b], (gy) => loss.mseLossBackward(a, b, r, gy));
    }
  });
});

describe('the checkers themselves', () => {
  it('finite differences reject a wrong gradient', () => {
    const x = randomArray([10], 1).ref;
    const forward = (a: NDArray): NDArray => ew.unary(ew.square, a);
    const gy = randomArray([10], 2).ref;
    const wrong = x.data.map((v, i) => v * gy.data[i]!); // misses the factor 2
    expect(() => checkFiniteDifferences({ what: 'square', forward, at: [x], upstream: gy, gradients: [wrong] })).toThrow(/finite differences/);
    const right = x.data.map((v, i) => 2 * v * gy.data[i]!);
    checkFiniteDifferences({ what: 'square', forward, at: [x], upstream: gy, gradients: [right] });
  });

  it('expectClose reports the worst element and non-finite values', () => {
    expect(() => expectClose([1, 2, 3.1], [1, 2, 3], 1e-5, 'case')).toThrow(/worst element 2: got 3\.1.*expected 3/s);
    expect(() => expectClose([1, NaN, 3], [1, 2, 3], 1e-5, 'case')).toThrow(/not finite/);
    expect(() => expectClose([1, 2], [1, 2, 3], 1e-5, 'case')).toThrow(/got 2 values/);
    expectClose([1, 2, 3 + 1e-7], [1, 2, 3], 1e-5, 'case');
  });
});
