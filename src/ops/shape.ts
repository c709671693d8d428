/**
 * Shape ops: reshape/view/flatten/unsqueeze/squeeze (no kernel: the output shares the input's
 * buffer), transpose, permute and channelShuffle (strided copies: shaders/copy.wgsl when the
 * permutation merges into at most four dims, else shaders/elementwise.wgsl), detach and clone.
 */
import { ArgumentError, ShapeError, fmtShape, where } from '../errors.js';
import { blockCopy, simplifyDims, type CopyDim } from '../kernels/copy.js';
import { unaryKernel } from '../kernels/elementwise.js';
import { Tensor } from '../tensor/tensor.js';
import { currentLayer } from '../util/scope.js';
import { normDim, numel, stridesOf } from '../util/shape.js';
import { kwargs } from '../util/args.js';
import type { OpDef } from './op.js';
import { positiveInt } from '../util/validate.js';
import { apply1 } from './record.js';

interface ReshapeAttrs {
  shape: number[];
}

export const reshapeOp: OpDef<ReshapeAttrs> = {
  name: 'reshape',
  view: true,
  vjp(node, [g], needs) {
    return [needs[0] && g ? reshape(g, node.inputs[0]!.shape) : null];
  },
};

/** Resolves one -1 in a target shape and checks the element count. */
function resolveShape(x: Tensor, shape: readonly number[], op: string): number[] {
  const layer = currentLayer();
  const infer = shape.filter((d) => d === -1).length;
  if (infer > 1 || shape.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new ShapeError(`${where(op, layer)}: invalid shape ${fmtShape(shape)} (integers >= 0, at most one -1)`);
  }
  const known = shape.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  const total = x.numel();
  let out = [...shape];
  if (infer === 1) {
    if (known === 0 || total % known !== 0) {
      throw new ShapeError(`${where(op, layer)}: shape ${fmtShape(shape)} is invalid for ${x.describe()} (${total} elements)`);
    }
    out = shape.map((d) => (d === -1 ? total / known : d));
  }
  if (numel(out) !== total) {
    throw new ShapeError(`${where(op, layer)}: shape ${fmtShape(shape)} is invalid for ${x.describe()} (${total} elements)`);
  }
  return out;
}

/** Same data, new shape (PyTorch's reshape/view; all tensors here are contiguous). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const out = resolveShape(x, shape, 'reshape');
  if (out.length === x.ndim && out.every((d, i) => d === x.shape[i])) return x;
  return apply1(reshapeOp, [x], { shape: out }, { shape: out, dtype: x.dtype });
}

export const view = reshape;

/** Flattens dims startDim..endDim into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const layer = currentLayer();
  const s = normDim(startDim, x.ndim, 'flatten', layer);
  const e = normDim(endDim, x.ndim, 'flatten', layer);
  if (s > e) throw new ArgumentError(`${where('flatten', layer)}: startDim ${startDim} comes after endDim ${endDim}`);
  const shape = x.shape;
  return reshape(x, [...shape.slice(0, s), numel(shape.slice(s, e + 1)), ...shape.slice(e + 1)]);
}

interface PermuteAttrs {
  perm: number[];
}

/** The block copy of a permute: output dims in order, with the input's strides. */
function permuteDims(shape: readonly number[], perm: readonly number[]): CopyDim[] {
  const inStrides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]!);
  const outStrides = stridesOf(outShape);
  return outShape.map((size, k) => ({ size, src: inStrides[perm[k]!]!, dst: outStrides[k]! }));
}

export const permuteOp: OpDef<PermuteAttrs> = {
  name: 'permute',
  lower(ctx, node) {
    const x = node.inputs[0]!;
    const out = node.outputs[0]!.shape;
    const dims = permuteDims(x.shape, node.attrs.perm);
    // The block copy indexes without dividing; it takes up to four dims after merging.
    if (simplifyDims(dims).length <= 4) {
      for (const call of blockCopy({ dims, srcOffset: 0, dstOffset: 0 }, ctx.input(0), ctx.output(0))) ctx.dispatch(call);
      return;
    }
    ctx.dispatch(unaryKernel('identity', out, dims.map((d) => d.src), ctx.input(0), ctx.output(0)));
  },
  vjp(node, [g], needs) {
    if (!needs[0] || !g) return [null];
    const perm = node.attrs.perm;
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [permute(g, inverse)];
  },
};

