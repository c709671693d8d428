/**
 * Augmentation of a batch on the GPU (wt.augment), named after torchvision.transforms: each
 * transform takes a float32 batch tensor [N, C, H, W] (values in [0, 1] for the colour ones) and
 * returns the transformed batch, recorded lazily like any op, so it runs inside the training
 * step's plan. Random parameters are drawn per image on the CPU from a seeded Generator (the
 * default one unless given) and ride in the plan's per-run parameter buffer: a step with
 * augmentation replays its cached plan. `sample(...)` returns the parameters a call would draw
 * (torchvision's get_params), for inspection and for the references the tests compare with.
 *
 * The CPU transforms of ./transforms.ts (used by DataLoader) are unchanged; these are their GPU
 * counterparts for data that is on the GPU already.
 */
import { ArgumentError } from '../errors.js';
import { adjustColors, normalizeImages, resampleImages, type ColorFactors, type CropBox } from '../ops/augment.js';
import { mean } from '../ops/reduce.js';
import { reshape } from '../ops/shape.js';
import { softmax } from '../ops/softmax.js';
import type { Tensor } from '../tensor/tensor.js';
import { defaultGenerator, type Generator } from '../util/random.js';

export type { CropBox, ColorFactors };

export interface GpuTransform {
  call(x: Tensor, generator?: Generator): Tensor;
}

function pair(op: string, size: number | readonly [number, number]): [number, number] {
  const s: [number, number] = typeof size === 'number' ? [size, size] : [size[0], size[1]];
  if (!s.every((v) => Number.isInteger(v) && v >= 1)) throw new ArgumentError(`${op}: size must be a positive integer or [h, w], got ${String(size)}`);
  return s;
}

/** Python's round (halves to even), which torchvision's crop arithmetic uses. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** torchvision's centre-crop corner: round((H - h) / 2), halves to even. */
function centreOffset(size: number, crop: number): number {
  return roundHalfEven((size - crop) / 2);
}

function imageSize(x: Tensor): { n: number; h: number; w: number } {
  const s = x.shape;
  if (s.length !== 4) throw new ArgumentError(`augmentation expects a batch [N, C, H, W], got [${s.join(', ')}]`);
  return { n: s[0]!, h: s[2]!, w: s[3]! };
}

/**
 * A random crop of `size` after zero padding by `padding` pixels (a number for all sides, [lr, tb]
 * or [left, top, right, bottom] as torchvision). torchvision.transforms.RandomCrop(size, padding).
 */
export class RandomCrop implements GpuTransform {
  readonly size: [number, number];
  readonly padding: [number, number, number, number];

  constructor(size: number | readonly [number, number], options: { padding?: number | readonly number[] } = {}) {
    this.size = pair('RandomCrop', size);
    const p = options.padding ?? 0;
    const list = typeof p === 'number' ? [p, p, p, p] : p.length === 2 ? [p[0]!, p[1]!, p[0]!, p[1]!] : [...p];
    if (list.length !== 4 || !list.every((v) => Number.isInteger(v) && v >= 0)) {
      throw new ArgumentError(`RandomCrop: padding must be a non-negative integer or 2 or 4 of them, got ${String(p)}`);
    }
    this.padding = list as [number, number, number, number];
  }

  sample(n: number, h: number, w: number, g: Generator = defaultGenerator): CropBox[] {
    const [left, top, right, bottom] = this.padding;
    const [ch, cw] = this.size;
    if (h + top + bottom < ch || w + left + right < cw) {
      throw new ArgumentError(`RandomCrop: crop ${ch}x${cw} is larger than the padded ${h + top + bottom}x${w + left + right} image`);
    }
    return Array.from({ length: n }, (_, i) => {
      const t = g.randint(0, h + top + bottom - ch + 1) - top;
      const l = g.randint(0, w + left + right - cw + 1) - left;
      return { src: i, top: t, left: l, height: ch, width: cw, flip: false };
    });
  }

