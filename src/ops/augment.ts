/**
 * Input augmentation ops on a batch [N, C, H, W]: resampling through per-image boxes (crops,
 * resized crops, flips, the ten crops of test-time augmentation), colour jitter and PCA lighting,
 * and per-channel normalization (shaders/augment.wgsl through src/kernels/augment.ts).
 *
 * The per-image random parameters are drawn on the CPU by the caller (src/data/augment.ts, from a
 * seeded Generator) and kept in node attributes that the plan key leaves out: the plan writes each
 * run's values into a small parameter buffer (LowerContext.params), so a training step with
 * augmentation replays its cached plan with new draws and no new buffers. These ops have no
 * backward rule: they transform inputs, which need no gradient (an input that requires grad is
 * refused rather than silently cut off from its graph).
 */
import { ArgumentError, ShapeError, fmtShape, where } from '../errors.js';
import { BOX_BYTES, FACTOR_BYTES, colorKernels, normalizeKernel, resampleKernel, type ColorFlags, type ImageDims } from '../kernels/augment.js';
import { Tensor } from '../tensor/tensor.js';
import { currentLayer } from '../util/scope.js';
import type { OpDef } from './op.js';
import { apply1 } from './record.js';

function dimsOf(op: string, x: unknown): ImageDims {
  if (!(x instanceof Tensor)) throw new ArgumentError(`${where(op, currentLayer())}: input must be a tensor`);
  if (x.ndim !== 4 || x.dtype !== 'float32') {
    throw new ShapeError(`${where(op, currentLayer())}: expected a float32 batch of images [N, C, H, W], got ${x.dtype} ${fmtShape(x.shape)}`);
  }
  if (x.requiresGrad) throw new ArgumentError(`${where(op, currentLayer())}: augmentation has no gradient; the input must not require grad (${x.describe()})`);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  return { n, c, h, w };
}

/** One output image's box: which input image, the crop (may reach outside: zero padding), mirrored or not. */
export interface CropBox {
  src: number;
  top: number;
  left: number;
  height: number;
  width: number;
  flip: boolean;
}

interface ResampleAttrs {
  dims: ImageDims;
  outN: number;
  outH: number;
  outW: number;
  /** Per-run: 8 int32 per output image (src, top, left, h, w, flip, 0, 0). */
  boxes: Int32Array;
}

export const resampleOp: OpDef<ResampleAttrs> = {
  name: 'augment_resample',
  key: (a) => `${a.dims.n},${a.dims.c},${a.dims.h},${a.dims.w},${a.outN},${a.outH},${a.outW}`,
  lower(ctx, node) {
    const a = node.attrs;
    const boxes = ctx.params(a.outN * BOX_BYTES, (n) => (n.attrs as ResampleAttrs).boxes);
    ctx.dispatch(resampleKernel(a.dims, a.outN, a.outH, a.outW, ctx.input(0), boxes, ctx.output(0)));
  },
};

/** The int32 words of a list of boxes, checked against the input. */
export function packBoxes(op: string, boxes: readonly CropBox[], d: ImageDims): Int32Array {
  const out = new Int32Array(8 * boxes.length);
  const limit = 2 ** 24;
  boxes.forEach((b, i) => {
    const ints = [b.src, b.top, b.left, b.height, b.width];
    if (!ints.every((v) => Number.isInteger(v) && Math.abs(v) < limit) || b.src < 0 || b.src >= d.n || b.height < 1 || b.width < 1) {
      throw new ArgumentError(`${where(op, currentLayer())}: box ${i} ${JSON.stringify(b)} does not fit an input of ${d.n} images`);
    }
    out.set([b.src, b.top, b.left, b.height, b.width, b.flip ? 1 : 0, 0, 0], 8 * i);
  });
  return out;
}

/**
 * out[i] = input[box.src] cropped to the box (pixels outside the image are 0), resized to
 * size [outH, outW] bilinearly (align_corners = false), mirrored left-right if box.flip.
 * Shape: [N, C, H, W] -> [boxes.length, C, outH, outW].
 */
export function resampleImages(input: Tensor, boxes: readonly CropBox[], outH: number, outW: number): Tensor {
  const op = 'resample_images';
  const dims = dimsOf(op, input);
  if (!Number.isInteger(outH) || !Number.isInteger(outW) || outH < 1 || outW < 1) {
    throw new ArgumentError(`${where(op, currentLayer())}: output size must be positive integers, got ${outH}x${outW}`);
  }
  if (boxes.length === 0) throw new ArgumentError(`${where(op, currentLayer())}: no boxes`);
  const attrs: ResampleAttrs = { dims, outN: boxes.length, outH, outW, boxes: packBoxes(op, boxes, dims) };
  return apply1(resampleOp, [input], attrs, { shape: [boxes.length, dims.c, outH, outW], dtype: 'float32' });
}

