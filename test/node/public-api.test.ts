/**
 * The public surface, pinned: the sorted export names of the package entry (src/index.ts) and of its
 * namespaces. The README's API overview documents each of them; internals (op definitions, the
 * engine and its tuning knobs) are reachable only through src/internal.ts, which tests and benchmarks
 * use. A change here is a change to the public API: update the README's API overview with it.
 */
import { describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';

const SURFACE: Record<string, string[]> = {
  'wt': [
    'AdapterError', 'ArgumentError', 'DataLoader', 'Device', 'DeviceLostError', 'FileFormatError',
    'GPUOutOfMemoryError', 'GPUValidationError', 'Generator', 'LeNet5', 'ShaderCompileError',
    'ShapeError', 'Tensor', 'TensorStateError', 'WebtrainError', 'abs', 'accuracy', 'add', 'amax',
    'amin', 'arange', 'argmax', 'argmin', 'augment', 'cat', 'ceil', 'channelShuffle', 'chunk',
    'clamp', 'concat', 'correctCount', 'cos', 'data', 'defaultDevice', 'defaultGenerator',
    'describeAdapter', 'div', 'empty', 'eq', 'evaluate', 'exp', 'fit', 'flatten', 'floor', 'full',
    'fullLike', 'ge', 'gt', 'init', 'io', 'isGradEnabled', 'le', 'loadCheckpoint', 'loadMnist',
    'log', 'logSoftmax', 'lt', 'manualSeed', 'matmul', 'max', 'maximum', 'mean', 'min', 'minimum',
    'mnistDataset', 'mnistSplit', 'models', 'mul', 'narrow', 'ne', 'neg', 'nn', 'noGrad', 'ones',
    'onesLike', 'optim', 'permute', 'pow', 'rand', 'randint', 'randn', 'reciprocal', 'relu',
    'reshape', 'round', 'rsqrt', 'saveCheckpoint', 'select', 'setDefaultDevice', 'sigmoid', 'sign',
    'sin', 'softmax', 'split', 'sqrt', 'square', 'squeeze', 'stack', 'sub', 'subset', 'sum',
    'summary', 'tanh', 'tensor', 'topk', 'topkAccuracy', 'topkCorrect', 'transforms', 'transpose',
    'unbind', 'unsqueeze', 'viz', 'where', 'withGrad', 'zeros', 'zerosLike',
  ],
  'wt.io': ['loadSafetensors', 'readSafetensors', 'readSafetensorsHeader', 'saveSafetensors', 'serializeSafetensors'],
  'wt.nn': [
    'AdaptiveAvgPool2d', 'AdaptiveMaxPool2d', 'AvgPool2d', 'BCEWithLogitsLoss', 'BatchNorm1d',
    'BatchNorm2d', 'BatchNorm3d', 'ChannelShuffle', 'ConstantPad1d', 'ConstantPad2d', 'ConstantPad3d',
    'Conv2d', 'ConvTranspose2d', 'CrossEntropyLoss', 'Dropout', 'Dropout1d', 'Dropout2d', 'Dropout3d',
    'ELU', 'Flatten', 'GELU', 'GroupNorm', 'Hardsigmoid', 'Hardswish', 'Hardtanh', 'Identity',
    'InstanceNorm1d', 'InstanceNorm2d', 'LayerNorm', 'LeakyReLU', 'Linear', 'LocalResponseNorm',
    'LogSoftmax', 'MSELoss', 'MaxPool2d', 'Module', 'NLLLoss', 'Parameter', 'ReLU', 'ReLU6',
    'ReflectionPad1d', 'ReflectionPad2d', 'ReflectionPad3d', 'ReplicationPad1d', 'ReplicationPad2d',
    'ReplicationPad3d', 'Sequential', 'SiLU', 'Sigmoid', 'Softmax', 'Softmin', 'Softplus', 'Tanh',
    'ZeroPad2d', 'functional', 'init', 'torchName',
  ],
  'wt.nn.functional': [
    'adaptiveAvgPool2d', 'adaptiveMaxPool2d', 'avgPool2d', 'batchNorm', 'binaryCrossEntropyWithLogits',
    'channelShuffle', 'conv2d', 'convTranspose2d', 'crossEntropy', 'dropout', 'dropout1d', 'dropout2d',
    'dropout3d', 'elu', 'gelu', 'groupNorm', 'hardsigmoid', 'hardswish', 'hardtanh', 'instanceNorm',
    'layerNorm', 'leakyRelu', 'linear', 'localResponseNorm', 'logSoftmax', 'matmul', 'maxPool2d',
    'mseLoss', 'nllLoss', 'pad', 'relu', 'relu6', 'sigmoid', 'silu', 'softmax', 'softmin', 'softplus',
    'tanh',
  ],
  'wt.nn.init': [
    'calculateFanInAndFanOut', 'calculateGain', 'constant_', 'kaimingNormal_', 'kaimingUniform_',
    'normal_', 'ones_', 'uniform_', 'xavierNormal_', 'xavierUniform_', 'zeros_',
  ],
  'wt.optim': [
    'Adam', 'AdamW', 'CosineAnnealingLR', 'ExponentialLR', 'LRScheduler', 'LambdaLR', 'MultiStepLR',
    'OneCycleLR', 'Optimizer', 'SGD', 'StepLR',
  ],
  'wt.models': [
    'AlexNet', 'BasicBlock', 'BasicConv2d', 'Bottleneck', 'CifarResNet', 'Conv2dNormActivation',
    'DenseBlock', 'DenseLayer', 'DenseNet', 'Fire', 'GoogLeNet', 'Inception', 'Inception3',
    'InceptionA', 'InceptionAux', 'InceptionB', 'InceptionC', 'InceptionD', 'InceptionE',
    'InceptionModule', 'InceptionV3Aux', 'InvertedResidual', 'LECUN_C3_TABLE', 'LeNet5',
    'MOBILENET_V2_SETTING', 'MlpConv', 'MobileNetV2', 'NiN', 'PadShortcut', 'PreActBasicBlock',
    'PreActBottleneck', 'PreActResNet', 'ResNet', 'SeparableConv2d', 'ShuffleInvertedResidual',
    'ShuffleNetV2', 'SqueezeNet', 'Transition', 'VGG', 'VGG_CONFIGS', 'VGG_VARIANTS', 'Xception',
    'XceptionBlock', 'alexnet', 'conv1x1', 'conv3x3', 'densenet121', 'densenet161', 'densenet169',
    'densenet201', 'googlenet', 'googlenetLoss', 'inceptionV3', 'inceptionV3Loss', 'lenet5',
    'makeDivisible', 'makeLayers', 'mobilenetV2', 'nin', 'preactResnet101', 'preactResnet152',
    'preactResnet18', 'preactResnet34', 'preactResnet50', 'resnet101', 'resnet110', 'resnet1202',
    'resnet152', 'resnet18', 'resnet20', 'resnet32', 'resnet34', 'resnet44', 'resnet50', 'resnet56',
    'resnext101_32x8d', 'resnext101_64x4d', 'resnext50_32x4d', 'shufflenetV2X0_5',
    'shufflenetV2X1_0', 'shufflenetV2X1_5', 'shufflenetV2X2_0', 'squeezenet1_0', 'squeezenet1_1',
    'vgg11', 'vgg11Bn', 'vgg13', 'vgg13Bn', 'vgg16', 'vgg16Bn', 'vgg19', 'vgg19Bn', 'vggFeatures',
    'wideResnet101_2', 'wideResnet50_2', 'xception',
  ],
  'wt.transforms': [
    'Compose', 'Normalize', 'RandomCrop', 'RandomHorizontalFlip',
  ],
};

const namespaces: Record<string, object> = {
  wt,
  'wt.io': wt.io,
  'wt.nn': wt.nn,
  'wt.nn.functional': wt.nn.functional,
  'wt.nn.init': wt.nn.init,
  'wt.optim': wt.optim,
  'wt.models': wt.models,
  'wt.transforms': wt.transforms,
};

describe('public API', () => {
  for (const [name, ns] of Object.entries(namespaces)) {
    it(`${name} exports exactly the pinned names`, () => {
      expect(Object.keys(ns).sort()).toEqual(SURFACE[name]);
    });
  }

  it('no internals: op definitions, the engine, message helpers', () => {
    const names = Object.keys(wt);
    for (const internal of ['ops', 'engineFor', 'fmtShape', 'packMnistJson', 'parseMnist', 'checkDataset']) expect(names).not.toContain(internal);
    expect(Object.keys(wt.optim)).not.toContain('lrScheduler');
  });

  it('every name is documented in the README API overview', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const overview = readme.slice(readme.indexOf('### API overview'), readme.indexOf('### What runs when'));
    const missing = Object.entries(SURFACE).flatMap(([ns, names]) => names.filter((n) => !new RegExp(`\\b${n.replace('$', '\\$')}\\b`).test(overview)).map((n) => `${ns}.${n}`));
    expect(missing, 'names missing from the README API overview').toEqual([]);
  });
});