  call(x: Tensor, g: Generator = defaultGenerator): Tensor {
    const { n, h, w } = imageSize(x);
    return resampleImages(x, this.sample(n, h, w, g), this.size[0], this.size[1]);
  }
}

/** The centre crop of `size` (torchvision's rounding: top = round((H - h) / 2), halves to even). */
export class CenterCrop implements GpuTransform {
  readonly size: [number, number];

  constructor(size: number | readonly [number, number]) {
    this.size = pair('CenterCrop', size);
  }

  call(x: Tensor): Tensor {
    const { n, h, w } = imageSize(x);
    const [ch, cw] = this.size;
    const top = centreOffset(h, ch);
    const left = centreOffset(w, cw);
    return resampleImages(x, Array.from({ length: n }, (_, i) => ({ src: i, top, left, height: ch, width: cw, flip: false })), ch, cw);
  }
}

/**
 * A crop of random area (a fraction in `scale` of the image) and aspect ratio (log-uniform in
 * `ratio`), resized to `size` bilinearly: torchvision.transforms.RandomResizedCrop's get_params
 * (10 tries, then the centre crop with the ratio clamped). Resizing is bilinear without
 * antialiasing (torchvision's antialias = False).
 */
export class RandomResizedCrop implements GpuTransform {
  readonly size: [number, number];
  readonly scale: [number, number];
  readonly ratio: [number, number];

  constructor(size: number | readonly [number, number], options: { scale?: readonly [number, number]; ratio?: readonly [number, number] } = {}) {
    this.size = pair('RandomResizedCrop', size);
    this.scale = [...(options.scale ?? [0.08, 1])] as [number, number];
    this.ratio = [...(options.ratio ?? [3 / 4, 4 / 3])] as [number, number];
    if (!(this.scale[0] > 0 && this.scale[0] <= this.scale[1]) || !(this.ratio[0] > 0 && this.ratio[0] <= this.ratio[1])) {
      throw new ArgumentError(`RandomResizedCrop: scale and ratio must be increasing positive ranges, got [${this.scale}], [${this.ratio}]`);
    }
  }

  sample(n: number, h: number, w: number, g: Generator = defaultGenerator): CropBox[] {
    const area = h * w;
    const logRatio = [Math.log(this.ratio[0]), Math.log(this.ratio[1])];
    return Array.from({ length: n }, (_, i): CropBox => {
      for (let attempt = 0; attempt < 10; attempt++) {
        const target = area * (this.scale[0] + g.random() * (this.scale[1] - this.scale[0]));
        const aspect = Math.exp(logRatio[0]! + g.random() * (logRatio[1]! - logRatio[0]!));
        const cw = roundHalfEven(Math.sqrt(target * aspect));
        const ch = roundHalfEven(Math.sqrt(target / aspect));
        if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
          return { src: i, top: g.randint(0, h - ch + 1), left: g.randint(0, w - cw + 1), height: ch, width: cw, flip: false };
        }
      }
      const inRatio = w / h;
      let cw = w;
      let ch = h;
      if (inRatio < this.ratio[0]) ch = roundHalfEven(w / this.ratio[0]);
      else if (inRatio > this.ratio[1]) cw = roundHalfEven(h * this.ratio[1]);
      return { src: i, top: Math.floor((h - ch) / 2), left: Math.floor((w - cw) / 2), height: ch, width: cw, flip: false };
    });
  }

  call(x: Tensor, g: Generator = defaultGenerator): Tensor {
    const { n, h, w } = imageSize(x);
    return resampleImages(x, this.sample(n, h, w, g), this.size[0], this.size[1]);
  }
}

/** Mirrors each image left-right with probability p. */
export class RandomHorizontalFlip implements GpuTransform {
  constructor(readonly p = 0.5) {
    if (!(p >= 0 && p <= 1)) throw new ArgumentError(`RandomHorizontalFlip: p must be in [0, 1], got ${p}`);
  }

