/**
 * Xception. Chollet, "Xception: Deep Learning with Depthwise Separable Convolutions" (CVPR 2017),
 * Fig. 5: an entry flow (3x3/2 conv 32, 3x3 conv 64, then three residual blocks of two separable
 * convs and a 3x3/2 max pool, to 128, 256 and 728 channels, each with a strided 1x1 conv + BN
 * shortcut), a middle flow of 8 identity-shortcut blocks of three ReLU-separable conv-BN at 728
 * (`middleFlowRepeats`, fewer for quick tests), and an exit flow (a block to 1024 with a pool, then
 * separable convs to 1536 and 2048 with ReLU), global average pooling, linear.
 *
 * torchvision has no Xception; names and layout follow the common PyTorch port (Cadene's
 * pretrainedmodels / timm's legacy_xception): conv1, bn1, conv2, bn2, block1 ... block12 (each
 * `rep` Sequential, `skip` + `skipbn` when the shape changes), conv3, bn3, conv4, bn4, fc; a
 * SeparableConv2d is `conv1` (depthwise) then `pointwise`. As in that port the first two convs are
 * unpadded (299x299 gives 147x147 after conv2, 10x10 after the entry flow). Kaiming-normal (fan_out)
 * conv init. 22,855,952 parameters with 1000 classes. Input [N, 3, H, W], H, W >= 7.
 */
import type { Tensor } from '../tensor/tensor.js';
import * as F from '../ops/index.js';
import { BatchNorm2d, Conv2d, Linear, MaxPool2d, Module, ReLU, Sequential } from '../nn/index.js';
import { builderOptions, initKaimingFanOut } from './builder-options.js';

/** A depthwise kxk conv (`conv1`, groups = inChannels) followed by a pointwise 1x1 conv (`pointwise`). */
export class SeparableConv2d extends Module {
  conv1: Conv2d;
  pointwise: Conv2d;

  constructor(inChannels: number, outChannels: number, kernelSize = 1, options: { stride?: number; padding?: number; dilation?: number; bias?: boolean } = {}) {
    super();
    const o = builderOptions('SeparableConv2d', options, { stride: 1, padding: 0, dilation: 1, bias: false });
    this.conv1 = new Conv2d(inChannels, inChannels, kernelSize, { stride: o.stride, padding: o.padding, dilation: o.dilation, groups: inChannels, bias: o.bias });
    this.pointwise = new Conv2d(inChannels, outChannels, 1, { bias: o.bias });
  }

  forward(x: Tensor): Tensor {
    return this.pointwise.call(this.conv1.call(x));
  }
}

export interface XceptionBlockOptions {
  stride?: number;
  startWithRelu?: boolean;
  /** Widen in the first separable conv (true) or the last (false: the exit block). */
  growFirst?: boolean;
}

/** Xception's residual block: `reps` x (ReLU, SeparableConv2d 3x3, BN), a 3x3 max pool when strided, and a shortcut. */
export class XceptionBlock extends Module {
  skip: Conv2d | null;
  skipbn: BatchNorm2d | null;
  rep: Sequential;

  constructor(inFilters: number, outFilters: number, reps: number, options: XceptionBlockOptions = {}) {
    super();
    const o = builderOptions('XceptionBlock', options, { stride: 1, startWithRelu: true, growFirst: true });
    if (outFilters !== inFilters || o.stride !== 1) {
      this.skip = new Conv2d(inFilters, outFilters, 1, { stride: o.stride, bias: false });
      this.skipbn = new BatchNorm2d(outFilters);
    } else {
      this.skip = null;
      this.skipbn = null;
    }
    const unit = (i: number, c: number): Module[] => [new ReLU(), new SeparableConv2d(i, c, 3, { padding: 1 }), new BatchNorm2d(c)];
    let rep: Module[] = [];
    let filters = inFilters;
    if (o.growFirst) {
      rep.push(...unit(inFilters, outFilters));
      filters = outFilters;
    }
    for (let i = 0; i < reps - 1; i++) rep.push(...unit(filters, filters));
    if (!o.growFirst) rep.push(...unit(inFilters, outFilters));
    if (!o.startWithRelu) rep = rep.slice(1);
    if (o.stride !== 1) rep.push(new MaxPool2d(3, { stride: o.stride, padding: 1 }));
    this.rep = new Sequential(...rep);
  }

  forward(x: Tensor): Tensor {
    const y = this.rep.call(x);
    const s = this.skip && this.skipbn ? this.skipbn.call(this.skip.call(x)) : x;
    return F.add(y, s);
  }
}

export interface XceptionOptions {
  numClasses?: number;
  /** Middle-flow blocks (the paper: 8). */
  middleFlowRepeats?: number;
}

const DEFAULTS: Required<XceptionOptions> = { numClasses: 1000, middleFlowRepeats: 8 };

export class Xception extends Module {
  conv1: Conv2d;
  bn1: BatchNorm2d;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  // Declared only (no class field is created), so these follow block1 ... blockN in the state dict.
  declare conv3: SeparableConv2d;
  declare bn3: BatchNorm2d;
  declare conv4: SeparableConv2d;
  declare bn4: BatchNorm2d;
  declare fc: Linear;
  private readonly _blocks: XceptionBlock[];

  constructor(options: XceptionOptions = {}) {
    super();
    const o = builderOptions('Xception', options, DEFAULTS);
    const { numClasses, middleFlowRepeats: middle } = o;
    this.conv1 = new Conv2d(3, 32, 3, { stride: 2, bias: false });
    this.bn1 = new BatchNorm2d(32);
    this.conv2 = new Conv2d(32, 64, 3, { bias: false });
    this.bn2 = new BatchNorm2d(64);
    const blocks: XceptionBlock[] = [
      new XceptionBlock(64, 128, 2, { stride: 2, startWithRelu: false }),
      new XceptionBlock(128, 256, 2, { stride: 2 }),
      new XceptionBlock(256, 728, 2, { stride: 2 }),
    ];
    for (let i = 0; i < middle; i++) blocks.push(new XceptionBlock(728, 728, 3));
    blocks.push(new XceptionBlock(728, 1024, 2, { stride: 2, growFirst: false }));
    // block1 ... blockN as attributes, in order, before the exit convs (their state-dict order).
    blocks.forEach((b, i) => ((this as unknown as Record<string, Module>)[`block${i + 1}`] = b));
    this._blocks = blocks;
    this.conv3 = new SeparableConv2d(1024, 1536, 3, { padding: 1 });
    this.bn3 = new BatchNorm2d(1536);
    this.conv4 = new SeparableConv2d(1536, 2048, 3, { padding: 1 });
    this.bn4 = new BatchNorm2d(2048);
    this.fc = new Linear(2048, numClasses);
    initKaimingFanOut(this);
  }

  /** x: [N, 3, H, W] -> logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    let h = F.relu(this.bn1.call(this.conv1.call(x)));
    h = F.relu(this.bn2.call(this.conv2.call(h)));
    for (const b of this._blocks) h = b.call(h);
    h = F.relu(this.bn3.call(this.conv3.call(h)));
    h = F.relu(this.bn4.call(this.conv4.call(h)));
    return this.fc.call(F.flatten(F.adaptiveAvgPool2d(h, [1, 1]), 1));
  }
}

/** Xception: `xception({ numClasses, middleFlowRepeats })`. */
export function xception(options: XceptionOptions = {}): Xception {
  return new Xception(builderOptions('xception', options, DEFAULTS));
}
