/**
 * GoogLeNet (Inception v1) and Inception v3, as torchvision 0.14 builds them (`models/googlenet.py`,
 * `models/inception.py`): the same modules, attribute names (so state-dict keys, order and shapes
 * equal torchvision's), initialization and train/eval outputs.
 *
 * - GoogLeNet: Szegedy et al., "Going Deeper with Convolutions" (2014), Table 1 (the nine inception
 *   modules' #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj columns), with torchvision's
 *   departures from the paper: batch norm after every convolution (BasicConv2d, eps 0.001), the
 *   "5x5" branch is a 3x3 convolution, max pooling with ceil mode, and the two auxiliary classifiers
 *   after inception4a and inception4d (adaptive 4x4 average pool, 1x1 conv 128, fc 1024, dropout
 *   0.7, fc). In train mode with auxLogits the model returns { logits, auxLogits2, auxLogits1 }
 *   (torchvision's GoogLeNetOutputs fields, camelCased); in eval mode, or without auxLogits, the
 *   logits alone. The caller weights the auxiliary losses 0.3 each: `googlenetLoss`.
 *   Input: nominally 3x224x224; any size from 15x15 works (the pools shrink to 1x1 and the auxiliary
 *   heads' adaptive pool then repeats values, as in PyTorch).
 * - Inception v3: Szegedy et al., "Rethinking the Inception Architecture for Computer Vision"
 *   (2015), Table 1 (stem; 3 x InceptionA (figure 5), InceptionB grid reduction, 4 x InceptionC with
 *   factorized 1x7 / 7x1 convolutions (figure 6), InceptionD grid reduction, 2 x InceptionE with
 *   expanded 1x3 / 3x1 branches (figure 7)) and the auxiliary head on Mixed_6e. In train mode with
 *   auxLogits it returns { logits, auxLogits } (InceptionOutputs), else the logits.
 *   Input: nominally 3x299x299; the smallest that runs in eval mode is 75x75. The auxiliary head
 *   (5x5 average pool with stride 3, then a 5x5 convolution) needs Mixed_6e to be at least 17x17,
 *   so training with auxLogits needs 299x299 inputs (as in PyTorch); without it 75x75 trains.
 *
 * Initialization (initWeights, default true as torchvision's): conv and linear weights from
 * N(0, 0.01) for GoogLeNet, N(0, 0.1) for Inception v3 (0.01 for AuxLogits.conv1, 0.001 for
 * AuxLogits.fc); torchvision truncates these at +-2, which is 200 (resp. 20) standard deviations,
 * so plain normal draws are the same distribution in practice. Batch-norm weights 1, biases 0;
 * linear biases keep PyTorch's default uniform init.
 */
import { ArgumentError } from '../errors.js';
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Dropout, Linear, MaxPool2d, Module, Sequential, functional, init } from '../nn/index.js';
import * as F from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { builderOptions, flag, positiveInt, probability } from './checks.js';

type IntOrPair = number | [number, number];

export interface BasicConv2dOptions {
  kernelSize: IntOrPair;
  stride?: IntOrPair;
  padding?: IntOrPair;
}

/** Conv2d (no bias), BatchNorm2d (eps 0.001), ReLU: torchvision's inception BasicConv2d. */
export class BasicConv2d extends Module {
  conv: Conv2d;
  bn: BatchNorm2d;

  constructor(inChannels: number, outChannels: number, options: BasicConv2dOptions) {
    super();
    const { kernelSize, stride = 1, padding = 0 } = options;
    this.conv = new Conv2d(inChannels, outChannels, kernelSize, { stride, padding, bias: false });
    this.bn = new BatchNorm2d(outChannels, { eps: 0.001 });
  }

  forward(x: Tensor): Tensor {
    return F.relu(this.bn.call(this.conv.call(x)));
  }
}