  sample(n: number, h: number, w: number, g: Generator = defaultGenerator): CropBox[] {
    return Array.from({ length: n }, (_, i) => ({ src: i, top: 0, left: 0, height: h, width: w, flip: g.random() < this.p }));
  }

  call(x: Tensor, g: Generator = defaultGenerator): Tensor {
    const { n, h, w } = imageSize(x);
    return resampleImages(x, this.sample(n, h, w, g), h, w);
  }
}

type Range = number | readonly [number, number];

function factorRange(name: string, v: Range | undefined): [number, number] | null {
  if (v === undefined) return null;
  const r: [number, number] = typeof v === 'number' ? [Math.max(0, 1 - v), 1 + v] : [v[0], v[1]];
  if (!(r[0] >= 0 && r[0] <= r[1]) || !Number.isFinite(r[1]) || (typeof v === 'number' && !(v >= 0))) {
    throw new ArgumentError(`ColorJitter: ${name} must be a non-negative number or an increasing range of non-negative factors, got ${String(v)}`);
  }
  return r[0] === 1 && r[1] === 1 ? null : r;
}

/**
 * Random brightness, contrast and saturation factors per image, uniform in [max(0, 1 - v), 1 + v]
 * for a number v, or in a given [lo, hi], applied in that fixed order (torchvision draws a random
 * order per call; hue is not offered). Images in [0, 1]; 1 (grey) or 3 (RGB) channels.
 */
export class ColorJitter implements GpuTransform {
  readonly brightness: [number, number] | null;
  readonly contrast: [number, number] | null;
  readonly saturation: [number, number] | null;

  constructor(options: { brightness?: Range; contrast?: Range; saturation?: Range } = {}) {
    this.brightness = factorRange('brightness', options.brightness);
    this.contrast = factorRange('contrast', options.contrast);
    this.saturation = factorRange('saturation', options.saturation);
  }

  sample(n: number, g: Generator = defaultGenerator): ColorFactors {
    const draw = (r: [number, number] | null): number[] | undefined => (r ? Array.from({ length: n }, () => r[0] + g.random() * (r[1] - r[0])) : undefined);
    const f: ColorFactors = {};
    const b = draw(this.brightness);
    const c = draw(this.contrast);
    const s = draw(this.saturation);
    if (b) f.brightness = b;
    if (c) f.contrast = c;
    if (s) f.saturation = s;
    return f;
  }

  call(x: Tensor, g: Generator = defaultGenerator): Tensor {
    return adjustColors(x, this.sample(imageSize(x).n, g));
  }
}

/** ImageNet's RGB eigenvalues and eigenvectors (columns), as fb.resnet.torch and AlexNet used. */
export const IMAGENET_PCA = {
  eigval: [0.2175, 0.0188, 0.0045],
  eigvec: [
    [-0.5675, 0.7192, 0.4009],
    [-0.5808, -0.0045, -0.814],
    [-0.5836, -0.6948, 0.4203],
  ],
} as const;

/**
 * AlexNet's PCA colour noise: per image, alpha ~ N(0, alphaStd^2) for each principal component, and
 * every pixel gets eigvec . (alpha * eigval) added to its RGB.
 */
export class Lighting implements GpuTransform {
  constructor(
    readonly alphaStd = 0.1,
    readonly eigval: readonly number[] = IMAGENET_PCA.eigval,
    readonly eigvec: readonly (readonly number[])[] = IMAGENET_PCA.eigvec,
  ) {
    if (!(alphaStd >= 0)) throw new ArgumentError(`Lighting: alphaStd must be >= 0, got ${alphaStd}`);
    if (eigval.length !== 3 || eigvec.length !== 3 || eigvec.some((r) => r.length !== 3)) throw new ArgumentError('Lighting: eigval needs 3 values and eigvec 3x3');
  }

