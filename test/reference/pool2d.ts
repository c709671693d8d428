/**
 * torch.nn.functional.max_pool2d / avg_pool2d and their gradients, in float64, over NCHW input.
 * Options as PyTorch: kernelSize, stride (defaults to the kernel), padding, dilation (max only),
 * ceilMode, countIncludePad and divisorOverride (avg only); max pooling's indices are flat
 * positions ih * W + iw inside each input plane (return_indices=True).
 */
import { zeros, type NDArray } from './ndarray.js';
import type { IntOrPair } from './conv2d.js';

const pairOf = (v: IntOrPair): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

export interface PoolParams {
  kernelSize: IntOrPair;
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  dilation?: IntOrPair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

/**
 * PyTorch's pooling_output_shape: floor (or ceil) of the window count, and in ceil mode the last
 * window must start inside the input or its left padding.
 */
export function poolOutputSize(size: number, k: number, s: number, p: number, d: number, ceilMode: boolean): number {
  const span = size + 2 * p - d * (k - 1) - 1;
  let out = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceilMode && (out - 1) * s >= size + p) out--;
  return out;
}

interface PoolGeometry {
  planes: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  oh: number;
  ow: number;
}

function geometry(xShape: readonly number[], p: PoolParams): PoolGeometry {
  const [n, c, h, w] = xShape as [number, number, number, number];
  const [kh, kw] = pairOf(p.kernelSize);
  const [sh, sw] = p.stride === null || p.stride === undefined ? [kh, kw] : pairOf(p.stride);
  const [ph, pw] = pairOf(p.padding ?? 0);
  const [dh, dw] = pairOf(p.dilation ?? 1);
  const ceil = p.ceilMode ?? false;
  return {
    planes: n * c, h, w, kh, kw, sh, sw, ph, pw, dh, dw,
    oh: poolOutputSize(h, kh, sh, ph, dh, ceil),
    ow: poolOutputSize(w, kw, sw, pw, dw, ceil),
  };
}

export function maxPool2d(x: NDArray, p: PoolParams): { out: NDArray; indices: NDArray } {
  const g = geometry(x.shape, p);
  const shape = [x.shape[0]!, x.shape[1]!, g.oh, g.ow];
  const out = zeros(shape);
  const indices = zeros(shape);
  for (let plane = 0; plane < g.planes; plane++) {
    for (let oh = 0; oh < g.oh; oh++) {
      for (let ow = 0; ow < g.ow; ow++) {
        let best = -Infinity;
        let arg = -1;
        for (let kh = 0; kh < g.kh; kh++) {
          const ih = oh * g.sh - g.ph + kh * g.dh;
          if (ih < 0 || ih >= g.h) continue;
          for (let kw = 0; kw < g.kw; kw++) {
            const iw = ow * g.sw - g.pw + kw * g.dw;
            if (iw < 0 || iw >= g.w) continue;
            const v = x.data[(plane * g.h + ih) * g.w + iw]!;
            if (v > best) {
              best = v;
              arg = ih * g.w + iw;
            }
          }
        }
        const o = (plane * g.oh + oh) * g.ow + ow;
        out.data[o] = best;
        indices.data[o] = arg;
      }
    }
  }
  return { out, indices };
}

/** Each output gradient goes to the input element its window's maximum came from. */
export function maxPool2dBackward(gy: NDArray, indices: NDArray, xShape: readonly number[]): NDArray {
  const [n, c, h, w] = xShape as [number, number, number, number];
  const [, , oh, ow] = gy.shape as [number, number, number, number];
  const dx = zeros(xShape);
  for (let plane = 0; plane < n * c; plane++) {
    for (let o = 0; o < oh * ow; o++) {
      const i = plane * oh * ow + o;
      dx.data[plane * h * w + indices.data[i]!] += gy.data[i]!;
    }
  }
  return dx;
}

/**
 * The divisor of window (oh, ow), as PyTorch's avg_pool2d: divisorOverride if given, else the
 * window size clipped to the padded input (countIncludePad) or to the input itself.
 */
function avgDivisor(g: PoolGeometry, p: PoolParams, oh: number, ow: number): number {
  if (p.divisorOverride) return p.divisorOverride;
  const hs = oh * g.sh - g.ph;
  const ws = ow * g.sw - g.pw;
  const he = Math.min(hs + g.kh, g.h + g.ph);
  const we = Math.min(ws + g.kw, g.w + g.pw);
  if (p.countIncludePad ?? true) return (he - hs) * (we - ws);
  return (Math.min(he, g.h) - Math.max(hs, 0)) * (Math.min(we, g.w) - Math.max(ws, 0));
}