/** torchvision's Inception._transform_input: ImageNet-normalized input re-normalized to [-1, 1] statistics. */
function transformImageNetInput(x: Tensor): Tensor {
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const channels = [0, 1, 2].map((c) => F.add(F.mul(F.narrow(x, 1, c, 1), std[c]! / 0.5), (mean[c]! - 0.5) / 0.5));
  return F.cat(channels, 1);
}

/**
 * Normal(0, std) weights for every Conv2d and Linear, batch norm weight 1 and bias 0. `std` is
 * `defaultStd` unless `stdOf` sets it for a module, which then holds for everything inside it
 * (torchvision's `stddev` attributes on Inception v3's AuxLogits.conv1 and AuxLogits.fc).
 */
function initInceptionWeights(model: Module<unknown>, defaultStd: number, stdOf: ReadonlyMap<Module<unknown>, number> = new Map()): void {
  const visit = (m: Module<unknown>, inherited: number): void => {
    const std = stdOf.get(m) ?? inherited;
    if (m instanceof Conv2d || m instanceof Linear) init.normal_(m.weight, 0, std);
    else if (m instanceof BatchNorm2d) {
      init.constant_(m.weight!, 1);
      init.constant_(m.bias!, 0);
    }
    for (const c of m.children()) visit(c, std);
  };
  visit(model, defaultStd);
}

interface InceptionCommonOptions {
  numClasses: number;
  auxLogits: boolean;
  transformInput: boolean;
  initWeights: boolean;
  dropout: number;
  dropoutAux: number;
}

/**
 * The options GoogLeNet and Inception v3 share (torchvision's defaults: 1000 classes, aux heads on,
 * no input transform, initWeights null meaning true), checked; `dropouts` gives the model's dropout
 * defaults, and dropoutAux is an option only where it has a default (GoogLeNet).
 */
function inceptionOptions(builder: string, options: object, dropouts: { dropout: number; dropoutAux?: number }): InceptionCommonOptions {
  const defaults = { numClasses: 1000, auxLogits: true, transformInput: false, initWeights: null as boolean | null, ...dropouts };
  const o = builderOptions<Record<string, unknown>>(builder, options, defaults);
  return {
    numClasses: positiveInt(builder, 'numClasses', o.numClasses),
    auxLogits: flag(builder, 'auxLogits', o.auxLogits),
    transformInput: flag(builder, 'transformInput', o.transformInput),
    initWeights: o.initWeights === null ? true : flag(builder, 'initWeights', o.initWeights),
    dropout: probability(builder, 'dropout', o.dropout),
    dropoutAux: dropouts.dropoutAux === undefined ? 0 : probability(builder, 'dropoutAux', o.dropoutAux),
  };
}

function checkInput(builder: string, x: Tensor): void {
  if (x.ndim !== 4 || x.shape[1] !== 3) {
    throw new ArgumentError(`${builder}: expected an input [N, 3, H, W], got [${x.shape.join(', ')}]`);
  }
}

// ---- GoogLeNet ------------------------------------------------------------------------------------

/**
 * The GoogLeNet inception module: four branches concatenated on channels: 1x1; 1x1 reduce then
 * 3x3; 1x1 reduce then 3x3 (the paper's 5x5, as torchvision); 3x3 max pool (stride 1) then 1x1.
 */
export class Inception extends Module {
  branch1: BasicConv2d;
  branch2: Sequential;
  branch3: Sequential;
  branch4: Sequential;

  constructor(inChannels: number, ch1x1: number, ch3x3red: number, ch3x3: number, ch5x5red: number, ch5x5: number, poolProj: number) {
    super();
    this.branch1 = new BasicConv2d(inChannels, ch1x1, { kernelSize: 1 });
    this.branch2 = new Sequential(new BasicConv2d(inChannels, ch3x3red, { kernelSize: 1 }), new BasicConv2d(ch3x3red, ch3x3, { kernelSize: 3, padding: 1 }));
    this.branch3 = new Sequential(new BasicConv2d(inChannels, ch5x5red, { kernelSize: 1 }), new BasicConv2d(ch5x5red, ch5x5, { kernelSize: 3, padding: 1 }));
    this.branch4 = new Sequential(new MaxPool2d(3, { stride: 1, padding: 1, ceilMode: true }), new BasicConv2d(inChannels, poolProj, { kernelSize: 1 }));
  }

