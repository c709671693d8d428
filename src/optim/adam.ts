/** Adam and AdamW (torch.optim.Adam / AdamW), with amsgrad, maximize and weight decay. */
import { zerosLike } from '../ops/fill.js';
import { adamStep } from '../ops/optim.js';
import type { Tensor } from '../tensor/tensor.js';
import { resolveArgs, type PositionalOrOptions } from '../util/args.js';
import { boolean, invalid, numberIn } from '../util/validate.js';
import { Optimizer, type ParamGroup, type ParamsArg } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  /** Keyword-only, as in PyTorch. */
  maximize: boolean;
}

/** Per-parameter state, as PyTorch's (`step`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq` with amsgrad). */
export interface AdamState {
  step: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
  maxExpAvgSq?: Tensor;
}

/** torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *, maximize=False). */
export type AdamArgs = PositionalOrOptions<[lr: number, betas: [number, number], eps: number, weightDecay: number, amsgrad: boolean], Partial<AdamOptions>>;

function adamArgs(cls: string, args: readonly unknown[], weightDecay: number): AdamOptions {
  return resolveArgs<AdamOptions>(cls, args, ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad'], ['maximize'], {
    lr: 1e-3,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay,
    amsgrad: false,
    maximize: false,
  });
}

export class Adam extends Optimizer<AdamOptions, AdamState> {
  protected readonly decoupled: boolean = false;

  /** `new Adam(params)`, `new Adam(params, 1e-3, [0.9, 0.99])`, `new Adam(params, { lr: 1e-3, amsgrad: true })`. */
  constructor(params: ParamsArg<AdamOptions>, ...args: AdamArgs) {
    super(params, adamArgs(new.target.name, args, new.target === AdamW ? 0.01 : 0));
  }

  protected validate(o: AdamOptions): void {
    const cls = this.constructor.name;
    numberIn(cls, 'lr', o.lr, { min: 0 });
    const b = o.betas as unknown;
    const ok = (x: unknown): boolean => typeof x === 'number' && x >= 0 && x < 1;
    if (!Array.isArray(b) || b.length !== 2 || !ok(b[0]) || !ok(b[1])) invalid(cls, 'betas', 'a pair [beta1, beta2] of numbers in [0, 1)', b);
    numberIn(cls, 'eps', o.eps, { min: 0, minExclusive: true });
    numberIn(cls, 'weightDecay', o.weightDecay, { min: 0 });
    boolean(cls, 'amsgrad', o.amsgrad, 'true or false');
    boolean(cls, 'maximize', o.maximize, 'true or false');
  }

  protected updateGroup(group: ParamGroup<AdamOptions>): void {
    const [beta1, beta2] = group.betas;
    const hypers = new Map<number, Tensor>();
    for (const p of group.params) {
      if (!p.grad) continue;
      let s = this.state.get(p);
      if (!s) {
        s = { step: 0, expAvg: zerosLike(p), expAvgSq: zerosLike(p) };
        if (group.amsgrad) s.maxExpAvgSq = zerosLike(p);
        this.state.set(p, s);
      }
      s.step++;
      let hyper = hypers.get(s.step);
      if (!hyper) {
        const bc1 = 1 - beta1 ** s.step;
        const bc2 = 1 - beta2 ** s.step;
        hyper = this.hyper([group.lr, beta1, beta2, bc1, Math.sqrt(bc2), 1 - beta1, 1 - beta2], p);
        hypers.set(s.step, hyper);
      }
      const state = s.maxExpAvgSq ? [s.expAvg, s.expAvgSq, s.maxExpAvgSq] : [s.expAvg, s.expAvgSq];
      const outs = adamStep(p, p.grad, hyper, state, {
        eps: group.eps,
        weightDecay: group.weightDecay,
        decoupled: this.decoupled,
        amsgrad: s.maxExpAvgSq !== undefined,
        maximize: group.maximize,
      });
      p._take(outs[0]!);
      state.forEach((t, i) => t._take(outs[i + 1]!));
    }
  }
}

/**
 * Adam with decoupled weight decay (torch.optim.AdamW: the same arguments, weightDecay defaults to
 * 0.01).
 */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;
}
