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
