/**
 * IDX files (LeCun's format for MNIST and Fashion-MNIST: train-images-idx3-ubyte,
 * train-labels-idx1-ubyte, ...), plain or gzip-compressed.
 *
 * Layout, big-endian: u8 0, u8 0, u8 type code (0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32,
 * 0x0E f64), u8 rank; rank x u32 dimensions; then the elements, row-major. The header is checked
 * against the file's length before anything is allocated, so a header that claims more data than
 * the file holds fails with the byte offset where it stops.
 */
import { FileFormatError } from '../errors.js';
import { gunzipIfNeeded, readSource, sourceName, type FileSource, type ProgressCallback } from './bytes.js';
import { checkDataset, type ImageDataset } from './dataset.js';

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  /** The type code of the file (0x08 = unsigned byte ...). */
  type: number;
  shape: number[];
  data: IdxData;
}

const TYPES: Record<number, { size: number; name: string }> = {
  0x08: { size: 1, name: 'u8' },
  0x09: { size: 1, name: 'i8' },
  0x0b: { size: 2, name: 'i16' },
  0x0c: { size: 4, name: 'i32' },
  0x0d: { size: 4, name: 'f32' },
  0x0e: { size: 8, name: 'f64' },
};

/** Most dimensions a file may have (MNIST's are 1 and 3). */
const MAX_RANK = 8;

/** Parses IDX bytes (already decompressed); u8 data is a view of `bytes`, not a copy. */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  if (bytes.length < 4) throw new FileFormatError(`${name}: ${bytes.length} bytes is too short for an IDX header (4 bytes at offset 0)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new FileFormatError(`${name}: not an IDX file: bytes 0-1 are ${bytes[0]}, ${bytes[1]} (expected the magic 0, 0)`);
  }
  const type = bytes[2]!;
  const t = TYPES[type];
  if (!t) throw new FileFormatError(`${name}: byte 2: unknown IDX type code 0x${type.toString(16).padStart(2, '0')} (expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e)`);
  const rank = bytes[3]!;
  if (rank === 0 || rank > MAX_RANK) throw new FileFormatError(`${name}: byte 3: rank ${rank} is outside 1..${MAX_RANK}`);
  const header = 4 + 4 * rank;
  if (bytes.length < header) {
    throw new FileFormatError(`${name}: truncated header: ${rank} dimensions need ${header} bytes, the file has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    if (d === 0) throw new FileFormatError(`${name}: byte ${4 + 4 * i}: dimension ${i} is 0`);
    shape.push(d);
    count *= d;
  }
  const expected = header + count * t.size;
  if (bytes.length !== expected) {
    const what = bytes.length < expected ? `truncated: the data stops at byte ${bytes.length}` : `${bytes.length - expected} bytes of trailing data after byte ${expected}`;
    throw new FileFormatError(`${name}: ${what}; the header [${shape.join(', ')}] of ${t.name} needs ${expected} bytes`);
  }
  const body = bytes.subarray(header);
  let data: IdxData;
  if (type === 0x08) data = body;
  else if (type === 0x09) data = new Int8Array(body.buffer, body.byteOffset, count);
  else {
    const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
    if (type === 0x0b) data = Int16Array.from({ length: count }, (_, i) => v.getInt16(2 * i, false));
    else if (type === 0x0c) data = Int32Array.from({ length: count }, (_, i) => v.getInt32(4 * i, false));
    else if (type === 0x0d) data = Float32Array.from({ length: count }, (_, i) => v.getFloat32(4 * i, false));
    else data = Float64Array.from({ length: count }, (_, i) => v.getFloat64(8 * i, false));
  }
  return { type, shape, data };
}

/** IDX bytes of an array (the writer tests and tools use; u8 only). */
export function encodeIdx(shape: readonly number[], data: Uint8Array): Uint8Array {
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + data.length);
  out[2] = 0x08;
  out[3] = shape.length;
  const view = new DataView(out.buffer);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, header);
  return out;
}

/**
 * An image dataset of an idx3 images array [N, H, W] (or [N, C, H, W]) of u8 and an idx1 labels
 * array [N] of u8.
 */
export function idxDataset(images: IdxArray, labels: IdxArray, names: { images: string; labels: string }, numClasses = 10): ImageDataset {
  if (images.type !== 0x08 || (images.shape.length !== 3 && images.shape.length !== 4)) {
    throw new FileFormatError(`${names.images}: expected u8 images [N, H, W] or [N, C, H, W], got ${TYPES[images.type]!.name} [${images.shape.join(', ')}]`);
  }
  if (labels.type !== 0x08 || labels.shape.length !== 1) {
    throw new FileFormatError(`${names.labels}: expected u8 labels [N], got ${TYPES[labels.type]!.name} [${labels.shape.join(', ')}]`);
  }
  const [n, ...rest] = images.shape as [number, ...number[]];
  if (labels.shape[0] !== n) throw new FileFormatError(`${names.labels}: ${labels.shape[0]} labels for the ${n} images of ${names.images}`);
  const [c, h, w] = rest.length === 2 ? [1, rest[0]!, rest[1]!] : (rest as [number, number, number]);
  const lab = labels.data as Uint8Array;
  for (let i = 0; i < n; i++) {
    if (lab[i]! >= numClasses) throw new FileFormatError(`${names.labels}: record ${i} (byte ${8 + i}): label ${lab[i]} is outside 0..${numClasses - 1}`);
  }
  return checkDataset({ count: n, channels: c, height: h, width: w, numClasses, images: images.data as Uint8Array, labels: lab }, names.images);
}

export interface IdxLoadOptions {
  /** Classes the labels index (10 for MNIST and Fashion-MNIST). */
  numClasses?: number;
  onProgress?: ProgressCallback;
  /** The most bytes a gzip file may decompress to. */
  maxBytes?: number;
}

/** Reads and decompresses one IDX file. */
export async function loadIdxFile(src: FileSource, options: IdxLoadOptions = {}): Promise<IdxArray> {
  const name = sourceName(src);
  const bytes = await gunzipIfNeeded(await readSource(src, options.onProgress), name, options.maxBytes);
  return parseIdx(bytes, name);
}

/**
 * MNIST or Fashion-MNIST from an images file and a labels file (paths in Node, Files / Blobs in the
 * browser, or bytes), plain or .gz: loadIdx({ images: 'train-images-idx3-ubyte.gz', labels: ... }).
 */
export async function loadIdx(files: { images: FileSource; labels: FileSource }, options: IdxLoadOptions = {}): Promise<ImageDataset> {
  let labelBytes = 0;
  const images = await loadIdxFile(files.images, options);
  const labels = await loadIdxFile(files.labels, {
    ...options,
    onProgress: (p) => {
      labelBytes = p.totalBytes;
      options.onProgress?.(p);
    },
  });
  const d = idxDataset(images, labels, { images: sourceName(files.images), labels: sourceName(files.labels) }, options.numClasses ?? 10);
  // The last report: every record decoded.
  options.onProgress?.({ file: sourceName(files.labels), bytes: labelBytes, totalBytes: labelBytes, records: d.count });
  return d;
}

/** Fashion-MNIST's class names, in label order. */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;
