/**
 * Shape ops: reshape/view/flatten (no kernel: the output shares the input's buffer), transpose and
 * permute (a strided copy through shaders/elementwise.wgsl), detach and clone.
 */
import { ArgumentError, ShapeError, fmtShape, where } from '../errors.js';
import { currentLayer } from '../graph/engine.js';
import type { OpDef } from '../graph/op.js';
import { unaryKernel } from '../kernels/elementwise.js';
import { Tensor } from '../tensor/tensor.js';
import { normDim, numel, stridesOf } from '../util/shape.js';
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

export const permuteOp: OpDef<PermuteAttrs> = {
  name: 'permute',
  lower(ctx, node) {
    const x = node.inputs[0]!;
    const inStrides = stridesOf(x.shape);
    const out = node.outputs[0]!.shape;
    const strides = node.attrs.perm.map((p) => inStrides[p]!);
    ctx.dispatch(unaryKernel('identity', out, strides, ctx.input(0), ctx.output(0)));
  },
  vjp(node, [g], needs) {
    if (!needs[0] || !g) return [null];
    const perm = node.attrs.perm;
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [permute(g, inverse)];
  },
};

/** Reorders dims (materialized copy). */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const layer = currentLayer();
  if (dims.length !== x.ndim) {
    throw new ShapeError(`${where('permute', layer)}: ${dims.length} dims given for ${x.describe()} of rank ${x.ndim}`);
  }
  const perm = dims.map((d) => normDim(d, x.ndim, 'permute', layer));
  if (new Set(perm).size !== perm.length) throw new ArgumentError(`${where('permute', layer)}: dims ${fmtShape(dims)} repeat a dimension`);
  if (perm.every((p, i) => p === i)) return x;
  const shape = perm.map((p) => x.shape[p]!);
  if (x.dtype !== 'float32') throw new ShapeError(`${where('permute', layer)}: only float32 tensors can be permuted, got ${x.dtype}`);
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

