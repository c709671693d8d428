/**
 * MobileNet v2. Sandler, Howard, Zhu, Zhmoginov, Chen, "MobileNetV2: Inverted Residuals and
 * Linear Bottlenecks" (CVPR 2018), Tables 1-2: a 3x3/2 stem of 32, seventeen inverted residual
 * blocks (1x1 expansion by t with ReLU6, 3x3 depthwise with ReLU6, linear 1x1 projection; the
 * identity added when stride is 1 and the channels agree), a 1x1 conv to 1280, global average
 * pool, dropout, linear. torchvision 0.14's form and keys (features.N.conv.M..., features.0.0 for
 * the stem's conv, classifier.1), `widthMult` scaling every width (rounded to multiples of
 * `roundNearest`), kaiming-normal (fan_out) conv init, N(0, 0.01) linear init.
 * 3,504,872 parameters with 1000 classes. Input [N, 3, H, W], any H, W >= 1 (32x32 gives 1x1 maps
 * at the end; 224x224 7x7).
 */
import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import * as F from '../ops/index.js';
import { BatchNorm2d, Conv2d, Dropout, Linear, Module, ReLU, ReLU6, Sequential } from '../nn/index.js';
import { builderOptions, initKaimingFanOut } from './builder-options.js';

/** torchvision's _make_divisible: v rounded to a multiple of divisor, never below 90% of v. */
export function makeDivisible(v: number, divisor: number, minValue: number | null = null): number {
  const min = minValue ?? divisor;
  let n = Math.max(min, Math.floor(Math.trunc(v + divisor / 2) / divisor) * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}

export interface Conv2dNormActivationOptions {
  stride?: number;
  /** Default (kernelSize - 1) / 2 * dilation. */
  padding?: number | null;
  groups?: number;
  dilation?: number;
  /** 'relu' (default), 'relu6' or null for none. */
  activation?: 'relu' | 'relu6' | null;
}

/** torchvision.ops.Conv2dNormActivation with BatchNorm2d: conv (no bias), batch norm, activation, as children 0, 1, 2. */
export class Conv2dNormActivation extends Sequential {
  readonly outChannels: number;

  constructor(inChannels: number, outChannels: number, kernelSize = 3, options: Conv2dNormActivationOptions = {}) {
    const o = builderOptions<Conv2dNormActivationOptions>('Conv2dNormActivation', options, { stride: 1, padding: null, groups: 1, dilation: 1, activation: 'relu' });
    const padding = o.padding ?? Math.floor((kernelSize - 1) / 2) * o.dilation;
    const layers: Module[] = [
      new Conv2d(inChannels, outChannels, kernelSize, { stride: o.stride, padding, dilation: o.dilation, groups: o.groups, bias: false }),
      new BatchNorm2d(outChannels),
    ];
    if (o.activation === 'relu') layers.push(new ReLU());
    else if (o.activation === 'relu6') layers.push(new ReLU6());
    else if (o.activation !== null) throw new ArgumentError(`Conv2dNormActivation: activation must be 'relu', 'relu6' or null, got '${String(o.activation)}'`);
    super(...layers);
    this.outChannels = outChannels;
  }
}

/** MobileNet v2's inverted residual block: [1x1 expand, ReLU6], 3x3 depthwise, ReLU6, linear 1x1 project (+ identity). */
export class InvertedResidual extends Module {
  readonly stride: number;
  readonly useResConnect: boolean;
  conv: Sequential;
  readonly outChannels: number;

  constructor(inp: number, oup: number, stride: number, expandRatio: number) {
    super();
    if (stride !== 1 && stride !== 2) throw new ArgumentError(`InvertedResidual: stride should be 1 or 2 instead of ${stride}`);
    this.stride = stride;
    const hidden = Math.round(inp * expandRatio);
    this.useResConnect = stride === 1 && inp === oup;
    const layers: Module[] = [];
    if (expandRatio !== 1) layers.push(new Conv2dNormActivation(inp, hidden, 1, { activation: 'relu6' }));
    layers.push(
      new Conv2dNormActivation(hidden, hidden, 3, { stride, groups: hidden, activation: 'relu6' }),
      new Conv2d(hidden, oup, 1, { bias: false }),
      new BatchNorm2d(oup),
    );
    this.conv = new Sequential(...layers);
    this.outChannels = oup;
  }

  forward(x: Tensor): Tensor {
    const y = this.conv.call(x);
    return this.useResConnect ? F.add(x, y) : y;
  }
}

/** Expansion t, output channels c, repeats n, first stride s (Table 2). */
export type InvertedResidualSetting = readonly (readonly [number, number, number, number])[];

export const MOBILENET_V2_SETTING: InvertedResidualSetting = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

export interface MobileNetV2Options {
  numClasses?: number;
  widthMult?: number;
  invertedResidualSetting?: InvertedResidualSetting;
  roundNearest?: number;
  dropout?: number;
}

const DEFAULTS: Required<MobileNetV2Options> = { numClasses: 1000, widthMult: 1, invertedResidualSetting: MOBILENET_V2_SETTING, roundNearest: 8, dropout: 0.2 };

export class MobileNetV2 extends Module {
  readonly lastChannel: number;
  features: Sequential;
  classifier: Sequential;

  constructor(options: MobileNetV2Options = {}) {
    super();
    const o = builderOptions('MobileNetV2', options, DEFAULTS);
    const { numClasses, widthMult, roundNearest: round, dropout } = o;
    const setting = o.invertedResidualSetting;
    if (!Array.isArray(setting) || setting.length === 0 || setting.some((s) => !Array.isArray(s) || s.length !== 4)) {
      throw new ArgumentError(`MobileNetV2: invertedResidualSetting should be a non-empty list of 4-element lists, got ${JSON.stringify(setting)}`);
    }
    let inputChannel = makeDivisible(32 * widthMult, round);
    this.lastChannel = makeDivisible(1280 * Math.max(1, widthMult), round);
    const features: Module[] = [new Conv2dNormActivation(3, inputChannel, 3, { stride: 2, activation: 'relu6' })];
    for (const [t, c, n, s] of setting) {
      const outputChannel = makeDivisible(c * widthMult, round);
      for (let i = 0; i < n; i++) {
        features.push(new InvertedResidual(inputChannel, outputChannel, i === 0 ? s : 1, t));
        inputChannel = outputChannel;
      }
    }
    features.push(new Conv2dNormActivation(inputChannel, this.lastChannel, 1, { activation: 'relu6' }));
    this.features = new Sequential(...features);
    this.classifier = new Sequential(new Dropout(dropout), new Linear(this.lastChannel, numClasses));
    // torchvision: kaiming_normal_(mode='fan_out') with its default leaky_relu(0) gain, sqrt(2) as ReLU's.
    initKaimingFanOut(this, { linear: true });
  }

  /** x: [N, 3, H, W] -> logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    return this.classifier.call(F.flatten(F.adaptiveAvgPool2d(this.features.call(x), [1, 1]), 1));
  }
}

/** torchvision.models.mobilenet_v2: `mobilenetV2({ numClasses, widthMult, dropout, ... })`. */
export function mobilenetV2(options: MobileNetV2Options = {}): MobileNetV2 {
  return new MobileNetV2(builderOptions('mobilenetV2', options, DEFAULTS));
}
