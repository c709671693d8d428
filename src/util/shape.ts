/** Shape arithmetic shared by the ops: broadcasting, dims, strides. */
import { ArgumentError, ShapeError, fmtShape, where } from '../errors.js';

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** NumPy/PyTorch broadcasting of two shapes. */
export function broadcastShapes(a: readonly number[], b: readonly number[], op: string, layer?: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${where(op, layer)}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together ` +
          `(dimension ${i - n} is ${da} vs ${db}; each must be equal or 1)`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Normalizes a possibly negative dim into [0, rank). */
export function normDim(dim: number, rank: number, op: string, layer?: string): number {
  if (!Number.isInteger(dim) || dim < -Math.max(rank, 1) || dim >= Math.max(rank, 1)) {
    throw new ArgumentError(`${where(op, layer)}: dim ${dim} is out of range for a tensor of rank ${rank} (expected ${-rank}..${rank - 1})`);
  }
  return dim < 0 ? dim + rank : dim;
}

/** Checks a shape is a list of non-negative integers. */
export function checkShape(shape: readonly number[], what: string): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(`${what}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Collapses adjacent dims that are contiguous in every operand (for elementwise kernels). */
export function collapseDims(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === 1) continue;
    const k = outShape.length - 1;
    const mergeable =
      k >= 0 && strides.every((s, j) => outStrides[j]![k]! === s[i]! * d);
    if (mergeable) {
      outShape[k] = outShape[k]! * d;
      strides.forEach((s, j) => (outStrides[j]![k] = s[i]!));
    } else {
      outShape.push(d);
      strides.forEach((s, j) => outStrides[j]!.push(s[i]!));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/** Strides of `shape` read through broadcasting into `outShape` (0 on broadcast dims). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const s = stridesOf(shape);
  const off = outShape.length - shape.length;
  return outShape.map((_, i) => {
    const j = i - off;
    if (j < 0) return 0;
    return shape[j] === 1 ? 0 : s[j]!;
  });
}
