/**
 * Convolution and padding layers, shaped like torch.nn: Conv2d (every padding mode), ConvTranspose2d,
 * and the padding modules (ZeroPad2d, ConstantPad1d/2d/3d, ReflectionPad1d/2d/3d,
 * ReplicationPad1d/2d/3d). Constructor arguments in PyTorch's order (positional, or a trailing
 * options object for the keyword ones); attribute names equal to PyTorch's, so state dicts load by
 * name; PyTorch's default initialization.
 */
import { ArgumentError, ShapeError, fmtShape, where } from '../errors.js';
import * as F from '../ops/index.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import { currentLayer } from '../util/scope.js';
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

function positivePair(op: string, name: string, v: unknown): [number, number] {
  const p = pair(v as IntOrPair, name, op);
  if (p[0] < 1 || p[1] < 1) throw new ArgumentError(`${op}: ${name} must be >= 1, got ${JSON.stringify(v)}`);
  return p;
}

function checkChannels(op: string, inChannels: number, outChannels: number, groups: number): void {
  if (inChannels % groups !== 0) throw new ShapeError(`${op}: inChannels ${inChannels} must be divisible by groups ${groups}`);
  if (outChannels % groups !== 0) throw new ShapeError(`${op}: outChannels ${outChannels} must be divisible by groups ${groups}`);
}

export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';
const PADDING_MODES: readonly PaddingMode[] = ['zeros', 'reflect', 'replicate', 'circular'];

export interface Conv2dOptions extends Record<string, unknown> {
  stride?: IntOrPair;
  padding?: F.Conv2dPadding;
  dilation?: IntOrPair;
  groups?: number;
  bias?: boolean;
  paddingMode?: PaddingMode;
}

