/**
 * Reductions (sum, mean, amax, amin, argmax, argmin over any set of dims, with keepdim) and the
 * broadcasting pair expand / sumTo that backward rules use.
 * Kernels: shaders/reduce.wgsl (src/kernels/reduce.ts), shaders/elementwise.wgsl for expand.
 */
import { ArgumentError, ShapeError, fmtShape, where } from '../errors.js';
import { unaryKernel } from '../kernels/elementwise.js';
import { reduceAxis, type ReduceOp } from '../kernels/reduce.js';
import { Tensor } from '../tensor/tensor.js';
import { currentLayer } from '../util/scope.js';
import { broadcastShapes, broadcastStrides, normDim, numel, sameShape } from '../util/shape.js';
import { cast, div, eq, maximum, minimum, mul } from './elementwise.js';
import type { OpDef } from './op.js';
import { apply, apply1 } from './record.js';
import { scatterAlong, valuesIndices, type ValuesIndices } from './topk.js';
import { kwargs } from '../util/args.js';
import { boolean } from '../util/validate.js';
import { reshape } from './shape.js';

type Reduction = 'sum' | 'mean' | 'max' | 'min';

interface ReduceAttrs {
  op: Reduction;
  dims: number[];
  keepdim: boolean;
}

function keptShape(shape: readonly number[], dims: readonly number[]): number[] {
  return shape.map((d, i) => (dims.includes(i) ? 1 : d));
}

export const reduceOp: OpDef<ReduceAttrs> = {
  name: 'reduce',
  lower(ctx, node) {
    const { op, dims } = node.attrs;
    const x = node.inputs[0]!;
    let shape = [...x.shape];
    // Runs of adjacent reduced dims, innermost first; each run is one pass over [outer, R, inner].
    const runs: [number, number][] = [];
    for (let i = dims.length - 1; i >= 0; i--) {
      const d = dims[i]!;
      const last = runs[runs.length - 1];
      if (last && last[0] === d + 1) last[0] = d;
      else runs.push([d, d]);
    }
    const total = dims.reduce((p, d) => p * x.shape[d]!, 1);
    const kernelOp: ReduceOp = op === 'mean' ? 'sum' : op;
    let src = ctx.input(0);
    runs.forEach(([start, end], k) => {
      const outer = numel(shape.slice(0, start));
      const r = numel(shape.slice(start, end + 1));
      const inner = numel(shape.slice(end + 1));
      const lastPass = k === runs.length - 1;
      const dst = lastPass ? ctx.output(0) : ctx.temp(outer * inner * 4);
      reduceAxis(ctx, kernelOp, outer, r, inner, src, dst, lastPass && op === 'mean' ? 1 / total : 1);
      shape = shape.map((d, i) => (i >= start && i <= end ? 1 : d));
      src = dst;
    });
  },
  vjp(node, [g], needs) {
    if (!needs[0] || !g) return [null];
    const x = Tensor.view(node.inputs[0]!);
    const { op, dims } = node.attrs;
    const kept = keptShape(x.shape, dims);
    const gk = reshape(g, kept);
    const total = dims.reduce((p, d) => p * x.shape[d]!, 1);
    if (op === 'sum') return [expand(gk, x.shape)];
    if (op === 'mean') return [expand(mul(gk, 1 / total), x.shape)];
    // max/min: the gradient goes to the extreme elements, split evenly among ties (as PyTorch amax).
    const y = reshape(Tensor.view(node.outputs[0]!), kept);
    const mask = cast(eq(x, y), 'float32');
    const count = sum(mask, dims, true);
    return [mul(mask, div(gk, count))];
  },
};

