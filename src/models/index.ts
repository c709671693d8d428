/** The model zoo. */
export { LeNet5, type LeNet5Options } from './lenet.js';
// GoogLeNet, Inception v3 and DenseNet (inception.ts, densenet.ts).
export {
  BasicConv2d,
  GoogLeNet,
  Inception,
  Inception3,
  InceptionA,
  InceptionAux,
  InceptionB,
  InceptionC,
  InceptionD,
  InceptionE,
  InceptionModule,
  InceptionV3Aux,
  googlenet,
  googlenetLoss,
  inceptionV3,
  inceptionV3Loss,
  type BasicConv2dOptions,
  type GoogLeNetOptions,
  type GoogLeNetOutputs,
  type Inception3Options,
  type InceptionOutputs,
} from './inception.js';
export { DenseBlock, DenseLayer, DenseNet, Transition, densenet121, densenet161, densenet169, densenet201, type DenseNetOptions } from './densenet.js';
export {
  BasicBlock,
  Bottleneck,
  CifarResNet,
  PadShortcut,
  PreActBasicBlock,
  PreActBottleneck,
  PreActResNet,
  ResNet,
  conv1x1,
  conv3x3,
  preactResnet101,
  preactResnet152,
  preactResnet18,
  preactResnet34,
  preactResnet50,
  resnet101,
  resnet110,
  resnet1202,
  resnet152,
  resnet18,
  resnet20,
  resnet32,
  resnet34,
  resnet44,
  resnet50,
  resnet56,
  resnext101_32x8d,
  resnext101_64x4d,
  resnext50_32x4d,
  wideResnet101_2,
  wideResnet50_2,
  type BlockOptions,
  type BlockType,
  type CifarResNetOptions,
  type NormLayer,
  type ResNetOptions,
} from './resnet.js';
// Classic and efficient nets (LeNet options, AlexNet, VGG, NiN, SqueezeNet, MobileNet v2, ShuffleNet v2, Xception).
export { lenet5, LECUN_C3_TABLE } from './lenet.js';
export { AlexNet, alexnet, type AlexNetOptions, type AlexNetClassOptions } from './alexnet.js';
export { VGG, VGG_CONFIGS, VGG_VARIANTS, makeLayers, vggFeatures, vgg11, vgg11Bn, vgg13, vgg13Bn, vgg16, vgg16Bn, vgg19, vgg19Bn, type VGGConfig, type VGGOptions, type VGGClassOptions } from './vgg.js';
export { NiN, MlpConv, nin, type NiNOptions } from './nin.js';
export { SqueezeNet, Fire, squeezenet1_0, squeezenet1_1, type SqueezeNetOptions } from './squeezenet.js';
export {
  MobileNetV2, InvertedResidual, Conv2dNormActivation, makeDivisible, mobilenetV2, MOBILENET_V2_SETTING,
  type MobileNetV2Options, type Conv2dNormActivationOptions, type InvertedResidualSetting,
} from './mobilenet.js';
export { ShuffleNetV2, ShuffleInvertedResidual, shufflenetV2X0_5, shufflenetV2X1_0, shufflenetV2X1_5, shufflenetV2X2_0, type ShuffleNetV2Options } from './shufflenet.js';
export { Xception, XceptionBlock, SeparableConv2d, xception, type XceptionOptions, type XceptionBlockOptions } from './xception.js';
