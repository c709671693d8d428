/**
 * softmax and logSoftmax along one dim (numerically stable: the row maximum is subtracted), with
 * their gradients as one kernel each. Kernels: shaders/softmax.wgsl through src/kernels/softmax.ts.
 */
import { ArgumentError, where } from '../errors.js';
import { currentLayer } from '../util/scope.js';
import type { OpDef } from './op.js';
import { softmaxBackward, softmaxForward, type SoftmaxShape } from '../kernels/softmax.js';
import { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import { normDim, numel } from '../util/shape.js';
import { neg } from './elementwise.js';
import { float32Arg } from './operands.js';
import { apply1 } from './record.js';

export const softmaxOp: OpDef<SoftmaxShape> = {
  name: 'softmax',
  lower(ctx, node) {
    ctx.dispatch(softmaxForward(node.attrs, ctx.input(0), ctx.output(0)));
  },
  vjp(node, [g], needs) {
    if (!needs[0] || !g) return [null];
    const y = Tensor.view(node.outputs[0]!);
    return [apply1(softmaxBackwardOp, [y, g], node.attrs, { shape: y.shape, dtype: 'float32' })];
  },
};

/** Inputs: the forward's output y and the output gradient g. */
export const softmaxBackwardOp: OpDef<SoftmaxShape> = {
  name: 'softmax_backward',
  lower(ctx, node) {
    ctx.dispatch(softmaxBackward(node.attrs, ctx.input(0), ctx.input(1), ctx.output(0)));
  },
  // Written with the forward's output, so a second derivative would need the forward input too.
};

export interface SoftmaxOptions extends Record<string, unknown> {
  dim?: number | null;
  dtype?: 'float32' | null;
}

function softmaxLike(op: 'softmax' | 'log_softmax' | 'softmin', x: Tensor, rest: readonly unknown[]): Tensor {
  const layer = currentLayer();
  // PyTorch's third positional parameter is the private _stacklevel; dtype follows it.
  const o = kwargs<{ dim: number | null; _stacklevel: number; dtype: string | null }>(op, rest, ['dim', '_stacklevel', 'dtype'], {
    dim: null,
    _stacklevel: 3,
    dtype: null,
  });
  if (o.dim === null || o.dim === undefined) {
    throw new ArgumentError(
      `${where(op, layer)}: dim is required (PyTorch's implicit choice of dim is deprecated); pass the dim to normalize over, e.g. ${op === 'log_softmax' ? 'logSoftmax' : op}(x, 1) for logits [N, C]`,
    );
  }
  if (o.dtype !== null && o.dtype !== 'float32') throw new ArgumentError(`${where(op, layer)}: dtype must be 'float32' or null, got '${String(o.dtype)}'`);
  float32Arg(op, 'input', x);
  const input = op === 'softmin' ? neg(x) : x;
  if (input.ndim === 0) {
    normDim(o.dim, 1, op, layer);
    return apply1(softmaxOp, [input], { outer: 1, classes: 1, inner: 1, log: op === 'log_softmax' }, { shape: [], dtype: 'float32' });
  }
  const d = normDim(o.dim, input.ndim, op, layer);
  const s = input.shape;
  const attrs: SoftmaxShape = { outer: numel(s.slice(0, d)), classes: s[d]!, inner: numel(s.slice(d + 1)), log: op === 'log_softmax' };
  return apply1(softmaxOp, [input], attrs, { shape: s, dtype: 'float32' });
}

/**
 * exp(x) / sum(exp(x)) along `dim`, as torch.nn.functional.softmax. `dim` is required (PyTorch's
 * implicit dim is deprecated, and guessing it is an error here). Output: the input's shape.
 * softmax(input, dim) or softmax(input, { dim }).
 */
export function softmax(input: Tensor, dim: number | SoftmaxOptions, ...rest: unknown[]): Tensor {
  return softmaxLike('softmax', input, [dim, ...rest]);
}

/** log(softmax(x)) along `dim`, computed as x - max - log(sum(exp(x - max))), as torch.nn.functional.log_softmax. */
export function logSoftmax(input: Tensor, dim: number | SoftmaxOptions, ...rest: unknown[]): Tensor {
  return softmaxLike('log_softmax', input, [dim, ...rest]);
}

/** softmax(-x) along `dim`, as torch.nn.functional.softmin. */
export function softmin(input: Tensor, dim: number | SoftmaxOptions, ...rest: unknown[]): Tensor {
  return softmaxLike('softmin', input, [dim, ...rest]);
}
