/**
 * Network in Network. Lin, Chen, Yan, "Network In Network" (ICLR 2014), Sec. 3 and the CIFAR-10
 * model of Sec. 4.2 (the authors' Caffe definition): three mlpconv blocks, each a kxk conv then two
 * 1x1 convs (a two-layer perceptron shared over positions), every conv followed by ReLU:
 *
 *   mlpconv 5x5 192-160-96, max pool 3x3/2, dropout 0.5,
 *   mlpconv 5x5 192-192-192, average pool 3x3/2, dropout 0.5,
 *   mlpconv 3x3 192-192-classes, global average pooling -> logits (no fully connected layer).
 *
 * torchvision has no NiN; the names follow its Sequential style (features.N.M, e.g.
 * features.0.2.weight is the first block's first 1x1 conv). Kaiming-normal (fan_out) conv weights
 * and zero biases, as torchvision's conv nets: with PyTorch's default init the signal shrinks
 * through the nine convs until the biases decide, and the ReLU'd logits can all die at once.
 * 966,986 parameters with 10 classes. Input [N, 3, H, W]; CIFAR's 32x32 gives 8x8 maps before the
 * global pool; any H, W >= 1 works (the pools pad by 1).
 */
import type { Tensor } from '../tensor/tensor.js';
import * as F from '../ops/index.js';
import { AdaptiveAvgPool2d, AvgPool2d, Conv2d, Dropout, MaxPool2d, Module, ReLU, Sequential } from '../nn/index.js';
import { builderOptions, initKaimingFanOut } from './builder-options.js';

/** An mlpconv block: conv kxk to channels[0], 1x1 to channels[1], 1x1 to channels[2], each with ReLU. */
export class MlpConv extends Sequential {
  constructor(inChannels: number, channels: readonly [number, number, number], kernelSize: number, padding = 0) {
    const [a, b, c] = channels;
    super(new Conv2d(inChannels, a, kernelSize, { padding }), new ReLU(), new Conv2d(a, b, 1), new ReLU(), new Conv2d(b, c, 1), new ReLU());
  }
}

export interface NiNOptions {
  numClasses?: number;
  dropout?: number;
}

export class NiN extends Module {
  features: Sequential;
  avgpool: AdaptiveAvgPool2d;

  constructor(options: NiNOptions = {}) {
    super();
    const o = builderOptions<NiNOptions>('NiN', options, { numClasses: 10, dropout: 0.5 });
    const { numClasses, dropout } = o;
    this.features = new Sequential(
      new MlpConv(3, [192, 160, 96], 5, 2),
      new MaxPool2d(3, { stride: 2, padding: 1 }),
      new Dropout(dropout),
      new MlpConv(96, [192, 192, 192], 5, 2),
      new AvgPool2d(3, { stride: 2, padding: 1 }),
      new Dropout(dropout),
      new MlpConv(192, [192, 192, numClasses], 3, 1),
    );
    this.avgpool = new AdaptiveAvgPool2d([1, 1]);
    initKaimingFanOut(this);
  }

  /** x: [N, 3, H, W] -> logits [N, numClasses] (the spatial mean of the last mlpconv's maps). */
  forward(x: Tensor): Tensor {
    return F.flatten(this.avgpool.call(this.features.call(x)), 1);
  }
}

/** Network-in-Network for CIFAR-10: `nin({ numClasses: 10, dropout: 0.5 })`. */
export function nin(options: NiNOptions = {}): NiN {
  builderOptions<NiNOptions>('nin', options, { numClasses: 10, dropout: 0.5 });
  return new NiN(options);
}