/** Reorders dims (materialized copy); float32, int32 and bool alike. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const layer = currentLayer();
  if (dims.length !== x.ndim) {
    throw new ShapeError(`${where('permute', layer)}: ${dims.length} dims given for ${x.describe()} of rank ${x.ndim}`);
  }
  const perm = dims.map((d) => normDim(d, x.ndim, 'permute', layer));
  if (new Set(perm).size !== perm.length) throw new ArgumentError(`${where('permute', layer)}: dims ${fmtShape(dims)} repeat a dimension`);
  if (perm.every((p, i) => p === i)) return x;
  const shape = perm.map((p) => x.shape[p]!);
  if (x.dtype !== 'float32' && simplifyDims(permuteDims(x.shape, perm)).length > 4) {
    throw new ShapeError(`${where('permute', layer)}: ${x.dtype} tensors can only be permuted when the permutation merges into at most 4 dims, got ${fmtShape(dims)} for ${x.describe()}`);
  }
  return apply1(permuteOp, [x], { perm }, { shape, dtype: x.dtype });
}

/** Swaps two dims. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const layer = currentLayer();
  const a = normDim(dim0, x.ndim, 'transpose', layer);
  const b = normDim(dim1, x.ndim, 'transpose', layer);
  const perm = x.shape.map((_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}

/** Inserts a dim of size 1 at `dim` (in [-rank - 1, rank]), as torch.unsqueeze. */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normDim(dim, x.ndim + 1, 'unsqueeze', currentLayer());
  const shape = x.shape;
  shape.splice(d, 0, 1);
  return reshape(x, shape);
}

/** Removes dims of size 1: all of them, or only `dim` if it has size 1, as torch.squeeze. */
export function squeeze(x: Tensor, dim?: number | null): Tensor {
  if (dim === undefined || dim === null) return reshape(x, x.shape.filter((s) => s !== 1));
  if (x.ndim === 0) {
    normDim(dim, 1, 'squeeze', currentLayer());
    return x;
  }
  const d = normDim(dim, x.ndim, 'squeeze', currentLayer());
  if (x.shape[d] !== 1) return x;
  return reshape(x, x.shape.filter((_, k) => k !== d));
}

interface ChannelShuffleAttrs {
  groups: number;
}

/**
 * Channel shuffle of [N, C, *]: output channel j * groups + i is input channel i * (C / groups) + j.
 * One block copy: rows of the spatial size, with (j, n, i) on the grid and in the loop.
 */
export const channelShuffleOp: OpDef<ChannelShuffleAttrs> = {
  name: 'channel_shuffle',
  lower(ctx, node) {
    const x = node.inputs[0]!.shape;
    const g = node.attrs.groups;
    const c = x[1]!;
    const per = c / g;
    const inner = numel(x.slice(2));
    const dims = [
      { size: x[0]!, src: c * inner, dst: c * inner },
      { size: g, src: per * inner, dst: inner },
      { size: per, src: inner, dst: g * inner },
      { size: inner, src: 1, dst: 1 },
    ];
    for (const call of blockCopy({ dims, srcOffset: 0, dstOffset: 0 }, ctx.input(0), ctx.output(0))) ctx.dispatch(call);
  },
  vjp(node, [g], needs) {
    if (!needs[0] || !g) return [null];
    // The inverse permutation is the shuffle with C / groups groups.
    const c = node.inputs[0]!.shape[1]!;
    return [apply1(channelShuffleOp, [g], { groups: c / node.attrs.groups }, { shape: g.shape, dtype: g.dtype })];
  },
};

/**
 * Channel shuffle (ShuffleNet): for input [N, C, *] viewed as [N, groups, C / groups, *], swaps
 * the two channel dims, as torch.channel_shuffle and nn.ChannelShuffle. Output: [N, C, *].
 */
export function channelShuffle(input: Tensor, groups: number | { groups?: number }): Tensor {
  const op = 'channel_shuffle';
  const layer = currentLayer();
  const o = kwargs<{ groups: number }>(op, [groups], ['groups'], { groups: NaN });
  const g = positiveInt(op, 'groups', o.groups);
  if (input.ndim <= 2) throw new ShapeError(`${where(op, layer)}: expects input with > 2 dims, but got ${input.describe()}`);
  const c = input.shape[1]!;
  if (c % g !== 0) throw new ShapeError(`${where(op, layer)}: number of channels must be divisible by groups. Got ${c} channels and ${g} groups (${input.describe()})`);
  if (g === 1 || g === c) return input;
  return apply1(channelShuffleOp, [input], { groups: g }, { shape: input.shape, dtype: input.dtype });
}

export const detachOp: OpDef<Record<string, never>> = { name: 'detach', view: true };

/** Same data, not tracked by autograd. */
export function detach(x: Tensor): Tensor {
  return apply1(detachOp, [x], {}, { shape: x.shape, dtype: x.dtype });
}

export const cloneOp: OpDef<Record<string, never>> = {
  name: 'clone',
  lower(ctx, node) {
    ctx.copy(ctx.input(0), ctx.output(0), node.outputs[0]!.bytes);
  },
  vjp(_node, [g], needs) {
    return [needs[0] && g ? g : null];
  },
};

/** A copy with its own buffer. */
export function clone(x: Tensor): Tensor {
  return apply1(cloneOp, [x], {}, { shape: x.shape, dtype: x.dtype });
}

