/**
 * Images decoded by the browser (createImageBitmap: PNG, JPEG, WebP, GIF ... from Files, Blobs or
 * URLs), resized to one size and drawn into an OffscreenCanvas to read their pixels.
 */
import { ArgumentError, FileFormatError } from '../errors.js';
import type { ProgressCallback } from './bytes.js';
import { checkDataset, type ImageDataset } from './dataset.js';

export interface LabelledImage {
  /** A File / Blob, or a URL to fetch. */
  source: Blob | string;
  label: number;
}

export interface ImagesFromFilesOptions {
  height: number;
  width: number;
  /** 3 (RGB, the default) or 1 (grey, ITU-R 601 luma). */
  channels?: 1 | 3;
  numClasses: number;
  onProgress?: ProgressCallback;
}

export async function imagesFromFiles(items: readonly LabelledImage[], o: ImagesFromFilesOptions): Promise<ImageDataset> {
  if (typeof createImageBitmap !== 'function' || typeof OffscreenCanvas !== 'function') {
    throw new ArgumentError('imagesFromFiles needs createImageBitmap and OffscreenCanvas (a browser); in Node use imageFolder');
  }
  const channels = o.channels ?? 3;
  const plane = o.height * o.width;
  const images = new Uint8Array(items.length * channels * plane);
  const labels = new Int32Array(items.length);
  const canvas = new OffscreenCanvas(o.width, o.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new ArgumentError('imagesFromFiles: no 2D canvas context');
  let bytes = 0;
  for (let i = 0; i < items.length; i++) {
    const { source, label } = items[i]!;
    const name = typeof source === 'string' ? source : ((source as File).name ?? `image ${i}`);
    let blob: Blob;
    if (typeof source === 'string') {
      const res = await fetch(source);
      if (!res.ok) throw new FileFormatError(`${name}: HTTP ${res.status}`);
      blob = await res.blob();
    } else {
      blob = source;
    }
    bytes += blob.size;
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(blob, { resizeWidth: o.width, resizeHeight: o.height, resizeQuality: 'high' });
    } catch (cause) {
      throw new FileFormatError(`${name}: the browser cannot decode this image (${(cause as Error).message})`, { cause });
    }
    ctx.clearRect(0, 0, o.width, o.height);
    ctx.drawImage(bitmap, 0, 0);
    bitmap.close();
    const rgba = ctx.getImageData(0, 0, o.width, o.height).data;
    const base = i * channels * plane;
    for (let p = 0; p < plane; p++) {
      const r = rgba[4 * p]!;
      const g = rgba[4 * p + 1]!;
      const b = rgba[4 * p + 2]!;
      if (channels === 1) images[base + p] = Math.round((r * 299 + g * 587 + b * 114) / 1000);
      else {
        images[base + p] = r;
        images[base + plane + p] = g;
        images[base + 2 * plane + p] = b;
      }
    }
    labels[i] = label;
    o.onProgress?.({ file: name, bytes, totalBytes: bytes, records: i + 1 });
  }
  return checkDataset({ count: items.length, channels, height: o.height, width: o.width, numClasses: o.numClasses, images, labels }, 'imagesFromFiles');
}