  forward(x: Tensor): Tensor {
    return F.cat([this.branch1.call(x), this.branch2.call(x), this.branch3.call(x), this.branch4.call(x)], 1);
  }
}

/** The name for GoogLeNet's inception module (torchvision calls it `Inception`). */
export const InceptionModule = Inception;
export type InceptionModule = Inception;

/** GoogLeNet's auxiliary classifier: adaptive average pool 4x4, 1x1 conv 128, fc 1024, ReLU, dropout, fc. */
export class InceptionAux extends Module {
  conv: BasicConv2d;
  fc1: Linear;
  fc2: Linear;
  dropout: Dropout;

  constructor(inChannels: number, numClasses: number, options: { dropout?: number } = {}) {
    super();
    this.conv = new BasicConv2d(inChannels, 128, { kernelSize: 1 });
    this.fc1 = new Linear(2048, 1024);
    this.fc2 = new Linear(1024, numClasses);
    this.dropout = new Dropout({ p: options.dropout ?? 0.7 });
  }

  forward(x: Tensor): Tensor {
    let h = this.conv.call(F.adaptiveAvgPool2d(x, [4, 4]));
    h = F.relu(this.fc1.call(F.flatten(h, 1)));
    return this.fc2.call(this.dropout.call(h));
  }
}

/** GoogLeNet's train-mode output with auxLogits (torchvision's GoogLeNetOutputs). */
export interface GoogLeNetOutputs {
  logits: Tensor;
  auxLogits2: Tensor;
  auxLogits1: Tensor;
}

export interface GoogLeNetOptions {
  numClasses?: number;
  /** The two auxiliary classifiers (default true). */
  auxLogits?: boolean;
  /** Re-normalize ImageNet-normalized input as the original weights expect (default false). */
  transformInput?: boolean;
  /** torchvision's normal(0, 0.01) init (default true); false keeps PyTorch's layer defaults. */
  initWeights?: boolean | null;
  /** Dropout before the final fc (default 0.2). */
  dropout?: number;
  /** Dropout in the auxiliary classifiers (default 0.7). */
  dropoutAux?: number;
}

/** GoogLeNet (Inception v1), torchvision's form; see the file comment. */
export class GoogLeNet extends Module<Tensor | GoogLeNetOutputs> {
  readonly auxLogits: boolean;
  readonly transformInput: boolean;
  conv1: BasicConv2d;
  maxpool1: MaxPool2d;
  conv2: BasicConv2d;
  conv3: BasicConv2d;
  maxpool2: MaxPool2d;
  inception3a: Inception;
  inception3b: Inception;
  maxpool3: MaxPool2d;
  inception4a: Inception;
  inception4b: Inception;
  inception4c: Inception;
  inception4d: Inception;
  inception4e: Inception;
  maxpool4: MaxPool2d;
  inception5a: Inception;
  inception5b: Inception;
  aux1: InceptionAux | null;
  aux2: InceptionAux | null;
  avgpool: AdaptiveAvgPool2d;
  dropout: Dropout;
  fc: Linear;

