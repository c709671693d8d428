/**
 * The array type of the CPU references: a float64 n-d array, row-major (C order), like a contiguous
 * PyTorch tensor. The references are written for clarity, never speed: plain loops over
 * multi-indices, no tricks.
 */
export interface NDArray {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** Row-major strides of `shape` (in elements). */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** An array of `shape` holding `data` (copied into float64), or zeros. */
export function ndarray(shape: readonly number[], data?: ArrayLike<number>): NDArray {
  const n = numel(shape);
  if (data !== undefined && data.length !== n) {
    throw new Error(`ndarray: ${data.length} values for shape [${shape.join(', ')}] (${n} elements)`);
  }
  return { shape: [...shape], data: data === undefined ? new Float64Array(n) : Float64Array.from(data) };
}

export function zeros(shape: readonly number[]): NDArray {
  return ndarray(shape);
}

/** The multi-index of flat position `i` in `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}

/** The flat position of multi-index `idx` in `shape`. */
export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d]! + idx[d]!;
  return flat;
}

/** NumPy/PyTorch broadcasting: dims are aligned at the right; each pair must be equal or 1. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`cannot broadcast [${a}] with [${b}]`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/**
 * The flat position in an array of `shape` that broadcasting reads for multi-index `outIdx` of the
 * broadcast result (missing leading dims and size-1 dims are ignored).
 */
export function broadcastSource(shape: readonly number[], outIdx: readonly number[]): number {
  const off = outIdx.length - shape.length;
  let flat = 0;
  for (let d = 0; d < shape.length; d++) {
    const i = shape[d] === 1 ? 0 : outIdx[d + off]!;
    flat = flat * shape[d]! + i;
  }
  return flat;
}

/** Elementwise f over one array. */
export function map(x: NDArray, f: (v: number, i: number) => number): NDArray {
  return { shape: [...x.shape], data: x.data.map(f) };
}

/** Same values, another shape with as many elements. */
export function reshape(x: NDArray, shape: readonly number[]): NDArray {
  if (numel(shape) !== x.data.length) throw new Error(`reshape: [${x.shape}] has ${x.data.length} elements, not ${numel(shape)}`);
  return { shape: [...shape], data: x.data };
}

/** Reorders dims: out[i0, i1, ...] = x[... with dim perm[k] at position k]. */
export function permute(x: NDArray, perm: readonly number[]): NDArray {
  const outShape = perm.map((p) => x.shape[p]!);
  const out = zeros(outShape);
  const xs = stridesOf(x.shape);
  for (let i = 0; i < out.data.length; i++) {
    const idx = unravel(i, outShape);
    let src = 0;
    for (let k = 0; k < perm.length; k++) src += idx[k]! * xs[perm[k]!]!;
    out.data[i] = x.data[src]!;
  }
  return out;
}

/** Sums a broadcast array back down to `shape` (the adjoint of broadcasting). */
export function sumTo(x: NDArray, shape: readonly number[]): NDArray {
  const out = zeros(shape);
  for (let i = 0; i < x.data.length; i++) {
    out.data[broadcastSource(shape, unravel(i, x.shape))] += x.data[i]!;
  }
  return out;
}

/** Sum of elementwise products (both arrays flat, same length). */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`dot: lengths ${a.length} and ${b.length} differ`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
