/**
 * The datasets the demo trains on: the shipped MNIST digits, or files the user drops in, read with
 * wt.data: Fashion-MNIST / MNIST IDX files (plain or .gz) with loadIdx, CIFAR-10 binary batches
 * with loadCifar, a folder of images (one sub-folder per class) with imagesFromFiles.
 *
 * The demo's models, views and drawing pad are LeNet-5's: one 28x28 grey image in, ten classes
 * out. So every dataset is brought to that: CIFAR's 32x32 colour images become grey (ITU-R 601
 * luma) and are resized to 28x28 (bilinear), images of a folder are decoded grey at 28x28, and a
 * folder may have at most ten classes (the model keeps ten outputs; the unused ones learn never
 * to win). The page says so when such a dataset is chosen.
 */
import * as wt from '../src/index.js';
import type { DemoData } from './session.js';

export const DIGITS = Array.from({ length: 10 }, (_, i) => String(i));
/** Held-out fraction when the files bring no test set of their own. */
const HELD_OUT = 0.2;

export class DatasetError extends Error {}

/** A dropped file and the folder path it came in (a/b/c.png: 'a/b'), if any. */
export interface DroppedFile {
  file: File;
  /** Relative path inside a dropped folder ('' for a loose file). */
  path: string;
}

const isIdxImages = (n: string): boolean => /images|idx3/i.test(n);
const isIdxLabels = (n: string): boolean => /labels|idx1/i.test(n);
const isTest = (n: string): boolean => /t10k|test/i.test(n);
const IMAGE = /\.(png|jpe?g|gif|webp|bmp)$/i;

/** Splits a dataset into train and held out, stratified and seeded. */
function split(d: wt.ImageDataset): [wt.ImageDataset, wt.ImageDataset] {
  const [train, heldOut] = wt.data.randomSplit(d, [1 - HELD_OUT, HELD_OUT], { generator: new wt.Generator(0), stratify: true });
  return [train!, heldOut!];
}

/** CIFAR's [N, 3, 32, 32] colour images as [N, 1, 28, 28] grey (luma, then bilinear). */
export function toGrey28(d: wt.ImageDataset): wt.ImageDataset {
  if (d.channels === 1 && d.height === 28 && d.width === 28) return d;
  const plane = d.height * d.width;
  const out = new Uint8Array(d.count * 784);
  const grey = new Float32Array(plane);
  for (let i = 0; i < d.count; i++) {
    const base = i * d.channels * plane;
    for (let p = 0; p < plane; p++) {
      grey[p] = d.channels === 3 ? 0.299 * d.images[base + p]! + 0.587 * d.images[base + plane + p]! + 0.114 * d.images[base + 2 * plane + p]! : d.images[base + p]!;
    }
    const small = wt.viz.resizeBilinear(grey, d.height, d.width, 28, 28);
    for (let p = 0; p < 784; p++) out[i * 784 + p] = Math.max(0, Math.min(255, Math.round(small[p]!)));
  }
  return { count: d.count, channels: 1, height: 28, width: 28, numClasses: d.numClasses, images: out, labels: d.labels };
}

function check28(d: wt.ImageDataset, name: string): wt.ImageDataset {
  if (d.numClasses > 10) throw new DatasetError(`${name} has ${d.numClasses} classes; the demo's LeNet-5 has ten outputs.`);
  return toGrey28(d);
}

