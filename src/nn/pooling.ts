/**
 * Pooling layers shaped like torch.nn: MaxPool2d (with returnIndices), AvgPool2d,
 * AdaptiveAvgPool2d and AdaptiveMaxPool2d (with returnIndices), with PyTorch's constructor
 * arguments (positional, or a trailing options object for the keyword ones).
 */
import * as F from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import { nonNegativePair, positiveInt, positivePair } from '../util/validate.js';
import { Module } from './module.js';

type IntOrPair = F.IntOrPair;

/**
 * The window arguments' own checks, at construction (the op checks them again with the input, and
 * what depends on both, such as padding against the kernel size).
 */
function checkWindow(op: string, o: { kernelSize: unknown; stride: unknown; padding: unknown; dilation?: unknown }): void {
  positivePair(op, 'kernelSize', o.kernelSize);
  // null or [] (PyTorch's default): the kernel size.
  if (o.stride !== null && !(Array.isArray(o.stride) && o.stride.length === 0)) positivePair(op, 'stride', o.stride);
  nonNegativePair(op, 'padding', o.padding);
  if (o.dilation !== undefined) positivePair(op, 'dilation', o.dilation);
}

/** What a pooling layer returns: the output, or [output, indices] with returnIndices. */
export type PoolOutput<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;

export interface MaxPool2dOptions extends Record<string, unknown> {
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  dilation?: IntOrPair;
  returnIndices?: boolean;
  ceilMode?: boolean;
}

/**
 * 2-D max pooling over [N, C, H, W] (or [C, H, W]); with returnIndices the layer returns
 * [output, indices] (flat positions h * W + w in each input plane, int32).
 * new MaxPool2d(kernelSize, stride = kernelSize, padding = 0, dilation = 1, returnIndices = false, ceilMode = false).
 */
export class MaxPool2d<R extends boolean = false> extends Module<PoolOutput<R>> {
  readonly kernelSize: IntOrPair;
  readonly stride: IntOrPair | null;
  readonly padding: IntOrPair;
  readonly dilation: IntOrPair;
  readonly returnIndices: R;
  readonly ceilMode: boolean;

  constructor(kernelSize: IntOrPair, options?: Omit<MaxPool2dOptions, 'returnIndices'> & { returnIndices?: R });
  constructor(kernelSize: IntOrPair, stride?: IntOrPair | null, padding?: IntOrPair, dilation?: IntOrPair, returnIndices?: R, ceilMode?: boolean);
  constructor(kernelSize: IntOrPair, ...rest: unknown[]) {
    super();
    const o = kwargs<Required<MaxPool2dOptions>>('MaxPool2d', rest, ['stride', 'padding', 'dilation', 'returnIndices', 'ceilMode'], {
      stride: null,
      padding: 0,
      dilation: 1,
      returnIndices: false,
      ceilMode: false,
    });
    checkWindow('MaxPool2d', { kernelSize, ...o });
    this.kernelSize = kernelSize;
    this.stride = o.stride;
    this.padding = o.padding;
    this.dilation = o.dilation;
    this.returnIndices = Boolean(o.returnIndices) as R;
    this.ceilMode = Boolean(o.ceilMode);
  }

  forward(x: Tensor): PoolOutput<R> {
    const options = { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
    if (this.returnIndices) return F.maxPool2d(x, this.kernelSize, { ...options, returnIndices: true }) as PoolOutput<R>;
    return F.maxPool2d(x, this.kernelSize, options) as PoolOutput<R>;
  }

  override extraRepr(): string {
    const parts = [`kernelSize=${JSON.stringify(this.kernelSize)}`, `stride=${JSON.stringify(this.stride ?? this.kernelSize)}`];
    if (this.padding !== 0) parts.push(`padding=${JSON.stringify(this.padding)}`);
    if (this.dilation !== 1) parts.push(`dilation=${JSON.stringify(this.dilation)}`);
    if (this.returnIndices) parts.push('returnIndices=true');
    if (this.ceilMode) parts.push('ceilMode=true');
    return parts.join(', ');
  }
}

export interface AvgPool2dOptions extends Record<string, unknown> {
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

/**
 * 2-D average pooling over [N, C, H, W] (or [C, H, W]).
 * new AvgPool2d(kernelSize, stride = kernelSize, padding = 0, ceilMode = false, countIncludePad = true, divisorOverride = null).
 */
export class AvgPool2d extends Module {
  readonly kernelSize: IntOrPair;
  readonly options: Required<AvgPool2dOptions>;

  constructor(kernelSize: IntOrPair, options?: AvgPool2dOptions);
  constructor(
    kernelSize: IntOrPair,
    stride?: IntOrPair | null,
    padding?: IntOrPair,
    ceilMode?: boolean,
    countIncludePad?: boolean,
    divisorOverride?: number | null,
  );
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
    checkWindow('AvgPool2d', { kernelSize, stride: this.options.stride, padding: this.options.padding });
    if (this.options.divisorOverride !== null) positiveInt('AvgPool2d', 'divisorOverride', this.options.divisorOverride);
  }

  get stride(): IntOrPair | null {
    return this.options.stride;
  }

  get padding(): IntOrPair {
    return this.options.padding;
  }

  get ceilMode(): boolean {
    return this.options.ceilMode;
  }

  get countIncludePad(): boolean {
    return this.options.countIncludePad;
  }

  get divisorOverride(): number | null {
    return this.options.divisorOverride;
  }

  forward(x: Tensor): Tensor {
    return F.avgPool2d(x, this.kernelSize, this.options);
  }

  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, stride=${JSON.stringify(this.stride ?? this.kernelSize)}, padding=${JSON.stringify(this.padding)}`;
  }
}

/**
 * Adaptive average pooling to outputSize (an int, or [oh, ow] with null keeping the input's size);
 * AdaptiveAvgPool2d(1) is global average pooling. new AdaptiveAvgPool2d(outputSize).
 */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: F.AdaptiveSize) {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `outputSize=${JSON.stringify(this.outputSize)}`;
  }
}

export interface AdaptiveMaxPool2dOptions extends Record<string, unknown> {
  returnIndices?: boolean;
}

/**
 * Adaptive max pooling to outputSize; with returnIndices the layer returns [output, indices].
 * new AdaptiveMaxPool2d(outputSize, returnIndices = false).
 */
export class AdaptiveMaxPool2d<R extends boolean = false> extends Module<PoolOutput<R>> {
  readonly outputSize: F.AdaptiveSize;
  readonly returnIndices: R;

  constructor(outputSize: F.AdaptiveSize, options?: { returnIndices?: R });
  constructor(outputSize: F.AdaptiveSize, returnIndices?: R);
  constructor(outputSize: F.AdaptiveSize, ...rest: unknown[]) {
    super();
    const o = kwargs<Required<AdaptiveMaxPool2dOptions>>('AdaptiveMaxPool2d', rest, ['returnIndices'], { returnIndices: false });
    this.outputSize = outputSize;
    this.returnIndices = Boolean(o.returnIndices) as R;
  }

  forward(x: Tensor): PoolOutput<R> {
    if (this.returnIndices) return F.adaptiveMaxPool2d(x, this.outputSize, true) as PoolOutput<R>;
    return F.adaptiveMaxPool2d(x, this.outputSize) as PoolOutput<R>;
  }

  override extraRepr(): string {
    return `outputSize=${JSON.stringify(this.outputSize)}${this.returnIndices ? ', returnIndices=true' : ''}`;
  }
}
