/**
 * Checks of the tensor operands of ops, shared by every op file (scalar arguments are checked by
 * src/util/validate.ts). Not a tensor: ArgumentError; wrong dtype: ShapeError; both name the op,
 * the layer path, the operand and what was received.
 */
import { ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { site } from '../util/args.js';
import { argumentError } from '../util/validate.js';

/** A tensor; "input must be a tensor, got ..." otherwise. */
export function tensorArg(op: string, name: string, v: unknown): Tensor {
  if (!(v instanceof Tensor)) throw argumentError(op, `${name} must be a tensor, got ${String(v)}`);
  return v;
}

/** A float32 tensor. */
export function float32Arg(op: string, name: string, v: unknown): Tensor {
  const t = tensorArg(op, name, v);
  if (t.dtype !== 'float32') throw new ShapeError(`${site(op)}: ${name} must be float32, got ${t.dtype}`);
  return t;
}

/** A float32 tensor, or null (undefined counts as null). */
export function optionalFloat32Arg(op: string, name: string, v: unknown): Tensor | null {
  if (v === null || v === undefined) return null;
  if (!(v instanceof Tensor)) throw argumentError(op, `${name} must be a tensor or null, got ${typeof v}`);
  return float32Arg(op, name, v);
}

/** A float32 image batch [N, C, H, W] or one image [C, H, W] (conv and pooling inputs). */
export function imageInput(op: string, v: unknown): asserts v is Tensor {
  const x = tensorArg(op, 'input', v);
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new ShapeError(`${site(op)}: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got ${fmtShape(x.shape)}`);
  }
  float32Arg(op, 'input', x);
}
