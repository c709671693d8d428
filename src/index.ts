/**
 * webtrain: train convolutional networks on the GPU through WebGPU, in a web page or in Node.
 *
 *   import * as wt from 'webtrain';
 *   await wt.init();
 *   const x = wt.randn(8, 1, 28, 28);
 *   const y = wt.nn.functional.conv2d(x, w, b, { padding: 2 });
 *   console.log(await y.data());
 */
export * from './errors.js';
export { init, defaultDevice, setDefaultDevice } from './device/default.js';
export { Device, describeAdapter, type DeviceOptions, type AdapterSummary } from './device/device.js';
export { Tensor, type NestedArray, type TensorData } from './tensor/tensor.js';
export { tensor, rand, randn, randint, arange, type TensorOptions, type RandomOptions } from './tensor/creation.js';
export { zeros, ones, full, zerosLike, onesLike, fullLike } from './ops/fill.js';
export { noGrad, withGrad, isGradEnabled } from './util/scope.js';
export { engineFor } from './graph/engine.js';
export type { DType } from './util/dtype.js';
export { Generator, manualSeed, defaultGenerator } from './util/random.js';
export * as ops from './ops/index.js';
// torch's top-level functions of tensor plumbing, reductions, softmax and selection (torch.cat ...).
// The explicit export of `where` (torch.where) takes precedence over the message helper of errors.js.
export { cat, concat, stack, split, chunk, unbind } from './ops/concat.js';
export { narrow, select } from './ops/slice.js';
export { reshape, flatten, transpose, permute, squeeze, unsqueeze, channelShuffle } from './ops/shape.js';
export { sum, mean, amax, amin, argmax, argmin, max, min, type MaxOptions } from './ops/reduce.js';
export { topk, type ValuesIndices, type TopkOptions } from './ops/topk.js';
export { where } from './ops/where.js';
export { softmax, logSoftmax } from './ops/softmax.js';
export {
  add, sub, mul, div, pow, neg, abs, exp, log, sqrt, rsqrt, square, reciprocal, sign, sin, cos, floor, ceil, round,
  clamp, maximum, minimum, eq, ne, lt, le, gt, ge,
} from './ops/elementwise.js';
export { matmul } from './ops/matmul.js';
export { relu, sigmoid, tanh } from './ops/activation.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export { LeNet5, type LeNet5Options } from './models/lenet.js';
export * as models from './models/index.js';
export * as io from './io/index.js';
export { summary, type ModelSummary, type SummaryRow, type SummaryOptions, type ReceptiveField } from './nn/summary.js';
export { loadMnist, MNIST_URL } from './data/mnist.js';
export { mnistSplit, parseMnist, packMnistJson, type MnistData } from './data/mnist-format.js';
export { mnistDataset, subset, checkDataset, type ImageDataset } from './data/dataset.js';
export { DataLoader, type Batch, type DataLoaderOptions } from './data/loader.js';
export * as transforms from './data/transforms.js';
export * as data from './data/index.js';
export * as augment from './data/augment.js';
export { fit, evaluate, type FitOptions, type FitResult, type StepInfo, type EpochInfo, type EvalResult } from './train/fit.js';
export { correctCount, topkCorrect, topkAccuracy, accuracy } from './train/metrics.js';
