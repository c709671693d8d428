/**
 * Learning-rate schedules (torch.optim.lr_scheduler): call `scheduler.step()` after
 * `optimizer.step()`. The new rates reach the GPU through the update kernels' per-step hyper buffer,
 * so a schedule never rebuilds a pipeline.
 */
import { ArgumentError } from '../errors.js';
import type { Optimizer } from './optimizer.js';

type AnyOptimizer = Optimizer<{ lr: number }>;

export abstract class LRScheduler {
  /** Index of the current step (PyTorch's last_epoch); 0 after construction. */
  lastEpoch = -1;
  protected readonly baseLrs: number[];

  constructor(protected readonly optimizer: AnyOptimizer) {
    this.baseLrs = optimizer.paramGroups.map((g) => g.options.lr);
  }

  /** Rates for the current lastEpoch, one per parameter group. */
  protected abstract getLr(): number[];

  /** Moves to the next step and sets each group's lr. */
  step(): void {
    this.lastEpoch++;
    const lrs = this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.options.lr = lrs[i]!));
  }

  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.options.lr);
  }

  protected init(): void {
    this.step();
  }
}

/** lr = base * gamma^(floor(step / stepSize)). */
export class StepLR extends LRScheduler {
  constructor(optimizer: AnyOptimizer, readonly stepSize: number, readonly gamma = 0.1) {
    super(optimizer);
    if (!Number.isInteger(stepSize) || stepSize < 1) throw new ArgumentError(`StepLR: stepSize must be a positive integer, got ${stepSize}`);
    this.init();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/** lr = base * gamma^step. */
export class ExponentialLR extends LRScheduler {
  constructor(optimizer: AnyOptimizer, readonly gamma: number) {
    super(optimizer);
    this.init();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}

/** Cosine from base to etaMin over tMax steps (the closed form of torch's CosineAnnealingLR). */
export class CosineAnnealingLR extends LRScheduler {
  constructor(optimizer: AnyOptimizer, readonly tMax: number, readonly etaMin = 0) {
    super(optimizer);
    if (!(tMax > 0)) throw new ArgumentError(`CosineAnnealingLR: tMax must be > 0, got ${tMax}`);
    this.init();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}

/** lr = base * lambda(step). */
export class LambdaLR extends LRScheduler {
  constructor(optimizer: AnyOptimizer, readonly lrLambda: (step: number) => number) {
    super(optimizer);
    this.init();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((b) => b * this.lrLambda(this.lastEpoch));
  }
}

export interface OneCycleOptions {
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean;
  baseMomentum?: number;
  maxMomentum?: number;
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
}

interface Phase {
  endStep: number;
  startLr: 'initial' | 'max' | 'min';
  endLr: 'initial' | 'max' | 'min';
  startMomentum: 'base' | 'max';
  endMomentum: 'base' | 'max';
}

/**
 * The 1cycle policy (torch.optim.lr_scheduler.OneCycleLR): warm up from maxLr / divFactor to maxLr
 * over pctStart of the steps, then anneal to the initial lr / finalDivFactor; momentum (SGD's
 * momentum, Adam's beta1) cycles the other way between maxMomentum and baseMomentum.
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  private readonly phases: Phase[];
  private readonly o: Required<Omit<OneCycleOptions, 'totalSteps' | 'epochs' | 'stepsPerEpoch'>>;
  private readonly lrs: { initial: number; max: number; min: number }[];

  constructor(optimizer: AnyOptimizer, maxLr: number | number[], options: OneCycleOptions = {}) {
    super(optimizer);
    const o = {
      pctStart: 0.3,
      annealStrategy: 'cos' as const,
      cycleMomentum: true,
      baseMomentum: 0.85,
      maxMomentum: 0.95,
      divFactor: 25,
      finalDivFactor: 1e4,
      threePhase: false,
      ...options,
    };
    let total = options.totalSteps;
    if (total === undefined) {
      if (options.epochs === undefined || options.stepsPerEpoch === undefined) {
        throw new ArgumentError('OneCycleLR: give totalSteps, or epochs and stepsPerEpoch');
      }
      total = options.epochs * options.stepsPerEpoch;
    }
    if (!Number.isInteger(total) || total <= 0) throw new ArgumentError(`OneCycleLR: totalSteps must be a positive integer, got ${total}`);
    if (!(o.pctStart >= 0 && o.pctStart <= 1)) throw new ArgumentError(`OneCycleLR: pctStart must be in [0, 1], got ${o.pctStart}`);
    if (o.annealStrategy !== 'cos' && o.annealStrategy !== 'linear') {
      throw new ArgumentError(`OneCycleLR: annealStrategy must be 'cos' or 'linear', got '${String(o.annealStrategy)}'`);
    }
    this.totalSteps = total;
    this.o = o;
    this.phases = o.threePhase
      ? [
          { endStep: o.pctStart * total - 1, startLr: 'initial', endLr: 'max', startMomentum: 'max', endMomentum: 'base' },
          { endStep: 2 * o.pctStart * total - 2, startLr: 'max', endLr: 'initial', startMomentum: 'base', endMomentum: 'max' },
          { endStep: total - 1, startLr: 'initial', endLr: 'min', startMomentum: 'max', endMomentum: 'max' },
        ]
      : [
          { endStep: o.pctStart * total - 1, startLr: 'initial', endLr: 'max', startMomentum: 'max', endMomentum: 'base' },
          { endStep: total - 1, startLr: 'max', endLr: 'min', startMomentum: 'base', endMomentum: 'max' },
        ];
    const maxLrs = Array.isArray(maxLr) ? maxLr : optimizer.paramGroups.map(() => maxLr);
    if (maxLrs.length !== optimizer.paramGroups.length) {
      throw new ArgumentError(`OneCycleLR: ${maxLrs.length} maxLr values for ${optimizer.paramGroups.length} parameter groups`);
    }
    this.lrs = maxLrs.map((m) => {
      if (!(m > 0)) throw new ArgumentError(`OneCycleLR: maxLr must be > 0, got ${m}`);
      const initial = m / o.divFactor;
      return { initial, max: m, min: initial / o.finalDivFactor };
    });
    if (o.cycleMomentum) {
      for (const g of optimizer.paramGroups) {
        const opts = g.options as unknown as Record<string, unknown>;
        if (!('momentum' in opts) && !('betas' in opts)) {
          throw new ArgumentError('OneCycleLR: cycleMomentum needs an optimizer with momentum or betas; pass cycleMomentum: false');
        }
      }
    }
    this.init();
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.o.annealStrategy === 'linear') return (end - start) * pct + start;
    return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  }

  protected getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) {
      throw new ArgumentError(`OneCycleLR: stepped ${step} times, more than totalSteps = ${this.totalSteps}`);
    }
    return this.optimizer.paramGroups.map((g, gi) => {
      const lrs = this.lrs[gi]!;
      let start = 0;
      let lr = lrs.initial;
      let momentum = this.o.maxMomentum;
      for (let i = 0; i < this.phases.length; i++) {
        const ph = this.phases[i]!;
        if (step <= ph.endStep || i === this.phases.length - 1) {
          const pct = (step - start) / (ph.endStep - start);
          lr = this.anneal(lrs[ph.startLr], lrs[ph.endLr], pct);
          const mom = { base: this.o.baseMomentum, max: this.o.maxMomentum };
          momentum = this.anneal(mom[ph.startMomentum], mom[ph.endMomentum], pct);
          break;
        }
        start = ph.endStep;
      }
      if (this.o.cycleMomentum) {
        const opts = g.options as unknown as { momentum?: number; betas?: [number, number] };
        if (opts.betas) opts.betas = [momentum, opts.betas[1]];
        else opts.momentum = momentum;
      }
      return lr;
    });
  }
}
