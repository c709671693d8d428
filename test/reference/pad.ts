/**
 * torch.nn.functional.pad in float64: PyTorch's pad list (last dim first), modes constant /
 * reflect / replicate / circular, negative pads crop. Every output element copies one input element
 * (or is the constant); the gradient adds each output gradient back to the element it copied.
 */
import { numel, ravel, unravel, zeros, type NDArray } from './ndarray.js';

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

/** The input coordinate output coordinate o reads along a dim of size s padded by (before, after), or -1. */
export function sourceIndex(o: number, s: number, before: number, after: number, mode: PadMode): number {
  const i = o - before;
  switch (mode) {
    case 'constant':
      return i >= 0 && i < s ? i : -1;
    case 'reflect': {
      // Mirror at 0 and at s - 1, the edge itself not repeated: ... 2 1 [0 1 2 ... s-1] s-2 ...
      let j = Math.abs(i);
      if (j >= s) j = 2 * (s - 1) - j;
      return j;
    }
    case 'replicate':
      return Math.min(Math.max(i, 0), s - 1);
    case 'circular': {
      // Negative pads crop first; the rest wraps over the kept range.
      const lo = Math.max(0, -before);
      const len = s - lo - Math.max(0, -after);
      const j = o - Math.max(0, before);
      return lo + (((j % len) + len) % len);
    }
  }
}

function outShapeOf(shape: readonly number[], pads: readonly number[]): number[] {
  const out = [...shape];
  for (let j = 0; j < pads.length / 2; j++) out[shape.length - 1 - j] = shape[shape.length - 1 - j]! + pads[2 * j]! + pads[2 * j + 1]!;
  return out;
}

/** For each output element, the flat input index it copies (-1: the constant). */
function sources(shape: readonly number[], pads: readonly number[], mode: PadMode): { out: number[]; src: number[] } {
  const out = outShapeOf(shape, pads);
  const src: number[] = [];
  for (let f = 0; f < numel(out); f++) {
    const idx = unravel(f, out);
    let inside = true;
    const inIdx = idx.map((o, d) => {
      const j = shape.length - 1 - d;
      if (2 * j >= pads.length) return o;
      const i = sourceIndex(o, shape[d]!, pads[2 * j]!, pads[2 * j + 1]!, mode);
      if (i < 0) inside = false;
      return i;
    });
    src.push(inside ? ravel(inIdx, shape) : -1);
  }
  return { out, src };
}

export function pad(x: NDArray, pads: readonly number[], mode: PadMode = 'constant', value = 0): NDArray {
  const { out, src } = sources(x.shape, pads, mode);
  const y = zeros(out);
  src.forEach((s, f) => (y.data[f] = s < 0 ? value : x.data[s]!));
  return y;
}

export function padGrad(gy: NDArray, xShape: readonly number[], pads: readonly number[], mode: PadMode = 'constant'): NDArray {
  const { src } = sources(xShape, pads, mode);
  const gx = zeros(xShape);
  src.forEach((s, f) => {
    if (s >= 0) gx.data[s] += gy.data[f]!;
  });
  return gx;
}