/**
 * 2-D convolution layer: weight [outChannels, inChannels / groups, kH, kW], bias [outChannels];
 * input [N, inChannels, H, W] or [inChannels, H, W]. With paddingMode 'reflect', 'replicate' or
 * 'circular' the input is padded by F.pad in that mode and convolved without padding (PyTorch's
 * rule; padding 'same' pads dilation * (k - 1) in total, the odd one at the bottom/right).
 *
 * new Conv2d(inChannels, outChannels, kernelSize, stride?, padding?, dilation?, groups?, bias?, paddingMode?)
 * or new Conv2d(1, 6, 5, { padding: 2, paddingMode: 'reflect' }).
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
    checkChannels(op, inChannels, outChannels, this.groups);
    this.kernelSize = positivePair(op, 'kernelSize', kernelSize);
    this.stride = positivePair(op, 'stride', o.stride);
    this.dilation = positivePair(op, 'dilation', o.dilation);
    if (typeof o.padding === 'string') {
      if (o.padding !== 'same' && o.padding !== 'valid') {
        throw new ArgumentError(`${op}: padding must be an int, a pair, 'same' or 'valid', got '${o.padding}'`);
      }
      if (o.padding === 'same' && (this.stride[0] !== 1 || this.stride[1] !== 1)) {
        throw new ArgumentError(`${op}: padding='same' is not supported for strided convolutions (expected stride 1, got ${JSON.stringify(o.stride)})`);
      }
    } else {
      const p = pair(o.padding, 'padding', op);
      if (p[0] < 0 || p[1] < 0) throw new ArgumentError(`${op}: padding must be >= 0, got ${JSON.stringify(o.padding)}`);
    }
    this.padding = o.padding;
    if (!PADDING_MODES.includes(o.paddingMode)) {
      throw new ArgumentError(`${op}: paddingMode must be 'zeros', 'reflect', 'replicate' or 'circular', got '${String(o.paddingMode)}'`);
    }
    this.paddingMode = o.paddingMode;
    const fanIn = (inChannels / this.groups) * this.kernelSize[0] * this.kernelSize[1];
    const bound = 1 / Math.sqrt(fanIn);
    this.weight = uniformParameter([outChannels, inChannels / this.groups, ...this.kernelSize], bound);
    this.bias = o.bias ? uniformParameter([outChannels], bound) : null;
  }

  /** F.pad's list for the non-zero padding modes: [left, right, top, bottom]. */
  private padList(): number[] {
    if (this.padding === 'valid') return [0, 0, 0, 0];
    if (this.padding === 'same') {
      const out: number[] = [];
      for (const d of [1, 0]) {
        const total = this.dilation[d]! * (this.kernelSize[d]! - 1);
        const left = Math.floor(total / 2);
        out.push(left, total - left);
      }
      return out;
    }
    const [ph, pw] = pair(this.padding, 'padding', 'Conv2d');
    return [pw, pw, ph, ph];
  }

  forward(x: Tensor): Tensor {
    const options = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode === 'zeros') return F.conv2d(x, this.weight, this.bias, { ...options, padding: this.padding });
    if (x.ndim !== 3 && x.ndim !== 4) {
      throw new ShapeError(`${where('Conv2d', currentLayer())}: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got ${fmtShape(x.shape)}`);
    }
    // A batch dim for F.pad (circular padding needs one), removed again after the convolution.
    const batched = x.ndim === 4 ? x : F.reshape(x, [1, ...x.shape]);
    const mode = this.paddingMode === 'reflect' ? 'reflect' : this.paddingMode === 'replicate' ? 'replicate' : 'circular';
    const y = F.conv2d(F.pad(batched, this.padList(), mode), this.weight, this.bias, { ...options, padding: 0 });
    return x.ndim === 4 ? y : F.reshape(y, y.shape.slice(1));
  }

  override extraRepr(): string {
    const parts = [`${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}]`];
    if (this.stride.some((s) => s !== 1)) parts.push(`stride=[${this.stride}]`);
    if (this.padding !== 0) parts.push(`padding=${JSON.stringify(this.padding)}`);
    if (this.dilation.some((d) => d !== 1)) parts.push(`dilation=[${this.dilation}]`);
    if (this.groups !== 1) parts.push(`groups=${this.groups}`);
    if (!this.bias) parts.push('bias=false');
    if (this.paddingMode !== 'zeros') parts.push(`paddingMode=${this.paddingMode}`);
    return parts.join(', ');
  }
}

export interface ConvTranspose2dOptions extends Record<string, unknown> {
  stride?: IntOrPair;
  padding?: IntOrPair;
  outputPadding?: IntOrPair;
  groups?: number;
  bias?: boolean;
  dilation?: IntOrPair;
  paddingMode?: 'zeros';
}

/**
 * 2-D transposed convolution layer: weight [inChannels, outChannels / groups, kH, kW] (PyTorch's
 * layout), bias [outChannels]. Output size (H - 1) * stride - 2 * padding + dilation * (kH - 1) +
 * outputPadding + 1; `forward(x, outputSize)` picks outputPadding to reach a requested size.
 *
 * new ConvTranspose2d(inChannels, outChannels, kernelSize, stride?, padding?, outputPadding?, groups?,
 * bias?, dilation?, paddingMode?) or new ConvTranspose2d(16, 8, 4, { stride: 2, padding: 1 }).
 */
