/**
 * topk along a dim (values and int32 indices, as torch.topk), and the op that scatters a gradient
 * back to selected indices (the backward of topk and of max / min along a dim).
 * Kernels: shaders/topk.wgsl through src/kernels/topk.ts.
 */
import { ArgumentError, ShapeError, where } from '../errors.js';
import { scatterKernel, topkKernel, type TopkShape } from '../kernels/topk.js';
import { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import { currentLayer } from '../util/scope.js';
import { normDim, numel } from '../util/shape.js';
import { boolean } from '../util/validate.js';
import { cast } from './elementwise.js';
import type { OpDef } from './op.js';
import { apply, apply1 } from './record.js';

/** A (values, indices) pair as PyTorch's named tuples: destructure it, or read .values / .indices. */
export type ValuesIndices = [Tensor, Tensor] & { readonly values: Tensor; readonly indices: Tensor };

/** @internal */
export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  const pair = [values, indices] as [Tensor, Tensor];
  Object.defineProperty(pair, 'values', { value: values, enumerable: false });
  Object.defineProperty(pair, 'indices', { value: indices, enumerable: false });
  return pair as ValuesIndices;
}

/**
 * Gradient of a selection along a dim: zeros of the input's shape [outer, r, inner] with
 * g[o, j, i] put at [o, index[o, j, i], i]. Inputs: g, index (both [outer, k, inner]).
 */
export const scatterOp: OpDef<TopkShape> = {
  name: 'select_backward_scatter',
  lower(ctx, node) {
    const out = node.outputs[0]!;
    ctx.clear(ctx.output(0), Math.max(4, out.bytes));
    ctx.dispatch(scatterKernel(node.attrs, ctx.input(1), ctx.input(0), ctx.output(0)));
  },
};

/**
 * @internal A tensor of `shape` (a selection's input) that is zero except for g placed at `index`
 * along `dim`; g and index hold k elements along dim (of the same shape otherwise, or with dim dropped when k = 1).
 */
export function scatterAlong(g: Tensor, index: Tensor, shape: readonly number[], dim: number, k: number): Tensor {
  const s: TopkShape = { outer: numel(shape.slice(0, dim)), r: shape[dim] ?? 1, k, inner: numel(shape.slice(dim + 1)) };
  return apply1(scatterOp, [g, index], s, { shape, dtype: 'float32' });
}

interface TopkAttrs extends TopkShape {
  dim: number;
  largest: boolean;
}

export const topkOp: OpDef<TopkAttrs> = {
  name: 'topk',
  lower(ctx, node) {
    const indices = ctx.used(1) ? ctx.output(1) : ctx.temp(Math.max(4, node.outputs[1]!.bytes));
    ctx.dispatch(topkKernel(node.attrs, node.attrs.largest, ctx.input(0), ctx.output(0), indices));
  },
  vjp(node, [g], needs) {
    if (!needs[0] || !g) return [null];
    return [scatterAlong(g, Tensor.view(node.outputs[1]!), node.inputs[0]!.shape, node.attrs.dim, node.attrs.k)];
  },
};

export interface TopkOptions extends Record<string, unknown> {
  dim?: number;
  largest?: boolean;
  sorted?: boolean;
}

/**
 * The k largest (or, with largest = false, smallest) elements along `dim` (default -1), as
 * torch.topk: returns (values, indices) with `dim` of size k, best first; indices are int32. NaN
 * counts as larger than every number; equal values come in index order. The result is always
 * sorted (`sorted` = false allows any order in PyTorch, so sorted is one of them). Cost is k passes
 * over each row: meant for small k (top-5 accuracy), not for sorting.
 * The gradient flows to the selected elements.
 */
export function topk(input: Tensor, k: number, ...rest: unknown[]): ValuesIndices {
  const op = 'topk';
  const layer = currentLayer();
  const o = kwargs<Required<TopkOptions>>(op, rest, ['dim', 'largest', 'sorted'], { dim: -1, largest: true, sorted: true });
  if (input.dtype === 'bool') throw new ShapeError(`${where(op, layer)}: expected a float32 or int32 tensor, got bool ${input.describe()}`);
  const shape = input.ndim === 0 ? [1] : input.shape;
  const d = normDim(o.dim, shape.length, op, layer);
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k > shape[d]!) {
    throw new ArgumentError(`${where(op, layer)}: selected index k out of range: k = ${String(k)} for dim ${d} of size ${shape[d]} (${input.describe()})`);
  }
  boolean(op, 'largest', o.largest);
  boolean(op, 'sorted', o.sorted);
  const outShape = input.ndim === 0 ? [] : shape.map((s, i) => (i === d ? k : s));
  const x = input.dtype === 'float32' ? input : cast(input, 'float32');
  const attrs: TopkAttrs = { outer: numel(shape.slice(0, d)), r: shape[d]!, k, inner: numel(shape.slice(d + 1)), dim: d, largest: o.largest };
  const [values, indices] = apply(topkOp, [x], attrs, [
    { shape: outShape, dtype: 'float32' },
    { shape: outShape, dtype: 'int32' },
  ]);
  return valuesIndices(input.dtype === 'float32' ? values! : cast(values!, input.dtype), indices!);
}
