/**
 * Layers with parameters or options, shaped like torch.nn: constructor arguments in PyTorch's order
 * (positional, or a trailing options object for the keyword ones), attribute names equal to
 * PyTorch's so state dicts load by name, and PyTorch's default initialization.
 */
import { ArgumentError, where } from '../errors.js';
import * as F from '../ops/index.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import { defaultGenerator } from '../util/random.js';
import { Module, Parameter } from './module.js';

// Conv2d lives in ./conv.js with the other convolution and padding layers.
// MaxPool2d, AvgPool2d and the adaptive pooling layers live in ./pooling.js; norms in ./norm.js.
export { Conv2d, type Conv2dOptions, type PaddingMode } from './conv.js';

/** U(-bound, bound) data as a Parameter (PyTorch's kaiming_uniform(a=sqrt(5)) gives bound 1/sqrt(fanIn)). */
function uniformParameter(shape: number[], bound: number): Parameter {
  const data = new Float32Array(shape.reduce((p, d) => p * d, 1));
  for (let i = 0; i < data.length; i++) data[i] = (defaultGenerator.random() * 2 - 1) * bound;
  return new Parameter(tensor(data, { shape }));
}

function positiveInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new ArgumentError(`${where(op)}: ${name} must be a positive integer, got ${String(v)}`);
  }
  return v;
}

/** y = x W^T + b; weight [outFeatures, inFeatures], bias [outFeatures]. */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, bias: boolean | { bias?: boolean } = true) {
    super();
    const o = kwargs('Linear', [bias], ['bias'], { bias: true });
    this.inFeatures = positiveInt('Linear', 'inFeatures', inFeatures);
    this.outFeatures = positiveInt('Linear', 'outFeatures', outFeatures);
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = uniformParameter([outFeatures, inFeatures], bound);
    this.bias = o.bias ? uniformParameter([outFeatures], bound) : null;
  }

  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/** Flattens dims startDim..endDim (default 1..-1, keeping the batch). */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.flatten(x, this.startDim, this.endDim);
  }
}

export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return F.relu(x);
  }
}

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

/** new LeakyReLU(negativeSlope = 0.01, inplace = false), or new LeakyReLU({ negativeSlope }). */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;

  constructor(...args: unknown[]) {
    super();
    this.negativeSlope = kwargs('LeakyReLU', args, ['negativeSlope', 'inplace'], { negativeSlope: 0.01, inplace: false }).negativeSlope;
  }

  forward(x: Tensor): Tensor {
    return F.leakyRelu(x, this.negativeSlope);
  }
}

/** new GELU(approximate = 'none'), or new GELU({ approximate: 'tanh' }). */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';

  constructor(...args: unknown[]) {
    super();
    this.approximate = kwargs('GELU', args, ['approximate'], { approximate: 'none' as 'none' | 'tanh' }).approximate;
  }

  forward(x: Tensor): Tensor {
    return F.gelu(x, this.approximate);
  }
}

export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return F.silu(x);
  }
}

/** Runs children in order; their names are "0", "1", ... as in PyTorch. */
export class Sequential extends Module {
  constructor(...layers: Module[]) {
    super();
    layers.forEach((m, i) => {
      if (!(m instanceof Module)) throw new ArgumentError(`Sequential: argument ${i} is not a Module`);
      (this as unknown as Record<string, Module>)[String(i)] = m;
    });
  }

  get length(): number {
    return this.children().length;
  }

  at(i: number): Module {
    const c = this.children();
    const m = c[i < 0 ? c.length + i : i];
    if (!m) throw new ArgumentError(`Sequential: index ${i} out of range (length ${c.length})`);
    return m;
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this.children()) y = m.call(y);
    return y;
  }
}
