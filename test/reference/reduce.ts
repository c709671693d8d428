/**
 * Reductions over a set of dims (sum, mean, amax, amin) with keepdim, argmax/argmin, and their
 * gradients, in float64, with PyTorch's semantics (amax/amin split the gradient evenly among ties;
 * argmax returns the first maximum).
 */
import { numel, unravel, zeros, type NDArray } from './ndarray.js';

export type Reduction = 'sum' | 'mean' | 'amax' | 'amin';

/** Sorted, non-negative dims; null means every dim. */
export function normalizeDims(rank: number, dims: number | readonly number[] | null): number[] {
  if (dims === null) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof dims === 'number' ? [dims] : [...dims];
  return list.map((d) => (d < 0 ? d + rank : d)).sort((a, b) => a - b);
}

/** The shape with reduced dims set to 1 (keepdim=True's shape). */
function keptShape(shape: readonly number[], dims: readonly number[]): number[] {
  return shape.map((d, i) => (dims.includes(i) ? 1 : d));
}

function outShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  return keepdim ? keptShape(shape, dims) : shape.filter((_, i) => !dims.includes(i));
}

/**
 * Flat position in the kept-shape output that input element `i` reduces into: its multi-index with
 * the reduced coordinates dropped, read row-major over the dims that remain.
 */
function target(i: number, shape: readonly number[], dims: readonly number[]): number {
  let rest = i;
  let flat = 0;
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const coord = rest % shape[d]!;
    rest = Math.floor(rest / shape[d]!);
    if (dims.includes(d)) continue;
    flat += coord * stride;
    stride *= shape[d]!;
  }
  return flat;
}

export function reduce(op: Reduction, x: NDArray, dims: number | readonly number[] | null = null, keepdim = false): NDArray {
  const ds = normalizeDims(x.shape.length, dims);
  const out = zeros(outShape(x.shape, ds, keepdim));
  const init = op === 'amax' ? -Infinity : op === 'amin' ? Infinity : 0;
  out.data.fill(init);
  for (let i = 0; i < x.data.length; i++) {
    const o = target(i, x.shape, ds);
    const v = x.data[i]!;
    if (op === 'sum' || op === 'mean') out.data[o] += v;
    else if (op === 'amax') out.data[o] = Math.max(out.data[o]!, v);
    else out.data[o] = Math.min(out.data[o]!, v);
  }
  if (op === 'mean') {
    const count = ds.reduce((p, d) => p * x.shape[d]!, 1);
    for (let o = 0; o < out.data.length; o++) out.data[o] /= count;
  }
  return out;
}

/**
 * Gradient of reduce(op, x, dims, keepdim) given the output gradient gy (keepdim only changes gy's
 * shape, not the order of its values).
 */
export function reduceBackward(op: Reduction, x: NDArray, dims: number | readonly number[] | null, _keepdim: boolean, gy: NDArray): NDArray {
  const ds = normalizeDims(x.shape.length, dims);
  const count = ds.reduce((p, d) => p * x.shape[d]!, 1);
  const dx = zeros(x.shape);
  if (op === 'sum' || op === 'mean') {
    for (let i = 0; i < x.data.length; i++) {
      dx.data[i] = gy.data[target(i, x.shape, ds)]! / (op === 'mean' ? count : 1);
    }
    return dx;
  }
  const y = reduce(op, x, ds, true);
  const ties = zeros(y.shape);
  for (let i = 0; i < x.data.length; i++) {
    const o = target(i, x.shape, ds);
    if (x.data[i] === y.data[o]) ties.data[o] += 1;
  }
  for (let i = 0; i < x.data.length; i++) {
    const o = target(i, x.shape, ds);
    if (x.data[i] === y.data[o]) dx.data[i] = gy.data[o]! / ties.data[o]!;
  }
  return dx;
}

/** Index of the first maximum (minimum) along `dim`, or in the flattened array when dim is null. */
export function argReduce(op: 'argmax' | 'argmin', x: NDArray, dim: number | null = null, keepdim = false): NDArray {
  if (dim === null) {
    let best = 0;
    for (let i = 1; i < x.data.length; i++) {
      if (op === 'argmax' ? x.data[i]! > x.data[best]! : x.data[i]! < x.data[best]!) best = i;
    }
    const out = zeros(keepdim ? x.shape.map(() => 1) : []);
    out.data[0] = best;
    return out;
  }
  const d = dim < 0 ? dim + x.shape.length : dim;
  const out = zeros(outShape(x.shape, [d], keepdim));
  const bestValue = new Float64Array(numel(out.shape)).fill(op === 'argmax' ? -Infinity : Infinity);
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape);
    const o = target(i, x.shape, [d]);
    const v = x.data[i]!;
    if (op === 'argmax' ? v > bestValue[o]! : v < bestValue[o]!) {
      bestValue[o] = v;
      out.data[o] = idx[d]!;
    }
  }
  return out;
}
