/**
 * Activation modules beyond those in layers.ts, shaped like torch.nn: constructor arguments in
 * PyTorch's order (positional, or one options object), `inplace` accepted and ignored (a lazy graph
 * has no use for in-place maths). Each forward is the functional op of the same name.
 */
import { ArgumentError } from '../errors.js';
import * as F from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import { Module } from './module.js';

/** x for x > 0, alpha (exp(x) - 1) otherwise. new ELU(alpha = 1, inplace = false). */
export class ELU extends Module {
  readonly alpha: number;
  readonly inplace: boolean;

  constructor(...args: unknown[]) {
    super();
    const o = kwargs('ELU', args, ['alpha', 'inplace'], { alpha: 1, inplace: false });
    this.alpha = o.alpha;
    this.inplace = o.inplace;
  }

  forward(x: Tensor): Tensor {
    return F.elu(x, this.alpha);
  }

  override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/** x * relu6(x + 3) / 6 (MobileNetV3). new Hardswish(inplace = false). */
export class Hardswish extends Module {
  readonly inplace: boolean;

  constructor(...args: unknown[]) {
    super();
    this.inplace = kwargs('Hardswish', args, ['inplace'], { inplace: false }).inplace;
  }

  forward(x: Tensor): Tensor {
    return F.hardswish(x);
  }
}

/** relu6(x + 3) / 6. new Hardsigmoid(inplace = false). */
export class Hardsigmoid extends Module {
  readonly inplace: boolean;

  constructor(...args: unknown[]) {
    super();
    this.inplace = kwargs('Hardsigmoid', args, ['inplace'], { inplace: false }).inplace;
  }

  forward(x: Tensor): Tensor {
    return F.hardsigmoid(x);
  }
}

/** log(1 + exp(beta x)) / beta, x itself where beta x > threshold. new Softplus(beta = 1, threshold = 20). */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;

  constructor(...args: unknown[]) {
    super();
    const o = kwargs('Softplus', args, ['beta', 'threshold'], { beta: 1, threshold: 20 });
    this.beta = o.beta;
    this.threshold = o.threshold;
  }

  forward(x: Tensor): Tensor {
    return F.softplus(x, this.beta, this.threshold);
  }

  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/**
 * clamp(x, minVal, maxVal), gradient 1 strictly inside. new Hardtanh(minVal = -1, maxVal = 1,
 * inplace = false, minValue = null, maxValue = null) (minValue / maxValue: PyTorch's deprecated names).
 */
export class Hardtanh extends Module {
  readonly minVal: number;
  readonly maxVal: number;
  readonly inplace: boolean;

  constructor(...args: unknown[]) {
    super();
    const o = kwargs<{ minVal: number; maxVal: number; inplace: boolean; minValue: number | null; maxValue: number | null }>(
      'Hardtanh',
      args,
      ['minVal', 'maxVal', 'inplace', 'minValue', 'maxValue'],
      { minVal: -1, maxVal: 1, inplace: false, minValue: null, maxValue: null },
    );
    this.minVal = o.minValue ?? o.minVal;
    this.maxVal = o.maxValue ?? o.maxVal;
    this.inplace = o.inplace;
    if (!(this.maxVal > this.minVal)) throw new ArgumentError(`Hardtanh: maxVal (${this.maxVal}) must be greater than minVal (${this.minVal})`);
  }

  forward(x: Tensor): Tensor {
    return F.hardtanh(x, this.minVal, this.maxVal);
  }

  override extraRepr(): string {
    return `minVal=${this.minVal}, maxVal=${this.maxVal}`;
  }
}

abstract class SoftmaxLike extends Module {
  readonly dim: number | null;

  constructor(name: string, args: unknown[]) {
    super();
    this.dim = kwargs<{ dim: number | null }>(name, args, ['dim'], { dim: null }).dim;
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/**
 * Softmax along `dim`: new Softmax(dim). As F.softmax here, the dim is required (PyTorch's
 * implicit choice when it is null is deprecated); forward throws when it was not given.
 */
export class Softmax extends SoftmaxLike {
  constructor(...args: unknown[]) {
    super('Softmax', args);
  }

  forward(x: Tensor): Tensor {
    return F.softmax(x, { dim: this.dim });
  }
}

/** Log-softmax along `dim`: new LogSoftmax(dim). */
export class LogSoftmax extends SoftmaxLike {
  constructor(...args: unknown[]) {
    super('LogSoftmax', args);
  }

  forward(x: Tensor): Tensor {
    return F.logSoftmax(x, { dim: this.dim });
  }
}

/** Softmax of -x along `dim`: new Softmin(dim). */
export class Softmin extends SoftmaxLike {
  constructor(...args: unknown[]) {
    super('Softmin', args);
  }

  forward(x: Tensor): Tensor {
    return F.softmin(x, { dim: this.dim });
  }
}

/** Channel shuffle of [N, C, *] in `groups` groups (ShuffleNet): new ChannelShuffle(groups). */
export class ChannelShuffle extends Module {
  readonly groups: number;

  constructor(groups: number | { groups?: number }) {
    super();
    const g = kwargs<{ groups: number }>('ChannelShuffle', [groups], ['groups'], { groups: NaN }).groups;
    if (!Number.isInteger(g) || g <= 0) throw new ArgumentError(`ChannelShuffle: groups must be a positive integer, got ${String(g)}`);
    this.groups = g;
  }

  forward(x: Tensor): Tensor {
    return F.channelShuffle(x, this.groups);
  }

  override extraRepr(): string {
    return `groups=${this.groups}`;
  }
}
