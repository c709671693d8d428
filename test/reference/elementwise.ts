/**
 * Elementwise maps and their derivatives in float64, with PyTorch's definitions (the formulas of
 * the torch.nn.functional docs; the derivative conventions at kinks are PyTorch's backward ones).
 */
import { broadcastShapes, broadcastSource, map, unravel, zeros, type NDArray } from './ndarray.js';

/** A scalar function and its derivative. */
export interface UnaryMap {
  f(x: number): number;
  df(x: number): number;
}

const sigmoidF = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * erf in float64 from the everywhere-convergent series
 * erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n 2^n x^(2n+1) / (1 * 3 * ... * (2n+1)),
 * whose terms are all positive (no cancellation). Beyond |x| = 6, erf is +-1 in float64.
 */
export function erf(x: number): number {
  if (Math.abs(x) > 6) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; n < 500 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

const normalPdf = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
const normalCdf = (x: number): number => 0.5 * (1 + erf(x / Math.SQRT2));

export const identity: UnaryMap = { f: (x) => x, df: () => 1 };
export const neg: UnaryMap = { f: (x) => -x, df: () => -1 };
/** PyTorch's abs backward is sign(x) (0 at 0). */
export const abs: UnaryMap = { f: Math.abs, df: (x) => Math.sign(x) };
export const exp: UnaryMap = { f: Math.exp, df: Math.exp };
export const log: UnaryMap = { f: Math.log, df: (x) => 1 / x };
export const sqrt: UnaryMap = { f: Math.sqrt, df: (x) => 0.5 / Math.sqrt(x) };
export const rsqrt: UnaryMap = { f: (x) => 1 / Math.sqrt(x), df: (x) => -0.5 * x ** -1.5 };
export const square: UnaryMap = { f: (x) => x * x, df: (x) => 2 * x };
export const reciprocal: UnaryMap = { f: (x) => 1 / x, df: (x) => -1 / (x * x) };
export const sin: UnaryMap = { f: Math.sin, df: Math.cos };
export const cos: UnaryMap = { f: Math.cos, df: (x) => -Math.sin(x) };
export const sign: UnaryMap = { f: Math.sign, df: () => 0 };
export const floor: UnaryMap = { f: Math.floor, df: () => 0 };
export const ceil: UnaryMap = { f: Math.ceil, df: () => 0 };
/** Round half to even, as torch.round. */
export const round: UnaryMap = {
  f: (x) => {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  df: () => 0,
};
/** x ** p for a number p (integer p keeps the sign of negative x, as torch.pow). */
export const pow = (p: number): UnaryMap => ({ f: (x) => x ** p, df: (x) => p * x ** (p - 1) });
/** a * x + b (what x * a + b with numbers records). */
export const affine = (a: number, b: number): UnaryMap => ({ f: (x) => a * x + b, df: () => a });

// ---- activations (torch.nn.functional) ----------------------------------------------------------
export const relu: UnaryMap = { f: (x) => (x > 0 ? x : 0), df: (x) => (x > 0 ? 1 : 0) };
export const tanh: UnaryMap = { f: Math.tanh, df: (x) => 1 - Math.tanh(x) ** 2 };
export const sigmoid: UnaryMap = { f: sigmoidF, df: (x) => sigmoidF(x) * (1 - sigmoidF(x)) };
export const leakyRelu = (negativeSlope = 0.01): UnaryMap => ({
  f: (x) => (x > 0 ? x : negativeSlope * x),
  df: (x) => (x > 0 ? 1 : negativeSlope),
});
export const elu = (alpha = 1): UnaryMap => ({
  f: (x) => (x > 0 ? x : alpha * (Math.exp(x) - 1)),
  df: (x) => (x > 0 ? 1 : alpha * Math.exp(x)),
});
/** GELU: x * Phi(x) ('none'), or the tanh approximation. */
export const gelu = (approximate: 'none' | 'tanh' = 'none'): UnaryMap => {
  if (approximate === 'none') return { f: (x) => x * normalCdf(x), df: (x) => normalCdf(x) + x * normalPdf(x) };
  const k = Math.sqrt(2 / Math.PI);
  const inner = (x: number): number => k * (x + 0.044715 * x ** 3);
  return {
    f: (x) => 0.5 * x * (1 + Math.tanh(inner(x))),
    df: (x) => {
      const t = Math.tanh(inner(x));
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x);
    },
  };
};
/** log(1 + exp(beta x)) / beta, and x where beta x > threshold. */
export const softplus = (beta = 1, threshold = 20): UnaryMap => ({
  f: (x) => (beta * x > threshold ? x : Math.log1p(Math.exp(beta * x)) / beta),
  df: (x) => (beta * x > threshold ? 1 : sigmoidF(beta * x)),
});
export const silu: UnaryMap = { f: (x) => x * sigmoidF(x), df: (x) => sigmoidF(x) * (1 + x * (1 - sigmoidF(x))) };
/** x * relu6(x + 3) / 6; derivative (2x + 3) / 6 on [-3, 3] (PyTorch's hardswish_backward). */
export const hardswish: UnaryMap = {
  f: (x) => (x * Math.min(Math.max(x + 3, 0), 6)) / 6,
  df: (x) => (x < -3 ? 0 : x <= 3 ? (2 * x + 3) / 6 : 1),
};
export const hardsigmoid: UnaryMap = {
  f: (x) => Math.min(Math.max(x + 3, 0), 6) / 6,
  df: (x) => (x > -3 && x < 3 ? 1 / 6 : 0),
};
/** clamp(x, min, max); gradient 1 strictly inside (PyTorch's hardtanh_backward). */
export const hardtanh = (minVal = -1, maxVal = 1): UnaryMap => ({
  f: (x) => Math.min(Math.max(x, minVal), maxVal),
  df: (x) => (x > minVal && x < maxVal ? 1 : 0),
});
export const relu6: UnaryMap = hardtanh(0, 6);
/** torch.clamp: gradient 1 where min <= x <= max (unlike hardtanh, the bounds count as inside). */
export const clamp = (min: number, max: number): UnaryMap => ({
  f: (x) => Math.min(Math.max(x, min), max),
  df: (x) => (x >= min && x <= max ? 1 : 0),
});

export function unary(m: UnaryMap, x: NDArray): NDArray {
  return map(x, (v) => m.f(v));
}

/** dL/dx = dL/dy * f'(x). */
export function unaryBackward(m: UnaryMap, x: NDArray, gy: NDArray): NDArray {
  return map(x, (v, i) => gy.data[i]! * m.df(v));
}

// ---- binary maps with broadcasting --------------------------------------------------------------

/** A function of two numbers and its partial derivatives. */
export interface BinaryMap {
  f(a: number, b: number): number;
  da(a: number, b: number): number;
  db(a: number, b: number): number;
}

export const add = (alpha = 1): BinaryMap => ({ f: (a, b) => a + alpha * b, da: () => 1, db: () => alpha });
export const sub = (alpha = 1): BinaryMap => ({ f: (a, b) => a - alpha * b, da: () => 1, db: () => -alpha });
export const mul: BinaryMap = { f: (a, b) => a * b, da: (_a, b) => b, db: (a) => a };
export const div: BinaryMap = { f: (a, b) => a / b, da: (_a, b) => 1 / b, db: (a, b) => -a / (b * b) };
/** Ties split the gradient evenly, as torch.maximum's backward. */
export const maximum: BinaryMap = {
  f: Math.max,
  da: (a, b) => (a > b ? 1 : a === b ? 0.5 : 0),
  db: (a, b) => (b > a ? 1 : a === b ? 0.5 : 0),
};
export const minimum: BinaryMap = {
  f: Math.min,
  da: (a, b) => (a < b ? 1 : a === b ? 0.5 : 0),
  db: (a, b) => (b < a ? 1 : a === b ? 0.5 : 0),
};

export function binary(m: BinaryMap, a: NDArray, b: NDArray): NDArray {
  const shape = broadcastShapes(a.shape, b.shape);
  const out = zeros(shape);
  for (let i = 0; i < out.data.length; i++) {
    const idx = unravel(i, shape);
    out.data[i] = m.f(a.data[broadcastSource(a.shape, idx)]!, b.data[broadcastSource(b.shape, idx)]!);
  }
  return out;
}

/** Gradients of both operands: each output's contribution summed into the element it read. */
export function binaryBackward(m: BinaryMap, a: NDArray, b: NDArray, gy: NDArray): [NDArray, NDArray] {
  const da = zeros(a.shape);
  const db = zeros(b.shape);
  for (let i = 0; i < gy.data.length; i++) {
    const idx = unravel(i, gy.shape);
    const ia = broadcastSource(a.shape, idx);
    const ib = broadcastSource(b.shape, idx);
    const x = a.data[ia]!;
    const y = b.data[ib]!;
    da.data[ia] += gy.data[i]! * m.da(x, y);
    db.data[ib] += gy.data[i]! * m.db(x, y);
  }
  return [da, db];
}