/** Reads dropped files as one of the supported datasets. `idxKind` names the classes of IDX files. */
export async function loadDropped(files: readonly DroppedFile[], idxKind: 'fashion' | 'digits', onProgress?: (text: string) => void): Promise<DemoData> {
  if (files.length === 0) throw new DatasetError('No files were dropped.');
  const progress = (p: wt.data.LoadProgress): void => onProgress?.(`Reading ${p.file}: ${(p.bytes / 1e6).toFixed(1)} MB${p.records ? `, ${p.records.toLocaleString('en-US')} records` : ''}…`);
  const names = files.map((f) => f.file.name);
  const images = files.filter((f) => IMAGE.test(f.file.name));

  // IDX: pairs of images and labels files; a t10k / test pair is the held-out set.
  const idxImages = files.filter((f) => isIdxImages(f.file.name) && !IMAGE.test(f.file.name));
  if (idxImages.length > 0) {
    const labelsFor = (img: DroppedFile): DroppedFile => {
      const test = isTest(img.file.name);
      const l = files.find((f) => isIdxLabels(f.file.name) && isTest(f.file.name) === test);
      if (!l) throw new DatasetError(`${img.file.name}: no labels file beside it (an IDX labels file, e.g. ${test ? 't10k' : 'train'}-labels-idx1-ubyte.gz).`);
      return l;
    };
    const load = async (img: DroppedFile): Promise<wt.ImageDataset> =>
      check28(await wt.data.loadIdx({ images: img.file, labels: labelsFor(img).file }, { onProgress: progress }), img.file.name);
    const trainFile = idxImages.find((f) => !isTest(f.file.name)) ?? idxImages[0]!;
    const testFile = idxImages.find((f) => f !== trainFile && isTest(f.file.name));
    const all = await load(trainFile);
    const [train, heldOut] = testFile ? [all, await load(testFile)] : split(all);
    const fashion = idxKind === 'fashion';
    return {
      name: fashion ? 'Fashion-MNIST (your files)' : 'MNIST (your files)',
      classes: fashion ? [...wt.data.FASHION_MNIST_CLASSES] : DIGITS,
      note: `${trainFile.file.name}${testFile ? ` and ${testFile.file.name}` : ''}${testFile ? '' : `, ${HELD_OUT * 100}% held out`}.`,
      train,
      heldOut,
    };
  }

  // CIFAR-10: binary batches; test_batch.bin is the held-out set.
  const bins = files.filter((f) => /\.bin$/i.test(f.file.name));
  if (bins.length > 0) {
    const test = bins.filter((f) => isTest(f.file.name));
    const trainBins = bins.filter((f) => !isTest(f.file.name));
    const load = async (fs: DroppedFile[]): Promise<wt.ImageDataset> => toGrey28(await wt.data.loadCifar(fs.map((f) => f.file), 'cifar10', { onProgress: progress }));
    let train: wt.ImageDataset;
    let heldOut: wt.ImageDataset;
    if (trainBins.length > 0 && test.length > 0) [train, heldOut] = [await load(trainBins), await load(test)];
    else [train, heldOut] = split(await load(bins));
    return {
      name: 'CIFAR-10 (your files)',
      classes: [...wt.data.CIFAR10_CLASSES],
      note: 'CIFAR-10’s 32x32 colour images are shown to LeNet-5 as 28x28 grey ones (luma, resized): it reads far less than a colour CNN would, so expect some 30–40% held out, not 90%.',
      train,
      heldOut,
    };
  }

  // A folder of images: the class is the folder each image is in.
  if (images.length > 0) {
    const classOf = (f: DroppedFile): string => f.path.split('/').filter(Boolean).pop() ?? '';
    const classes = [...new Set(images.map(classOf))].sort();
    if (classes.length < 2) throw new DatasetError('A folder of images needs one sub-folder per class (at least two): drop the folder that holds them.');
    if (classes.length > 10) throw new DatasetError(`The folder has ${classes.length} classes (${classes.slice(0, 12).join(', ')}…); the demo's LeNet-5 has ten outputs.`);
    const all = await wt.data.imagesFromFiles(
      images.map((f) => ({ source: f.file, label: classes.indexOf(classOf(f)) })),
      { height: 28, width: 28, channels: 1, numClasses: 10, onProgress: (p) => onProgress?.(`Decoding images: ${p.records} of ${images.length}…`) },
    );
    const [train, heldOut] = split(all);
    return {
      name: `${images.length} images in ${classes.length} folders (your files)`,
      classes,
      note: `Decoded grey at 28x28 for LeNet-5; ${HELD_OUT * 100}% held out.${classes.length < 10 ? ` The model keeps ten outputs; ${10 - classes.length} are unused.` : ''}`,
      train,
      heldOut,
    };
  }
  throw new DatasetError(`None of ${names.slice(0, 4).join(', ')}${names.length > 4 ? '…' : ''} is a dataset file the demo reads: IDX pairs (train-images-idx3-ubyte[.gz] + train-labels-idx1-ubyte[.gz]), CIFAR-10 .bin batches, or a folder of images with a sub-folder per class.`);
}

/** The files of a drop, with folders walked (DataTransferItem.webkitGetAsEntry). */
export async function droppedFiles(dt: DataTransfer): Promise<DroppedFile[]> {
  const entries = [...dt.items].map((i) => i.webkitGetAsEntry?.() ?? null);
  if (entries.length === 0 || entries.some((e) => !e)) return [...dt.files].map((file) => ({ file, path: '' }));
  const out: DroppedFile[] = [];
  const walk = async (e: FileSystemEntry, dir: string): Promise<void> => {
    if (e.isFile) {
      out.push({ file: await new Promise<File>((res, rej) => (e as FileSystemFileEntry).file(res, rej)), path: dir });
    } else if (e.isDirectory) {
      const reader = (e as FileSystemDirectoryEntry).createReader();
      const path = dir ? `${dir}/${e.name}` : e.name;
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
        if (batch.length === 0) break;
        for (const c of batch) await walk(c, path);
      }
    }
  };
  for (const e of entries) await walk(e!, '');
  return out;
}

/** Files from an <input type="file"> (webkitdirectory gives each one's relative path). */
export function pickedFiles(list: FileList): DroppedFile[] {
  return [...list].map((file) => ({ file, path: (file.webkitRelativePath || '').split('/').slice(0, -1).join('/') }));
}
