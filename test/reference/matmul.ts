/**
 * torch.matmul (1-D operands, batched, broadcast batch dims) and torch.nn.functional.linear, with
 * their gradients, in float64. Backward loops over exactly the same (batch, i, j, k) terms as the
 * forward and sends each product's gradient to the two elements it read, so broadcasting is handled
 * by construction.
 */
import { broadcastShapes, broadcastSource, numel, unravel, zeros, type NDArray } from './ndarray.js';

interface Layout {
  /** Batch shape of the result. */
  batch: number[];
  m: number;
  k: number;
  n: number;
  /** Result shape with the dims of 1-D operands removed, as torch.matmul returns it. */
  outShape: number[];
  /** Flat offsets of the [m, k] matrix of a / [k, n] matrix of b used by output batch b. */
  aOffset(batch: number): number;
  bOffset(batch: number): number;
}

function layout(aShape: readonly number[], bShape: readonly number[]): Layout {
  if (aShape.length === 0 || bShape.length === 0) throw new Error('matmul: operands need at least 1 dim');
  // A 1-D left operand is a row vector [1, k]; a 1-D right operand a column [k, 1].
  const a2 = aShape.length === 1 ? [1, aShape[0]!] : [...aShape];
  const b2 = bShape.length === 1 ? [bShape[0]!, 1] : [...bShape];
  const [m, k] = a2.slice(-2) as [number, number];
  const [kb, n] = b2.slice(-2) as [number, number];
  if (k !== kb) throw new Error(`matmul: [${aShape}] x [${bShape}]: ${k} vs ${kb}`);
  const aBatch = a2.slice(0, -2);
  const bBatch = b2.slice(0, -2);
  const batch = broadcastShapes(aBatch, bBatch);
  const outShape = [...batch, m, n];
  if (aShape.length === 1) outShape.splice(outShape.length - 2, 1);
  if (bShape.length === 1) outShape.splice(outShape.length - 1, 1);
  return {
    batch,
    m,
    k,
    n,
    outShape,
    aOffset: (i) => broadcastSource(aBatch, unravel(i, batch)) * m * k,
    bOffset: (i) => broadcastSource(bBatch, unravel(i, batch)) * k * n,
  };
}

export function matmul(a: NDArray, b: NDArray): NDArray {
  const L = layout(a.shape, b.shape);
  const out = zeros(L.outShape);
  for (let bi = 0; bi < numel(L.batch); bi++) {
    const ao = L.aOffset(bi);
    const bo = L.bOffset(bi);
    for (let i = 0; i < L.m; i++) {
      for (let j = 0; j < L.n; j++) {
        let s = 0;
        for (let k = 0; k < L.k; k++) s += a.data[ao + i * L.k + k]! * b.data[bo + k * L.n + j]!;
        out.data[(bi * L.m + i) * L.n + j] = s;
      }
    }
  }
  return out;
}

/** Gradients of matmul(a, b) for the output gradient gy: [dL/da, dL/db]. */
export function matmulBackward(a: NDArray, b: NDArray, gy: NDArray): [NDArray, NDArray] {
  const L = layout(a.shape, b.shape);
  const da = zeros(a.shape);
  const db = zeros(b.shape);
  for (let bi = 0; bi < numel(L.batch); bi++) {
    const ao = L.aOffset(bi);
    const bo = L.bOffset(bi);
    for (let i = 0; i < L.m; i++) {
      for (let j = 0; j < L.n; j++) {
        const g = gy.data[(bi * L.m + i) * L.n + j]!;
        for (let k = 0; k < L.k; k++) {
          da.data[ao + i * L.k + k] += g * b.data[bo + k * L.n + j]!;
          db.data[bo + k * L.n + j] += g * a.data[ao + i * L.k + k]!;
        }
      }
    }
  }
  return [da, db];
}

/** y = x W^T + b over the last dim of x; weight [out, in], bias [out] or null. */
export function linear(x: NDArray, weight: NDArray, bias: NDArray | null): NDArray {
  const [outF, inF] = weight.shape as [number, number];
  const rows = x.data.length / inF;
  const y = zeros([...x.shape.slice(0, -1), outF]);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outF; o++) {
      let s = bias ? bias.data[o]! : 0;
      for (let i = 0; i < inF; i++) s += x.data[r * inF + i]! * weight.data[o * inF + i]!;
      y.data[r * outF + o] = s;
    }
  }
  return y;
}

export function linearBackward(x: NDArray, weight: NDArray, gy: NDArray): { dx: NDArray; dw: NDArray; db: NDArray } {
  const [outF, inF] = weight.shape as [number, number];
  const rows = x.data.length / inF;
  const dx = zeros(x.shape);
  const dw = zeros(weight.shape);
  const db = zeros([outF]);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outF; o++) {
      const g = gy.data[r * outF + o]!;
      db.data[o] += g;
      for (let i = 0; i < inF; i++) {
        dx.data[r * inF + i] += g * weight.data[o * inF + i]!;
        dw.data[o * inF + i] += g * x.data[r * inF + i]!;
      }
    }
  }
  return { dx, dw, db };
}
