/**
 * Elementwise ops on the GPU against test/reference/elementwise.ts: unary maps and activations with
 * their gradients, broadcasting binary arithmetic with its gradients (sumTo), scalar arithmetic,
 * comparisons, casts, permutes and one tensor past the dispatch limit of one grid dimension.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/internal.js'; // ops and engineFor are internal
import * as ew from '../reference/elementwise.js';
import { permute as refPermute, sumTo } from '../reference/ndarray.js';
import {
  checkDirectional,
  checkOp,
  describeCase,
  expectClose,
  expectEqualValues,
  randomArray,
  readPoisoned,
  tensorOf,
  testArray,
  TOL,
  type RandomOptions,
} from '../helpers.js';

const F = wt.nn.functional;

beforeAll(async () => {
  await wt.init();
});

interface UnaryCase {
  name: string;
  gpu: (x: wt.Tensor) => wt.Tensor;
  ref: ew.UnaryMap;
  range?: RandomOptions;
  /** Rounding, sign and friends have no useful gradient. */
  forwardOnly?: boolean;
  /** Tolerance of forward and gradient, when TOL does not apply (say why). */
  tol?: number;
}

/** WGSL only promises sin/cos to an absolute error of 2^-11 on [-pi, pi] (SwiftShader is ~2e-4 off). */
const TRIG_TOL = 1e-3;

