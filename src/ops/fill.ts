/**
 * Constant tensors made on the GPU (no upload): zeros, ones, full and their *Like forms.
 * Zeros use clearBuffer; other values the fill entry of shaders/elementwise.wgsl.
 */
import type { Device } from '../device/device.js';
import { ArgumentError } from '../errors.js';
import { fillKernel } from '../kernels/elementwise.js';
import { wrap, type Tensor } from '../tensor/tensor.js';
import type { DType } from '../util/dtype.js';
import { currentLayer } from '../util/scope.js';
import { checkShape } from '../util/shape.js';
import { engineFor } from '../graph/engine.js';
import { defaultDevice } from '../device/default.js';
import type { OpDef } from './op.js';

interface FillAttrs {
  value: number;
}

export const fillOp: OpDef<FillAttrs> = {
  name: 'fill',
  lower(ctx, node) {
    const out = node.outputs[0]!;
    if (node.attrs.value === 0) ctx.clear(ctx.output(0), Math.max(4, out.bytes));
    else ctx.dispatch(fillKernel(out.numel, node.attrs.value, out.dtype, ctx.output(0)));
  },
};

export interface CreateOptions {
  dtype?: DType;
  device?: Device;
  requiresGrad?: boolean;
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number, options: CreateOptions = {}): Tensor {
  checkShape(shape, 'full');
  const dtype = options.dtype ?? 'float32';
  if (typeof value !== 'number' || (dtype !== 'float32' && !Number.isInteger(value))) {
    throw new ArgumentError(`full: value must be a number${dtype !== 'float32' ? ' (an integer for ' + dtype + ')' : ''}, got ${String(value)}`);
  }
  const device = options.device ?? defaultDevice();
  const [v] = engineFor(device).record(fillOp, [], { value }, [{ shape, dtype }], currentLayer());
  const t = wrap(v!);
  if (options.requiresGrad) t.requiresGrad_(true);
  return t;
}

export function zeros(shape: readonly number[], options: CreateOptions = {}): Tensor {
  return full(shape, 0, options);
}

export function ones(shape: readonly number[], options: CreateOptions = {}): Tensor {
  return full(shape, 1, options);
}

export function zerosLike(x: Tensor, options: CreateOptions = {}): Tensor {
  return full(x.shape, 0, { dtype: x.dtype, device: x.device, ...options });
}

export function onesLike(x: Tensor, options: CreateOptions = {}): Tensor {
  return full(x.shape, 1, { dtype: x.dtype, device: x.device, ...options });
}

export function fullLike(x: Tensor, value: number, options: CreateOptions = {}): Tensor {
  return full(x.shape, value, { dtype: x.dtype, device: x.device, ...options });
}

