/**
 * Normalization layers shaped like torch.nn: BatchNorm1d/2d/3d, InstanceNorm1d/2d, GroupNorm,
 * LayerNorm and LocalResponseNorm, with PyTorch's constructor arguments (positional, or a trailing
 * options object for the keyword ones), attribute names (state-dict keys weight, bias,
 * running_mean, running_var, num_batches_tracked) and initial values (weight 1, bias 0, running
 * mean 0, running variance 1).
 */
import { ShapeError, fmtShape, where } from '../errors.js';
import * as F from '../ops/index.js';
import { batchNormWithState } from '../ops/batch-norm.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import { finiteNumber, positiveInt, positiveIntList } from '../util/validate.js';
import { Module, Parameter } from './module.js';

function filled(n: number, value: number): Tensor {
  return tensor(new Float32Array(n).fill(value), { shape: [n] });
}

export interface BatchNormOptions extends Record<string, unknown> {
  eps?: number;
  /** null: cumulative moving average over all batches seen (1 / numBatchesTracked). */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

/**
 * The shared body of BatchNorm1d/2d/3d and InstanceNorm (PyTorch's _NormBase): parameters weight
 * and bias ([numFeatures], when affine) and buffers running_mean, running_var and
 * num_batches_tracked (when trackRunningStats).
 */
abstract class NormBase extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  runningMean: Tensor | null = null;
  runningVar: Tensor | null = null;
  numBatchesTracked: Tensor | null = null;
  readonly numFeatures: number;
  eps: number;
  momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  constructor(name: string, numFeatures: number, rest: unknown[], defaults: Required<BatchNormOptions>) {
    super();
    const o = kwargs<Required<BatchNormOptions>>(name, rest, ['eps', 'momentum', 'affine', 'trackRunningStats'], defaults);
    this.numFeatures = positiveInt(name, 'numFeatures', numFeatures);
    this.eps = finiteNumber(name, 'eps', o.eps, 0);
    this.momentum = o.momentum === null ? null : finiteNumber(name, 'momentum', o.momentum);
    this.affine = Boolean(o.affine);
    this.trackRunningStats = Boolean(o.trackRunningStats);
    this.weight = this.affine ? new Parameter(filled(numFeatures, 1)) : null;
    this.bias = this.affine ? new Parameter(filled(numFeatures, 0)) : null;
    this.registerBuffer('runningMean', this.trackRunningStats ? filled(numFeatures, 0) : null);
    this.registerBuffer('runningVar', this.trackRunningStats ? filled(numFeatures, 1) : null);
    this.registerBuffer('numBatchesTracked', this.trackRunningStats ? tensor(Int32Array.of(0), { shape: [] }) : null);
  }

  /** Running mean 0, running variance 1, tracked batches 0. */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    this.runningMean!._take(filled(this.numFeatures, 0));
    this.runningVar!._take(filled(this.numFeatures, 1));
    this.numBatchesTracked!._take(tensor(Int32Array.of(0), { shape: [] }));
  }

  /** resetRunningStats, and weight 1, bias 0. */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.affine) {
      this.weight!._take(filled(this.numFeatures, 1));
      this.bias!._take(filled(this.numFeatures, 0));
    }
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/** Batch norm over dim 1 (PyTorch's _BatchNorm.forward): batch statistics in training, running ones in eval. */
abstract class BatchNormBase extends NormBase {
  constructor(name: string, numFeatures: number, rest: unknown[]) {
    super(name, numFeatures, rest, { eps: 1e-5, momentum: 0.1, affine: true, trackRunningStats: true });
  }

  protected abstract checkInputDim(x: Tensor): void;

  forward(x: Tensor): Tensor {
    this.checkInputDim(x);
    const useBatch = this.training || (this.runningMean === null && this.runningVar === null);
    // Running statistics are read in eval mode and updated in training mode when tracked.
    const passRunning = !this.training || this.trackRunningStats;
    const counting = this.training && this.trackRunningStats;
    return batchNormWithState(
      x,
      passRunning ? this.runningMean : null,
      passRunning ? this.runningVar : null,
      this.weight,
      this.bias,
      useBatch,
      this.momentum,
      this.eps,
      { numBatchesTracked: counting ? this.numBatchesTracked : null },
    );
  }
}

function dimError(layer: Module, expected: string, x: Tensor): ShapeError {
  return new ShapeError(`${where(layer.constructor.name, layer.path || undefined)}: expected ${expected} input (got ${x.ndim}D input ${fmtShape(x.shape)})`);
}

