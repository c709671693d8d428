/** Adam and AdamW (torch.optim.Adam / AdamW), with amsgrad, maximize and weight decay. */
import { ArgumentError } from '../errors.js';
import { zerosLike } from '../ops/fill.js';
import { adamStep } from '../ops/optim.js';
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, type ParamGroup, type ParamsArg } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

interface AdamState {
  step: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
  maxExpAvgSq: Tensor | null;
}

export class Adam extends Optimizer<AdamOptions> {
  readonly state = new Map<Tensor, AdamState>();
  protected readonly decoupled: boolean = false;

  constructor(params: ParamsArg<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, ...options });
  }

  protected validate(o: AdamOptions): void {
    this.checkNumber('lr', o.lr, 0);
    this.checkNumber('eps', o.eps, 0);
    this.checkNumber('weightDecay', o.weightDecay, 0);
    if (!Array.isArray(o.betas) || o.betas.length !== 2) throw new ArgumentError(`${this.constructor.name}: betas must be a pair [beta1, beta2]`);
    this.checkNumber('betas[0]', o.betas[0], 0, 1);
    this.checkNumber('betas[1]', o.betas[1], 0, 1);
    if (o.betas[0] >= 1 || o.betas[1] >= 1) throw new ArgumentError(`${this.constructor.name}: betas must be < 1, got [${o.betas}]`);
  }

  protected updateGroup(group: ParamGroup<AdamOptions>): void {
    const o = group.options;
    const [beta1, beta2] = o.betas;
    const hypers = new Map<number, Tensor>();
    for (const p of group.params) {
      if (!p.grad) continue;
      let s = this.state.get(p);
      if (!s) {
        s = { step: 0, expAvg: zerosLike(p), expAvgSq: zerosLike(p), maxExpAvgSq: o.amsgrad ? zerosLike(p) : null };
        this.state.set(p, s);
      }
      s.step++;
      let hyper = hypers.get(s.step);
      if (!hyper) {
        const bc1 = 1 - beta1 ** s.step;
        const bc2 = 1 - beta2 ** s.step;
        hyper = this.hyper([o.lr, beta1, beta2, bc1, Math.sqrt(bc2), 1 - beta1, 1 - beta2], p);
        hypers.set(s.step, hyper);
      }
      const state = s.maxExpAvgSq ? [s.expAvg, s.expAvgSq, s.maxExpAvgSq] : [s.expAvg, s.expAvgSq];
      const outs = adamStep(p, p.grad, hyper, state, {
        eps: o.eps,
        weightDecay: o.weightDecay,
        decoupled: this.decoupled,
        amsgrad: s.maxExpAvgSq !== null,
        maximize: o.maximize,
      });
      p._take(outs[0]!);
      state.forEach((t, i) => t._take(outs[i + 1]!));
    }
  }
}

/** Adam with decoupled weight decay (torch.optim.AdamW; weightDecay defaults to 0.01). */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  constructor(params: ParamsArg<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, { weightDecay: 0.01, ...options });
  }
}
