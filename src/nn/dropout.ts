/**
 * Dropout layers shaped like torch.nn: Dropout (elements) and Dropout1d/2d/3d (whole channels),
 * active in training mode, the identity in eval mode. new Dropout(p = 0.5, inplace = false).
 */
import * as F from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import { dropoutProbability } from '../util/validate.js';
import { Module } from './module.js';

export interface DropoutOptions extends Record<string, unknown> {
  p?: number;
  inplace?: boolean;
}

abstract class DropoutBase extends Module {
  readonly p: number;
  readonly inplace: boolean;

  constructor(name: string, rest: unknown[]) {
    super();
    const o = kwargs<Required<DropoutOptions>>(name, rest, ['p', 'inplace'], { p: 0.5, inplace: false });
    this.p = dropoutProbability(name, o.p);
    this.inplace = Boolean(o.inplace);
  }

  override extraRepr(): string {
    return `p=${this.p}, inplace=${this.inplace}`;
  }
}

/** Zeroes elements with probability p in training, scaling the rest by 1 / (1 - p). */
export class Dropout extends DropoutBase {
  constructor(options?: DropoutOptions);
  constructor(p?: number, inplace?: boolean);
  constructor(...rest: unknown[]) {
    super('Dropout', rest);
  }

  forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training, this.inplace);
  }
}

/** Zeroes whole channels of [N, C, L] (or [C, L]) input with probability p in training. */
export class Dropout1d extends DropoutBase {
  constructor(options?: DropoutOptions);
  constructor(p?: number, inplace?: boolean);
  constructor(...rest: unknown[]) {
    super('Dropout1d', rest);
  }

  forward(x: Tensor): Tensor {
    return F.dropout1d(x, this.p, this.training, this.inplace);
  }
}

/** Zeroes whole channels (input[n, c] planes) of [N, C, H, W] input with probability p in training. */
export class Dropout2d extends DropoutBase {
  constructor(options?: DropoutOptions);
  constructor(p?: number, inplace?: boolean);
  constructor(...rest: unknown[]) {
    super('Dropout2d', rest);
  }

  forward(x: Tensor): Tensor {
    return F.dropout2d(x, this.p, this.training, this.inplace);
  }
}

/** Zeroes whole channels of [N, C, D, H, W] (or [C, D, H, W]) input with probability p in training. */
export class Dropout3d extends DropoutBase {
  constructor(options?: DropoutOptions);
  constructor(p?: number, inplace?: boolean);
  constructor(...rest: unknown[]) {
    super('Dropout3d', rest);
  }

  forward(x: Tensor): Tensor {
    return F.dropout3d(x, this.p, this.training, this.inplace);
  }
}
