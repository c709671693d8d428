/**
 * Batch transforms on the CPU, named after torchvision.transforms: they turn a batch of images
 * ([B, C, H, W] floats in [0, 1]) into what the model sees. Random ones draw from the loader's
 * seeded generator, so augmentation is reproducible.
 */
import { ArgumentError } from '../errors.js';
import type { Generator } from '../util/random.js';

export interface BatchInfo {
  batch: number;
  channels: number;
  height: number;
  width: number;
}

export interface Transform {
  /** Transforms `data` in place. */
  apply(data: Float32Array, info: BatchInfo, generator: Generator): void;
}

/** (x - mean[c]) / std[c] per channel. */
export class Normalize implements Transform {
  constructor(readonly mean: readonly number[], readonly std: readonly number[]) {
    if (mean.length !== std.length || mean.length === 0) throw new ArgumentError('Normalize: mean and std need one value per channel');
    if (std.some((s) => !(s > 0))) throw new ArgumentError(`Normalize: std must be > 0, got [${std}]`);
  }

  apply(data: Float32Array, info: BatchInfo): void {
    if (this.mean.length !== info.channels && this.mean.length !== 1) {
      throw new ArgumentError(`Normalize: ${this.mean.length} means for ${info.channels} channels`);
    }
    const plane = info.height * info.width;
    for (let b = 0; b < info.batch; b++) {
      for (let c = 0; c < info.channels; c++) {
        const m = this.mean[this.mean.length === 1 ? 0 : c]!;
        const inv = 1 / this.std[this.std.length === 1 ? 0 : c]!;
        const base = (b * info.channels + c) * plane;
        for (let i = 0; i < plane; i++) data[base + i] = (data[base + i]! - m) * inv;
      }
    }
  }
}

/**
 * Random crop of the original size after zero padding by `padding` pixels on each side: a random
 * shift of up to ±padding pixels (torchvision's RandomCrop(size, padding)).
 */
export class RandomCrop implements Transform {
  constructor(readonly padding: number) {
    if (!Number.isInteger(padding) || padding < 0) throw new ArgumentError(`RandomCrop: padding must be a non-negative integer, got ${padding}`);
  }

  apply(data: Float32Array, info: BatchInfo, g: Generator): void {
    const p = this.padding;
    if (p === 0) return;
    const { height: h, width: w, channels } = info;
    const tmp = new Float32Array(h * w);
    for (let b = 0; b < info.batch; b++) {
      const dy = g.randint(-p, p + 1);
      const dx = g.randint(-p, p + 1);
      for (let c = 0; c < channels; c++) {
        const base = (b * channels + c) * h * w;
        tmp.set(data.subarray(base, base + h * w));
        for (let y = 0; y < h; y++) {
          const sy = y - dy;
          for (let x = 0; x < w; x++) {
            const sx = x - dx;
            data[base + y * w + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? tmp[sy * w + sx]! : 0;
          }
        }
      }
    }
  }
}

/** Mirrors each image left-right with probability p. */
export class RandomHorizontalFlip implements Transform {
  constructor(readonly p = 0.5) {}

  apply(data: Float32Array, info: BatchInfo, g: Generator): void {
    const { height: h, width: w, channels } = info;
    for (let b = 0; b < info.batch; b++) {
      if (g.random() >= this.p) continue;
      for (let c = 0; c < channels; c++) {
        const base = (b * channels + c) * h * w;
        for (let y = 0; y < h; y++) data.subarray(base + y * w, base + (y + 1) * w).reverse();
      }
    }
  }
}

export class Compose implements Transform {
  constructor(readonly transforms: readonly Transform[]) {}

  apply(data: Float32Array, info: BatchInfo, g: Generator): void {
    for (const t of this.transforms) t.apply(data, info, g);
  }
}
