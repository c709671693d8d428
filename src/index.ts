/**
 * webtrain: train convolutional networks on the GPU through WebGPU, in a web page or in Node.
 *
 *   import * as wt from 'webtrain';
 *   await wt.init();
 *   const x = wt.randn(8, 1, 28, 28);
 *   const y = wt.nn.functional.conv2d(x, w, b, { padding: 2 });
 *   console.log(await y.data());
 *
 * The public API is what this file exports (pinned by test/node/public-api.test.ts and listed in the
 * README's API overview); tests and benchmarks reach internals through src/internal.ts.
 */
export {
  WebtrainError,
  ShapeError,
  ArgumentError,
  AdapterError,
  DeviceLostError,
  GPUValidationError,
  GPUOutOfMemoryError,
  ShaderCompileError,
  FileFormatError,
  TensorStateError,
} from './errors.js';
export { init, defaultDevice, setDefaultDevice } from './device/default.js';
export { Device, describeAdapter, type DeviceOptions, type AdapterSummary } from './device/device.js';
export { Tensor, type NestedArray, type TensorData } from './tensor/tensor.js';
export { tensor, rand, randn, randint, arange, zeros, ones, empty, full, type TensorOptions, type RandomOptions, type CreateOptions, type SizeArgs } from './tensor/creation.js';
export { zerosLike, onesLike, fullLike } from './ops/fill.js';
export { noGrad, withGrad, isGradEnabled } from './util/scope.js';
export type { DType } from './util/dtype.js';
export { Generator, manualSeed, defaultGenerator, type GeneratorState } from './util/random.js';
// torch's top-level functions of tensor plumbing, reductions, softmax and selection (torch.cat ...).
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
export * as viz from './viz/index.js';
export { summary, type ModelSummary, type SummaryRow, type SummaryOptions, type ReceptiveField } from './nn/summary.js';
export { loadMnist } from './data/mnist.js';
export { mnistSplit, type MnistData } from './data/mnist-format.js';
export { mnistDataset, subset, type ImageDataset } from './data/dataset.js';
export { DataLoader, type Batch, type DataLoaderOptions } from './data/loader.js';
export * as transforms from './data/transforms.js';
export { saveCheckpoint, loadCheckpoint, type CheckpointParts, type CheckpointInfo } from './train/checkpoint.js';
export * as data from './data/index.js';
export * as augment from './data/augment.js';
export { fit, evaluate, type FitOptions, type FitResult, type StepInfo, type EpochInfo, type EvalResult } from './train/fit.js';
export { correctCount, topkCorrect, topkAccuracy, accuracy } from './train/metrics.js';
