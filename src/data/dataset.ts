/**
 * In-memory image classification data: uint8 (or float) images [count, C, H, W] with integer labels.
 * Datasets validate what they are given, so a malformed file fails where it is read, with its name.
 */
import { FileFormatError } from '../errors.js';
import type { MnistData } from './mnist-format.js';

export interface ImageDataset {
  readonly count: number;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly numClasses: number;
  /** count * C * H * W pixels: uint8 in 0..255, or float32 already scaled. */
  readonly images: Uint8Array | Float32Array;
  readonly labels: Uint8Array | Int32Array;
}

export function checkDataset(d: ImageDataset, name: string): ImageDataset {
  const per = d.channels * d.height * d.width;
  if (![d.count, d.channels, d.height, d.width, d.numClasses].every((v) => Number.isInteger(v) && v > 0)) {
    throw new FileFormatError(`${name}: count, channels, height, width and numClasses must be positive integers`);
  }
  if (d.images.length !== d.count * per) {
    throw new FileFormatError(`${name}: ${d.images.length} pixel values for ${d.count} images of ${d.channels}x${d.height}x${d.width} (expected ${d.count * per})`);
  }
  if (d.labels.length !== d.count) throw new FileFormatError(`${name}: ${d.labels.length} labels for ${d.count} images`);
  for (let i = 0; i < d.count; i++) {
    const l = d.labels[i]!;
    if (l < 0 || l >= d.numClasses) throw new FileFormatError(`${name}: label ${l} of image ${i} is outside 0..${d.numClasses - 1}`);
  }
  return d;
}

/** The images of `indices` as a dataset of their own (views where possible). */
export function subset(d: ImageDataset, indices: Int32Array): ImageDataset {
  const per = d.channels * d.height * d.width;
  const images = d.images instanceof Uint8Array ? new Uint8Array(indices.length * per) : new Float32Array(indices.length * per);
  const labels = new Int32Array(indices.length);
  indices.forEach((src, i) => {
    images.set(d.images.subarray(src * per, (src + 1) * per), i * per);
    labels[i] = d.labels[src]!;
  });
  return { count: indices.length, channels: d.channels, height: d.height, width: d.width, numClasses: d.numClasses, images, labels };
}

export function mnistDataset(m: MnistData): ImageDataset {
  return checkDataset(
    { count: m.count, channels: 1, height: m.rows, width: m.cols, numClasses: 10, images: m.images, labels: m.labels },
    'MNIST',
  );
}
