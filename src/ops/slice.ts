/**
 * Slicing along one dim: slice (Python's start:end:step, PyTorch's aten::slice), narrow, select,
 * and the op that puts a slice's gradient back into a zero tensor of the input's shape.
 * Kernels: shaders/copy.wgsl through src/kernels/copy.ts (rows are copied, never divided out).
 */
import { ShapeError, fmtShape, where } from '../errors.js';
import { currentLayer } from '../util/scope.js';
import type { OpDef } from './op.js';
import { blockCopy } from '../kernels/copy.js';
import { Tensor } from '../tensor/tensor.js';
import { normDim, numel } from '../util/shape.js';
import { argumentError, integer } from '../util/validate.js';
import { apply1 } from './record.js';
import { reshape } from './shape.js';

interface SliceAttrs {
  dim: number;
  start: number;
  step: number;
}

/** Block of a [outer, size, inner] tensor's elements start, start + step, ... (len of them). */
function sliceBlock(shape: readonly number[], dim: number, start: number, step: number, len: number) {
  const outer = numel(shape.slice(0, dim));
  const size = shape[dim]!;
  const inner = numel(shape.slice(dim + 1));
  return {
    outer,
    inner,
    full: { size: outer, srcStride: size * inner, sliceStride: len * inner },
    offset: start * inner,
    along: { size: len, fullStride: step * inner, sliceStride: inner },
  };
}

export const sliceOp: OpDef<SliceAttrs> = {
  name: 'slice',
  key: (a) => `${a.dim},${a.start},${a.step}`,
  lower(ctx, node) {
    const { dim, start, step } = node.attrs;
    const x = node.inputs[0]!;
    const len = node.outputs[0]!.shape[dim]!;
    const b = sliceBlock(x.shape, dim, start, step, len);
    const dims = [
      { size: b.outer, src: b.full.srcStride, dst: b.full.sliceStride },
      { size: len, src: b.along.fullStride, dst: b.along.sliceStride },
      { size: b.inner, src: 1, dst: 1 },
    ];
    for (const call of blockCopy({ dims, srcOffset: b.offset, dstOffset: 0 }, ctx.input(0), ctx.output(0))) ctx.dispatch(call);
  },
  vjp(node, [g], needs) {
    if (!needs[0] || !g) return [null];
    const { dim, start, step } = node.attrs;
    return [apply1(sliceBackwardOp, [g], { dim, start, step }, { shape: node.inputs[0]!.shape, dtype: 'float32' })];
  },
};

/** The gradient of slice: zeros of the input's shape with the slice's gradient put back in place. */
export const sliceBackwardOp: OpDef<SliceAttrs> = {
  name: 'slice_backward',
  key: (a) => `${a.dim},${a.start},${a.step}`,
  lower(ctx, node) {
    const { dim, start, step } = node.attrs;
    const out = node.outputs[0]!;
    const len = node.inputs[0]!.shape[dim]!;
    const b = sliceBlock(out.shape, dim, start, step, len);
    if (len < out.shape[dim]!) ctx.clear(ctx.output(0), Math.max(4, out.bytes));
    const dims = [
      { size: b.outer, src: b.full.sliceStride, dst: b.full.srcStride },
      { size: len, src: b.along.sliceStride, dst: b.along.fullStride },
      { size: b.inner, src: 1, dst: 1 },
    ];
    for (const call of blockCopy({ dims, srcOffset: 0, dstOffset: b.offset }, ctx.input(0), ctx.output(0))) ctx.dispatch(call);
  },
  vjp(node, [g], needs) {
    if (!needs[0] || !g) return [null];
    const { dim, start, step } = node.attrs;
    return [sliceRaw(g, dim, start, step, node.inputs[0]!.shape[dim]!)];
  },
};

/** @internal Records a slice with a normalized dim, an in-range start and a length. */
export function sliceRaw(x: Tensor, dim: number, start: number, step: number, len: number): Tensor {
  if (start === 0 && step === 1 && len === x.shape[dim]) return x;
  const shape = x.shape;
  shape[dim] = len;
  return apply1(sliceOp, [x], { dim, start, step }, { shape, dtype: x.dtype });
}

/**
 * Elements start, start + step, ... before end along `dim`: Python's x[..., start:end:step, ...]
 * (PyTorch's aten::slice). start and end may be negative (counted from the end) or null (the
 * dim's ends), and are clamped to the dim as Python does; step must be positive. Returns a copy
 * (webtrain tensors are contiguous); the gradient flows back into the sliced positions.
 */
export function slice(input: Tensor, dim = 0, start: number | null = null, end: number | null = null, step = 1): Tensor {
  const op = 'slice';
  const d = normDim(integer(op, 'dim', dim), input.ndim, op, currentLayer());
  const size = input.shape[d]!;
  if (integer(op, 'step', step) <= 0) throw argumentError(op, `step must be positive, got ${step}`);
  const clampIndex = (v: number | null, fallback: number): number => {
    if (v === null || v === undefined) return fallback;
    const i = integer(op, 'start/end', v);
    return Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  };
  const s = clampIndex(start, 0);
  const e = clampIndex(end, size);
  const len = e > s ? Math.ceil((e - s) / step) : 0;
  return sliceRaw(input, d, len === 0 ? 0 : s, step, len);
}

/**
 * `length` elements of `dim` from `start` (negative start counts from the end), as torch.narrow.
 * Unlike slice, an out-of-range start or length is an error.
 */
export function narrow(input: Tensor, dim: number, start: number, length: number): Tensor {
  const op = 'narrow';
  const layer = currentLayer();
  if (input.ndim === 0) throw new ShapeError(`${where(op, layer)}: cannot be applied to a 0-dim tensor ${input.describe()}`);
  const d = normDim(integer(op, 'dim', dim), input.ndim, op, layer);
  const size = input.shape[d]!;
  integer(op, 'start', start);
  integer(op, 'length', length);
  if (start < -size || start > size) {
    throw new ShapeError(`${where(op, layer)}: start out of range (expected to be in range of [${-size}, ${size}], but got ${start}) for ${input.describe()} at dim ${d}`);
  }
  const s = start < 0 ? start + size : start;
  if (length < 0) throw new ShapeError(`${where(op, layer)}: length must be non-negative, got ${length}`);
  if (s + length > size) {
    throw new ShapeError(`${where(op, layer)}: start (${s}) + length (${length}) exceeds dimension size (${size}) of ${input.describe()} at dim ${d}`);
  }
  return sliceRaw(input, d, s, 1, length);
}

/** The slice at `index` of `dim`, with that dim removed, as torch.select (negative index counts from the end). */
export function select(input: Tensor, dim: number, index: number): Tensor {
  const op = 'select';
  const layer = currentLayer();
  if (input.ndim === 0) throw new ShapeError(`${where(op, layer)}: cannot be applied to a 0-dim tensor ${input.describe()}`);
  const d = normDim(integer(op, 'dim', dim), input.ndim, op, layer);
  const size = input.shape[d]!;
  integer(op, 'index', index);
  if (index < -size || index >= size) {
    throw new ShapeError(`${where(op, layer)}: index ${index} out of range for tensor of size ${fmtShape(input.shape)} at dimension ${d}`);
  }
  const i = index < 0 ? index + size : index;
  const piece = sliceRaw(input, d, i, 1, 1);
  return reshape(piece, input.shape.filter((_, k) => k !== d));
}