  constructor(options: GoogLeNetOptions = {}) {
    super();
    const { numClasses, auxLogits, transformInput, initWeights, dropout, dropoutAux } = inceptionOptions('googlenet', options, { dropout: 0.2, dropoutAux: 0.7 });
    this.auxLogits = auxLogits;
    this.transformInput = transformInput;
    const pool = (k: number): MaxPool2d => new MaxPool2d(k, { stride: 2, ceilMode: true });

    this.conv1 = new BasicConv2d(3, 64, { kernelSize: 7, stride: 2, padding: 3 });
    this.maxpool1 = pool(3);
    this.conv2 = new BasicConv2d(64, 64, { kernelSize: 1 });
    this.conv3 = new BasicConv2d(64, 192, { kernelSize: 3, padding: 1 });
    this.maxpool2 = pool(3);
    this.inception3a = new Inception(192, 64, 96, 128, 16, 32, 32);
    this.inception3b = new Inception(256, 128, 128, 192, 32, 96, 64);
    this.maxpool3 = pool(3);
    this.inception4a = new Inception(480, 192, 96, 208, 16, 48, 64);
    this.inception4b = new Inception(512, 160, 112, 224, 24, 64, 64);
    this.inception4c = new Inception(512, 128, 128, 256, 24, 64, 64);
    this.inception4d = new Inception(512, 112, 144, 288, 32, 64, 64);
    this.inception4e = new Inception(528, 256, 160, 320, 32, 128, 128);
    this.maxpool4 = pool(2);
    this.inception5a = new Inception(832, 256, 160, 320, 32, 128, 128);
    this.inception5b = new Inception(832, 384, 192, 384, 48, 128, 128);
    this.aux1 = this.auxLogits ? new InceptionAux(512, numClasses, { dropout: dropoutAux }) : null;
    this.aux2 = this.auxLogits ? new InceptionAux(528, numClasses, { dropout: dropoutAux }) : null;
    this.avgpool = new AdaptiveAvgPool2d([1, 1]);
    this.dropout = new Dropout({ p: dropout });
    this.fc = new Linear(1024, numClasses);
    if (initWeights) initInceptionWeights(this, 0.01);
  }

  forward(x: Tensor): Tensor | GoogLeNetOutputs {
    checkInput('googlenet', x);
    let h = this.transformInput ? transformImageNetInput(x) : x;
    h = this.maxpool1.call(this.conv1.call(h));
    h = this.maxpool2.call(this.conv3.call(this.conv2.call(h)));
    h = this.maxpool3.call(this.inception3b.call(this.inception3a.call(h)));
    h = this.inception4a.call(h);
    const withAux = this.training && this.auxLogits;
    const aux1 = withAux ? this.aux1!.call(h) : null;
    h = this.inception4d.call(this.inception4c.call(this.inception4b.call(h)));
    const aux2 = withAux ? this.aux2!.call(h) : null;
    h = this.maxpool4.call(this.inception4e.call(h));
    h = this.inception5b.call(this.inception5a.call(h));
    h = F.flatten(this.avgpool.call(h), 1);
    const logits = this.fc.call(this.dropout.call(h));
    return withAux ? { logits, auxLogits2: aux2!, auxLogits1: aux1! } : logits;
  }
}

/** torchvision.models.googlenet: new GoogLeNet(options). */
export function googlenet(options: GoogLeNetOptions = {}): GoogLeNet {
  return new GoogLeNet(options);
}

function isAuxOutput(out: unknown): out is { logits: Tensor } {
  return typeof out === 'object' && out !== null && 'logits' in out;
}

/**
 * The GoogLeNet training loss: cross entropy of the logits plus `auxWeight` (the paper's 0.3) times
 * each auxiliary classifier's; the plain cross entropy for an eval-mode (tensor) output.
 */
export function googlenetLoss(output: Tensor | GoogLeNetOutputs, target: Tensor, auxWeight = 0.3): Tensor {
  const ce = functional.crossEntropy;
  if (!isAuxOutput(output)) return ce(output, target);
  return F.add(ce(output.logits, target), F.add(ce(output.auxLogits1, target), ce(output.auxLogits2, target)), auxWeight);
}

// ---- Inception v3 ---------------------------------------------------------------------------------

/** 3x3 average pool, stride 1, padding 1 (zeros counted, PyTorch's default): the A, C, E pool branch. */
function avgPool3x3(x: Tensor): Tensor {
  return F.avgPool2d(x, 3, { stride: 1, padding: 1 });
}

/** Inception v3's 35x35 module (figure 5): 1x1; 1x1-5x5; 1x1-3x3-3x3; avg pool-1x1 (poolFeatures). */
export class InceptionA extends Module {
  branch1x1: BasicConv2d;
  branch5x5_1: BasicConv2d;
  branch5x5_2: BasicConv2d;
  branch3x3dbl_1: BasicConv2d;
  branch3x3dbl_2: BasicConv2d;
  branch3x3dbl_3: BasicConv2d;
  branch_pool: BasicConv2d;