const unaryCases: UnaryCase[] = [
  { name: 'relu', gpu: (x) => F.relu(x), ref: ew.relu },
  { name: 'tanh', gpu: (x) => F.tanh(x), ref: ew.tanh, range: { lo: -3, hi: 3 } },
  { name: 'sigmoid', gpu: (x) => F.sigmoid(x), ref: ew.sigmoid, range: { lo: -5, hi: 5 } },
  { name: 'leakyRelu default slope', gpu: (x) => F.leakyRelu(x), ref: ew.leakyRelu() },
  { name: 'leakyRelu(0.2)', gpu: (x) => F.leakyRelu(x, 0.2), ref: ew.leakyRelu(0.2) },
  { name: 'leakyRelu({ negativeSlope: 1.5 })', gpu: (x) => F.leakyRelu(x, { negativeSlope: 1.5 }), ref: ew.leakyRelu(1.5) },
  { name: 'elu default alpha', gpu: (x) => F.elu(x), ref: ew.elu(), range: { lo: -3, hi: 2 } },
  { name: 'elu({ alpha: 0.7 })', gpu: (x) => F.elu(x, { alpha: 0.7 }), ref: ew.elu(0.7), range: { lo: -3, hi: 2 } },
  { name: 'gelu (erf)', gpu: (x) => F.gelu(x), ref: ew.gelu(), range: { lo: -4, hi: 4 } },
  { name: "gelu('tanh')", gpu: (x) => F.gelu(x, 'tanh'), ref: ew.gelu('tanh'), range: { lo: -4, hi: 4 } },
  { name: "gelu({ approximate: 'tanh' })", gpu: (x) => F.gelu(x, { approximate: 'tanh' }), ref: ew.gelu('tanh') },
  { name: 'softplus default', gpu: (x) => F.softplus(x), ref: ew.softplus(), range: { lo: -4, hi: 4 } },
  // beta 2, threshold 3: the linear branch (beta x > threshold) is taken for x > 1.5.
  { name: 'softplus(beta=2, threshold=3)', gpu: (x) => F.softplus(x, 2, 3), ref: ew.softplus(2, 3), range: { lo: -3, hi: 3 } },
  { name: 'softplus({ beta: 0.5 })', gpu: (x) => F.softplus(x, { beta: 0.5 }), ref: ew.softplus(0.5), range: { lo: -3, hi: 3 } },
  { name: 'silu', gpu: (x) => F.silu(x), ref: ew.silu, range: { lo: -4, hi: 4 } },
  // Ranges past +-3 so both flat parts and the middle are covered.
  { name: 'hardswish', gpu: (x) => F.hardswish(x), ref: ew.hardswish, range: { lo: -5, hi: 5 } },
  { name: 'hardsigmoid', gpu: (x) => F.hardsigmoid(x), ref: ew.hardsigmoid, range: { lo: -5, hi: 5 } },
  { name: 'relu6', gpu: (x) => F.relu6(x), ref: ew.relu6, range: { lo: -3, hi: 9 } },
  { name: 'hardtanh default', gpu: (x) => F.hardtanh(x), ref: ew.hardtanh(), range: { lo: -2, hi: 2 } },
  { name: 'hardtanh(-0.5, 0.7)', gpu: (x) => F.hardtanh(x, { minVal: -0.5, maxVal: 0.7 }), ref: ew.hardtanh(-0.5, 0.7) },
  { name: 'exp', gpu: (x) => x.exp(), ref: ew.exp, range: { lo: -3, hi: 3 } },
  { name: 'log', gpu: (x) => x.log(), ref: ew.log, range: { lo: 0.05, hi: 5 } },
  { name: 'sqrt', gpu: (x) => x.sqrt(), ref: ew.sqrt, range: { lo: 0.05, hi: 5 } },
  { name: 'rsqrt', gpu: (x) => wt.ops.rsqrt(x), ref: ew.rsqrt, range: { lo: 0.1, hi: 5 } },
  { name: 'abs', gpu: (x) => x.abs(), ref: ew.abs },
  { name: 'neg', gpu: (x) => x.neg(), ref: ew.neg },
  { name: 'square', gpu: (x) => wt.ops.square(x), ref: ew.square },
  { name: 'reciprocal', gpu: (x) => wt.ops.reciprocal(x), ref: ew.reciprocal, range: { lo: 0.2, hi: 3 } },
  { name: 'pow(2)', gpu: (x) => x.pow(2), ref: ew.pow(2) },
  { name: 'pow(3) of negative values', gpu: (x) => x.pow(3), ref: ew.pow(3) },
  { name: 'pow(0.5)', gpu: (x) => x.pow(0.5), ref: ew.pow(0.5), range: { lo: 0.1, hi: 4 } },
  { name: 'pow(-1.5)', gpu: (x) => x.pow(-1.5), ref: ew.pow(-1.5), range: { lo: 0.3, hi: 3 } },
  { name: 'pow(2.7)', gpu: (x) => x.pow(2.7), ref: ew.pow(2.7), range: { lo: 0.1, hi: 2 } },
  { name: 'sin', gpu: (x) => wt.ops.sin(x), ref: ew.sin, range: { lo: -3, hi: 3 }, tol: TRIG_TOL },
  { name: 'cos', gpu: (x) => wt.ops.cos(x), ref: ew.cos, range: { lo: -3, hi: 3 }, tol: TRIG_TOL },
  { name: 'clamp(-0.3, 0.6)', gpu: (x) => wt.ops.clamp(x, -0.3, 0.6), ref: ew.clamp(-0.3, 0.6) },
  { name: 'clamp(min only)', gpu: (x) => wt.ops.clamp(x, 0.2), ref: ew.clamp(0.2, Infinity) },
  { name: 'x * 3 + 0.5', gpu: (x) => x.mul(3).add(0.5), ref: ew.affine(3, 0.5) },
  { name: 'x / 4 - 2 * 1.5', gpu: (x) => x.div(4).sub(1.5, 2), ref: ew.affine(0.25, -3) },
  { name: 'x + 2 * 0.5 (alpha)', gpu: (x) => x.add(0.5, 2), ref: ew.affine(1, 1) },
  { name: 'sign', gpu: (x) => wt.ops.sign(x), ref: ew.sign, forwardOnly: true },
  { name: 'floor', gpu: (x) => wt.ops.floor(x), ref: ew.floor, range: { lo: -4, hi: 4 }, forwardOnly: true },
  { name: 'ceil', gpu: (x) => wt.ops.ceil(x), ref: ew.ceil, range: { lo: -4, hi: 4 }, forwardOnly: true },
  { name: 'round', gpu: (x) => wt.ops.round(x), ref: ew.round, range: { lo: -4, hi: 4 }, forwardOnly: true },
];