export class ConvTranspose2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly outputPadding: [number, number];
  readonly groups: number;
  readonly dilation: [number, number];
  readonly paddingMode: 'zeros';

  constructor(inChannels: number, outChannels: number, kernelSize: IntOrPair, options?: ConvTranspose2dOptions);
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: IntOrPair,
    stride?: IntOrPair,
    padding?: IntOrPair,
    outputPadding?: IntOrPair,
    groups?: number,
    bias?: boolean,
    dilation?: IntOrPair,
    paddingMode?: 'zeros',
  );
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrPair, ...rest: unknown[]) {
    super();
    const op = 'ConvTranspose2d';
    const o = kwargs<Required<ConvTranspose2dOptions>>(
      op,
      rest,
      ['stride', 'padding', 'outputPadding', 'groups', 'bias', 'dilation', 'paddingMode'],
      { stride: 1, padding: 0, outputPadding: 0, groups: 1, bias: true, dilation: 1, paddingMode: 'zeros' },
    );
    this.inChannels = positiveInt(op, 'inChannels', inChannels);
    this.outChannels = positiveInt(op, 'outChannels', outChannels);
    this.groups = positiveInt(op, 'groups', o.groups);
    checkChannels(op, inChannels, outChannels, this.groups);
    this.kernelSize = positivePair(op, 'kernelSize', kernelSize);
    this.stride = positivePair(op, 'stride', o.stride);
    this.dilation = positivePair(op, 'dilation', o.dilation);
    this.padding = pair(o.padding, 'padding', op);
    this.outputPadding = pair(o.outputPadding, 'outputPadding', op);
    if (this.padding.some((p) => p < 0) || this.outputPadding.some((p) => p < 0)) {
      throw new ArgumentError(`${op}: padding and outputPadding must be >= 0, got ${JSON.stringify(o.padding)} and ${JSON.stringify(o.outputPadding)}`);
    }
    if (o.paddingMode !== 'zeros') {
      throw new ArgumentError(`${op}: only 'zeros' padding mode is supported for ConvTranspose2d, got '${String(o.paddingMode)}'`);
    }
    this.paddingMode = 'zeros';
    // PyTorch's fan-in of this weight layout: dim 1 (outChannels / groups) times the kernel area.
    const fanIn = (outChannels / this.groups) * this.kernelSize[0] * this.kernelSize[1];
    const bound = 1 / Math.sqrt(fanIn);
    this.weight = uniformParameter([inChannels, outChannels / this.groups, ...this.kernelSize], bound);
    this.bias = o.bias ? uniformParameter([outChannels], bound) : null;
  }

  /** The outputPadding that makes the output `outputSize` ([H, W], or [N, C, H, W] whose last two count). */
  private outputPaddingFor(x: Tensor, outputSize: readonly number[] | null): [number, number] {
    if (!outputSize) return this.outputPadding;
    const layer = currentLayer();
    const size = outputSize.slice(-2);
    if (size.length !== 2 || (outputSize.length !== 2 && outputSize.length !== x.ndim)) {
      throw new ArgumentError(`${where('ConvTranspose2d', layer)}: outputSize must have 2 or ${x.ndim} elements, got ${JSON.stringify(outputSize)}`);
    }
    const out: number[] = [];
    for (const d of [0, 1]) {
      const inSize = x.shape[x.ndim - 2 + d]!;
      const min = (inSize - 1) * this.stride[d]! - 2 * this.padding[d]! + this.dilation[d]! * (this.kernelSize[d]! - 1) + 1;
      const max = min + this.stride[d]! - 1;
      if (size[d]! < min || size[d]! > max) {
        throw new ShapeError(
          `${where('ConvTranspose2d', layer)}: requested an output size of ${JSON.stringify(size)}, but valid sizes range from [${min}..${max}] along dim ${d} (for an input of ${fmtShape(x.shape)})`,
        );
      }
      out.push(size[d]! - min);
    }
    return [out[0]!, out[1]!];
  }

  /**
   * The transposed convolution; `outputSize` ([H, W] or the full shape) overrides outputPadding.
   * `layer.call(x)` names the layer in errors; `layer.forward(x, outputSize)` takes the size.
   */
  forward(x: Tensor, outputSize?: unknown): Tensor {
    if (outputSize !== undefined && outputSize !== null && (!Array.isArray(outputSize) || outputSize.some((v) => !Number.isInteger(v)))) {
      throw new ArgumentError(`${where('ConvTranspose2d', currentLayer())}: outputSize must be a list of integers, got ${String(outputSize)}`);
    }
    return F.convTranspose2d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      outputPadding: this.outputPaddingFor(x, (outputSize as number[] | undefined) ?? null),
      groups: this.groups,
      dilation: this.dilation,
    });
  }

  override extraRepr(): string {
    const parts = [`${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}]`];
    if (this.stride.some((s) => s !== 1)) parts.push(`stride=[${this.stride}]`);
    if (this.padding.some((p) => p !== 0)) parts.push(`padding=[${this.padding}]`);
    if (this.outputPadding.some((p) => p !== 0)) parts.push(`outputPadding=[${this.outputPadding}]`);
    if (this.dilation.some((d) => d !== 1)) parts.push(`dilation=[${this.dilation}]`);
    if (this.groups !== 1) parts.push(`groups=${this.groups}`);
    if (!this.bias) parts.push('bias=false');
    return parts.join(', ');
  }
}