/** Calls visit(inputIndex, outputIndex, divisor) for every input element inside each window. */
function forEachAvgTerm(g: PoolGeometry, p: PoolParams, visit: (xi: number, yi: number, divisor: number) => void): void {
  for (let plane = 0; plane < g.planes; plane++) {
    for (let oh = 0; oh < g.oh; oh++) {
      for (let ow = 0; ow < g.ow; ow++) {
        const divisor = avgDivisor(g, p, oh, ow);
        const yi = (plane * g.oh + oh) * g.ow + ow;
        for (let kh = 0; kh < g.kh; kh++) {
          const ih = oh * g.sh - g.ph + kh;
          if (ih < 0 || ih >= g.h) continue;
          for (let kw = 0; kw < g.kw; kw++) {
            const iw = ow * g.sw - g.pw + kw;
            if (iw < 0 || iw >= g.w) continue;
            visit((plane * g.h + ih) * g.w + iw, yi, divisor);
          }
        }
      }
    }
  }
}

export function avgPool2d(x: NDArray, p: PoolParams): NDArray {
  const g = geometry(x.shape, p);
  const out = zeros([x.shape[0]!, x.shape[1]!, g.oh, g.ow]);
  forEachAvgTerm(g, p, (xi, yi, divisor) => {
    out.data[yi] += x.data[xi]! / divisor;
  });
  return out;
}

export function avgPool2dBackward(gy: NDArray, xShape: readonly number[], p: PoolParams): NDArray {
  const g = geometry(xShape, p);
  const dx = zeros(xShape);
  forEachAvgTerm(g, p, (xi, yi, divisor) => {
    dx.data[xi] += gy.data[yi]! / divisor;
  });
  return dx;
}

/** PyTorch's adaptive window of output o along an axis of n inputs and m outputs: [start, end). */
export function adaptiveWindow(o: number, n: number, m: number): [number, number] {
  return [Math.floor((o * n) / m), Math.ceil(((o + 1) * n) / m)];
}

/** Calls visit(inputIndex, outputIndex, windowSize) for every input element of every adaptive window. */
function forEachAdaptiveTerm(xShape: readonly number[], oh: number, ow: number, visit: (xi: number, yi: number, size: number) => void): void {
  const [n, c, h, w] = xShape as [number, number, number, number];
  for (let plane = 0; plane < n * c; plane++) {
    for (let i = 0; i < oh; i++) {
      const [hs, he] = adaptiveWindow(i, h, oh);
      for (let j = 0; j < ow; j++) {
        const [ws, we] = adaptiveWindow(j, w, ow);
        const yi = (plane * oh + i) * ow + j;
        for (let ih = hs; ih < he; ih++) {
          for (let iw = ws; iw < we; iw++) visit((plane * h + ih) * w + iw, yi, (he - hs) * (we - ws));
        }
      }
    }
  }
}

export function adaptiveAvgPool2d(x: NDArray, oh: number, ow: number): NDArray {
  const out = zeros([x.shape[0]!, x.shape[1]!, oh, ow]);
  forEachAdaptiveTerm(x.shape, oh, ow, (xi, yi, size) => {
    out.data[yi] += x.data[xi]! / size;
  });
  return out;
}

export function adaptiveAvgPool2dBackward(gy: NDArray, xShape: readonly number[]): NDArray {
  const dx = zeros(xShape);
  forEachAdaptiveTerm(xShape, gy.shape[2]!, gy.shape[3]!, (xi, yi, size) => {
    dx.data[xi] += gy.data[yi]! / size;
  });
  return dx;
}

/** Adaptive max pooling with the first maximum's flat index h * W + w in its plane. */
export function adaptiveMaxPool2d(x: NDArray, oh: number, ow: number): { out: NDArray; indices: NDArray } {
  const [, , h, w] = x.shape as [number, number, number, number];
  const shape = [x.shape[0]!, x.shape[1]!, oh, ow];
  const out = zeros(shape).data.fill(-Infinity);
  const indices = zeros(shape);
  forEachAdaptiveTerm(x.shape, oh, ow, (xi, yi) => {
    if (x.data[xi]! > out[yi]!) {
      out[yi] = x.data[xi]!;
      indices.data[yi] = xi % (h * w);
    }
  });
  return { out: { shape, data: out }, indices };
}