  constructor(inChannels: number, poolFeatures: number) {
    super();
    this.branch1x1 = new BasicConv2d(inChannels, 64, { kernelSize: 1 });
    this.branch5x5_1 = new BasicConv2d(inChannels, 48, { kernelSize: 1 });
    this.branch5x5_2 = new BasicConv2d(48, 64, { kernelSize: 5, padding: 2 });
    this.branch3x3dbl_1 = new BasicConv2d(inChannels, 64, { kernelSize: 1 });
    this.branch3x3dbl_2 = new BasicConv2d(64, 96, { kernelSize: 3, padding: 1 });
    this.branch3x3dbl_3 = new BasicConv2d(96, 96, { kernelSize: 3, padding: 1 });
    this.branch_pool = new BasicConv2d(inChannels, poolFeatures, { kernelSize: 1 });
  }

  forward(x: Tensor): Tensor {
    const b5 = this.branch5x5_2.call(this.branch5x5_1.call(x));
    const b3 = this.branch3x3dbl_3.call(this.branch3x3dbl_2.call(this.branch3x3dbl_1.call(x)));
    return F.cat([this.branch1x1.call(x), b5, b3, this.branch_pool.call(avgPool3x3(x))], 1);
  }
}

/** Grid reduction 35 -> 17: 3x3 stride 2; 1x1-3x3-3x3 stride 2; 3x3 max pool stride 2. */
export class InceptionB extends Module {
  branch3x3: BasicConv2d;
  branch3x3dbl_1: BasicConv2d;
  branch3x3dbl_2: BasicConv2d;
  branch3x3dbl_3: BasicConv2d;

  constructor(inChannels: number) {
    super();
    this.branch3x3 = new BasicConv2d(inChannels, 384, { kernelSize: 3, stride: 2 });
    this.branch3x3dbl_1 = new BasicConv2d(inChannels, 64, { kernelSize: 1 });
    this.branch3x3dbl_2 = new BasicConv2d(64, 96, { kernelSize: 3, padding: 1 });
    this.branch3x3dbl_3 = new BasicConv2d(96, 96, { kernelSize: 3, stride: 2 });
  }

  forward(x: Tensor): Tensor {
    const b3 = this.branch3x3dbl_3.call(this.branch3x3dbl_2.call(this.branch3x3dbl_1.call(x)));
    return F.cat([this.branch3x3.call(x), b3, F.maxPool2d(x, 3, { stride: 2 })], 1);
  }
}

/** A 1xn or nx1 BasicConv2d with "same" padding: the factorized convolutions of figure 6 and 7. */
function factorized(inChannels: number, outChannels: number, kernel: [number, number]): BasicConv2d {
  return new BasicConv2d(inChannels, outChannels, { kernelSize: kernel, padding: [(kernel[0] - 1) / 2, (kernel[1] - 1) / 2] });
}

/** Inception v3's 17x17 module (figure 6): 1x1; 1x1-1x7-7x1; 1x1-7x1-1x7-7x1-1x7; avg pool-1x1. */
export class InceptionC extends Module {
  branch1x1: BasicConv2d;
  branch7x7_1: BasicConv2d;
  branch7x7_2: BasicConv2d;
  branch7x7_3: BasicConv2d;
  branch7x7dbl_1: BasicConv2d;
  branch7x7dbl_2: BasicConv2d;
  branch7x7dbl_3: BasicConv2d;
  branch7x7dbl_4: BasicConv2d;
  branch7x7dbl_5: BasicConv2d;
  branch_pool: BasicConv2d;

