/**
 * Joining and splitting along one dim: cat (concat), stack, split, chunk, unbind.
 * cat writes each input's rows into its place in the output and its gradient is a slice per input;
 * split is one node with one output per piece, whose gradient is a cat (zeros for unused pieces).
 * Kernels: shaders/copy.wgsl through src/kernels/copy.ts.
 */
import { ArgumentError, ShapeError, fmtShape, where } from '../errors.js';
import { blockCopy } from '../kernels/copy.js';
import { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import type { DType } from '../util/dtype.js';
import { currentLayer } from '../util/scope.js';
import { normDim, numel } from '../util/shape.js';
import { nonNegativeInt } from '../util/validate.js';
import { zeros } from './fill.js';
import type { OpDef } from './op.js';
import { apply, apply1 } from './record.js';
import { reshape, unsqueeze } from './shape.js';
import { sliceRaw } from './slice.js';

interface CatAttrs {
  dim: number;
}

export const catOp: OpDef<CatAttrs> = {
  name: 'cat',
  lower(ctx, node) {
    const { dim } = node.attrs;
    const out = node.outputs[0]!.shape;
    const outer = numel(out.slice(0, dim));
    const inner = numel(out.slice(dim + 1));
    const total = out[dim]! * inner;
    let offset = 0;
    node.inputs.forEach((x, i) => {
      // A legacy 1-D empty input (skipped by torch.cat) has nothing to copy.
      if (x.numel === 0) return;
      const run = x.shape[dim]! * inner;
      const dims = [
        { size: outer, src: run, dst: total },
        { size: run, src: 1, dst: 1 },
      ];
      for (const call of blockCopy({ dims, srcOffset: 0, dstOffset: offset }, ctx.input(i), ctx.output(0))) ctx.dispatch(call);
      offset += run;
    });
  },
  vjp(node, [g], needs) {
    if (!g) return node.inputs.map(() => null);
    const { dim } = node.attrs;
    let start = 0;
    return node.inputs.map((x, i) => {
      if (x.shape.length !== g.ndim) return needs[i] ? zeros(x.shape, { device: g.device }) : null;
      const len = x.shape[dim]!;
      const piece = needs[i] ? sliceRaw(g, dim, start, 1, len) : null;
      start += len;
      return piece;
    });
  },
};

function checkTensorList(op: string, tensors: unknown): Tensor[] {
  if (!Array.isArray(tensors) || tensors.some((t) => !(t instanceof Tensor))) {
    throw new ArgumentError(`${where(op, currentLayer())}: expected a list of tensors, got ${String(tensors)}`);
  }
  if (tensors.length === 0) throw new ArgumentError(`${where(op, currentLayer())}: expected a non-empty list of tensors`);
  return tensors as Tensor[];
}

function sameDtype(op: string, tensors: readonly Tensor[]): DType {
  const dtype = tensors[0]!.dtype;
  tensors.forEach((t, i) => {
    if (t.dtype !== dtype) {
      throw new ShapeError(`${where(op, currentLayer())}: expected all tensors to have dtype ${dtype}, but tensor number ${i} is ${t.dtype} ${t.describe()}`);
    }
  });
  return dtype;
}

export interface DimOptions extends Record<string, unknown> {
  dim?: number;
}

/**
 * Concatenates tensors along `dim` (default 0), as torch.cat: every tensor has the same rank and the
 * same sizes except along `dim`. As in PyTorch, 1-D empty tensors (shape [0]) are skipped.
 * Output: the common shape with `dim` the sum of the inputs' sizes.
 */
export function cat(tensors: readonly Tensor[], dim?: number | DimOptions): Tensor {
  const op = 'cat';
  const layer = currentLayer();
  const o = kwargs<Required<DimOptions>>(op, [dim], ['dim'], { dim: 0 });
  const all = checkTensorList(op, tensors);
  const dtype = sameDtype(op, all);
  const list = all.filter((t) => !(t.ndim === 1 && t.shape[0] === 0));
  if (list.length === 0) return all[0]!;
  const ref = list[0]!;
  if (ref.ndim === 0) throw new ShapeError(`${where(op, layer)}: zero-dimensional tensor (at position ${all.indexOf(ref)}) cannot be concatenated`);
  const d = normDim(o.dim, ref.ndim, op, layer);
  list.forEach((t) => {
    const i = all.indexOf(t);
    if (t.ndim !== ref.ndim) {
      throw new ShapeError(`${where(op, layer)}: tensors must have same number of dimensions: got ${ref.ndim} and ${t.ndim} (${ref.describe()} and tensor number ${i}, ${t.describe()})`);
    }
    t.shape.forEach((s, k) => {
      if (k !== d && s !== ref.shape[k]) {
        throw new ShapeError(
          `${where(op, layer)}: sizes of tensors must match except in dimension ${d}. Expected size ${ref.shape[k]} but got size ${s} for tensor number ${i} in the list (shapes ${fmtShape(ref.shape)} and ${fmtShape(t.shape)})`,
        );
      }
    });
  });
  if (all.length === 1) return all[0]!;
  const shape = ref.shape;
  shape[d] = list.reduce((s, t) => s + t.shape[d]!, 0);
  // Skipped empty tensors stay inputs, so that they get a (zero-size) gradient as in PyTorch.
  return apply1(catOp, all, { dim: d }, { shape, dtype });
}

/** torch.concat: an alias of cat. */
export const concat = cat;

/** Stacks same-shaped tensors along a new dim `dim` (default 0), as torch.stack. */
export function stack(tensors: readonly Tensor[], dim?: number | DimOptions): Tensor {
  const op = 'stack';
  const layer = currentLayer();
  const o = kwargs<Required<DimOptions>>(op, [dim], ['dim'], { dim: 0 });
  const list = checkTensorList(op, tensors);
  sameDtype(op, list);
  const ref = list[0]!;
  list.forEach((t, i) => {
    if (t.ndim !== ref.ndim || t.shape.some((s, k) => s !== ref.shape[k])) {
      throw new ShapeError(`${where(op, layer)}: stack expects each tensor to be equal size, but got ${fmtShape(ref.shape)} at entry 0 and ${fmtShape(t.shape)} at entry ${i}`);
    }
  });
  const d = normDim(o.dim, ref.ndim + 1, op, layer);
  const parts = list.map((t) => unsqueeze(t, d));
  if (parts.length === 1) return parts[0]!;
  return apply1(catOp, parts, { dim: d }, { shape: [...ref.shape.slice(0, d), list.length, ...ref.shape.slice(d)], dtype: ref.dtype });
}

interface SplitAttrs {
  dim: number;
  sizes: number[];
}

export const splitOp: OpDef<SplitAttrs> = {
  name: 'split',
  lower(ctx, node) {
    const { dim, sizes } = node.attrs;
    const x = node.inputs[0]!.shape;
    const outer = numel(x.slice(0, dim));
    const inner = numel(x.slice(dim + 1));
    const total = x[dim]! * inner;
    let offset = 0;
    sizes.forEach((len, j) => {
      const run = len * inner;
      if (ctx.used(j)) {
        const dims = [
          { size: outer, src: total, dst: run },
          { size: run, src: 1, dst: 1 },
        ];
        for (const call of blockCopy({ dims, srcOffset: offset, dstOffset: 0 }, ctx.input(0), ctx.output(j))) ctx.dispatch(call);
      }
      offset += run;
    });
  },
  vjp(node, grads, needs) {
    if (!needs[0] || grads.every((g) => g === null)) return [null];
    const { dim } = node.attrs;
    const device = grads.find((g) => g !== null)!.device;
    const parts = node.outputs.map((v, j) => grads[j] ?? zeros(v.shape, { device }));
    return [apply1(catOp, parts, { dim }, { shape: node.inputs[0]!.shape, dtype: 'float32' })];
  },
};

function splitSizes(x: Tensor, dim: number, sizes: number[]): Tensor[] {
  if (sizes.length === 1) return [x];
  const outputs = sizes.map((len) => {
    const shape = x.shape;
    shape[dim] = len;
    return { shape, dtype: x.dtype };
  });
  return apply(splitOp, [x], { dim, sizes }, outputs);
}

/**
 * Splits `tensor` along `dim` (default 0), as torch.split: an integer gives pieces of that size
 * (the last one smaller if the size does not divide), a list gives the size of each piece (they
 * must add up to the dim's size). Returns the pieces as separate tensors.
 */
export function split(tensor: Tensor, splitSizeOrSections: number | readonly number[], dim?: number | DimOptions): Tensor[] {
  const op = 'split';
  const layer = currentLayer();
  const o = kwargs<Required<DimOptions>>(op, [dim], ['dim'], { dim: 0 });
  if (tensor.ndim === 0) throw new ShapeError(`${where(op, layer)}: split expects at least a 1-dimensional tensor, got ${tensor.describe()}`);
  const d = normDim(o.dim, tensor.ndim, op, layer);
  const size = tensor.shape[d]!;
  if (typeof splitSizeOrSections === 'number') {
    const s = splitSizeOrSections;
    nonNegativeInt(op, 'split size', s);
    if (s === 0) {
      if (size !== 0) throw new ArgumentError(`${where(op, layer)}: split size 0 can only split a dim of size 0, got ${size}`);
      return [tensor];
    }
    const count = Math.max(1, Math.ceil(size / s));
    return splitSizes(tensor, d, Array.from({ length: count }, (_, i) => Math.min(s, size - i * s)));
  }
  if (!Array.isArray(splitSizeOrSections) || splitSizeOrSections.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new ArgumentError(`${where(op, layer)}: split sizes must be non-negative integers, got ${JSON.stringify(splitSizeOrSections)}`);
  }
  const total = splitSizeOrSections.reduce((a, b) => a + b, 0);
  if (total !== size) {
    throw new ShapeError(
      `${where(op, layer)}: split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), but got split_sizes=${fmtShape(splitSizeOrSections)}`,
    );
  }
  return splitSizes(tensor, d, [...splitSizeOrSections]);
}

/**
 * Splits `input` into `chunks` pieces along `dim` (default 0), as torch.chunk: each piece has
 * ceil(size / chunks) elements along dim (the last may be smaller), so fewer than `chunks` pieces
 * may come back.
 */
export function chunk(input: Tensor, chunks: number, dim?: number | DimOptions): Tensor[] {
  const op = 'chunk';
  const layer = currentLayer();
  const o = kwargs<Required<DimOptions>>(op, [dim], ['dim'], { dim: 0 });
  if (!Number.isInteger(chunks) || chunks <= 0) throw new ArgumentError(`${where(op, layer)}: chunk expects \`chunks\` to be greater than 0, got: ${String(chunks)}`);
  if (input.ndim === 0) throw new ShapeError(`${where(op, layer)}: chunk expects at least a 1-dimensional tensor, got ${input.describe()}`);
  const d = normDim(o.dim, input.ndim, op, layer);
  const size = input.shape[d]!;
  const each = Math.ceil(size / chunks);
  if (size === 0) return splitSizes(input, d, Array.from({ length: chunks }, () => 0));
  return split(input, each, d);
}

/** The slices along `dim` (default 0) with that dim removed, as torch.unbind. */
export function unbind(input: Tensor, dim?: number | DimOptions): Tensor[] {
  const op = 'unbind';
  const o = kwargs<Required<DimOptions>>(op, [dim], ['dim'], { dim: 0 });
  if (input.ndim === 0) throw new ShapeError(`${where(op, currentLayer())}: dimension specified as ${o.dim} but tensor has no dimensions`);
  const d = normDim(o.dim, input.ndim, op, currentLayer());
  const shape = input.shape.filter((_, k) => k !== d);
  return splitSizes(input, d, Array.from({ length: input.shape[d]! }, () => 1)).map((t) => reshape(t, shape));
}