// ---- padding layers -----------------------------------------------------------------------------

/** PyTorch's padding modules: an int pads every side, a list gives F.pad's list (last dim first). */
abstract class PadNd extends Module {
  readonly padding: number[];

  readonly mode: F.PadMode;
  readonly value: number;

  constructor(op: string, dims: number, padding: number | readonly number[], mode: F.PadMode, value = 0) {
    super();
    this.mode = mode;
    this.value = value;
    const p = typeof padding === 'number' ? new Array<number>(2 * dims).fill(padding) : [...padding];
    if (p.length !== 2 * dims || p.some((v) => !Number.isInteger(v))) {
      throw new ArgumentError(`${op}: padding must be an int or ${2 * dims} ints, got ${JSON.stringify(padding)}`);
    }
    this.padding = p;
  }

  forward(x: Tensor): Tensor {
    return this.mode === 'constant' ? F.pad(x, this.padding, 'constant', this.value) : F.pad(x, this.padding, this.mode);
  }

  override extraRepr(): string {
    return `${JSON.stringify(this.padding)}${this.mode === 'constant' ? `, value=${this.value}` : ''}`;
  }
}

/** Pads the last dim with a constant: padding int or [left, right]. */
export class ConstantPad1d extends PadNd {
  constructor(padding: number | readonly number[], value: number) {
    super('ConstantPad1d', 1, padding, 'constant', value);
  }
}

/** Pads the last 2 dims with a constant: padding int or [left, right, top, bottom]. */
export class ConstantPad2d extends PadNd {
  constructor(padding: number | readonly number[], value: number) {
    super('ConstantPad2d', 2, padding, 'constant', value);
  }
}

/** Pads the last 3 dims with a constant: padding int or [left, right, top, bottom, front, back]. */
export class ConstantPad3d extends PadNd {
  constructor(padding: number | readonly number[], value: number) {
    super('ConstantPad3d', 3, padding, 'constant', value);
  }
}

/** Pads the last 2 dims with zeros: padding int or [left, right, top, bottom]. */
export class ZeroPad2d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super('ZeroPad2d', 2, padding, 'constant', 0);
  }
}

/** Reflects the last dim at its edges ([C, W] or [N, C, W]); padding int or [left, right]. */
export class ReflectionPad1d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super('ReflectionPad1d', 1, padding, 'reflect');
  }
}

/** Reflects the last 2 dims at their edges; padding int or [left, right, top, bottom]. */
export class ReflectionPad2d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super('ReflectionPad2d', 2, padding, 'reflect');
  }
}

/** Reflects the last 3 dims at their edges; padding int or 6 ints. */
export class ReflectionPad3d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super('ReflectionPad3d', 3, padding, 'reflect');
  }
}

/** Repeats the edge of the last dim; padding int or [left, right]. */
export class ReplicationPad1d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super('ReplicationPad1d', 1, padding, 'replicate');
  }
}

/** Repeats the edges of the last 2 dims; padding int or [left, right, top, bottom]. */
export class ReplicationPad2d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super('ReplicationPad2d', 2, padding, 'replicate');
  }
}

/** Repeats the edges of the last 3 dims; padding int or 6 ints. */
export class ReplicationPad3d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super('ReplicationPad3d', 3, padding, 'replicate');
  }
}