  constructor(inChannels: number, channels7x7: number) {
    super();
    const c7 = channels7x7;
    this.branch1x1 = new BasicConv2d(inChannels, 192, { kernelSize: 1 });
    this.branch7x7_1 = new BasicConv2d(inChannels, c7, { kernelSize: 1 });
    this.branch7x7_2 = factorized(c7, c7, [1, 7]);
    this.branch7x7_3 = factorized(c7, 192, [7, 1]);
    this.branch7x7dbl_1 = new BasicConv2d(inChannels, c7, { kernelSize: 1 });
    this.branch7x7dbl_2 = factorized(c7, c7, [7, 1]);
    this.branch7x7dbl_3 = factorized(c7, c7, [1, 7]);
    this.branch7x7dbl_4 = factorized(c7, c7, [7, 1]);
    this.branch7x7dbl_5 = factorized(c7, 192, [1, 7]);
    this.branch_pool = new BasicConv2d(inChannels, 192, { kernelSize: 1 });
  }

  forward(x: Tensor): Tensor {
    const b7 = this.branch7x7_3.call(this.branch7x7_2.call(this.branch7x7_1.call(x)));
    let d = this.branch7x7dbl_1.call(x);
    for (const m of [this.branch7x7dbl_2, this.branch7x7dbl_3, this.branch7x7dbl_4, this.branch7x7dbl_5]) d = m.call(d);
    return F.cat([this.branch1x1.call(x), b7, d, this.branch_pool.call(avgPool3x3(x))], 1);
  }
}

/** Grid reduction 17 -> 8: 1x1-3x3 stride 2; 1x1-1x7-7x1-3x3 stride 2; 3x3 max pool stride 2. */
export class InceptionD extends Module {
  branch3x3_1: BasicConv2d;
  branch3x3_2: BasicConv2d;
  branch7x7x3_1: BasicConv2d;
  branch7x7x3_2: BasicConv2d;
  branch7x7x3_3: BasicConv2d;
  branch7x7x3_4: BasicConv2d;

  constructor(inChannels: number) {
    super();
    this.branch3x3_1 = new BasicConv2d(inChannels, 192, { kernelSize: 1 });
    this.branch3x3_2 = new BasicConv2d(192, 320, { kernelSize: 3, stride: 2 });
    this.branch7x7x3_1 = new BasicConv2d(inChannels, 192, { kernelSize: 1 });
    this.branch7x7x3_2 = factorized(192, 192, [1, 7]);
    this.branch7x7x3_3 = factorized(192, 192, [7, 1]);
    this.branch7x7x3_4 = new BasicConv2d(192, 192, { kernelSize: 3, stride: 2 });
  }

  forward(x: Tensor): Tensor {
    const b3 = this.branch3x3_2.call(this.branch3x3_1.call(x));
    const b7 = this.branch7x7x3_4.call(this.branch7x7x3_3.call(this.branch7x7x3_2.call(this.branch7x7x3_1.call(x))));
    return F.cat([b3, b7, F.maxPool2d(x, 3, { stride: 2 })], 1);
  }
}

/** Inception v3's 8x8 module (figure 7): 1x1; 1x1-(1x3 | 3x1); 1x1-3x3-(1x3 | 3x1); avg pool-1x1. */
export class InceptionE extends Module {
  branch1x1: BasicConv2d;
  branch3x3_1: BasicConv2d;
  branch3x3_2a: BasicConv2d;
  branch3x3_2b: BasicConv2d;
  branch3x3dbl_1: BasicConv2d;
  branch3x3dbl_2: BasicConv2d;
  branch3x3dbl_3a: BasicConv2d;
  branch3x3dbl_3b: BasicConv2d;
  branch_pool: BasicConv2d;

  constructor(inChannels: number) {
    super();
    this.branch1x1 = new BasicConv2d(inChannels, 320, { kernelSize: 1 });
    this.branch3x3_1 = new BasicConv2d(inChannels, 384, { kernelSize: 1 });
    this.branch3x3_2a = factorized(384, 384, [1, 3]);
    this.branch3x3_2b = factorized(384, 384, [3, 1]);
    this.branch3x3dbl_1 = new BasicConv2d(inChannels, 448, { kernelSize: 1 });
    this.branch3x3dbl_2 = new BasicConv2d(448, 384, { kernelSize: 3, padding: 1 });
    this.branch3x3dbl_3a = factorized(384, 384, [1, 3]);
    this.branch3x3dbl_3b = factorized(384, 384, [3, 1]);
    this.branch_pool = new BasicConv2d(inChannels, 192, { kernelSize: 1 });
  }