interface ColorAttrs extends ColorFlags {
  dims: ImageDims;
  /** Per-run: 8 float32 per image (brightness, contrast, saturation, 0, light r, g, b, 0). */
  factors: Float32Array;
}

export const colorOp: OpDef<ColorAttrs> = {
  name: 'augment_color',
  key: (a) => `${a.dims.n},${a.dims.c},${a.dims.h},${a.dims.w},${+a.brightness}${+a.contrast}${+a.saturation}${+a.lighting}`,
  lower(ctx, node) {
    const a = node.attrs;
    const factors = ctx.params(a.dims.n * FACTOR_BYTES, (n) => (n.attrs as ColorAttrs).factors);
    colorKernels(ctx, a.dims, a, ctx.input(0), factors, ctx.output(0));
  },
};

/** Per-image colour factors; a field left out is not applied. */
export interface ColorFactors {
  brightness?: readonly number[];
  contrast?: readonly number[];
  saturation?: readonly number[];
  /** The RGB offset of each image (3 per image). */
  lighting?: readonly number[];
}

/**
 * Colour jitter in torchvision's arithmetic, in the order brightness, contrast, saturation, then
 * the PCA lighting offset, each with its per-image factor. C = 1 or 3 (saturation and lighting
 * need C = 3). Shape: unchanged.
 */
export function adjustColors(input: Tensor, f: ColorFactors): Tensor {
  const op = 'adjust_colors';
  const d = dimsOf(op, input);
  if (d.c !== 1 && d.c !== 3) throw new ShapeError(`${where(op, currentLayer())}: colour adjustments need 1 or 3 channels, got ${fmtShape(input.shape)}`);
  if ((f.saturation || f.lighting) && d.c !== 3) throw new ShapeError(`${where(op, currentLayer())}: saturation and lighting need RGB images, got ${fmtShape(input.shape)}`);
  const factors = new Float32Array(8 * d.n);
  const take = (name: keyof ColorFactors, per: number, slot: number): boolean => {
    const v = f[name];
    if (!v) return false;
    if (v.length !== per * d.n || v.some((x) => !Number.isFinite(x))) {
      throw new ArgumentError(`${where(op, currentLayer())}: ${name} needs ${per * d.n} finite values (${per} per image), got ${v.length}`);
    }
    for (let i = 0; i < d.n; i++) for (let k = 0; k < per; k++) factors[8 * i + slot + k] = v[i * per + k]!;
    return true;
  };
  const flags: ColorFlags = { brightness: take('brightness', 1, 0), contrast: take('contrast', 1, 1), saturation: take('saturation', 1, 2), lighting: take('lighting', 3, 4) };
  if (!flags.brightness && !flags.contrast && !flags.saturation && !flags.lighting) return input;
  return apply1(colorOp, [input], { dims: d, ...flags, factors }, { shape: input.shape, dtype: 'float32' });
}

interface NormalizeAttrs {
  dims: ImageDims;
  stats: Float32Array;
}

export const normalizeOp: OpDef<NormalizeAttrs> = {
  name: 'augment_normalize',
  key: (a) => `${a.dims.n},${a.dims.c},${a.dims.h},${a.dims.w}`,
  lower(ctx, node) {
    const a = node.attrs;
    const stats = ctx.params(8 * a.dims.c, (n) => (n.attrs as NormalizeAttrs).stats);
    ctx.dispatch(normalizeKernel(a.dims, ctx.input(0), stats, ctx.output(0)));
  },
};

/** (input - mean[c]) / std[c] per channel (one value is used for every channel). Shape: unchanged. */
export function normalizeImages(input: Tensor, mean: readonly number[], std: readonly number[]): Tensor {
  const op = 'normalize';
  const d = dimsOf(op, input);
  const per = (v: readonly number[], name: string): number[] => {
    if (v.length !== 1 && v.length !== d.c) throw new ArgumentError(`${where(op, currentLayer())}: ${v.length} ${name} values for ${d.c} channels`);
    return Array.from({ length: d.c }, (_, c) => v[v.length === 1 ? 0 : c]!);
  };
  const m = per(mean, 'mean');
  const s = per(std, 'std');
  if (s.some((v) => !(v > 0) || !Number.isFinite(v)) || m.some((v) => !Number.isFinite(v))) {
    throw new ArgumentError(`${where(op, currentLayer())}: std must be finite and > 0 and mean finite, got mean [${m}], std [${s}]`);
  }
  const stats = Float32Array.from([...m, ...s.map((v) => 1 / v)]);
  return apply1(normalizeOp, [input], { dims: d, stats }, { shape: input.shape, dtype: 'float32' });
}
