/**
 * Activation functions (torch.nn.functional names, camelCased). All are unary maps of the table in
 * src/kernels/activations.ts (formulas in shaders/activations.wgsl) and have a dedicated gradient
 * map, so backward is one kernel too.
 * PyTorch's `inplace` flags are accepted and ignored: a lazy graph has no use for in-place maths.
 */
import type { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import { argumentError, finiteNumber, oneOf } from '../util/validate.js';
import { unary } from './elementwise.js';

export const relu = (input: Tensor, _inplace = false): Tensor => unary('relu', input);
export const relu6 = (input: Tensor, _inplace = false): Tensor => unary('relu6', input);
export const sigmoid = (input: Tensor): Tensor => unary('sigmoid', input);
export const tanh = (input: Tensor): Tensor => unary('tanh', input);
export const silu = (input: Tensor, _inplace = false): Tensor => unary('silu', input);
export const hardswish = (input: Tensor, _inplace = false): Tensor => unary('hardswish', input);
export const hardsigmoid = (input: Tensor, _inplace = false): Tensor => unary('hardsigmoid', input);

/** max(0, x) + negativeSlope * min(0, x). */
export function leakyRelu(input: Tensor, negativeSlope: number | { negativeSlope?: number; inplace?: boolean } = 0.01, _inplace = false): Tensor {
  const o = kwargs('leaky_relu', [negativeSlope], ['negativeSlope', 'inplace'], { negativeSlope: 0.01, inplace: false });
  return unary('leakyRelu', input, finiteNumber('leaky_relu', 'negativeSlope', o.negativeSlope));
}

/** x for x > 0, alpha * (exp(x) - 1) otherwise. */
export function elu(input: Tensor, alpha: number | { alpha?: number; inplace?: boolean } = 1, _inplace = false): Tensor {
  const o = kwargs('elu', [alpha], ['alpha', 'inplace'], { alpha: 1, inplace: false });
  return unary('elu', input, finiteNumber('elu', 'alpha', o.alpha));
}

/** Gaussian error linear unit; approximate 'none' (erf) or 'tanh'. */
export function gelu(input: Tensor, approximate: 'none' | 'tanh' | { approximate?: 'none' | 'tanh' } = 'none'): Tensor {
  const o = kwargs('gelu', [approximate], ['approximate'], { approximate: 'none' as 'none' | 'tanh' });
  const approx = oneOf('gelu', 'approximate', o.approximate, ['none', 'tanh'] as const);
  return unary(approx === 'tanh' ? 'geluTanh' : 'gelu', input);
}

/** log(1 + exp(beta * x)) / beta, linear above threshold. */
export function softplus(input: Tensor, ...rest: unknown[]): Tensor {
  const o = kwargs('softplus', rest, ['beta', 'threshold'], { beta: 1, threshold: 20 });
  return unary('softplus', input, finiteNumber('softplus', 'beta', o.beta), finiteNumber('softplus', 'threshold', o.threshold));
}

/** clamp(x, minVal, maxVal). */
export function hardtanh(input: Tensor, ...rest: unknown[]): Tensor {
  const o = kwargs('hardtanh', rest, ['minVal', 'maxVal', 'inplace'], { minVal: -1, maxVal: 1, inplace: false });
  const lo = finiteNumber('hardtanh', 'minVal', o.minVal);
  const hi = finiteNumber('hardtanh', 'maxVal', o.maxVal);
  if (lo > hi) throw argumentError('hardtanh', `minVal ${lo} is above maxVal ${hi}`);
  return unary('clamp', input, lo, hi);
}
