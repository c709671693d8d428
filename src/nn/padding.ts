/**
 * Padding layers shaped like torch.nn: ZeroPad2d, ConstantPad1d/2d/3d, ReflectionPad1d/2d/3d and
 * ReplicationPad1d/2d/3d. Each forward is F.pad in the layer's mode.
 */
import * as F from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { argumentError } from '../util/validate.js';
import { Module } from './module.js';

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
      throw argumentError(op, `padding must be an int or ${2 * dims} ints, got ${JSON.stringify(padding)}`);
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