  forward(x: Tensor): Tensor {
    const b3 = this.branch3x3_1.call(x);
    const d = this.branch3x3dbl_2.call(this.branch3x3dbl_1.call(x));
    return F.cat(
      [
        this.branch1x1.call(x),
        this.branch3x3_2a.call(b3),
        this.branch3x3_2b.call(b3),
        this.branch3x3dbl_3a.call(d),
        this.branch3x3dbl_3b.call(d),
        this.branch_pool.call(avgPool3x3(x)),
      ],
      1,
    );
  }
}

/**
 * Inception v3's auxiliary classifier on Mixed_6e (torchvision's inception.InceptionAux; renamed
 * here as GoogLeNet's has that name): 5x5 average pool stride 3, 1x1 conv 128, 5x5 conv 768,
 * global average pool, fc.
 */
export class InceptionV3Aux extends Module {
  conv0: BasicConv2d;
  conv1: BasicConv2d;
  fc: Linear;

  constructor(inChannels: number, numClasses: number) {
    super();
    this.conv0 = new BasicConv2d(inChannels, 128, { kernelSize: 1 });
    this.conv1 = new BasicConv2d(128, 768, { kernelSize: 5 });
    this.fc = new Linear(768, numClasses);
  }

  forward(x: Tensor): Tensor {
    if (x.shape[2]! < 17 || x.shape[3]! < 17) {
      throw new ArgumentError(
        `inceptionV3: the auxiliary head needs Mixed_6e at least 17x17 (a 299x299 input), got ${x.shape[2]}x${x.shape[3]}; use eval mode or auxLogits: false for smaller inputs`,
      );
    }
    const h = this.conv1.call(this.conv0.call(F.avgPool2d(x, 5, { stride: 3 })));
    return this.fc.call(F.flatten(F.adaptiveAvgPool2d(h, [1, 1]), 1));
  }
}

/** Inception v3's train-mode output with auxLogits (torchvision's InceptionOutputs). */
export interface InceptionOutputs {
  logits: Tensor;
  auxLogits: Tensor;
}

export interface Inception3Options {
  numClasses?: number;
  /** The auxiliary classifier on Mixed_6e (default true; training with it needs 299x299 input). */
  auxLogits?: boolean;
  transformInput?: boolean;
  /** torchvision's normal-init of conv and linear weights (default true). */
  initWeights?: boolean | null;
  /** Dropout before the fc (default 0.5). */
  dropout?: number;
}

/** Inception v3, torchvision's Inception3; see the file comment. */
export class Inception3 extends Module<Tensor | InceptionOutputs> {
  readonly auxLogits: boolean;
  readonly transformInput: boolean;
  Conv2d_1a_3x3: BasicConv2d;
  Conv2d_2a_3x3: BasicConv2d;
  Conv2d_2b_3x3: BasicConv2d;
  maxpool1: MaxPool2d;
  Conv2d_3b_1x1: BasicConv2d;
  Conv2d_4a_3x3: BasicConv2d;
  maxpool2: MaxPool2d;
  Mixed_5b: InceptionA;
  Mixed_5c: InceptionA;
  Mixed_5d: InceptionA;
  Mixed_6a: InceptionB;
  Mixed_6b: InceptionC;
  Mixed_6c: InceptionC;
  Mixed_6d: InceptionC;
  Mixed_6e: InceptionC;
  AuxLogits: InceptionV3Aux | null;
  Mixed_7a: InceptionD;
  Mixed_7b: InceptionE;
  Mixed_7c: InceptionE;
  avgpool: AdaptiveAvgPool2d;
  dropout: Dropout;
  fc: Linear;