// A prime length, and a 4-D shape with a size-1 dim and a channel count that is not a multiple of 4.
const unaryShapes = [[37], [2, 3, 1, 5]];

describe('unary maps and activations: forward, gradient vs reference and finite differences', () => {
  for (const c of unaryCases) {
    it(c.name, async () => {
      for (const [k, shape] of unaryShapes.entries()) {
        const x = randomArray(shape, 100 + k, c.range);
        await checkOp({
          what: `${c.name} ${describeCase(shape)}`,
          inputs: [x],
          gpu: c.gpu,
          ref: (a) => ew.unary(c.ref, a),
          refGrad: (gy, a) => [ew.unaryBackward(c.ref, a, gy)],
          forwardOnly: c.forwardOnly ?? false,
          ...(c.tol !== undefined ? { tol: c.tol, gradTol: c.tol } : {}),
        });
      }
    });
  }

  it('saturating maps stay finite far from 0 (|x| up to 100)', async () => {
    // WGSL's tanh may be computed as sinh / cosh, which overflows to inf / inf = NaN for large |x|.
    const x = testArray([10], [-100, -50, -20, -12, -8, 8, 12, 20, 50, 100]);
    const saturating: [string, (t: wt.Tensor) => wt.Tensor, ew.UnaryMap][] = [
      ['tanh', (t) => F.tanh(t), ew.tanh],
      ["gelu('tanh')", (t) => F.gelu(t, 'tanh'), ew.gelu('tanh')],
      ['gelu', (t) => F.gelu(t), ew.gelu()],
      ['sigmoid', (t) => F.sigmoid(t), ew.sigmoid],
      ['silu', (t) => F.silu(t), ew.silu],
      ['softplus', (t) => F.softplus(t), ew.softplus()],
      ['elu', (t) => F.elu(t), ew.elu()],
    ];
    const failures: string[] = [];
    for (const [name, gpu, ref] of saturating) {
      const t = tensorOf(x, true);
      const y = gpu(t);
      const gy = randomArray([10], 5);
      y.backward(tensorOf(gy));
      const [out, grad] = await readPoisoned(y, t.grad!);
      const where = `at [${Array.from(x.data)}]`;
      try {
        expectClose(out!, ew.unary(ref, x.ref), TOL, `${name} forward ${where}`);
      } catch (e) {
        failures.push(`${(e as Error).message}\n    got [${Array.from(out!, (v) => v.toPrecision(4)).join(', ')}]`);
      }
      // Near saturation the derivative is formed from the output (1 - y^2, y (1 - y)), which in
      // float32 keeps only y's absolute accuracy (~6e-8), as PyTorch's float32 backward does; so
      // the gradient is held to an absolute error (|gy| <= 1), not a relative one.
      const expected = ew.unaryBackward(ref, x.ref, gy.ref).data;
      const worst = Math.max(...Array.from(grad!, (v, i) => Math.abs(v - expected[i]!)));
      if (!(worst <= 1e-5)) {
        failures.push(`${name} gradient ${where}: max abs error ${worst}\n    got [${Array.from(grad!, (v) => v.toPrecision(4)).join(', ')}]\n    expected [${Array.from(expected, (v) => v.toPrecision(4)).join(', ')}]`);
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });

  it('round halves to even, sign of 0 is 0', async () => {
    const x = wt.tensor([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0, -0]);
    expectEqualValues(await wt.ops.round(x).data(), [-2, -2, -0, 0, 2, 2, 0, 0], 'round');
    expectEqualValues(await wt.ops.sign(x).data(), [-1, -1, -1, 1, 1, 1, 0, 0], 'sign');
  });

  it('directional derivatives of composed maps (GPU only)', async () => {
    const x = randomArray([3, 17], 5, { lo: -2, hi: 2 });
    await checkDirectional({ what: 'gelu(tanh(x)) * sigmoid(x)', f: (t) => F.gelu(F.tanh(t)).mul(F.sigmoid(t)), at: [x] });
    await checkDirectional({ what: 'softplus(silu(x)) ^ 2', f: (t) => F.softplus(F.silu(t)).pow(2), at: [x] });
    await checkDirectional({ what: 'elu(x).exp()', f: (t) => F.elu(t).exp(), at: [x] });
  });
});

interface BinaryCase {
  name: string;
  gpu: (a: wt.Tensor, b: wt.Tensor) => wt.Tensor;
  ref: ew.BinaryMap;
  /** The divisor must stay away from 0. */
  bRange?: RandomOptions;
}

const binaryCases: BinaryCase[] = [
  { name: 'add', gpu: (a, b) => a.add(b), ref: ew.add() },
  { name: 'add alpha=2.5', gpu: (a, b) => a.add(b, 2.5), ref: ew.add(2.5) },
  { name: 'sub', gpu: (a, b) => a.sub(b), ref: ew.sub() },
  { name: 'sub alpha=-0.5', gpu: (a, b) => a.sub(b, -0.5), ref: ew.sub(-0.5) },
  { name: 'mul', gpu: (a, b) => a.mul(b), ref: ew.mul },
  { name: 'div', gpu: (a, b) => a.div(b), ref: ew.div, bRange: { lo: 0.5, hi: 2 } },
  { name: 'maximum', gpu: (a, b) => a.maximum(b), ref: ew.maximum },
  { name: 'minimum', gpu: (a, b) => a.minimum(b), ref: ew.minimum },
];

/** Pairs of operand shapes: equal, broadcast both ways, scalar-like, and ranks that do not collapse. */
const binaryShapes: [number[], number[]][] = [
  [[5, 7], [5, 7]],
  [[3, 1, 5], [4, 5]],
  [[2, 3, 4], [3, 1]],
  [[7], [1]],
  [[1], [2, 3, 1]],
  [[2, 1, 3, 1, 5], [4, 1, 1, 5]],
  // Rank 6 after collapsing (the broadcast dims alternate), the largest the kernel takes.
  [[2, 3, 2, 3, 2, 3], [1, 3, 1, 3, 1, 3]],
];

describe('broadcasting binary ops: forward and both gradients', () => {
  for (const c of binaryCases) {
    it(c.name, async () => {
      for (const [k, [sa, sb]] of binaryShapes.entries()) {
        const a = randomArray(sa, 200 + k);
        const b = randomArray(sb, 300 + k, c.bRange);
        await checkOp({
          what: `${c.name} [${sa}] with [${sb}]`,
          inputs: [a, b],
          gpu: c.gpu,
          ref: (x, y) => ew.binary(c.ref, x, y),
          refGrad: (gy, x, y) => ew.binaryBackward(c.ref, x, y, gy),
        });
      }
    });
  }

  it('maximum and minimum split the gradient evenly on ties', async () => {
    const a = wt.tensor([1, 2, 3, -1], { requiresGrad: true });
    const b = wt.tensor([1, 0, 3, 4], { requiresGrad: true });
    a.maximum(b).sum().backward();
    expectEqualValues(await a.grad!.data(), [0.5, 1, 0.5, 0], 'd maximum / da');
    expectEqualValues(await b.grad!.data(), [0.5, 0, 0.5, 1], 'd maximum / db');
    const c = wt.tensor([1, 2], { requiresGrad: true });
    const d = wt.tensor([1, 5], { requiresGrad: true });
    c.minimum(d).sum().backward();
    expectEqualValues(await c.grad!.data(), [0.5, 1], 'd minimum / dc');
    expectEqualValues(await d.grad!.data(), [0.5, 0], 'd minimum / dd');
  });

  it('a gradient reused by several ops accumulates (x * x + x)', async () => {
    const x = randomArray([6, 5], 9);
    await checkOp({
      what: 'x * x + x',
      inputs: [x],
      gpu: (t) => t.mul(t).add(t),
      ref: (a) => ew.binary(ew.add(), ew.binary(ew.mul, a, a), a),
    });
    await checkDirectional({ what: 'x * x + x', f: (t) => t.mul(t).add(t), at: [x] });
  });

  it('directional derivative through broadcasting (GPU only)', async () => {
    const a = randomArray([2, 1, 3, 1, 5], 12);
    const b = randomArray([4, 1, 1, 5], 13, { lo: 0.5, hi: 2 });
    await checkDirectional({ what: '(a - b) / b * a', f: (x, y) => x.sub(y).div(y).mul(x), at: [a, b] });
  });
});

describe('comparisons and casts', () => {
  const compareRefs: Record<string, (a: number, b: number) => boolean> = {
    eq: (a, b) => a === b,
    ne: (a, b) => a !== b,
    lt: (a, b) => a < b,
    le: (a, b) => a <= b,
    gt: (a, b) => a > b,
    ge: (a, b) => a >= b,
  };
  type CompareName = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
  const names = Object.keys(compareRefs) as CompareName[];

  it('float tensors, broadcast, with equal elements', async () => {
    // Small integers as floats, so many pairs are equal.
    const a = testArray([3, 1, 4], randomArray([12], 1).data.map((v) => Math.round(v * 2)));
    const b = testArray([5, 4], randomArray([20], 2).data.map((v) => Math.round(v * 2)));
    for (const name of names) {
      const out = await readPoisoned(tensorOf(a)[name](tensorOf(b)));
      const expected = ew.binary({ f: (x, y) => Number(compareRefs[name]!(x, y)), da: () => 0, db: () => 0 }, a.ref, b.ref);
      expectEqualValues(out[0]!, expected, `${name} [3, 1, 4] with [5, 4]`);
    }
  });

  it('against a scalar, for float and int32 tensors', async () => {
    const f = testArray([13], [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3, -3, 1]);
    const i = wt.tensor(Int32Array.from([-2, -1, 0, 1, 2, 3, 1]));
    for (const name of names) {
      expectEqualValues((await readPoisoned(tensorOf(f)[name](1)))[0]!, Array.from(f.data, (v) => Number(compareRefs[name]!(v, 1))), `float ${name} 1`);
      expectEqualValues((await readPoisoned(i[name](1)))[0]!, [-2, -1, 0, 1, 2, 3, 1].map((v) => Number(compareRefs[name]!(v, 1))), `int32 ${name} 1`);
      expectEqualValues((await readPoisoned(i[name](0.5)))[0]!, [-2, -1, 0, 1, 2, 3, 1].map((v) => Number(compareRefs[name]!(v, 0.5))), `int32 ${name} 0.5`);
    }
  });

  it('int32 tensors against int32 tensors', async () => {
    const a = wt.tensor(Int32Array.from([5, -7, 100000, 3]));
    const b = wt.tensor(Int32Array.from([5, -6, 100001, 2]));
    expectEqualValues(await a.lt(b).data(), [0, 1, 1, 0], 'int32 lt');
    expectEqualValues(await a.eq(b).data(), [1, 0, 0, 0], 'int32 eq');
  });

  it('casts: float to int truncates toward zero, bool is nonzero', async () => {
    const x = wt.tensor([-2.7, -1.2, -0.5, 0, 0.5, 1.9, 3.0, 7.99]);
    const asInt = x.int();
    expect(asInt.dtype).toBe('int32');
    expectEqualValues((await readPoisoned(asInt))[0]!, [-2, -1, 0, 0, 0, 1, 3, 7], 'float -> int32');
    expectEqualValues((await readPoisoned(asInt.float()))[0]!, [-2, -1, 0, 0, 0, 1, 3, 7], 'int32 -> float');
    expectEqualValues((await readPoisoned(x.to('bool')))[0]!, [1, 1, 1, 0, 1, 1, 1, 1], 'float -> bool');
    expectEqualValues((await readPoisoned(asInt.to('bool')))[0]!, [1, 1, 0, 0, 0, 1, 1, 1], 'int32 -> bool');
    expectEqualValues((await readPoisoned(x.gt(0).float()))[0]!, [0, 0, 0, 0, 1, 1, 1, 1], 'bool -> float');
  });
});

describe('shape ops', () => {
  const permutes: [number[], number[]][] = [
    [[3, 5], [1, 0]],
    [[2, 3, 5], [2, 0, 1]],
    [[2, 3, 1, 5], [3, 1, 0, 2]],
    [[2, 3, 2, 3, 2, 3], [5, 4, 3, 2, 1, 0]],
  ];
  it('permute / transpose, with the inverse permutation as gradient', async () => {
    for (const [k, [shape, perm]] of permutes.entries()) {
      const x = randomArray(shape, 40 + k);
      await checkOp({
        what: `permute ${describeCase(shape, { perm })}`,
        inputs: [x],
        gpu: (t) => t.permute(perm),
        ref: (a) => refPermute(a, perm),
        refGrad: (gy) => [refPermute(gy, perm.map((_, i) => perm.indexOf(i)))],
      });
    }
    const x = randomArray([4, 3, 2], 50);
    await checkOp({ what: 'transpose(0, -1)', inputs: [x], gpu: (t) => t.transpose(0, -1), ref: (a) => refPermute(a, [2, 1, 0]) });
    await checkOp({ what: '.T', inputs: [randomArray([3, 7], 51)], gpu: (t) => t.T, ref: (a) => refPermute(a, [1, 0]) });
  });

  it('expand broadcasts, and its gradient sums back (sumTo)', async () => {
    const cases: [number[], number[]][] = [
      [[3, 1], [2, 3, 5]],
      [[1, 4, 1], [3, 4, 2]],
      [[5], [2, 1, 5]],
    ];
    for (const [k, [from, to]] of cases.entries()) {
      const x = randomArray(from, 45 + k);
      const zeros = testArray(to, new Float32Array(to.reduce((p, d) => p * d, 1)));
      await checkOp({
        what: `expand [${from}] -> [${to}]`,
        inputs: [x],
        gpu: (t) => wt.ops.expand(t, to),
        ref: (a) => ew.binary(ew.add(), a, zeros.ref),
        refGrad: (gy) => [sumTo(gy, from)],
      });
    }
  });

  it('detach stops the gradient', async () => {
    const x = randomArray([4, 3], 47);
    const t = tensorOf(x, true);
    const d = t.detach();
    expect(d.requiresGrad).toBe(false);
    // d/dx (detach(x) * x) = detach(x): the detached factor gets no gradient of its own.
    d.mul(t).sum().backward();
    const [grad] = await readPoisoned(t.grad!);
    expectClose(grad!, x.ref, 0, 'd/dx detach(x) * x');
  });

  it('reshape, view, flatten and clone keep values and pass gradients through', async () => {
    const x = randomArray([2, 3, 4], 60);
    const w = randomArray([4, 6], 61);
    // Multiply by w after the reshape so each element's gradient is distinct.
    for (const [name, f] of [
      ['reshape', (t: wt.Tensor) => t.reshape(4, 6)],
      ['view(-1, 6)', (t: wt.Tensor) => t.view(-1, 6)],
      ['flatten(1) + reshape', (t: wt.Tensor) => t.flatten(1).reshape([4, 6])],
      ['clone', (t: wt.Tensor) => t.clone().reshape(4, 6)],
    ] as const) {
      await checkOp({
        what: name,
        inputs: [x, w],
        differentiable: [true, false],
        gpu: (t, u) => f(t).mul(u),
        ref: (a, b) => ew.binary(ew.mul, { shape: [4, 6], data: a.data }, b),
      });
    }
  });
});

// 65535 workgroups of 64 invocations is one grid dimension's limit; these tensors need a 2-D grid.
const LARGE = [2053, 2053];

describe('tensors larger than one dispatch dimension (> 65535 * 64 elements)', () => {
  it('is larger than the limit', () => {
    expect(LARGE[0]! * LARGE[1]!).toBeGreaterThan(65535 * 64);
  });

  it('relu forward and backward (the contiguous vec4 path, 4 elements per invocation)', async () => {
    const x = randomArray(LARGE, 70);
    const gy = randomArray(LARGE, 71);
    const t = tensorOf(x, true);
    const y = F.relu(t);
    y.backward(tensorOf(gy));
    const [out, grad] = await readPoisoned(y, t.grad!);
    expectClose(out!, ew.unary(ew.relu, x.ref), 0, 'relu forward, 4.2M elements');
    expectClose(grad!, ew.unaryBackward(ew.relu, x.ref, gy.ref), 0, 'relu backward, 4.2M elements');
  });

  it('transpose (the strided path: one invocation per element, so a 2-D grid)', async () => {
    const [rows, cols] = LARGE as [number, number];
    const x = randomArray(LARGE, 75);
    const [out] = await readPoisoned(tensorOf(x).transpose(0, 1));
    const expected = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) expected[c * rows + r] = x.data[r * cols + c]!;
    expectClose(out!, expected, 0, 'transpose of [2053, 2053]');
  });

  it('broadcast add forward and the bias gradient (a long sum over rows)', async () => {
    const [rows, cols] = LARGE as [number, number];
    const x = randomArray(LARGE, 72);
    const b = randomArray([cols], 73);
    const gy = randomArray(LARGE, 74);
    const bt = tensorOf(b, true);
    const y = tensorOf(x).add(bt);
    y.backward(tensorOf(gy));
    const [out, grad] = await readPoisoned(y, bt.grad!);
    const expected = new Float64Array(rows * cols);
    for (let i = 0; i < expected.length; i++) expected[i] = x.data[i]! + b.data[i % cols]!;
    // Exact: each output is one float32 addition, rounded the same way on both sides.
    expectClose(out!, Float32Array.from(expected), 0, 'x + b, 4.2M elements');
    // A float32 sum of 2053 terms against float64 (see TOL).
    expectClose(grad!, sumTo(gy.ref, [cols]), 1e-5, 'd(x + b)/db');
  });
});

describe('the torch.* functional forms at the top level', () => {
  it('wt.add/sub/mul/div/pow/exp/.../matmul/relu give what the tensor methods give', async () => {
    const a = randomArray([3, 4], 71, { lo: 0.5, hi: 2 });
    const b = randomArray([4], 72, { lo: 0.5, hi: 2 });
    const m = randomArray([4, 5], 73);
    const ta = tensorOf(a);
    const tb = tensorOf(b);
    const pairs: [string, wt.Tensor, ArrayLike<number>][] = [
      ['add', wt.add(ta, tb), ew.binary(ew.add(), a.ref, b.ref).data],
      ['add alpha', wt.add(ta, tb, 2), ew.binary(ew.add(2), a.ref, b.ref).data],
      ['sub', wt.sub(ta, tb), ew.binary(ew.sub(), a.ref, b.ref).data],
      ['mul', wt.mul(ta, 3), Array.from(a.data, (x) => 3 * x)],
      ['div', wt.div(ta, tb), ew.binary(ew.div, a.ref, b.ref).data],
      ['pow', wt.pow(ta, 2), Array.from(a.data, (x) => x * x)],
      ['exp', wt.exp(ta), Array.from(a.data, Math.exp)],
      ['log', wt.log(ta), Array.from(a.data, Math.log)],
      ['sqrt', wt.sqrt(ta), Array.from(a.data, Math.sqrt)],
      ['neg', wt.neg(ta), Array.from(a.data, (x) => -x)],
      ['relu', wt.relu(wt.sub(ta, 1)), Array.from(a.data, (x) => Math.max(0, x - 1))],
      ['sigmoid', wt.sigmoid(ta), Array.from(a.data, (x) => 1 / (1 + Math.exp(-x)))],
      ['tanh', wt.tanh(ta), Array.from(a.data, Math.tanh)],
      ['gt', wt.gt(ta, 1).float(), Array.from(a.data, (x) => (x > 1 ? 1 : 0))],
    ];
    for (const [name, t, expected] of pairs) expectClose((await t.data()) as Float32Array, expected, TOL, `wt.${name}`);
    const mm = (await wt.matmul(ta, tensorOf(m)).data()) as Float32Array;
    const ref = new Float64Array(15);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 5; j++) for (let k = 0; k < 4; k++) ref[i * 5 + j]! += a.data[i * 4 + k]! * m.data[k * 5 + j]!;
    expectClose(mm, ref, TOL, 'wt.matmul');
  });
});
