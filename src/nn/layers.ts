/**
 * Layers with parameters or options, shaped like torch.nn: constructor arguments in PyTorch's order
 * (positional, or a trailing options object for the keyword ones), attribute names equal to
 * PyTorch's so state dicts load by name, and PyTorch's default initialization.
 */
import { ArgumentError } from '../errors.js';
import * as F from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import { positiveInt } from '../util/validate.js';
import { Module, uniformParameter, type Parameter } from './module.js';

// Conv2d lives in ./conv.js with ConvTranspose2d, the padding layers in ./padding.js, the
// activations in ./activation.js, MaxPool2d, AvgPool2d and the adaptive pooling layers in
// ./pooling.js, the norms in ./norm.js.
export { Conv2d, type Conv2dOptions, type PaddingMode } from './conv.js';

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

/** Channel shuffle of [N, C, *] in `groups` groups (ShuffleNet): new ChannelShuffle(groups). */
export class ChannelShuffle extends Module {
  readonly groups: number;

  constructor(groups: number | { groups?: number }) {
    super();
    const g = kwargs<{ groups: number }>('ChannelShuffle', [groups], ['groups'], { groups: NaN }).groups;
    this.groups = positiveInt('ChannelShuffle', 'groups', g);
  }

  forward(x: Tensor): Tensor {
    return F.channelShuffle(x, this.groups);
  }

  override extraRepr(): string {
    return `groups=${this.groups}`;
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
