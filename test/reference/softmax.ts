/**
 * softmax and log-softmax along one dim in float64, and their gradients:
 *   y = exp(x - m) / sum exp(x - m)          dx = y (g - sum g y)
 *   y = x - m - log sum exp(x - m)           dx = g - exp(y) sum g
 * (m the row maximum, so large inputs do not overflow).
 */
import { numel, ravel, unravel, zeros, type NDArray } from './ndarray.js';

function rows(x: NDArray, dim: number, f: (row: number[]) => number[]): NDArray {
  const rank = Math.max(1, x.shape.length);
  const shape = x.shape.length === 0 ? [1] : x.shape;
  const d = dim < 0 ? dim + rank : dim;
  const out = zeros(x.shape);
  const r = shape[d]!;
  const rowShape = shape.filter((_, i) => i !== d);
  for (let k = 0; k < numel(rowShape); k++) {
    const base = unravel(k, rowShape);
    const at = (j: number): number => ravel([...base.slice(0, d), j, ...base.slice(d)], shape);
    const v = f(Array.from({ length: r }, (_, j) => x.data[at(j)]!));
    v.forEach((y, j) => (out.data[at(j)] = y));
  }
  return out;
}

function logSumExp(row: number[]): number {
  const m = Math.max(...row);
  return m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
}

export function softmax(x: NDArray, dim: number): NDArray {
  return rows(x, dim, (row) => {
    const lse = logSumExp(row);
    return row.map((v) => Math.exp(v - lse));
  });
}

export function logSoftmax(x: NDArray, dim: number): NDArray {
  return rows(x, dim, (row) => {
    const lse = logSumExp(row);
    return row.map((v) => v - lse);
  });
}

/** Gradient of softmax (log = false) or logSoftmax (log = true) at x for output gradient g. */
export function softmaxBackward(x: NDArray, dim: number, g: NDArray, log: boolean): NDArray {
  const y = log ? logSoftmax(x, dim) : softmax(x, dim);
  // Pack y and g into one array of pairs so one row walk sees both.
  const rank = Math.max(1, x.shape.length);
  const d = dim < 0 ? dim + rank : dim;
  const shape = x.shape.length === 0 ? [1] : x.shape;
  const out = zeros(x.shape);
  const r = shape[d]!;
  const rowShape = shape.filter((_, i) => i !== d);
  for (let k = 0; k < numel(rowShape); k++) {
    const base = unravel(k, rowShape);
    const at = (j: number): number => ravel([...base.slice(0, d), j, ...base.slice(d)], shape);
    let dot = 0;
    for (let j = 0; j < r; j++) dot += log ? g.data[at(j)]! : g.data[at(j)]! * y.data[at(j)]!;
    for (let j = 0; j < r; j++) {
      const i = at(j);
      out.data[i] = log ? g.data[i]! - Math.exp(y.data[i]!) * dot : y.data[i]! * (g.data[i]! - dot);
    }
  }
  return out;
}
