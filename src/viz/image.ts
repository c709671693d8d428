/**
 * Images for views of a network, without the DOM: a float plane (an activation, a filter, a heat
 * map) becomes RGBA pixels through a colormap, planes tile into a grid, a heat map is blended over
 * an input. An RGBAImage has the layout of the DOM's ImageData, so a page draws it with
 * `ctx.putImageData(new ImageData(img.data, img.width, img.height), 0, 0)`.
 */
import { ArgumentError } from '../errors.js';

export interface RGBAImage {
  width: number;
  height: number;
  /** width * height * 4 bytes, row-major, RGBA. */
  data: Uint8ClampedArray;
}

/** Maps t in [0, 1] to [r, g, b] in 0..255. */
export type Colormap = (t: number) => [number, number, number];

/** A colormap that interpolates linearly between evenly spaced colour stops. */
export function stops(colors: readonly (readonly [number, number, number])[]): Colormap {
  if (colors.length < 2) throw new ArgumentError('stops: a colormap needs at least two colours');
  return (t) => {
    const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (colors.length - 1);
    const i = Math.min(colors.length - 2, Math.floor(x));
    const f = x - i;
    const a = colors[i]!;
    const b = colors[i + 1]!;
    return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
  };
}

export const colormaps = {
  gray: stops([
    [0, 0, 0],
    [255, 255, 255],
  ]),
  /** matplotlib's viridis at nine stops: perceptually even, readable in grey. */
  viridis: stops([
    [68, 1, 84],
    [71, 44, 122],
    [59, 81, 139],
    [44, 113, 142],
    [33, 144, 141],
    [39, 173, 129],
    [92, 200, 99],
    [170, 220, 50],
    [253, 231, 37],
  ]),
  /** Blue for negative, white for zero, red for positive (weights, signed gradients). */
  diverging: stops([
    [59, 76, 192],
    [141, 176, 254],
    [242, 242, 242],
    [244, 154, 123],
    [180, 4, 38],
  ]),
  /** Heat for class-activation maps: transparent-looking dark blue to yellow-white. */
  jet: stops([
    [0, 0, 143],
    [0, 0, 255],
    [0, 255, 255],
    [255, 255, 0],
    [255, 0, 0],
    [128, 0, 0],
  ]),
} satisfies Record<string, Colormap>;

export type ColormapName = keyof typeof colormaps;

export interface ToImageOptions {
  colormap?: ColormapName | Colormap;
  /**
   * How values map to [0, 1]: 'minmax' (the plane's own range, the default), 'symmetric' (-m..m
   * with m the largest magnitude, so zero sits in the middle of a diverging map) or a fixed [lo, hi].
   */
  range?: 'minmax' | 'symmetric' | readonly [number, number];
}

/** The [lo, hi] a plane is drawn over. A constant plane gets a range of width 1 around it. */
export function valueRange(values: ArrayLike<number>, range: ToImageOptions['range'] = 'minmax'): [number, number] {
  if (Array.isArray(range)) return [range[0]!, range[1]!];
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return [0, 1];
  if (range === 'symmetric') {
    const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    return [-m, m];
  }
  return hi > lo ? [lo, hi] : [lo - 0.5, lo + 0.5];
}

function colormapOf(c: ToImageOptions['colormap']): Colormap {
  if (typeof c === 'function') return c;
  const map = colormaps[c ?? 'viridis'];
  if (!map) throw new ArgumentError(`toImage: unknown colormap '${String(c)}' (${Object.keys(colormaps).join(', ')})`);
  return map;
}

/** A height x width plane of floats (row-major) as an RGBA image through a colormap. */
export function toImage(plane: ArrayLike<number>, height: number, width: number, options: ToImageOptions = {}): RGBAImage {
  if (plane.length !== height * width) {
    throw new ArgumentError(`toImage: ${plane.length} values for a ${height}x${width} image (expected ${height * width})`);
  }
  const [lo, hi] = valueRange(plane, options.range);
  const map = colormapOf(options.colormap);
  const data = new Uint8ClampedArray(height * width * 4);
  const scale = hi > lo ? 1 / (hi - lo) : 0;
  for (let i = 0; i < plane.length; i++) {
    const [r, g, b] = map((plane[i]! - lo) * scale);
    data[4 * i] = r;
    data[4 * i + 1] = g;
    data[4 * i + 2] = b;
    data[4 * i + 3] = 255;
  }
  return { width, height, data };
}

