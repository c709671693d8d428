/**
 * An image folder in Node, torchvision's ImageFolder layout: root/<class>/<image>, classes in
 * sorted order as labels 0..K-1. Decoded without a native dependency: PNG (src/data/png.ts),
 * netpbm PGM / PPM (src/data/netpbm.ts) and JPEG (src/data/jpeg.ts, the pure-JS jpeg-js). Files
 * are recognised by their content, not their extension. All images must have one size (no resizing
 * in Node).
 */
import { FileFormatError } from '../errors.js';
import { nodeModule } from '../util/node.js';
import type { ProgressCallback } from './bytes.js';
import { checkDataset, type ImageDataset } from './dataset.js';
import { toChannels, type DecodedImage } from './image.js';
import { decodeJpeg, isJpeg } from './jpeg.js';
import { decodeNetpbm, isNetpbm } from './netpbm.js';
import { decodePng, isPng } from './png.js';

export interface ImageFolderOptions {
  /** 1 (grey) or 3 (RGB); images are converted. Default: the first image's. */
  channels?: 1 | 3;
  /** File extensions read (lower case, with the dot). */
  extensions?: readonly string[];
  onProgress?: ProgressCallback;
}

export interface ImageFolderDataset extends ImageDataset {
  /** Class names (folder names), in label order. */
  readonly classes: readonly string[];
  /** The file of each image. */
  readonly files: readonly string[];
}

export const IMAGE_EXTENSIONS = ['.png', '.pgm', '.ppm', '.pnm', '.jpg', '.jpeg'] as const;

/** Decodes the bytes of one image file by its content (PNG, JPEG, netpbm). */
export async function decodeImage(bytes: Uint8Array, name: string): Promise<DecodedImage> {
  if (isPng(bytes)) return decodePng(bytes, name);
  if (isNetpbm(bytes)) return decodeNetpbm(bytes, name);
  if (isJpeg(bytes)) return decodeJpeg(bytes, name);
  if (bytes.length === 0) throw new FileFormatError(`${name}: empty file`);
  throw new FileFormatError(`${name}: byte 0: not a PNG, JPEG or netpbm (PGM/PPM) image`);
}

export async function imageFolder(root: string, options: ImageFolderOptions = {}): Promise<ImageFolderDataset> {
  const fs = await nodeModule<typeof import('node:fs')>('node:fs', 'imageFolder');
  const path = await nodeModule<typeof import('node:path')>('node:path', 'imageFolder');
  const exts = options.extensions ?? IMAGE_EXTENSIONS;
  let entries: import('node:fs').Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch (cause) {
    throw new FileFormatError(`${root}: cannot list the folder (${(cause as Error).message})`, { cause });
  }
  const classes = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  if (classes.length === 0) throw new FileFormatError(`${root}: no class folders (expected root/<class>/<image>)`);
  const files: string[] = [];
  const labels: number[] = [];
  classes.forEach((c, label) => {
    const dir = path.join(root, c);
    const names = fs.readdirSync(dir).filter((f) => exts.includes(path.extname(f).toLowerCase())).sort();
    for (const f of names) {
      files.push(path.join(dir, f));
      labels.push(label);
    }
  });
  if (files.length === 0) throw new FileFormatError(`${root}: no images with extensions ${exts.join(', ')} in ${classes.length} class folders`);
  let shape: [number, number, number] | null = null;
  let images: Uint8Array | null = null;
  let per = 0;
  let bytesRead = 0;
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const bytes = new Uint8Array(await fs.promises.readFile(file));
    bytesRead += bytes.length;
    let img = await decodeImage(bytes, file);
    if (!shape) {
      shape = [options.channels ?? (img.channels as 1 | 3), img.height, img.width];
      per = shape[0] * shape[1] * shape[2];
      images = new Uint8Array(files.length * per);
    }
    img = toChannels(img, shape[0]);
    if (img.height !== shape[1] || img.width !== shape[2]) {
      throw new FileFormatError(`${file}: image ${i} is ${img.width}x${img.height}, the folder's first image ${files[0]} is ${shape[2]}x${shape[1]} (all images must have one size)`);
    }
    images!.set(img.data, i * per);
    options.onProgress?.({ file, bytes: bytesRead, totalBytes: bytesRead, records: i + 1 });
  }
  const d = checkDataset(
    { count: files.length, channels: shape![0], height: shape![1], width: shape![2], numClasses: classes.length, images: images!, labels: Int32Array.from(labels) },
    root,
  );
  return { ...d, classes, files };
}
