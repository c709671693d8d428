/** The model zoo. */
export { LeNet5, type LeNet5Options } from './lenet.js';
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
