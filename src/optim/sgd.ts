/** Stochastic gradient descent with momentum, dampening, Nesterov and weight decay (torch.optim.SGD). */
import { ArgumentError } from '../errors.js';
import { zerosLike } from '../ops/fill.js';
import { sgdStep } from '../ops/optim.js';
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, type ParamGroup, type ParamsArg } from './optimizer.js';

export interface SgdOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

export class SGD extends Optimizer<SgdOptions> {
  private readonly buffers = new Map<Tensor, Tensor>();

  constructor(params: ParamsArg<SgdOptions>, options: Partial<SgdOptions> = {}) {
    super(params, { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...options });
  }

  protected validate(o: SgdOptions): void {
    this.checkNumber('lr', o.lr, 0);
    this.checkNumber('momentum', o.momentum, 0);
    this.checkNumber('dampening', o.dampening, 0);
    this.checkNumber('weightDecay', o.weightDecay, 0);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new ArgumentError('SGD: nesterov momentum needs momentum > 0 and dampening = 0');
    }
  }

  protected updateGroup(group: ParamGroup<SgdOptions>): void {
    const o = group.options;
    const hasMomentum = o.momentum !== 0;
    let hyper: Tensor | null = null;
    for (const p of group.params) {
      if (!p.grad) continue;
      hyper ??= this.hyper([o.lr, o.momentum], p);
      let buf = hasMomentum ? this.buffers.get(p) : undefined;
      const first = hasMomentum && !buf;
      if (hasMomentum && !buf) {
        buf = zerosLike(p);
        this.buffers.set(p, buf);
      }
      const outs = sgdStep(p, p.grad, hyper, buf ?? null, {
        weightDecay: o.weightDecay,
        momentum: hasMomentum,
        dampening: o.dampening,
        nesterov: o.nesterov,
        maximize: o.maximize,
        first,
      });
      p._take(outs[0]!);
      if (buf) buf._take(outs[1]!);
    }
  }

  /** The momentum buffer of a parameter (after its first step with momentum). */
  momentumBuffer(p: Tensor): Tensor | undefined {
    return this.buffers.get(p);
  }
}
