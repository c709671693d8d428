/** Datasets and their files (wt.data): formats, splits, loading progress. */
export { loadIdx, loadIdxFile, parseIdx, idxDataset, encodeIdx, FASHION_MNIST_CLASSES, type IdxArray, type IdxData, type IdxLoadOptions } from './idx.js';
export { loadCifar, parseCifar, encodeCifar, CIFAR10_CLASSES, type CifarOptions, type CifarVariant } from './cifar.js';
export { imageFolder, decodeImage, IMAGE_EXTENSIONS, type ImageFolderOptions, type ImageFolderDataset } from './folder.js';
export { imagesFromFiles, type LabelledImage, type ImagesFromFilesOptions } from './browser-images.js';
export { decodePng, isPng } from './png.js';
export { decodeJpeg, isJpeg, jpegFrame } from './jpeg.js';
export { decodeNetpbm, encodeNetpbm, isNetpbm } from './netpbm.js';
export { toChannels, MAX_SIDE, MAX_PIXELS, type DecodedImage } from './image.js';
export { randomSplit, randomSplitIndices, splitLengths, type RandomSplitOptions } from './split.js';
export { gunzipIfNeeded, readSource, type FileSource, type LoadProgress, type ProgressCallback } from './bytes.js';
export { mnistDataset, subset, checkDataset, type ImageDataset } from './dataset.js';
export { DataLoader, type Batch, type DataLoaderOptions } from './loader.js';
