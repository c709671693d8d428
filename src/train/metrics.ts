/** Classification metrics as lazy tensors (computed with the step that produced the logits). */
import { ArgumentError, ShapeError, fmtShape } from '../errors.js';
import { argmax, sum } from '../ops/reduce.js';
import { eq } from '../ops/elementwise.js';
import type { Tensor } from '../tensor/tensor.js';

/** Number of rows whose top-1 prediction equals the target (int32 scalar). */
export function correctCount(logits: Tensor, target: Tensor): Tensor {
  if (logits.ndim !== 2 || target.ndim !== 1 || target.shape[0] !== logits.shape[0]) {
    throw new ShapeError(`correctCount: expected logits [N, C] and targets [N], got ${fmtShape(logits.shape)} and ${fmtShape(target.shape)}`);
  }
  if (target.dtype !== 'int32') throw new ArgumentError(`correctCount: targets must be int32, got ${target.dtype}`);
  return sum(eq(argmax(logits, 1), target));
}
