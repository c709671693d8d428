/**
 * CIFAR-10 and CIFAR-100 binary batches (the "binary version" of the datasets).
 *
 * CIFAR-10 (data_batch_1.bin ... data_batch_5.bin, test_batch.bin): records of 1 + 3072 bytes, a
 * label 0..9 then 32x32 red, green and blue planes. CIFAR-100 (train.bin, test.bin): records of
 * 2 + 3072 bytes, the coarse label 0..19, the fine label 0..99, then the planes. A file must be a
 * whole, non-zero number of records; a bad label fails naming its record and byte offset.
 */
import { FileFormatError } from '../errors.js';
import { readSource, sourceName, type FileSource, type ProgressCallback } from './bytes.js';
import { checkDataset, type ImageDataset } from './dataset.js';

const PIXELS = 3 * 32 * 32;

export type CifarVariant = 'cifar10' | 'cifar100';

export interface CifarOptions {
  /** CIFAR-100's label: 'fine' (100 classes, the default) or 'coarse' (20 superclasses). */
  labels?: 'fine' | 'coarse';
  onProgress?: ProgressCallback;
}

function layout(variant: CifarVariant, labels: 'fine' | 'coarse'): { record: number; labelByte: number; numClasses: number } {
  if (variant === 'cifar10') return { record: 1 + PIXELS, labelByte: 0, numClasses: 10 };
  return labels === 'coarse' ? { record: 2 + PIXELS, labelByte: 0, numClasses: 20 } : { record: 2 + PIXELS, labelByte: 1, numClasses: 100 };
}

/** The records of one batch file (bytes), checked. */
export function parseCifar(bytes: Uint8Array, name: string, variant: CifarVariant, options: CifarOptions = {}): ImageDataset {
  return concatCifar([{ name, bytes }], variant, options);
}

function concatCifar(files: readonly { name: string; bytes: Uint8Array }[], variant: CifarVariant, options: CifarOptions): ImageDataset {
  if (variant !== 'cifar10' && variant !== 'cifar100') throw new FileFormatError(`CIFAR: unknown variant '${String(variant)}'`);
  const which = options.labels ?? 'fine';
  if (which !== 'fine' && which !== 'coarse') throw new FileFormatError(`CIFAR: labels must be 'fine' or 'coarse', got '${String(which)}'`);
  const { record, labelByte, numClasses } = layout(variant, which);
  const coarseFine = variant === 'cifar100' ? [20, 100] : [10];
  let count = 0;
  for (const f of files) {
    if (f.bytes.length === 0) throw new FileFormatError(`${f.name}: empty file (a ${variant} batch holds records of ${record} bytes)`);
    if (f.bytes.length % record !== 0) {
      const whole = Math.floor(f.bytes.length / record);
      throw new FileFormatError(
        `${f.name}: ${f.bytes.length} bytes is not a whole number of ${record}-byte ${variant} records: record ${whole} at byte ${whole * record} is truncated`,
      );
    }
    count += f.bytes.length / record;
  }
  if (files.length === 0) throw new FileFormatError(`${variant}: no batch files given`);
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let n = 0;
  for (const f of files) {
    const records = f.bytes.length / record;
    for (let r = 0; r < records; r++, n++) {
      const at = r * record;
      for (let k = 0; k < record - PIXELS; k++) {
        const v = f.bytes[at + k]!;
        if (v >= coarseFine[k]!) {
          throw new FileFormatError(`${f.name}: record ${r} (byte ${at + k}): ${variant === 'cifar100' ? (k === 0 ? 'coarse ' : 'fine ') : ''}label ${v} is outside 0..${coarseFine[k]! - 1}`);
        }
      }
      labels[n] = f.bytes[at + labelByte]!;
      images.set(f.bytes.subarray(at + record - PIXELS, at + record), n * PIXELS);
    }
    options.onProgress?.({ file: f.name, bytes: f.bytes.length, totalBytes: f.bytes.length, records: n });
  }
  return checkDataset({ count, channels: 3, height: 32, width: 32, numClasses, images, labels }, files[0]!.name);
}

/**
 * CIFAR-10 or CIFAR-100 from one or more batch files (paths in Node, Files / Blobs, or bytes),
 * concatenated in order: loadCifar(['data_batch_1.bin', ...], 'cifar10').
 */
export async function loadCifar(files: FileSource | readonly FileSource[], variant: CifarVariant, options: CifarOptions = {}): Promise<ImageDataset> {
  const list = Array.isArray(files) ? (files as readonly FileSource[]) : [files as FileSource];
  const read: { name: string; bytes: Uint8Array }[] = [];
  for (const f of list) read.push({ name: sourceName(f), bytes: await readSource(f, options.onProgress) });
  return concatCifar(read, variant, options);
}

/** Packs images [N, 3, 32, 32] and labels as CIFAR records (tests and tools). */
export function encodeCifar(images: Uint8Array, labels: readonly (readonly number[])[]): Uint8Array {
  const record = labels[0]!.length + PIXELS;
  const out = new Uint8Array(labels.length * record);
  labels.forEach((l, i) => {
    out.set(l, i * record);
    out.set(images.subarray(i * PIXELS, (i + 1) * PIXELS), i * record + l.length);
  });
  return out;
}

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;