  constructor(options: Inception3Options = {}) {
    super();
    const { numClasses, auxLogits, transformInput, initWeights, dropout } = inceptionOptions('inceptionV3', options, { dropout: 0.5 });
    this.auxLogits = auxLogits;
    this.transformInput = transformInput;

    this.Conv2d_1a_3x3 = new BasicConv2d(3, 32, { kernelSize: 3, stride: 2 });
    this.Conv2d_2a_3x3 = new BasicConv2d(32, 32, { kernelSize: 3 });
    this.Conv2d_2b_3x3 = new BasicConv2d(32, 64, { kernelSize: 3, padding: 1 });
    this.maxpool1 = new MaxPool2d(3, { stride: 2 });
    this.Conv2d_3b_1x1 = new BasicConv2d(64, 80, { kernelSize: 1 });
    this.Conv2d_4a_3x3 = new BasicConv2d(80, 192, { kernelSize: 3 });
    this.maxpool2 = new MaxPool2d(3, { stride: 2 });
    this.Mixed_5b = new InceptionA(192, 32);
    this.Mixed_5c = new InceptionA(256, 64);
    this.Mixed_5d = new InceptionA(288, 64);
    this.Mixed_6a = new InceptionB(288);
    this.Mixed_6b = new InceptionC(768, 128);
    this.Mixed_6c = new InceptionC(768, 160);
    this.Mixed_6d = new InceptionC(768, 160);
    this.Mixed_6e = new InceptionC(768, 192);
    this.AuxLogits = this.auxLogits ? new InceptionV3Aux(768, numClasses) : null;
    this.Mixed_7a = new InceptionD(768);
    this.Mixed_7b = new InceptionE(1280);
    this.Mixed_7c = new InceptionE(2048);
    this.avgpool = new AdaptiveAvgPool2d([1, 1]);
    this.dropout = new Dropout({ p: dropout });
    this.fc = new Linear(2048, numClasses);
    if (initWeights) {
      const aux = this.AuxLogits;
      initInceptionWeights(this, 0.1, new Map<Module, number>(aux ? [[aux.conv1, 0.01], [aux.fc, 0.001]] : []));
    }
  }

  forward(x: Tensor): Tensor | InceptionOutputs {
    checkInput('inceptionV3', x);
    let h = this.transformInput ? transformImageNetInput(x) : x;
    for (const m of [this.Conv2d_1a_3x3, this.Conv2d_2a_3x3, this.Conv2d_2b_3x3, this.maxpool1, this.Conv2d_3b_1x1, this.Conv2d_4a_3x3, this.maxpool2]) {
      h = m.call(h);
    }
    for (const m of [this.Mixed_5b, this.Mixed_5c, this.Mixed_5d, this.Mixed_6a, this.Mixed_6b, this.Mixed_6c, this.Mixed_6d, this.Mixed_6e]) h = m.call(h);
    const withAux = this.training && this.auxLogits;
    const aux = withAux ? this.AuxLogits!.call(h) : null;
    for (const m of [this.Mixed_7a, this.Mixed_7b, this.Mixed_7c]) h = m.call(h);
    h = F.flatten(this.dropout.call(this.avgpool.call(h)), 1);
    const logits = this.fc.call(h);
    return withAux ? { logits, auxLogits: aux! } : logits;
  }
}

/** torchvision.models.inception_v3: new Inception3(options). */
export function inceptionV3(options: Inception3Options = {}): Inception3 {
  return new Inception3(options);
}

/**
 * The Inception v3 training loss: cross entropy of the logits plus `auxWeight` times the auxiliary
 * head's (0.4, TF-slim's weight for this model; the paper gives none); plain cross entropy for a
 * tensor output.
 */
export function inceptionV3Loss(output: Tensor | InceptionOutputs, target: Tensor, auxWeight = 0.4): Tensor {
  const ce = functional.crossEntropy;
  if (!isAuxOutput(output)) return ce(output, target);
  return F.add(ce(output.logits, target), ce(output.auxLogits, target), auxWeight);
}
