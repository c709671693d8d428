/**
 * Convolution layers, shaped like torch.nn: Conv2d (every padding mode) and ConvTranspose2d.
 * Constructor arguments in PyTorch's order (positional, or a trailing options object for the
 * keyword ones); attribute names equal to PyTorch's, so state dicts load by name; PyTorch's default
 * initialization. The padding modules are in ./padding.js.
 */
import { ShapeError, fmtShape, where } from '../errors.js';
import { currentLayer } from '../util/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import { Module, Parameter, uniformParameter } from './module.js';
import { argumentError, intPair, nonNegativePair, oneOf, positiveInt, positivePair } from '../util/validate.js';
import { imageInput } from '../ops/operands.js';
import * as F from '../ops/index.js';

type IntOrPair = F.IntOrPair;

/**
 * What Conv2d and ConvTranspose2d share (PyTorch's _ConvNd): the checked channels, kernel size,
 * stride, dilation and groups, and the weight and bias with PyTorch's default initialization.
 * The weight is [outChannels, inChannels / groups, kH, kW], or [inChannels, outChannels / groups,
 * kH, kW] when transposed; its fan-in is dim 1 times the kernel area.
 */
abstract class ConvNd extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(op: string, inChannels: number, outChannels: number, kernelSize: IntOrPair, o: ConvNdOptions, transposed: boolean) {
    super();
    this.inChannels = positiveInt(op, 'inChannels', inChannels);
    this.outChannels = positiveInt(op, 'outChannels', outChannels);
    const groups = (this.groups = positiveInt(op, 'groups', o.groups));
    if (inChannels % groups !== 0) throw new ShapeError(`${op}: inChannels ${inChannels} must be divisible by groups ${groups}`);
    if (outChannels % groups !== 0) throw new ShapeError(`${op}: outChannels ${outChannels} must be divisible by groups ${groups}`);
    this.kernelSize = positivePair(op, 'kernelSize', kernelSize);
    this.stride = positivePair(op, 'stride', o.stride);
    this.dilation = positivePair(op, 'dilation', o.dilation);
    const [rows, cols] = transposed ? [inChannels, outChannels] : [outChannels, inChannels];
    const bound = 1 / Math.sqrt((cols / groups) * this.kernelSize[0] * this.kernelSize[1]);
    this.weight = uniformParameter([rows, cols / groups, ...this.kernelSize], bound);
    this.bias = o.bias ? uniformParameter([outChannels], bound) : null;
  }
}

interface ConvNdOptions {
  stride: IntOrPair;
  dilation: IntOrPair;
  groups: number;
  bias: boolean;
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
export class Conv2d extends ConvNd {
  readonly padding: F.Conv2dPadding;
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
    const op = 'Conv2d';
    const o = kwargs<Required<Conv2dOptions>>(op, rest, ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode'], {
      stride: 1,
      padding: 0,
      dilation: 1,
      groups: 1,
      bias: true,
      paddingMode: 'zeros',
    });
    super(op, inChannels, outChannels, kernelSize, o, false);
    if (typeof o.padding === 'string') {
      if (o.padding !== 'same' && o.padding !== 'valid') {
        throw argumentError(op, `padding must be an int, a pair, 'same' or 'valid', got '${o.padding}'`);
      }
      if (o.padding === 'same' && (this.stride[0] !== 1 || this.stride[1] !== 1)) {
        throw argumentError(op, `padding='same' is not supported for strided convolutions (expected stride 1, got ${JSON.stringify(o.stride)})`);
      }
    } else {
      nonNegativePair(op, 'padding', o.padding);
    }
    this.padding = o.padding;
    this.paddingMode = oneOf(op, 'paddingMode', o.paddingMode, PADDING_MODES);
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
    const [ph, pw] = intPair('Conv2d', 'padding', this.padding);
    return [pw, pw, ph, ph];
  }

  forward(x: Tensor): Tensor {
    const options = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode === 'zeros') return F.conv2d(x, this.weight, this.bias, { ...options, padding: this.padding });
    imageInput('Conv2d', x);
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
export class ConvTranspose2d extends ConvNd {
  readonly padding: [number, number];
  readonly outputPadding: [number, number];
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
    const op = 'ConvTranspose2d';
    const o = kwargs<Required<ConvTranspose2dOptions>>(
      op,
      rest,
      ['stride', 'padding', 'outputPadding', 'groups', 'bias', 'dilation', 'paddingMode'],
      { stride: 1, padding: 0, outputPadding: 0, groups: 1, bias: true, dilation: 1, paddingMode: 'zeros' },
    );
    super(op, inChannels, outChannels, kernelSize, o, true);
    this.padding = nonNegativePair(op, 'padding', o.padding);
    this.outputPadding = nonNegativePair(op, 'outputPadding', o.outputPadding);
    if (o.paddingMode !== 'zeros') {
      throw argumentError(op, `only 'zeros' padding mode is supported for ConvTranspose2d, got '${String(o.paddingMode)}'`);
    }
    this.paddingMode = 'zeros';
  }

  /** The outputPadding that makes the output `outputSize` ([H, W], or [N, C, H, W] whose last two count). */
  private outputPaddingFor(x: Tensor, outputSize: readonly number[] | null): [number, number] {
    if (!outputSize) return this.outputPadding;
    const layer = currentLayer();
    const size = outputSize.slice(-2);
    if (size.length !== 2 || (outputSize.length !== 2 && outputSize.length !== x.ndim)) {
      throw argumentError('ConvTranspose2d', `outputSize must have 2 or ${x.ndim} elements, got ${JSON.stringify(outputSize)}`);
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
      throw argumentError('ConvTranspose2d', `outputSize must be a list of integers, got ${String(outputSize)}`);
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
