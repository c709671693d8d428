/**
 * LeNet-5 (LeCun et al. 1998) as usually trained on 28x28 MNIST today: conv 5x5 6 (padding 2),
 * activation, pool 2; conv 5x5 16, activation, pool 2; fc 120, fc 84, fc 10.
 * State-dict names: conv1.*, conv2.*, fc1.*, fc2.*, fc3.*.
 *
 * The paper's own form is `lenet5({ activation: 'tanh', pooling: 'avg', c3Table: 'lecun' })`
 * (LeCun, Bottou, Bengio, Haffner, "Gradient-Based Learning Applied to Document Recognition",
 * Proc. IEEE 1998, Sec. II-B): tanh squashing, average-pool subsampling, and C3's sparse
 * connection table (Table 1): each of C3's 16 maps reads 3, 4 or 6 of S2's 6 maps (60 of the 96
 * pairs). The table is a fixed 16x6 mask multiplied into conv2's full [16, 6, 5, 5] weight in
 * forward (so the state dict and its names stay those of the full layer, and the masked weights
 * get zero gradient); the masked entries are zeroed at construction, so 60 x 25 + 16 = 1,516 of
 * conv2's 2,416 parameters are live. Not modelled: S2/S4's trainable subsampling coefficients,
 * the scaled tanh (1.7159 tanh(2a/3)) and the RBF output layer; the 32x32 input is 28x28 with
 * conv1 padding 2, as before.
 */
import { ArgumentError } from '../errors.js';
import * as F from '../ops/index.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { Conv2d, Linear } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { builderOptions } from './builder-options.js';

/** LeCun et al. 1998, Table 1: the S2 maps each of C3's 16 maps is connected to. */
export const LECUN_C3_TABLE: readonly (readonly number[])[] = [
  [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 0], [5, 0, 1],
  [0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 0], [4, 5, 0, 1], [5, 0, 1, 2],
  [0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5],
  [0, 1, 2, 3, 4, 5],
];

export interface LeNet5Options {
  /** 'relu' (default; trains faster) or 'tanh' (the paper's squashing function). */
  activation?: 'relu' | 'tanh';
  /** 'max' (default) or 'avg' (closest to the paper's subsampling). */
  pooling?: 'max' | 'avg';
  numClasses?: number;
  inChannels?: number;
  /** 'full' (default: every C3 map reads all 6 S2 maps) or 'lecun' (the paper's Table 1). */
  c3Table?: 'full' | 'lecun';
}

export class LeNet5 extends Module {
  conv1: Conv2d;
  conv2: Conv2d;
  fc1: Linear;
  fc2: Linear;
  fc3: Linear;
  readonly activation: 'relu' | 'tanh';
  readonly pooling: 'max' | 'avg';
  readonly c3Table: 'full' | 'lecun';
  /** [16, 6, 1, 1] 0/1 mask of Table 1 (not state: an underscore keeps it out of the state dict). */
  private readonly _c3Mask: Tensor | null;

  constructor(options: LeNet5Options = {}) {
    super();
    this.activation = options.activation ?? 'relu';
    this.pooling = options.pooling ?? 'max';
    if (this.activation !== 'relu' && this.activation !== 'tanh') {
      throw new ArgumentError(`LeNet5: activation must be 'relu' or 'tanh', got '${String(this.activation)}'`);
    }
    if (this.pooling !== 'max' && this.pooling !== 'avg') {
      throw new ArgumentError(`LeNet5: pooling must be 'max' or 'avg', got '${String(this.pooling)}'`);
    }
    this.c3Table = options.c3Table ?? 'full';
    if (this.c3Table !== 'full' && this.c3Table !== 'lecun') {
      throw new ArgumentError(`LeNet5: c3Table must be 'full' or 'lecun', got '${String(this.c3Table)}'`);
    }
    this.conv1 = new Conv2d(options.inChannels ?? 1, 6, 5, { padding: 2 });
    this.conv2 = new Conv2d(6, 16, 5);
    this._c3Mask = null;
    if (this.c3Table === 'lecun') {
      const mask = new Float32Array(16 * 6);
      LECUN_C3_TABLE.forEach((ins, o) => ins.forEach((i) => (mask[o * 6 + i] = 1)));
      this._c3Mask = tensor(mask, { shape: [16, 6, 1, 1] });
      this.conv2.loadStateDict({ weight: F.mul(this.conv2.weight, this._c3Mask), bias: this.conv2.bias! });
    }
    this.fc1 = new Linear(16 * 5 * 5, 120);
    this.fc2 = new Linear(120, 84);
    this.fc3 = new Linear(84, options.numClasses ?? 10);
  }

  private act(x: Tensor): Tensor {
    return this.activation === 'relu' ? F.relu(x) : F.tanh(x);
  }

  private pool(x: Tensor): Tensor {
    return this.pooling === 'max' ? F.maxPool2d(x, 2) : F.avgPool2d(x, 2);
  }

  /** x: [N, 1, 28, 28] -> logits [N, 10]. */
  forward(x: Tensor): Tensor {
    let h = this.pool(this.act(this.conv1.call(x)));
    const c3 = this._c3Mask ? F.conv2d(h, F.mul(this.conv2.weight, this._c3Mask), this.conv2.bias) : this.conv2.call(h);
    h = this.pool(this.act(c3));
    h = F.flatten(h, 1);
    h = this.act(this.fc1.call(h));
    h = this.act(this.fc2.call(h));
    return this.fc3.call(h);
  }
}

/** LeNet-5: `lenet5({ activation, pooling, c3Table, numClasses, inChannels })` (see LeNet5Options). */
export function lenet5(options: LeNet5Options = {}): LeNet5 {
  return new LeNet5(builderOptions<LeNet5Options>('lenet5', options, { activation: 'relu', pooling: 'max', numClasses: 10, inChannels: 1, c3Table: 'full' }));
}
