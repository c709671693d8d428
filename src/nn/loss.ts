/**
 * Loss modules, shaped like torch.nn: constructor arguments in PyTorch's order (positional, with
 * the deprecated sizeAverage / reduce in their places, or one options object). Class weights are
 * buffers (state-dict keys `weight` and `pos_weight`, as in PyTorch). forward(input, target).
 */
import * as F from '../ops/index.js';
import type { Reduction } from '../ops/loss.js';
import type { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import { Module } from './module.js';

/**
 * Cross-entropy from logits (class indices or probabilities; see F.crossEntropy).
 * new CrossEntropyLoss(weight?, sizeAverage?, ignoreIndex = -100, reduce?, reduction = 'mean', labelSmoothing = 0).
 */
export class CrossEntropyLoss extends Module {
  declare weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly reduction: Reduction;
  readonly labelSmoothing: number;

  constructor(...args: unknown[]) {
    super();
    const o = kwargs<Required<F.CrossEntropyOptions>>('CrossEntropyLoss', args, ['weight', 'sizeAverage', 'ignoreIndex', 'reduce', 'reduction', 'labelSmoothing'], {
      weight: null,
      sizeAverage: null,
      ignoreIndex: -100,
      reduce: null,
      reduction: 'mean',
      labelSmoothing: 0,
    });
    this.registerBuffer('weight', o.weight);
    this.ignoreIndex = o.ignoreIndex;
    this.reduction = F.legacyReduction('CrossEntropyLoss', o.sizeAverage, o.reduce, o.reduction);
    this.labelSmoothing = o.labelSmoothing;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing });
  }

  override extraRepr(): string {
    return `reduction=${this.reduction}${this.labelSmoothing ? `, labelSmoothing=${this.labelSmoothing}` : ''}`;
  }
}

/** Negative log-likelihood of log-probabilities. new NLLLoss(weight?, sizeAverage?, ignoreIndex = -100, reduce?, reduction = 'mean'). */
export class NLLLoss extends Module {
  declare weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly reduction: Reduction;

  constructor(...args: unknown[]) {
    super();
    const o = kwargs<Required<F.NllLossOptions>>('NLLLoss', args, ['weight', 'sizeAverage', 'ignoreIndex', 'reduce', 'reduction'], {
      weight: null,
      sizeAverage: null,
      ignoreIndex: -100,
      reduce: null,
      reduction: 'mean',
    });
    this.registerBuffer('weight', o.weight);
    this.ignoreIndex = o.ignoreIndex;
    this.reduction = F.legacyReduction('NLLLoss', o.sizeAverage, o.reduce, o.reduction);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }

  override extraRepr(): string {
    return `reduction=${this.reduction}`;
  }
}

/** Mean squared error. new MSELoss(sizeAverage?, reduce?, reduction = 'mean'). */
export class MSELoss extends Module {
  readonly reduction: Reduction;

  constructor(...args: unknown[]) {
    super();
    const o = kwargs<Required<F.MseLossOptions>>('MSELoss', args, ['sizeAverage', 'reduce', 'reduction'], { sizeAverage: null, reduce: null, reduction: 'mean' });
    this.reduction = F.legacyReduction('MSELoss', o.sizeAverage, o.reduce, o.reduction);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }

  override extraRepr(): string {
    return `reduction=${this.reduction}`;
  }
}

/**
 * Binary cross-entropy from logits. new BCEWithLogitsLoss(weight?, sizeAverage?, reduce?,
 * reduction = 'mean', posWeight?).
 */
export class BCEWithLogitsLoss extends Module {
  declare weight: Tensor | null;
  declare posWeight: Tensor | null;
  readonly reduction: Reduction;

  constructor(...args: unknown[]) {
    super();
    const o = kwargs<Required<F.BceWithLogitsOptions>>('BCEWithLogitsLoss', args, ['weight', 'sizeAverage', 'reduce', 'reduction', 'posWeight'], {
      weight: null,
      sizeAverage: null,
      reduce: null,
      reduction: 'mean',
      posWeight: null,
    });
    this.registerBuffer('weight', o.weight);
    this.registerBuffer('posWeight', o.posWeight);
    this.reduction = F.legacyReduction('BCEWithLogitsLoss', o.sizeAverage, o.reduce, o.reduction);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, reduction: this.reduction, posWeight: this.posWeight });
  }

  override extraRepr(): string {
    return `reduction=${this.reduction}`;
  }
}