  sample(n: number, g: Generator = defaultGenerator): ColorFactors {
    const rgb: number[] = [];
    for (let i = 0; i < n; i++) {
      const a = [0, 1, 2].map((k) => g.normal() * this.alphaStd * this.eigval[k]!);
      for (let c = 0; c < 3; c++) rgb.push(this.eigvec[c]![0]! * a[0]! + this.eigvec[c]![1]! * a[1]! + this.eigvec[c]![2]! * a[2]!);
    }
    return { lighting: rgb };
  }

  call(x: Tensor, g: Generator = defaultGenerator): Tensor {
    if (this.alphaStd === 0) return x;
    return adjustColors(x, this.sample(imageSize(x).n, g));
  }
}

export { Lighting as PCALighting };

/** (x - mean[c]) / std[c] per channel. */
export class Normalize implements GpuTransform {
  constructor(
    readonly mean: readonly number[],
    readonly std: readonly number[],
  ) {
    if (mean.length === 0 || mean.length !== std.length) throw new ArgumentError('Normalize: mean and std need one value per channel');
    if (std.some((s) => !(s > 0))) throw new ArgumentError(`Normalize: std must be > 0, got [${std}]`);
  }

  call(x: Tensor): Tensor {
    return normalizeImages(x, this.mean, this.std);
  }
}

/** Applies transforms in order, all drawing from one generator. */
export class Compose implements GpuTransform {
  constructor(readonly transforms: readonly GpuTransform[]) {}

  call(x: Tensor, g: Generator = defaultGenerator): Tensor {
    let y = x;
    for (const t of this.transforms) y = t.call(y, g);
    return y;
  }
}

/**
 * The ten crops of test-time augmentation, as torchvision.transforms.TenCrop: the four corners and
 * the centre of `size` (top-left, top-right, bottom-left, bottom-right, centre), then the same five
 * of the mirrored image. Output [10 N, C, h, w]: crop k of image i at k N + i.
 */
export class TenCrop implements GpuTransform {
  readonly size: [number, number];

  constructor(size: number | readonly [number, number]) {
    this.size = pair('TenCrop', size);
  }

  boxes(n: number, h: number, w: number): CropBox[] {
    const [ch, cw] = this.size;
    if (ch > h || cw > w) throw new ArgumentError(`TenCrop: crop ${ch}x${cw} is larger than the ${h}x${w} images`);
    const corners: [number, number][] = [
      [0, 0],
      [0, w - cw],
      [h - ch, 0],
      [h - ch, w - cw],
      [centreOffset(h, ch), centreOffset(w, cw)],
    ];
    const out: CropBox[] = [];
    for (const flip of [false, true]) {
      for (const [top, left] of corners) {
        // A crop of the mirrored image at `left` is the mirror of the original's region at w - left - cw.
        const l = flip ? w - left - cw : left;
        for (let i = 0; i < n; i++) out.push({ src: i, top, left: l, height: ch, width: cw, flip });
      }
    }
    return out;
  }

  call(x: Tensor): Tensor {
    const { n, h, w } = imageSize(x);
    return resampleImages(x, this.boxes(n, h, w), this.size[0], this.size[1]);
  }
}

/**
 * Ten-crop evaluation: the model's class probabilities (softmax of its logits) averaged over the
 * ten crops of each image. `model` maps a batch [10 N, C, h, w] to logits [10 N, K]; returns [N, K].
 * For evaluation, call it inside wt.noGrad (and with the model in eval mode).
 */
export function tenCropPredict(model: (x: Tensor) => Tensor, x: Tensor, size: number | readonly [number, number]): Tensor {
  const n = imageSize(x).n;
  const logits = model(new TenCrop(size).call(x));
  if (logits.ndim !== 2 || logits.shape[0] !== 10 * n) {
    throw new ArgumentError(`tenCropPredict: the model must return logits [${10 * n}, K] for the ten crops, got [${logits.shape.join(', ')}]`);
  }
  const k = logits.shape[1]!;
  return mean(reshape(softmax(logits, 1), [10, n, k]), 0);
}
