/**
 * ShuffleNet v2. Ma, Zhang, Zheng, Sun, "ShuffleNet V2: Practical Guidelines for Efficient CNN
 * Architecture Design" (ECCV 2018), Table 5 and Fig. 3(c, d): a 3x3/2 stem of 24 and a 3x3/2 max
 * pool, three stages of units (the first of each stage strided: both branches downsample and are
 * concatenated; the others split the channels in half, transform one half with 1x1 -> 3x3
 * depthwise -> 1x1, and concatenate), each unit ending with a channel shuffle of 2 groups; a 1x1
 * conv (1024, or 2048 at 2.0x), global average pool, linear. torchvision 0.14's form and keys
 * (conv1.N, stage2.N.branch1.M / branch2.M, conv5.N, fc), PyTorch's default initialization.
 * Parameters with 1000 classes: 1,366,792 (0.5x), 2,278,604 (1.0x), 3,503,624 (1.5x), 7,393,996 (2.0x).
 * Input [N, 3, H, W], any H, W >= 1 (224 gives 7x7 maps before the pool).
 */
import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import * as F from '../ops/index.js';
import { BatchNorm2d, Conv2d, Linear, MaxPool2d, Module, ReLU, Sequential } from '../nn/index.js';
import { builderOptions } from './builder-options.js';

function depthwiseConv(channels: number, stride: number): Conv2d {
  return new Conv2d(channels, channels, 3, { stride, padding: 1, groups: channels, bias: false });
}

function pointwise(inChannels: number, outChannels: number): Conv2d {
  return new Conv2d(inChannels, outChannels, 1, { bias: false });
}

/** ShuffleNet v2's unit (torchvision's shufflenetv2.InvertedResidual). */
export class ShuffleInvertedResidual extends Module {
  readonly stride: number;
  branch1: Sequential;
  branch2: Sequential;

  constructor(inp: number, oup: number, stride: number) {
    super();
    if (!(stride >= 1 && stride <= 3)) throw new ArgumentError(`ShuffleInvertedResidual: illegal stride value ${stride}`);
    this.stride = stride;
    const branch = Math.floor(oup / 2);
    if (stride === 1 && inp !== branch * 2) {
      throw new ArgumentError(`ShuffleInvertedResidual: invalid combination of stride ${stride}, inp ${inp} and oup ${oup}: with stride 1, inp must equal oup // 2 * 2`);
    }
    this.branch1 =
      stride > 1
        ? new Sequential(depthwiseConv(inp, stride), new BatchNorm2d(inp), pointwise(inp, branch), new BatchNorm2d(branch), new ReLU())
        : new Sequential();
    this.branch2 = new Sequential(
      pointwise(stride > 1 ? inp : branch, branch), new BatchNorm2d(branch), new ReLU(),
      depthwiseConv(branch, stride), new BatchNorm2d(branch),
      pointwise(branch, branch), new BatchNorm2d(branch), new ReLU(),
    );
  }

  forward(x: Tensor): Tensor {
    let out: Tensor;
    if (this.stride === 1) {
      const [x1, x2] = F.chunk(x, 2, 1);
      out = F.cat([x1!, this.branch2.call(x2!)], 1);
    } else {
      out = F.cat([this.branch1.call(x), this.branch2.call(x)], 1);
    }
    return F.channelShuffle(out, 2);
  }
}

export interface ShuffleNetV2Options {
  numClasses?: number;
}

export class ShuffleNetV2 extends Module {
  conv1: Sequential;
  maxpool: MaxPool2d;
  stage2: Sequential;
  stage3: Sequential;
  stage4: Sequential;
  conv5: Sequential;
  fc: Linear;

  /** stagesRepeats: units of stages 2-4; stagesOutChannels: the stem's, the three stages' and conv5's widths. */
  constructor(stagesRepeats: readonly number[], stagesOutChannels: readonly number[], options: ShuffleNetV2Options = {}) {
    super();
    const o = builderOptions('ShuffleNetV2', options, { numClasses: 1000 });
    const numClasses = o.numClasses;
    if (stagesRepeats.length !== 3) throw new ArgumentError('ShuffleNetV2: expected stagesRepeats as list of 3 positive ints');
    if (stagesOutChannels.length !== 5) throw new ArgumentError('ShuffleNetV2: expected stagesOutChannels as list of 5 positive ints');
    let c = stagesOutChannels[0]!;
    this.conv1 = new Sequential(new Conv2d(3, c, 3, { stride: 2, padding: 1, bias: false }), new BatchNorm2d(c), new ReLU());
    this.maxpool = new MaxPool2d(3, { stride: 2, padding: 1 });
    const stages = [0, 1, 2].map((i) => {
      const out = stagesOutChannels[i + 1]!;
      const units: Module[] = [new ShuffleInvertedResidual(c, out, 2)];
      for (let r = 1; r < stagesRepeats[i]!; r++) units.push(new ShuffleInvertedResidual(out, out, 1));
      c = out;
      return new Sequential(...units);
    });
    this.stage2 = stages[0]!;
    this.stage3 = stages[1]!;
    this.stage4 = stages[2]!;
    const last = stagesOutChannels[4]!;
    this.conv5 = new Sequential(pointwise(c, last), new BatchNorm2d(last), new ReLU());
    this.fc = new Linear(last, numClasses);
  }

  /** x: [N, 3, H, W] -> logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    let h = this.maxpool.call(this.conv1.call(x));
    h = this.stage4.call(this.stage3.call(this.stage2.call(h)));
    return this.fc.call(F.mean(this.conv5.call(h), [2, 3]));
  }
}

function shufflenetBuilder(name: string, channels: readonly number[]): (options?: ShuffleNetV2Options) => ShuffleNetV2 {
  return (options: ShuffleNetV2Options = {}) => new ShuffleNetV2([4, 8, 4], channels, builderOptions(name, options, { numClasses: 1000 }));
}

/** torchvision.models.shufflenet_v2_x0_5 ... x2_0 (Table 5's widths). */
export const shufflenetV2X0_5 = shufflenetBuilder('shufflenetV2X0_5', [24, 48, 96, 192, 1024]);
export const shufflenetV2X1_0 = shufflenetBuilder('shufflenetV2X1_0', [24, 116, 232, 464, 1024]);
export const shufflenetV2X1_5 = shufflenetBuilder('shufflenetV2X1_5', [24, 176, 352, 704, 1024]);
export const shufflenetV2X2_0 = shufflenetBuilder('shufflenetV2X2_0', [24, 244, 488, 976, 2048]);