/**
 * Batch normalization over the channels of [N, C, H, W] input (Ioffe & Szegedy):
 * y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias, the statistics per channel over N, H, W.
 * Training: batch mean and biased variance normalize; running_mean and running_var (when
 * trackRunningStats) are updated in place with momentum (null: cumulative average) and the
 * unbiased variance, and num_batches_tracked counts the batches. Eval: the running statistics
 * normalize (or batch statistics when trackRunningStats is false).
 * new BatchNorm2d(numFeatures, eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true).
 */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, options?: BatchNormOptions);
  constructor(numFeatures: number, eps?: number, momentum?: number | null, affine?: boolean, trackRunningStats?: boolean);
  constructor(numFeatures: number, ...rest: unknown[]) {
    super('BatchNorm2d', numFeatures, rest);
  }

  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 4) throw dimError(this, '4D', x);
  }
}

/** Batch norm over [N, C] or [N, C, L] input; as BatchNorm2d otherwise. */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, options?: BatchNormOptions);
  constructor(numFeatures: number, eps?: number, momentum?: number | null, affine?: boolean, trackRunningStats?: boolean);
  constructor(numFeatures: number, ...rest: unknown[]) {
    super('BatchNorm1d', numFeatures, rest);
  }

  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw dimError(this, '2D or 3D', x);
  }
}

/** Batch norm over [N, C, D, H, W] input; as BatchNorm2d otherwise. */
export class BatchNorm3d extends BatchNormBase {
  constructor(numFeatures: number, options?: BatchNormOptions);
  constructor(numFeatures: number, eps?: number, momentum?: number | null, affine?: boolean, trackRunningStats?: boolean);
  constructor(numFeatures: number, ...rest: unknown[]) {
    super('BatchNorm3d', numFeatures, rest);
  }

  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 5) throw dimError(this, '5D', x);
  }
}

/** Instance norm (PyTorch's _InstanceNorm): unbatched input is treated as a batch of one. */
abstract class InstanceNormBase extends NormBase {
  constructor(name: string, numFeatures: number, rest: unknown[]) {
    super(name, numFeatures, rest, { eps: 1e-5, momentum: 0.1, affine: false, trackRunningStats: false });
  }

  protected abstract readonly noBatchDim: number;

  forward(x: Tensor): Tensor {
    const expected = this.noBatchDim;
    if (x.ndim !== expected && x.ndim !== expected + 1) throw dimError(this, `${expected}D or ${expected + 1}D`, x);
    const unbatched = x.ndim === expected;
    const input = unbatched ? F.reshape(x, [1, ...x.shape]) : x;
    const y = F.instanceNorm(input, {
      runningMean: this.runningMean,
      runningVar: this.runningVar,
      weight: this.weight,
      bias: this.bias,
      useInputStats: this.training || !this.trackRunningStats,
      momentum: this.momentum ?? 0.1,
      eps: this.eps,
    });
    return unbatched ? F.reshape(y, x.shape) : y;
  }
}

/**
 * Instance normalization over [N, C, H, W] (or unbatched [C, H, W]) input: each channel of each
 * sample normalized by its own statistics over H, W. affine (default false) adds weight and bias
 * [C]; trackRunningStats (default false) keeps running statistics (updated in training as batch
 * norm's, used in eval).
 * new InstanceNorm2d(numFeatures, eps = 1e-5, momentum = 0.1, affine = false, trackRunningStats = false).
 */
export class InstanceNorm2d extends InstanceNormBase {
  protected readonly noBatchDim = 3;

  constructor(numFeatures: number, options?: BatchNormOptions);
  constructor(numFeatures: number, eps?: number, momentum?: number, affine?: boolean, trackRunningStats?: boolean);
  constructor(numFeatures: number, ...rest: unknown[]) {
    super('InstanceNorm2d', numFeatures, rest);
  }
}

/** Instance normalization over [N, C, L] (or unbatched [C, L]) input; as InstanceNorm2d otherwise. */
export class InstanceNorm1d extends InstanceNormBase {
  protected readonly noBatchDim = 2;

  constructor(numFeatures: number, options?: BatchNormOptions);
  constructor(numFeatures: number, eps?: number, momentum?: number, affine?: boolean, trackRunningStats?: boolean);
  constructor(numFeatures: number, ...rest: unknown[]) {
    super('InstanceNorm1d', numFeatures, rest);
  }
}

export interface GroupNormOptions extends Record<string, unknown> {
  eps?: number;
  affine?: boolean;
}