function normDims(x: Tensor, dim: number | readonly number[] | null | undefined, op: string): number[] {
  const rank = x.ndim;
  if (dim === null || dim === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof dim === 'number' ? [dim] : [...dim];
  const dims = [...new Set(list.map((d) => normDim(d, rank, op, currentLayer())))].sort((a, b) => a - b);
  if (dims.length !== list.length) throw new ArgumentError(`${where(op, currentLayer())}: dim ${JSON.stringify(dim)} repeats a dimension`);
  return dims;
}

function reduce(op: Reduction, x: Tensor, dim: number | readonly number[] | null | undefined, keepdim: boolean): Tensor {
  const dims = normDims(x, dim, op);
  if (x.ndim === 0) return op === 'mean' && x.dtype !== 'float32' ? cast(x, 'float32') : x;
  if ((op === 'max' || op === 'min') && dims.some((d) => x.shape[d] === 0)) {
    throw new ShapeError(`${where(op === 'max' ? 'amax' : 'amin', currentLayer())}: cannot reduce an empty dimension of ${x.describe()}`);
  }
  // Integer and bool sums are computed in float32 (exact below 2^24) and returned as int32.
  const input = x.dtype === 'float32' ? x : cast(x, 'float32');
  const outShape = keepdim ? keptShape(x.shape, dims) : x.shape.filter((_, i) => !dims.includes(i));
  const out = apply1(reduceOp, [input], { op, dims, keepdim }, { shape: outShape, dtype: 'float32' });
  if (x.dtype === 'float32' || op === 'mean') return out;
  return cast(out, op === 'sum' ? 'int32' : x.dtype);
}

/** Sum over `dim` (all dims when omitted). Int and bool tensors sum to int32. */
export function sum(x: Tensor, dim?: number | readonly number[] | null, keepdim = false): Tensor {
  return reduce('sum', x, dim, keepdim);
}

/** Mean over `dim` (all dims when omitted). */
export function mean(x: Tensor, dim?: number | readonly number[] | null, keepdim = false): Tensor {
  return reduce('mean', x, dim, keepdim);
}

/** Maximum over `dim` (all dims when omitted); gradient split evenly among ties. */
export function amax(x: Tensor, dim?: number | readonly number[] | null, keepdim = false): Tensor {
  return reduce('max', x, dim, keepdim);
}

export function amin(x: Tensor, dim?: number | readonly number[] | null, keepdim = false): Tensor {
  return reduce('min', x, dim, keepdim);
}

interface ArgAttrs {
  op: 'argmax' | 'argmin';
  outer: number;
  r: number;
  inner: number;
}

export const argReduceOp: OpDef<ArgAttrs> = {
  name: 'argreduce',
  lower(ctx, node) {
    const { op, outer, r, inner } = node.attrs;
    reduceAxis(ctx, op, outer, r, inner, ctx.input(0), ctx.output(0));
  },
};

function argReduce(op: 'argmax' | 'argmin', x: Tensor, dim: number | null | undefined, keepdim: boolean): Tensor {
  if (x.numel() === 0) throw new ShapeError(`${where(op, currentLayer())}: cannot take ${op} of an empty tensor ${x.describe()}`);
  const input = x.dtype === 'float32' ? x : cast(x, 'float32');
  if (dim === null || dim === undefined) {
    const shape = keepdim ? x.shape.map(() => 1) : [];
    return apply1(argReduceOp, [input], { op, outer: 1, r: x.numel(), inner: 1 }, { shape, dtype: 'int32' });
  }
  const d = normDim(dim, x.ndim, op, currentLayer());
  const s = x.shape;
  const outShape = keepdim ? s.map((v, i) => (i === d ? 1 : v)) : s.filter((_, i) => i !== d);
  const attrs = { op, outer: numel(s.slice(0, d)), r: s[d]!, inner: numel(s.slice(d + 1)) };
  return apply1(argReduceOp, [input], attrs, { shape: outShape, dtype: 'int32' });
}

/** Index of the first maximum along `dim` (of the flattened tensor when omitted), as int32. */
export function argmax(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return argReduce('argmax', x, dim, keepdim);
}

export function argmin(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return argReduce('argmin', x, dim, keepdim);
}

// ---- max / min along a dim, with indices -------------------------------------------------------------

interface SelectDimAttrs {
  op: 'max' | 'min';
  outer: number;
  r: number;
  inner: number;
  dim: number;
}

export const selectDimOp: OpDef<SelectDimAttrs> = {
  name: 'max_min_dim',
  lower(ctx, node) {
    const { op, outer, r, inner } = node.attrs;
    const indices = ctx.used(1) ? ctx.output(1) : ctx.temp(Math.max(4, node.outputs[1]!.bytes));
    reduceAxis(ctx, op === 'max' ? 'maxWithIndex' : 'minWithIndex', outer, r, inner, ctx.input(0), ctx.output(0), 1, indices);
  },
  vjp(node, [g], needs) {
    if (!needs[0] || !g) return [null];
    // The whole gradient goes to the selected element (torch.max(x, dim)'s rule; amax splits ties).
    const x = node.inputs[0]!;
    return [scatterAlong(g, Tensor.view(node.outputs[1]!), x.shape.length === 0 ? [1] : x.shape, node.attrs.dim, 1).reshape(x.shape)];
  },
};

function maxMinDim(op: 'max' | 'min', x: Tensor, dim: number, keepdim: boolean): ValuesIndices {
  const layer = currentLayer();
  if (x.dtype === 'bool') throw new ShapeError(`${where(op, layer)}: expected a float32 or int32 tensor, got bool ${x.describe()}`);
  const shape = x.ndim === 0 ? [1] : x.shape;
  const d = normDim(dim, shape.length, op, layer);
  if (shape[d] === 0) throw new ShapeError(`${where(op, layer)}: cannot compute ${op} over dim ${d} of size 0 (${x.describe()})`);
  boolean(op, 'keepdim', keepdim);
  const outShape = x.ndim === 0 ? [] : keepdim ? shape.map((s, i) => (i === d ? 1 : s)) : shape.filter((_, i) => i !== d);
  const input = x.dtype === 'float32' ? x : cast(x, 'float32');
  const attrs: SelectDimAttrs = { op, outer: numel(shape.slice(0, d)), r: shape[d]!, inner: numel(shape.slice(d + 1)), dim: d };
  const [values, indices] = apply(selectDimOp, [input], attrs, [
    { shape: outShape, dtype: 'float32' },
    { shape: outShape, dtype: 'int32' },
  ]);
  return valuesIndices(x.dtype === 'float32' ? values! : cast(values!, x.dtype), indices!);
}

export interface MaxOptions extends Record<string, unknown> {
  dim?: number;
  keepdim?: boolean;
}

function maxMin(op: 'max' | 'min', input: Tensor, rest: readonly unknown[]): Tensor | ValuesIndices {
  const first = rest[0];
  if (first instanceof Tensor) {
    if (rest.length > 1) throw new ArgumentError(`${where(op, currentLayer())}: ${op}(input, other) takes no further arguments`);
    return op === 'max' ? maximum(input, first) : minimum(input, first);
  }
  if (rest.length === 0) return op === 'max' ? amax(input) : amin(input);
  const o = kwargs<{ dim: number | null; keepdim: boolean }>(op, rest, ['dim', 'keepdim'], { dim: null, keepdim: false });
  if (o.dim === null) return op === 'max' ? amax(input) : amin(input);
  return maxMinDim(op, input, o.dim, o.keepdim);
}

/**
 * torch.max in its three forms:
 *  - max(input): the largest element (a 0-dim tensor; the gradient is split evenly among ties);
 *  - max(input, dim, keepdim = false) or max(input, { dim, keepdim }): (values, indices) along dim,
 *    indices int32 (the first maximum; a NaN is the maximum), the gradient going to that element;
 *  - max(input, other): the elementwise maximum (torch.maximum), broadcasting.
 */
export function max(input: Tensor): Tensor;
export function max(input: Tensor, other: Tensor): Tensor;
export function max(input: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(input: Tensor, options: MaxOptions): ValuesIndices;
export function max(input: Tensor, ...rest: unknown[]): Tensor | ValuesIndices {
  return maxMin('max', input, rest);
}

/** torch.min in its three forms; see max. */
export function min(input: Tensor): Tensor;
export function min(input: Tensor, other: Tensor): Tensor;
export function min(input: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(input: Tensor, options: MaxOptions): ValuesIndices;
export function min(input: Tensor, ...rest: unknown[]): Tensor | ValuesIndices {
  return maxMin('min', input, rest);
}

// ---- expand / sumTo ----------------------------------------------------------------------------------

interface ExpandAttrs {
  shape: number[];
}

export const expandOp: OpDef<ExpandAttrs> = {
  name: 'expand',
  lower(ctx, node) {
    const out = node.outputs[0]!.shape;
    ctx.dispatch(unaryKernel('identity', out, broadcastStrides(node.inputs[0]!.shape, out), ctx.input(0), ctx.output(0)));
  },
  vjp(node, [g], needs) {
    return [needs[0] && g ? sumTo(g, node.inputs[0]!.shape) : null];
  },
};

/** Broadcasts x to `shape` (materialized copy; PyTorch's expand returns a view). */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const target = shape.map((d, i) => (d === -1 ? x.shape[i - (shape.length - x.ndim)]! : d));
  const b = broadcastShapes(x.shape, target, 'expand', currentLayer());
  if (!sameShape(b, target)) {
    throw new ShapeError(`${where('expand', currentLayer())}: ${x.describe()} cannot be expanded to ${fmtShape(shape)}`);
  }
  if (sameShape(x.shape, target)) return x;
  if (x.dtype !== 'float32') throw new ShapeError(`${where('expand', currentLayer())}: only float32 tensors can be expanded`);
  return apply1(expandOp, [x], { shape: target }, { shape: target, dtype: x.dtype });
}

/** Sums a broadcast result back down to `shape` (the gradient of broadcasting). */
export function sumTo(x: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const lead = x.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < x.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && x.shape[i] !== 1)) dims.push(i);
  }
  const s = dims.length > 0 ? sum(x, dims, true) : x;
  return reshape(s, shape);
}

