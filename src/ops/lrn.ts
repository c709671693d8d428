/**
 * Local response normalization (torch.nn.functional.local_response_norm), through
 * shaders/lrn.wgsl and src/kernels/lrn.ts.
 */
import { ShapeError, fmtShape } from '../errors.js';
import type { OpDef } from './op.js';
import { lrnBackwardDx, lrnBackwardT, lrnForward, type LrnGeometry } from '../kernels/lrn.js';
import { Tensor } from '../tensor/tensor.js';
import { kwargs, site } from '../util/args.js';
import { numel } from '../util/shape.js';
import { finiteNumber, positiveInt } from '../util/validate.js';
import { float32Arg, tensorArg } from './operands.js';
import { apply } from './record.js';

/** Inputs: x. Outputs: y and the aux scale d = k + alpha / size * (window sum of x^2). */
export const localResponseNormOp: OpDef<LrnGeometry> = {
  name: 'local_response_norm',
  lower(ctx, node) {
    const withScale = ctx.used(1);
    ctx.dispatch(lrnForward(node.attrs, ctx.input(0), ctx.output(0), withScale ? ctx.output(1) : ctx.temp(16), withScale));
  },
  vjp(node, [g], needs) {
    if (!needs[0] || !g) return [null];
    const inputs = [g, Tensor.view(node.inputs[0]!), Tensor.view(node.outputs[1]!)];
    return apply(localResponseNormBackwardOp, inputs, node.attrs, [{ shape: node.inputs[0]!.shape, dtype: 'float32' }]);
  },
};

/** Inputs: dy, x, scale. Output: dx. */
export const localResponseNormBackwardOp: OpDef<LrnGeometry> = {
  name: 'local_response_norm_backward',
  lower(ctx, node) {
    const t = ctx.temp(node.inputs[0]!.bytes);
    const [dy, x, scale] = [ctx.input(0), ctx.input(1), ctx.input(2)];
    ctx.dispatch(lrnBackwardT(node.attrs, x, dy, scale, t));
    ctx.dispatch(lrnBackwardDx(node.attrs, x, dy, scale, t, ctx.output(0)));
  },
};

export interface LocalResponseNormOptions extends Record<string, unknown> {
  alpha?: number;
  beta?: number;
  k?: number;
}

/**
 * Local response normalization across channels (AlexNet's LRN; there size 5, alpha 1e-4, beta
 * 0.75, k 2) of an [N, C, ...] input with at least 3 dims:
 * y_c = x_c / (k + alpha / size * sum of x^2 over channels c - size/2 .. c + (size-1)/2)^beta,
 * channels outside 0..C-1 counting as zeros (PyTorch's convention: alpha is divided by size).
 * localResponseNorm(input, size, alpha = 1e-4, beta = 0.75, k = 1).
 */
export function localResponseNorm(input: Tensor, size: number, options?: LocalResponseNormOptions): Tensor;
export function localResponseNorm(input: Tensor, size: number, alpha?: number, beta?: number, k?: number): Tensor;
export function localResponseNorm(input: Tensor, size: number, ...rest: unknown[]): Tensor {
  const op = 'local_response_norm';
  const o = kwargs<Required<LocalResponseNormOptions>>(op, rest, ['alpha', 'beta', 'k'], { alpha: 1e-4, beta: 0.75, k: 1 });
  const x = tensorArg(op, 'input', input);
  if (x.ndim < 3) {
    throw new ShapeError(`${site(op)}: expected 3D or higher dimensionality input [N, C, ...], got ${x.ndim}D input ${fmtShape(x.shape)}`);
  }
  float32Arg(op, 'input', x);
  const g: LrnGeometry = {
    n: x.shape[0]!,
    c: x.shape[1]!,
    s: numel(x.shape.slice(2)),
    size: positiveInt(op, 'size', size),
    alpha: finiteNumber(op, 'alpha', o.alpha),
    beta: finiteNumber(op, 'beta', o.beta),
    k: finiteNumber(op, 'k', o.k),
  };
  const [y, scale] = apply(localResponseNormOp, [x], g, [
    { shape: x.shape, dtype: 'float32' },
    { shape: x.shape, dtype: 'float32', aux: true },
  ]);
  scale!._release();
  return y!;
}