/**
 * Group normalization (Wu & He): the numChannels channels of [N, C, ...] input in numGroups groups,
 * each sample's group normalized by its own statistics; weight and bias [C] when affine.
 * new GroupNorm(numGroups, numChannels, eps = 1e-5, affine = true).
 */
export class GroupNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly numGroups: number;
  readonly numChannels: number;
  eps: number;
  readonly affine: boolean;

  constructor(numGroups: number, numChannels: number, options?: GroupNormOptions);
  constructor(numGroups: number, numChannels: number, eps?: number, affine?: boolean);
  constructor(numGroups: number, numChannels: number, ...rest: unknown[]) {
    super();
    const o = kwargs<Required<GroupNormOptions>>('GroupNorm', rest, ['eps', 'affine'], { eps: 1e-5, affine: true });
    this.numGroups = positiveInt('GroupNorm', 'numGroups', numGroups);
    this.numChannels = positiveInt('GroupNorm', 'numChannels', numChannels);
    if (numChannels % numGroups !== 0) {
      throw new ShapeError(`GroupNorm: numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    }
    this.eps = finiteNumber('GroupNorm', 'eps', o.eps, 0);
    this.affine = Boolean(o.affine);
    this.weight = this.affine ? new Parameter(filled(numChannels, 1)) : null;
    this.bias = this.affine ? new Parameter(filled(numChannels, 0)) : null;
  }

  forward(x: Tensor): Tensor {
    return F.groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}, affine=${this.affine}`;
  }
}

export interface LayerNormOptions extends Record<string, unknown> {
  eps?: number;
  elementwiseAffine?: boolean;
}

/**
 * Layer normalization (Ba et al.) over the trailing dims normalizedShape: weight (ones) and bias
 * (zeros) of normalizedShape when elementwiseAffine.
 * new LayerNorm(normalizedShape, eps = 1e-5, elementwiseAffine = true).
 */
export class LayerNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly normalizedShape: number[];
  eps: number;
  readonly elementwiseAffine: boolean;

  constructor(normalizedShape: number | readonly number[], options?: LayerNormOptions);
  constructor(normalizedShape: number | readonly number[], eps?: number, elementwiseAffine?: boolean);
  constructor(normalizedShape: number | readonly number[], ...rest: unknown[]) {
    super();
    const o = kwargs<Required<LayerNormOptions>>('LayerNorm', rest, ['eps', 'elementwiseAffine'], { eps: 1e-5, elementwiseAffine: true });
    const shape = positiveIntList('LayerNorm', 'normalizedShape', normalizedShape);
    this.normalizedShape = shape;
    this.eps = finiteNumber('LayerNorm', 'eps', o.eps, 0);
    this.elementwiseAffine = Boolean(o.elementwiseAffine);
    const n = shape.reduce((p, d) => p * d, 1);
    const make = (v: number) => new Parameter(tensor(new Float32Array(n).fill(v), { shape }));
    this.weight = this.elementwiseAffine ? make(1) : null;
    this.bias = this.elementwiseAffine ? make(0) : null;
  }

  forward(x: Tensor): Tensor {
    return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `[${this.normalizedShape.join(', ')}], eps=${this.eps}, elementwiseAffine=${this.elementwiseAffine}`;
  }
}

export interface LocalResponseNormOptions extends Record<string, unknown> {
  alpha?: number;
  beta?: number;
  k?: number;
}

/**
 * Local response normalization across channels (AlexNet: new LocalResponseNorm(5, 1e-4, 0.75, 2)).
 * new LocalResponseNorm(size, alpha = 1e-4, beta = 0.75, k = 1).
 */
export class LocalResponseNorm extends Module {
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;

  constructor(size: number, options?: LocalResponseNormOptions);
  constructor(size: number, alpha?: number, beta?: number, k?: number);
  constructor(size: number, ...rest: unknown[]) {
    super();
    const o = kwargs<Required<LocalResponseNormOptions>>('LocalResponseNorm', rest, ['alpha', 'beta', 'k'], { alpha: 1e-4, beta: 0.75, k: 1 });
    this.size = positiveInt('LocalResponseNorm', 'size', size);
    this.alpha = finiteNumber('LocalResponseNorm', 'alpha', o.alpha);
    this.beta = finiteNumber('LocalResponseNorm', 'beta', o.beta);
    this.k = finiteNumber('LocalResponseNorm', 'k', o.k);
  }

  forward(x: Tensor): Tensor {
    return F.localResponseNorm(x, this.size, this.alpha, this.beta, this.k);
  }

  override extraRepr(): string {
    return `${this.size}, alpha=${this.alpha}, beta=${this.beta}, k=${this.k}`;
  }
}