/** Each pixel repeated factor x factor times (nearest neighbour), for crisp small images. */
export function upscale(img: RGBAImage, factor: number): RGBAImage {
  if (!Number.isInteger(factor) || factor < 1) throw new ArgumentError(`upscale: factor must be a positive integer, got ${factor}`);
  const width = img.width * factor;
  const height = img.height * factor;
  const data = new Uint8ClampedArray(width * height * 4);
  const src = new Uint32Array(img.data.buffer, img.data.byteOffset, img.width * img.height);
  const dst = new Uint32Array(data.buffer);
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / factor) * img.width;
    for (let x = 0; x < width; x++) dst[y * width + x] = src[row + Math.floor(x / factor)]!;
  }
  return { width, height, data };
}

export interface GridOptions {
  /** Columns of the grid; default: as close to square as the count allows. */
  cols?: number;
  /** Pixels between tiles and around them. Default 1. */
  gap?: number;
  /** RGBA of the gaps. Default white. */
  background?: readonly [number, number, number, number];
}

/** Tiles images of one size into a grid, row by row. */
export function imageGrid(images: readonly RGBAImage[], options: GridOptions = {}): RGBAImage {
  if (images.length === 0) throw new ArgumentError('imageGrid: no images');
  const { width: w, height: h } = images[0]!;
  if (images.some((i) => i.width !== w || i.height !== h)) throw new ArgumentError('imageGrid: the images must all have one size');
  const cols = options.cols ?? Math.ceil(Math.sqrt(images.length));
  const rows = Math.ceil(images.length / cols);
  const gap = options.gap ?? 1;
  const width = cols * w + (cols + 1) * gap;
  const height = rows * h + (rows + 1) * gap;
  const data = new Uint8ClampedArray(width * height * 4);
  const bg = options.background ?? [255, 255, 255, 255];
  for (let i = 0; i < width * height; i++) data.set(bg, 4 * i);
  images.forEach((img, k) => {
    const x0 = gap + (k % cols) * (w + gap);
    const y0 = gap + Math.floor(k / cols) * (h + gap);
    for (let y = 0; y < h; y++) data.set(img.data.subarray(y * w * 4, (y + 1) * w * 4), ((y0 + y) * width + x0) * 4);
  });
  return { width, height, data };
}

/** Bilinear resize of a plane (align-corners false, as PyTorch's interpolate). */
export function resizeBilinear(plane: ArrayLike<number>, height: number, width: number, outHeight: number, outWidth: number): Float32Array {
  const out = new Float32Array(outHeight * outWidth);
  const sy = height / outHeight;
  const sx = width / outWidth;
  for (let y = 0; y < outHeight; y++) {
    const fy = Math.min(height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < outWidth; x++) {
      const fx = Math.min(width - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(width - 1, x0 + 1);
      const wx = fx - x0;
      const top = plane[y0 * width + x0]! * (1 - wx) + plane[y0 * width + x1]! * wx;
      const bottom = plane[y1 * width + x0]! * (1 - wx) + plane[y1 * width + x1]! * wx;
      out[y * outWidth + x] = top * (1 - wy) + bottom * wy;
    }
  }
  return out;
}

/**
 * A heat map in [0, 1] (same size as `base`) blended over an image: each pixel mixes in the heat
 * colour with weight alpha * heat, so cold regions keep the input visible.
 */
export function overlay(base: RGBAImage, heat: ArrayLike<number>, options: { colormap?: ColormapName | Colormap; alpha?: number } = {}): RGBAImage {
  if (heat.length !== base.width * base.height) throw new ArgumentError(`overlay: ${heat.length} heat values for a ${base.width}x${base.height} image`);
  const map = colormapOf(options.colormap ?? 'jet');
  const alpha = options.alpha ?? 0.6;
  const data = new Uint8ClampedArray(base.data);
  for (let i = 0; i < heat.length; i++) {
    const t = Math.min(1, Math.max(0, heat[i]!));
    const a = alpha * (0.25 + 0.75 * t);
    const c = map(t);
    for (let k = 0; k < 3; k++) data[4 * i + k] = data[4 * i + k]! * (1 - a) + c[k]! * a;
  }
  return { width: base.width, height: base.height, data };
}

/** A plane moved by (dx, dy) pixels (right and down), with zeros shifted in. */
export function shiftPlane(plane: ArrayLike<number>, height: number, width: number, dx: number, dy: number): Float32Array {
  const out = new Float32Array(height * width);
  for (let y = 0; y < height; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= height) continue;
    for (let x = 0; x < width; x++) {
      const sx = x - dx;
      if (sx >= 0 && sx < width) out[y * width + x] = plane[sy * width + sx]!;
    }
  }
  return out;
}

/** A plane mirrored left-right. */
export function flipPlane(plane: ArrayLike<number>, height: number, width: number): Float32Array {
  const out = new Float32Array(height * width);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = plane[y * width + (width - 1 - x)]!;
  return out;
}
