/**
 * VGG. Simonyan, Zisserman, "Very Deep Convolutional Networks for Large-Scale Image Recognition"
 * (ICLR 2015), Table 1: configurations A (VGG-11), B (VGG-13), D (VGG-16) and E (VGG-19), 3x3
 * convs with padding 1 and 2x2/2 max pooling; the `*Bn` variants put BatchNorm2d after each conv.
 * torchvision 0.14's form: features.N, an adaptive average pool to 7x7 (so any input >= 32x32
 * works), classifier 25088-4096-4096-classes with dropout; kaiming-normal (fan_out) conv init,
 * N(0, 0.01) linear init (`initWeights`, default true).
 *
 * The first classifier weight is 4096x25088, 411 MB of float32: the model needs a device whose
 * maxStorageBufferBindingSize and maxBufferSize allow it (webtrain requests the adapter's limits).
 * Parameters with 1000 classes: 132,863,336 (VGG-11) to 143,678,248 (VGG-19-BN).
 */
import type { Tensor } from '../tensor/tensor.js';
import * as F from '../ops/index.js';
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Dropout, Linear, MaxPool2d, Module, ReLU, Sequential } from '../nn/index.js';
import { builderOptions, initKaimingFanOut } from './builder-options.js';

/** A VGG configuration: output channels of each 3x3 conv, 'M' for a 2x2/2 max pool. */
export type VGGConfig = readonly (number | 'M')[];

/** Table 1 of the paper, as torchvision's cfgs. */
export const VGG_CONFIGS: Readonly<Record<'A' | 'B' | 'D' | 'E', VGGConfig>> = {
  A: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  B: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  D: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  E: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
};

/** torchvision's make_layers: the feature extractor of a configuration. */
export function makeLayers(cfg: VGGConfig, batchNorm = false, inChannels = 3): Sequential {
  const layers: Module[] = [];
  let c = inChannels;
  for (const v of cfg) {
    if (v === 'M') {
      layers.push(new MaxPool2d(2, { stride: 2 }));
    } else {
      layers.push(new Conv2d(c, v, 3, { padding: 1 }));
      if (batchNorm) layers.push(new BatchNorm2d(v));
      layers.push(new ReLU());
      c = v;
    }
  }
  return new Sequential(...layers);
}

export interface VGGOptions {
  numClasses?: number;
  initWeights?: boolean;
  dropout?: number;
}

/**
 * The VGG class also takes two sizes that torchvision fixes, for CIFAR-style VGGs (e.g. 1 and 512:
 * a 512-512-classes head on the 1x1 maps of a 32x32 input) and quick training runs.
 */
export interface VGGClassOptions extends VGGOptions {
  /** The adaptive average pool's output size (torchvision: 7). */
  avgpoolSize?: number;
  /** Width of the two hidden classifier layers (torchvision: 4096). */
  hiddenFeatures?: number;
}

const DEFAULTS: Required<VGGOptions> = { numClasses: 1000, initWeights: true, dropout: 0.5 };
const CLASS_DEFAULTS: Required<VGGClassOptions> = { ...DEFAULTS, avgpoolSize: 7, hiddenFeatures: 4096 };

export class VGG extends Module {
  features: Module;
  avgpool: AdaptiveAvgPool2d;
  classifier: Sequential;

  /** `features` must end with 512 channels (every VGG configuration does). */
  constructor(features: Module, options: VGGClassOptions = {}) {
    super();
    const o = builderOptions('VGG', options, CLASS_DEFAULTS);
    const { numClasses, dropout, avgpoolSize: pool, hiddenFeatures: hidden } = o;
    this.features = features;
    this.avgpool = new AdaptiveAvgPool2d([pool, pool]);
    this.classifier = new Sequential(
      new Linear(512 * pool * pool, hidden), new ReLU(), new Dropout(dropout),
      new Linear(hidden, hidden), new ReLU(), new Dropout(dropout),
      new Linear(hidden, numClasses),
    );
    if (o.initWeights) initKaimingFanOut(this, { linear: true });
  }

  /** x: [N, 3, H, W], H, W >= 32 -> logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    return this.classifier.call(F.flatten(this.avgpool.call(this.features.call(x)), 1));
  }
}

/** Each builder's configuration and batch norm (torchvision's _vgg calls). */
export const VGG_VARIANTS = {
  vgg11: ['A', false], vgg11Bn: ['A', true],
  vgg13: ['B', false], vgg13Bn: ['B', true],
  vgg16: ['D', false], vgg16Bn: ['D', true],
  vgg19: ['E', false], vgg19Bn: ['E', true],
} as const satisfies Record<string, readonly [keyof typeof VGG_CONFIGS, boolean]>;

/** The feature stack of a builder, e.g. vggFeatures('vgg16Bn') (what vgg16Bn() puts in `features`). */
export function vggFeatures(variant: keyof typeof VGG_VARIANTS): Sequential {
  const [cfg, bn] = VGG_VARIANTS[variant];
  return makeLayers(VGG_CONFIGS[cfg], bn);
}

function vggBuilder(name: keyof typeof VGG_VARIANTS): (options?: VGGOptions) => VGG {
  return (options: VGGOptions = {}) => {
    const o = builderOptions(name, options, DEFAULTS);
    return new VGG(vggFeatures(name), o);
  };
}

/** torchvision.models.vgg11 (configuration A), vgg11_bn, ... vgg19_bn (E): `vgg16Bn({ numClasses, initWeights, dropout })`. */
export const vgg11 = vggBuilder('vgg11');
export const vgg11Bn = vggBuilder('vgg11Bn');
export const vgg13 = vggBuilder('vgg13');
export const vgg13Bn = vggBuilder('vgg13Bn');
export const vgg16 = vggBuilder('vgg16');
export const vgg16Bn = vggBuilder('vgg16Bn');
export const vgg19 = vggBuilder('vgg19');
export const vgg19Bn = vggBuilder('vgg19Bn');
