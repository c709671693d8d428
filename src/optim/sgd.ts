/** Stochastic gradient descent with momentum, dampening, Nesterov and weight decay (torch.optim.SGD). */
import { ArgumentError } from '../errors.js';
import { zerosLike } from '../ops/fill.js';
import { sgdStep } from '../ops/optim.js';
import type { Tensor } from '../tensor/tensor.js';
import { resolveArgs, type PositionalOrOptions } from '../util/args.js';
import { boolean, numberIn } from '../util/validate.js';
import { Optimizer, type ParamGroup, type ParamsArg } from './optimizer.js';

export interface SgdOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  /** Keyword-only, as in PyTorch. */
  maximize: boolean;
}

/** Per-parameter state: the momentum buffer, made at the first step when momentum is not 0. */
export interface SgdState {
  momentumBuffer: Tensor;
}

/** torch.optim.SGD(params, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False). */
export type SgdArgs = PositionalOrOptions<[lr: number, momentum: number, dampening: number, weightDecay: number, nesterov: boolean], Partial<SgdOptions>>;

export class SGD extends Optimizer<SgdOptions, SgdState> {
  /**
   * `new SGD(params, 0.1, 0.9)`, `new SGD(params, 0.1, { momentum: 0.9, nesterov: true })` or
   * `new SGD(params, { lr: 0.1, momentum: 0.9 })`. lr has no default, as in PyTorch.
   */
  constructor(params: ParamsArg<SgdOptions>, ...args: SgdArgs) {
    super(
      params,
      resolveArgs<SgdOptions>('SGD', args, ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov'], ['maximize'], {
        lr: undefined as unknown as number,
        momentum: 0,
        dampening: 0,
        weightDecay: 0,
        nesterov: false,
        maximize: false,
      }),
    );
  }

  protected validate(o: SgdOptions): void {
    numberIn('SGD', 'lr', o.lr, { min: 0 });
    numberIn('SGD', 'momentum', o.momentum, { min: 0 });
    numberIn('SGD', 'dampening', o.dampening);
    numberIn('SGD', 'weightDecay', o.weightDecay, { min: 0 });
    boolean('SGD', 'nesterov', o.nesterov, 'true or false');
    boolean('SGD', 'maximize', o.maximize, 'true or false');
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new ArgumentError(`SGD: nesterov momentum needs momentum > 0 and dampening = 0, got momentum ${o.momentum}, dampening ${o.dampening}`);
    }
  }

  protected updateGroup(group: ParamGroup<SgdOptions>): void {
    const hasMomentum = group.momentum !== 0;
    let hyper: Tensor | null = null;
    for (const p of group.params) {
      if (!p.grad) continue;
      hyper ??= this.hyper([group.lr, group.momentum], p);
      let s = hasMomentum ? this.state.get(p) : undefined;
      const first = hasMomentum && !s;
      if (hasMomentum && !s) {
        s = { momentumBuffer: zerosLike(p) };
        this.state.set(p, s);
      }
      const outs = sgdStep(p, p.grad, hyper, s?.momentumBuffer ?? null, {
        weightDecay: group.weightDecay,
        momentum: hasMomentum,
        dampening: group.dampening,
        nesterov: group.nesterov,
        maximize: group.maximize,
        first,
      });
      p._take(outs[0]!);
      if (s) s.momentumBuffer._take(outs[1]!);
    }
  }
}
