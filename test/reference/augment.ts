/**
 * float64 references of the input augmentations (src/ops/augment.ts): resampling through crop
 * boxes (bilinear, align_corners = false, zero outside the image, optional mirror), torchvision's
 * colour arithmetic (brightness, contrast towards the grey mean, saturation towards the per-pixel
 * grey, then PCA lighting), and per-channel normalization. Images are NCHW NDArrays.
 */
import { ndarray, type NDArray } from './ndarray.js';

export interface Box {
  src: number;
  top: number;
  left: number;
  height: number;
  width: number;
  flip: boolean;
}

/** Source position along an axis: torch's area_pixel_compute_source_index for align_corners = false, then the two neighbours. */
function axis(dst: number, size: number, count: number): [number, number, number] {
  const s = Math.max((dst + 0.5) * (size / count) - 0.5, 0);
  const i0 = Math.min(Math.floor(s), size - 1);
  const i1 = Math.min(i0 + 1, size - 1);
  return [i0, i1, s - i0];
}

export function resample(x: NDArray, boxes: readonly Box[], oh: number, ow: number): NDArray {
  const [, c, h, w] = x.shape as [number, number, number, number];
  const out = ndarray([boxes.length, c, oh, ow]);
  const at = (n: number, ch: number, r: number, q: number): number => (r < 0 || q < 0 || r >= h || q >= w ? 0 : x.data[((n * c + ch) * h + r) * w + q]!);
  boxes.forEach((b, n) => {
    for (let ch = 0; ch < c; ch++) {
      for (let yo = 0; yo < oh; yo++) {
        const [r0, r1, ly] = axis(yo, b.height, oh);
        for (let xo = 0; xo < ow; xo++) {
          const [q0, q1, lx] = axis(b.flip ? ow - 1 - xo : xo, b.width, ow);
          const v =
            (1 - ly) * ((1 - lx) * at(b.src, ch, b.top + r0, b.left + q0) + lx * at(b.src, ch, b.top + r0, b.left + q1)) +
            ly * ((1 - lx) * at(b.src, ch, b.top + r1, b.left + q0) + lx * at(b.src, ch, b.top + r1, b.left + q1));
          out.data[((n * c + ch) * oh + yo) * ow + xo] = v;
        }
      }
    }
  });
  return out;
}

export interface Factors {
  brightness?: readonly number[];
  contrast?: readonly number[];
  saturation?: readonly number[];
  lighting?: readonly number[];
}

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));
const grey = (r: number, g: number, b: number): number => 0.2989 * r + 0.587 * g + 0.114 * b;

export function adjustColors(x: NDArray, f: Factors): NDArray {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const plane = h * w;
  const out = ndarray(x.shape, x.data);
  for (let i = 0; i < n; i++) {
    const img = (ch: number, p: number): number => out.data[(i * c + ch) * plane + p]!;
    const set = (ch: number, p: number, v: number): void => {
      out.data[(i * c + ch) * plane + p] = v;
    };
    const greyOf = (p: number): number => (c === 3 ? grey(img(0, p), img(1, p), img(2, p)) : img(0, p));
    if (f.brightness) for (let ch = 0; ch < c; ch++) for (let p = 0; p < plane; p++) set(ch, p, clamp01(img(ch, p) * f.brightness[i]!));
    if (f.contrast) {
      let m = 0;
      for (let p = 0; p < plane; p++) m += greyOf(p);
      m /= plane;
      const k = f.contrast[i]!;
      for (let ch = 0; ch < c; ch++) for (let p = 0; p < plane; p++) set(ch, p, clamp01(k * img(ch, p) + (1 - k) * m));
    }
    if (f.saturation && c === 3) {
      const k = f.saturation[i]!;
      for (let p = 0; p < plane; p++) {
        const g = greyOf(p);
        for (let ch = 0; ch < 3; ch++) set(ch, p, clamp01(k * img(ch, p) + (1 - k) * g));
      }
    }
    if (f.lighting && c === 3) for (let ch = 0; ch < 3; ch++) for (let p = 0; p < plane; p++) set(ch, p, img(ch, p) + f.lighting[3 * i + ch]!);
  }
  return out;
}

export function normalize(x: NDArray, mean: readonly number[], std: readonly number[]): NDArray {
  const [, c, h, w] = x.shape as [number, number, number, number];
  return ndarray(
    x.shape,
    Array.from(x.data, (v, i) => {
      const ch = Math.floor(i / (h * w)) % c;
      return (v - mean[mean.length === 1 ? 0 : ch]!) / std[std.length === 1 ? 0 : ch]!;
    }),
  );
}
