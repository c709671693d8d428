/**
 * LeNet-5 (LeCun et al. 1998) as usually trained on 28x28 MNIST today: conv 5x5 6 (padding 2),
 * activation, pool 2; conv 5x5 16, activation, pool 2; fc 120, fc 84, fc 10.
 * State-dict names: conv1.*, conv2.*, fc1.*, fc2.*, fc3.*.
 */
import { ArgumentError } from '../errors.js';
import * as F from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { Conv2d, Linear } from '../nn/layers.js';
import { Module } from '../nn/module.js';

export interface LeNet5Options {
  /** 'relu' (default; trains faster) or 'tanh' (the paper's squashing function). */
  activation?: 'relu' | 'tanh';
  /** 'max' (default) or 'avg' (closest to the paper's subsampling). */
  pooling?: 'max' | 'avg';
  numClasses?: number;
  inChannels?: number;
}

export class LeNet5 extends Module {
  conv1: Conv2d;
  conv2: Conv2d;
  fc1: Linear;
  fc2: Linear;
  fc3: Linear;
  readonly activation: 'relu' | 'tanh';
  readonly pooling: 'max' | 'avg';

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
    this.conv1 = new Conv2d(options.inChannels ?? 1, 6, 5, { padding: 2 });
    this.conv2 = new Conv2d(6, 16, 5);
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
    h = this.pool(this.act(this.conv2.call(h)));
    h = F.flatten(h, 1);
    h = this.act(this.fc1.call(h));
    h = this.act(this.fc2.call(h));
    return this.fc3.call(h);
  }
}
