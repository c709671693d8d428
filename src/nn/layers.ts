/**
 * Layers with parameters or options, shaped like torch.nn: constructor arguments in PyTorch's order
 * (positional, or a trailing options object for the keyword ones), attribute names equal to
 * PyTorch's so state dicts load by name, and PyTorch's default initialization.
 */
import { ArgumentError, ShapeError, where } from '../errors.js';
import * as F from '../ops/index.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import { pair } from '../util/shape.js';
import { defaultGenerator } from '../util/random.js';
import { Module, Parameter } from './module.js';

type IntOrPair = F.IntOrPair;

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

export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

export interface Conv2dOptions extends Record<string, unknown> {
  stride?: IntOrPair;
  padding?: F.Conv2dPadding;
  dilation?: IntOrPair;
  groups?: number;
  bias?: boolean;
  paddingMode?: PaddingMode;
}

/**
 * 2-D convolution layer: weight [outChannels, inChannels / groups, kH, kW], bias [outChannels].
 * new Conv2d(inChannels, outChannels, kernelSize, stride?, padding?, dilation?, groups?, bias?, paddingMode?)
 * or new Conv2d(1, 6, 5, { padding: 2 }).
 */
export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: F.Conv2dPadding;
  readonly dilation: [number, number];
  readonly groups: number;
  readonly paddingMode: PaddingMode;

  constructor(inChannels: number, outChannels: number, kernelSize: IntOrPair, options?: Conv2dOptions);
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: IntOrPair,
    stride?: IntOrPair,
    padding?: F.Conv2dPadding,
    dilation?: IntOrPair,
    groups?: number,
    bias?: boolean,
    paddingMode?: PaddingMode,
  );
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrPair, ...rest: unknown[]) {
    super();
    const op = 'Conv2d';
    const o = kwargs<Required<Conv2dOptions>>(op, rest, ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode'], {
      stride: 1,
      padding: 0,
      dilation: 1,
      groups: 1,
      bias: true,
      paddingMode: 'zeros',
    });
    this.inChannels = positiveInt(op, 'inChannels', inChannels);
    this.outChannels = positiveInt(op, 'outChannels', outChannels);
    this.groups = positiveInt(op, 'groups', o.groups);
    if (inChannels % this.groups !== 0) throw new ShapeError(`${op}: inChannels ${inChannels} must be divisible by groups ${this.groups}`);
    if (outChannels % this.groups !== 0) throw new ShapeError(`${op}: outChannels ${outChannels} must be divisible by groups ${this.groups}`);
    this.kernelSize = pair(kernelSize, 'kernelSize', op);
    this.stride = pair(o.stride, 'stride', op);
    this.dilation = pair(o.dilation, 'dilation', op);
    if ([...this.kernelSize, ...this.stride, ...this.dilation].some((v) => v < 1)) {
      throw new ArgumentError(`${op}: kernelSize, stride and dilation must be >= 1`);
    }
    if (o.padding === 'same' && (this.stride[0] !== 1 || this.stride[1] !== 1)) {
      throw new ArgumentError(`${op}: padding='same' is not supported for strided convolutions`);
    }
    this.padding = o.padding;
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(o.paddingMode)) {
      throw new ArgumentError(`${op}: paddingMode must be 'zeros', 'reflect', 'replicate' or 'circular', got '${String(o.paddingMode)}'`);
    }
    if (o.paddingMode !== 'zeros') {
      throw new ArgumentError(`${op}: paddingMode '${o.paddingMode}' is not supported yet; use 'zeros'`);
    }
    this.paddingMode = o.paddingMode;
    const fanIn = (inChannels / this.groups) * this.kernelSize[0] * this.kernelSize[1];
    const bound = 1 / Math.sqrt(fanIn);
    this.weight = uniformParameter([outChannels, inChannels / this.groups, ...this.kernelSize], bound);
    this.bias = o.bias ? uniformParameter([outChannels], bound) : null;
  }

  forward(x: Tensor): Tensor {
    return F.conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  override extraRepr(): string {
    const parts = [`${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}]`];
    if (this.stride.some((s) => s !== 1)) parts.push(`stride=[${this.stride}]`);
    if (this.padding !== 0) parts.push(`padding=${JSON.stringify(this.padding)}`);
    if (this.dilation.some((d) => d !== 1)) parts.push(`dilation=[${this.dilation}]`);
    if (this.groups !== 1) parts.push(`groups=${this.groups}`);
    if (!this.bias) parts.push('bias=false');
    return parts.join(', ');
  }
}

export interface MaxPool2dOptions extends Record<string, unknown> {
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  dilation?: IntOrPair;
  returnIndices?: boolean;
  ceilMode?: boolean;
}

/** new MaxPool2d(kernelSize, stride?, padding?, dilation?, returnIndices?, ceilMode?) (PyTorch's order). */
export class MaxPool2d extends Module {
  readonly kernelSize: IntOrPair;
  readonly stride: IntOrPair | null;
  readonly padding: IntOrPair;
  readonly dilation: IntOrPair;
  readonly returnIndices: boolean;
  readonly ceilMode: boolean;

  constructor(kernelSize: IntOrPair, ...rest: unknown[]) {
    super();
    const o = kwargs<Required<MaxPool2dOptions>>('MaxPool2d', rest, ['stride', 'padding', 'dilation', 'returnIndices', 'ceilMode'], {
      stride: null,
      padding: 0,
      dilation: 1,
      returnIndices: false,
      ceilMode: false,
    });
    this.kernelSize = kernelSize;
    this.stride = o.stride;
    this.padding = o.padding;
    this.dilation = o.dilation;
    this.returnIndices = o.returnIndices;
    this.ceilMode = o.ceilMode;
    if (this.returnIndices) throw new ArgumentError('MaxPool2d: returnIndices is only available through the functional maxPool2d');
  }

  forward(x: Tensor): Tensor {
    return F.maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }

  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, stride=${JSON.stringify(this.stride ?? this.kernelSize)}`;
  }
}

export interface AvgPool2dOptions extends Record<string, unknown> {
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

/** new AvgPool2d(kernelSize, stride?, padding?, ceilMode?, countIncludePad?, divisorOverride?). */
export class AvgPool2d extends Module {
  readonly kernelSize: IntOrPair;
  readonly options: Required<AvgPool2dOptions>;

  constructor(kernelSize: IntOrPair, ...rest: unknown[]) {
    super();
    this.kernelSize = kernelSize;
    this.options = kwargs<Required<AvgPool2dOptions>>('AvgPool2d', rest, ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'], {
      stride: null,
      padding: 0,
      ceilMode: false,
      countIncludePad: true,
      divisorOverride: null,
    });
  }

  forward(x: Tensor): Tensor {
    return F.avgPool2d(x, this.kernelSize, this.options);
  }

  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}`;
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

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.leakyRelu(x, this.negativeSlope);
  }
}

export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
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
