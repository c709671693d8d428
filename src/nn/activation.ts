/**
 * Activation modules, shaped like torch.nn: constructor arguments in PyTorch's order (positional,
 * or one options object), `inplace` accepted and ignored (a lazy graph has no use for in-place
 * maths). Each forward is the functional op of the same name, and a constructor checks its
 * arguments with the op's own checks (src/util/validate.ts), so a bad value fails at construction.
 */
import * as F from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import { argumentError, finiteNumber, oneOf } from '../util/validate.js';
import { Module } from './module.js';

/** max(0, x). new ReLU(inplace = false). */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return F.relu(x);
  }
}

/** min(max(0, x), 6). new ReLU6(inplace = false). */
export class ReLU6 extends Module {
  forward(x: Tensor): Tensor {
    return F.relu6(x);
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return F.tanh(x);
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return F.sigmoid(x);
  }
}

/** x * sigmoid(x). */
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return F.silu(x);
  }
}

/** max(0, x) + negativeSlope * min(0, x). new LeakyReLU(negativeSlope = 0.01, inplace = false), or new LeakyReLU({ negativeSlope }). */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;

  constructor(...args: unknown[]) {
    super();
    const o = kwargs('LeakyReLU', args, ['negativeSlope', 'inplace'], { negativeSlope: 0.01, inplace: false });
    this.negativeSlope = finiteNumber('LeakyReLU', 'negativeSlope', o.negativeSlope);
  }

  forward(x: Tensor): Tensor {
    return F.leakyRelu(x, this.negativeSlope);
  }
}

/** Gaussian error linear unit. new GELU(approximate = 'none'), or new GELU({ approximate: 'tanh' }). */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';

  constructor(...args: unknown[]) {
    super();
    const o = kwargs('GELU', args, ['approximate'], { approximate: 'none' as 'none' | 'tanh' });
    this.approximate = oneOf('GELU', 'approximate', o.approximate, ['none', 'tanh'] as const);
  }

  forward(x: Tensor): Tensor {
    return F.gelu(x, this.approximate);
  }
}

/** x for x > 0, alpha (exp(x) - 1) otherwise. new ELU(alpha = 1, inplace = false). */
export class ELU extends Module {
  readonly alpha: number;
  readonly inplace: boolean;

  constructor(...args: unknown[]) {
    super();
    const o = kwargs('ELU', args, ['alpha', 'inplace'], { alpha: 1, inplace: false });
    this.alpha = finiteNumber('ELU', 'alpha', o.alpha);
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
    this.beta = finiteNumber('Softplus', 'beta', o.beta);
    this.threshold = finiteNumber('Softplus', 'threshold', o.threshold);
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
    this.minVal = finiteNumber('Hardtanh', 'minVal', o.minValue ?? o.minVal);
    this.maxVal = finiteNumber('Hardtanh', 'maxVal', o.maxValue ?? o.maxVal);
    this.inplace = o.inplace;
    if (!(this.maxVal > this.minVal)) throw argumentError('Hardtanh', `maxVal (${this.maxVal}) must be greater than minVal (${this.minVal})`);
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
