/**
 * Tensor plumbing in float64, with PyTorch's semantics: cat, split, slicing along a dim (and the
 * adjoint that puts a slice back), channel shuffle, where, max / min along a dim with indices, and
 * topk, with their gradients. Plain loops over multi-indices.
 */
import { broadcastShapes, broadcastSource, numel, ravel, unravel, zeros, type NDArray } from './ndarray.js';

function norm(dim: number, rank: number): number {
  return dim < 0 ? dim + rank : dim;
}

/** torch.cat(xs, dim). */
export function cat(xs: readonly NDArray[], dim: number): NDArray {
  const d = norm(dim, xs[0]!.shape.length);
  const shape = [...xs[0]!.shape];
  shape[d] = xs.reduce((s, x) => s + x.shape[d]!, 0);
  const out = zeros(shape);
  let offset = 0;
  for (const x of xs) {
    for (let i = 0; i < x.data.length; i++) {
      const idx = unravel(i, x.shape);
      idx[d] += offset;
      out.data[ravel(idx, shape)] = x.data[i]!;
    }
    offset += x.shape[d]!;
  }
  return out;
}

/** Elements start, start + step, ... (len of them) of `dim`. */
export function sliceAlong(x: NDArray, dim: number, start: number, step: number, len: number): NDArray {
  const d = norm(dim, x.shape.length);
  const shape = [...x.shape];
  shape[d] = len;
  const out = zeros(shape);
  for (let i = 0; i < out.data.length; i++) {
    const idx = unravel(i, shape);
    idx[d] = start + idx[d]! * step;
    out.data[i] = x.data[ravel(idx, x.shape)]!;
  }
  return out;
}

/** The adjoint of sliceAlong: zeros of `shape` with g put back at the sliced positions. */
export function unslice(g: NDArray, shape: readonly number[], dim: number, start: number, step: number): NDArray {
  const d = norm(dim, shape.length);
  const out = zeros(shape);
  for (let i = 0; i < g.data.length; i++) {
    const idx = unravel(i, g.shape);
    idx[d] = start + idx[d]! * step;
    out.data[ravel(idx, shape)] = g.data[i]!;
  }
  return out;
}

/** torch.split(x, sizes, dim) with explicit sizes. */
export function split(x: NDArray, sizes: readonly number[], dim: number): NDArray[] {
  let start = 0;
  return sizes.map((len) => {
    const piece = sliceAlong(x, dim, start, 1, len);
    start += len;
    return piece;
  });
}

/** Output channel j * groups + i is input channel i * (C / groups) + j, for x [N, C, *]. */
export function channelShuffle(x: NDArray, groups: number): NDArray {
  const c = x.shape[1]!;
  const per = c / groups;
  const out = zeros(x.shape);
  for (let o = 0; o < out.data.length; o++) {
    const idx = unravel(o, x.shape);
    const ch = idx[1]!;
    const j = Math.floor(ch / groups);
    const i = ch % groups;
    idx[1] = i * per + j;
    out.data[o] = x.data[ravel(idx, x.shape)]!;
  }
  return out;
}

/** torch.where(cond, a, b) with broadcasting (cond holds 0 / 1). */
export function where(cond: NDArray, a: NDArray, b: NDArray): NDArray {
  const shape = broadcastShapes(broadcastShapes(cond.shape, a.shape), b.shape);
  const out = zeros(shape);
  for (let i = 0; i < out.data.length; i++) {
    const idx = unravel(i, shape);
    out.data[i] = cond.data[broadcastSource(cond.shape, idx)] ? a.data[broadcastSource(a.shape, idx)]! : b.data[broadcastSource(b.shape, idx)]!;
  }
  return out;
}

/** Gradients of where for output gradient g: [d/da, d/db] (summed over broadcast dims). */
export function whereBackward(cond: NDArray, a: NDArray, b: NDArray, g: NDArray): [NDArray, NDArray] {
  const ga = zeros(a.shape);
  const gb = zeros(b.shape);
  for (let i = 0; i < g.data.length; i++) {
    const idx = unravel(i, g.shape);
    if (cond.data[broadcastSource(cond.shape, idx)]) ga.data[broadcastSource(a.shape, idx)] += g.data[i]!;
    else gb.data[broadcastSource(b.shape, idx)] += g.data[i]!;
  }
  return [ga, gb];
}

export interface Selection {
  values: NDArray;
  indices: NDArray;
}

/** Whether a (at index ia) comes before b in topk's order: larger first (NaN largest), ties by index. */
function before(a: number, ia: number, b: number, ib: number, largest: boolean): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) {
    if (Number.isNaN(a) && Number.isNaN(b)) return ia < ib;
    return largest ? Number.isNaN(a) : Number.isNaN(b);
  }
  if (a === b) return ia < ib;
  return largest ? a > b : a < b;
}

/** torch.topk(x, k, dim, largest), sorted, ties in index order. */
export function topk(x: NDArray, k: number, dim: number, largest = true): Selection {
  const d = norm(dim, x.shape.length);
  const shape = [...x.shape];
  const r = shape[d]!;
  shape[d] = k;
  const values = zeros(shape);
  const indices = zeros(shape);
  const rows = numel(x.shape) / r;
  const rowShape = x.shape.filter((_, i) => i !== d);
  for (let row = 0; row < rows; row++) {
    const base = unravel(row, rowShape);
    const at = (j: number): number[] => [...base.slice(0, d), j, ...base.slice(d)];
    const order = Array.from({ length: r }, (_, j) => j).sort((p, q) => {
      const vp = x.data[ravel(at(p), x.shape)]!;
      const vq = x.data[ravel(at(q), x.shape)]!;
      return before(vp, p, vq, q, largest) ? -1 : before(vq, q, vp, p, largest) ? 1 : 0;
    });
    for (let j = 0; j < k; j++) {
      values.data[ravel(at(j), shape)] = x.data[ravel(at(order[j]!), x.shape)]!;
      indices.data[ravel(at(j), shape)] = order[j]!;
    }
  }
  return { values, indices };
}

/** The gradient of a selection along dim: zeros of `shape` with g at the selected indices. */
export function scatterBack(g: NDArray, indices: NDArray, shape: readonly number[], dim: number): NDArray {
  const d = norm(dim, shape.length);
  const out = zeros(shape);
  for (let i = 0; i < g.data.length; i++) {
    const idx = unravel(i, g.shape);
    idx[d] = indices.data[i]!;
    out.data[ravel(idx, shape)] += g.data[i]!;
  }
  return out;
}

/** torch.max / torch.min (x, dim, keepdim): the first extreme element of each row (NaN wins). */
export function maxMinDim(x: NDArray, dim: number, keepdim: boolean, op: 'max' | 'min'): Selection {
  const d = norm(dim, x.shape.length);
  const sel = topk(x, 1, d, op === 'max');
  if (op === 'min') {
    // topk(largest = false) puts NaN last, but min propagates it: pick a NaN first if the row has one.
    const r = x.shape[d]!;
    for (let i = 0; i < sel.values.data.length; i++) {
      const idx = unravel(i, sel.values.shape);
      for (let j = 0; j < r; j++) {
        idx[d] = j;
        if (Number.isNaN(x.data[ravel(idx, x.shape)]!)) {
          sel.values.data[i] = NaN;
          sel.indices.data[i] = j;
          break;
        }
      }
    }
  }
  if (keepdim) return sel;
  const shape = x.shape.filter((_, i) => i !== d);
  return { values: { shape, data: sel.values.data }, indices: { shape, data: sel.indices.data } };
}
