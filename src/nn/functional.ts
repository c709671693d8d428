/**
 * The functional namespace, mirroring torch.nn.functional (camelCased): conv2d, maxPool2d,
 * avgPool2d, linear, relu, crossEntropy ... Each takes PyTorch's arguments in PyTorch's order, the
 * keyword ones positionally or as a trailing options object.
 */
export { conv2d, convTranspose2d, type Conv2dOptions, type ConvTranspose2dOptions, type Conv2dPadding, type IntOrPair } from '../ops/conv.js';
export {
  maxPool2d,
  avgPool2d,
  adaptiveAvgPool2d,
  adaptiveMaxPool2d,
  type MaxPool2dOptions,
  type AvgPool2dOptions,
  type AdaptiveSize,
  type AdaptiveMaxPool2dOptions,
} from '../ops/pool.js';
export { linear, matmul } from '../ops/matmul.js';
export { pad, type PadMode, type PadOptions } from '../ops/pad.js';
export {
  relu,
  relu6,
  leakyRelu,
  elu,
  gelu,
  sigmoid,
  tanh,
  silu,
  hardswish,
  hardsigmoid,
  softplus,
  hardtanh,
} from '../ops/activation.js';
export {
  crossEntropy,
  nllLoss,
  mseLoss,
  binaryCrossEntropyWithLogits,
  type CrossEntropyOptions,
  type NllLossOptions,
  type MseLossOptions,
  type BceWithLogitsOptions,
  type Reduction,
} from '../ops/loss.js';
export { softmax, logSoftmax, softmin, type SoftmaxOptions } from '../ops/softmax.js';
export { channelShuffle } from '../ops/shape.js';
export { batchNorm, type BatchNormOptions } from '../ops/batch-norm.js';
export { instanceNorm, groupNorm, layerNorm, type InstanceNormOptions, type GroupNormOptions, type LayerNormOptions } from '../ops/group-norm.js';
export { localResponseNorm, type LocalResponseNormOptions } from '../ops/lrn.js';
export { dropout, dropout1d, dropout2d, dropout3d, type DropoutOptions } from '../ops/dropout.js';
