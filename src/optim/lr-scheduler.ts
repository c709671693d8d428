/**
 * Learning-rate schedules (torch.optim.lr_scheduler): call `scheduler.step()` after
 * `optimizer.step()`. Each takes PyTorch's arguments in PyTorch's order, positionally or in a
 * trailing options object, and checks them at once. The rates are closed forms of the step index
 * `lastEpoch`; they reach the GPU through the update kernels' per-step hyper buffer, so a schedule
 * never rebuilds a pipeline.
 */
import { ArgumentError } from '../errors.js';
import { resolveArgs, type PositionalOrOptions } from '../util/args.js';
import { boolean, integerIn, invalid, numberIn, oneOf, perGroup } from '../util/validate.js';
import type { Optimizer, ParamGroup } from './optimizer.js';

type AnyOptimizer = Optimizer<{ lr: number }, object>;

/** PyTorch's scheduler state_dict (camelCase): the step, the base and last rates, and the options. */
export interface SchedulerStateDict {
  lastEpoch: number;
  baseLrs: number[];
  lastLr: number[];
  [option: string]: unknown;
}

/** Every schedule's last argument, as PyTorch's last_epoch: -1 starts; k resumes after step k. */
export interface LastEpochOption {
  lastEpoch: number;
}

/**
 * The base: `O` are a schedule's options (saved in its state dict), `C` what it derives from them.
 * Subclasses keep everything in `config`, which the base sets before the first step (class fields
 * of a subclass would only be set after it).
 */
export abstract class LRScheduler<O extends object = object, C = O> {
  /** Index of the current step (PyTorch's last_epoch); 0 after construction. */
  lastEpoch: number;
  /** The lr of each group at step 0 (its `initialLr`). */
  baseLrs: number[];
  protected lastLrs: number[] = [];
  protected options: O;
  protected config: C;

  /**
   * `args` are the constructor's arguments after the optimizer, resolved against `names` (PyTorch's
   * order, lastEpoch last) over `defaults`; a required argument's default is undefined.
   */
  constructor(
    readonly optimizer: AnyOptimizer,
    args: readonly unknown[],
    names: readonly (keyof O & string)[],
    defaults: { [K in keyof O]: O[K] | undefined },
  ) {
    const cls = this.constructor.name;
    const all = resolveArgs<O & LastEpochOption>(cls, args, [...names, 'lastEpoch'], [], { ...defaults, lastEpoch: -1 } as O & LastEpochOption);
    const { lastEpoch, ...options } = all;
    integerIn(cls, 'lastEpoch', lastEpoch, { min: -1 });
    this.options = options as unknown as O;
    this.config = this.configure(this.options);
    const groups = optimizer.paramGroups;
    if (lastEpoch === -1) this.startGroups(groups);
    groups.forEach((g, i) => {
      if (g.initialLr === undefined) {
        throw new ArgumentError(`${cls}: lastEpoch ${lastEpoch} resumes a schedule, which needs paramGroups[${i}].initialLr (load the optimizer's stateDict first)`);
      }
    });
    this.baseLrs = groups.map((g) => g.initialLr!);
    this.lastEpoch = lastEpoch;
    this.step();
  }

  /** Checks the options and derives what getLr needs; throws ArgumentError naming a bad one. */
  protected abstract configure(options: O): C;

  /** Rates for the current lastEpoch, one per parameter group. */
  protected abstract getLr(): number[];

  /** At a fresh start: each group's initialLr (PyTorch's setdefault('initial_lr', lr)). */
  protected startGroups(groups: ParamGroup<{ lr: number }>[]): void {
    for (const g of groups) g.initialLr ??= g.lr;
  }

  /** Moves to the next step and sets each group's lr. */
  step(): void {
    this.lastEpoch++;
    const lrs = this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]!));
    this.lastLrs = lrs;
  }

  /** The rates the last step() set, one per group (PyTorch's get_last_lr()). */
  getLastLr(): number[] {
    return [...this.lastLrs];
  }

  /** lastEpoch, baseLrs, lastLr and the options (functions, such as LambdaLR's, left out). */
  stateDict(): SchedulerStateDict {
    const options = Object.fromEntries(
      Object.entries(this.options).map(([k, v]) => [k, Array.isArray(v) ? [...(v as unknown[])] : v]).filter(([, v]) => typeof v !== 'function' && !(Array.isArray(v) && v.some((f) => typeof f === 'function'))),
    );
    return { ...options, lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLrs] };
  }

  /** Restores a stateDict(): the step, the rates and the options it holds. The optimizer's lr is its own stateDict's. */
  loadStateDict(state: SchedulerStateDict): void {
    const cls = this.constructor.name;
    if (typeof state !== 'object' || state === null) invalid(cls, 'loadStateDict(state)', 'an object from stateDict()', state);
    const { lastEpoch, baseLrs, lastLr, ...rest } = state;
    integerIn(cls, 'lastEpoch', lastEpoch, { min: -1 });
    const n = this.optimizer.paramGroups.length;
    const lrs = (name: string, v: unknown): number[] => {
      if (!Array.isArray(v)) invalid(cls, name, `${n} numbers (one per parameter group)`, v);
      return perGroup(cls, name, v, n, { min: 0 });
    };
    const base = lrs('baseLrs', baseLrs);
    const last = lrs('lastLr', lastLr);
    for (const k of Object.keys(rest)) {
      if (!(k in this.options)) throw new ArgumentError(`${cls}: loadStateDict: unknown option '${k}' (expected one of ${Object.keys(this.options).join(', ')})`);
    }
    const options = { ...this.options, ...rest } as O;
    this.config = this.configure(options);
    this.options = options;
    this.lastEpoch = lastEpoch;
    this.baseLrs = base;
    this.lastLrs = last;
  }
}

export interface StepLROptions {
  stepSize: number;
  gamma: number;
}

/** lr = base * gamma^floor(step / stepSize): StepLR(optimizer, stepSize, gamma = 0.1, lastEpoch = -1). */
export class StepLR extends LRScheduler<StepLROptions> {
  constructor(optimizer: AnyOptimizer, ...args: PositionalOrOptions<[stepSize: number, gamma: number, lastEpoch: number], Partial<StepLROptions & LastEpochOption>>) {
    super(optimizer, args, ['stepSize', 'gamma'], { stepSize: undefined, gamma: 0.1 });
  }

  protected configure(o: StepLROptions): StepLROptions {
    integerIn('StepLR', 'stepSize', o.stepSize, { min: 1 });
    numberIn('StepLR', 'gamma', o.gamma, { min: 0, minExclusive: true });
    return o;
  }

  get stepSize(): number {
    return this.config.stepSize;
  }

  get gamma(): number {
    return this.config.gamma;
  }

  protected getLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

export interface MultiStepLROptions {
  milestones: number[];
  gamma: number;
}

/** lr = base * gamma^(milestones passed): MultiStepLR(optimizer, milestones, gamma = 0.1, lastEpoch = -1). */
export class MultiStepLR extends LRScheduler<MultiStepLROptions> {
  constructor(optimizer: AnyOptimizer, ...args: PositionalOrOptions<[milestones: number[], gamma: number, lastEpoch: number], Partial<MultiStepLROptions & LastEpochOption>>) {
    super(optimizer, args, ['milestones', 'gamma'], { milestones: undefined, gamma: 0.1 });
  }

  protected configure(o: MultiStepLROptions): MultiStepLROptions {
    const m = o.milestones as unknown;
    const ok = Array.isArray(m) && m.every((v, i) => Number.isInteger(v) && v >= 0 && (i === 0 || v > (m[i - 1] as number)));
    if (!ok) invalid('MultiStepLR', 'milestones', 'a list of increasing integers >= 0', m);
    numberIn('MultiStepLR', 'gamma', o.gamma, { min: 0, minExclusive: true });
    return { milestones: [...o.milestones], gamma: o.gamma };
  }

  protected getLr(): number[] {
    const passed = this.config.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((b) => b * this.config.gamma ** passed);
  }
}

export interface ExponentialLROptions {
  gamma: number;
}

/** lr = base * gamma^step: ExponentialLR(optimizer, gamma, lastEpoch = -1). */
export class ExponentialLR extends LRScheduler<ExponentialLROptions> {
  constructor(optimizer: AnyOptimizer, ...args: PositionalOrOptions<[gamma: number, lastEpoch: number], Partial<ExponentialLROptions & LastEpochOption>>) {
    super(optimizer, args, ['gamma'], { gamma: undefined });
  }

  protected configure(o: ExponentialLROptions): ExponentialLROptions {
    numberIn('ExponentialLR', 'gamma', o.gamma, { min: 0, minExclusive: true });
    return o;
  }

  get gamma(): number {
    return this.config.gamma;
  }

  protected getLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}

export interface CosineAnnealingLROptions {
  tMax: number;
  etaMin: number;
}

/**
 * Cosine from base to etaMin over tMax steps (the closed form of torch's CosineAnnealingLR):
 * CosineAnnealingLR(optimizer, tMax, etaMin = 0, lastEpoch = -1).
 */
export class CosineAnnealingLR extends LRScheduler<CosineAnnealingLROptions> {
  constructor(optimizer: AnyOptimizer, ...args: PositionalOrOptions<[tMax: number, etaMin: number, lastEpoch: number], Partial<CosineAnnealingLROptions & LastEpochOption>>) {
    super(optimizer, args, ['tMax', 'etaMin'], { tMax: undefined, etaMin: 0 });
  }

  protected configure(o: CosineAnnealingLROptions): CosineAnnealingLROptions {
    integerIn('CosineAnnealingLR', 'tMax', o.tMax, { min: 1 });
    numberIn('CosineAnnealingLR', 'etaMin', o.etaMin, { min: 0 });
    return o;
  }

  get tMax(): number {
    return this.config.tMax;
  }

  get etaMin(): number {
    return this.config.etaMin;
  }

  protected getLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}

export type LrLambda = (step: number) => number;

export interface LambdaLROptions {
  /** One function, or one per parameter group. */
  lrLambda: LrLambda | LrLambda[];
}

/** lr = base * lambda(step): LambdaLR(optimizer, lrLambda, lastEpoch = -1). */
export class LambdaLR extends LRScheduler<LambdaLROptions, LrLambda[]> {
  constructor(optimizer: AnyOptimizer, ...args: PositionalOrOptions<[lrLambda: LrLambda | LrLambda[], lastEpoch: number], Partial<LambdaLROptions & LastEpochOption>>) {
    super(optimizer, args, ['lrLambda'], { lrLambda: undefined });
  }

  protected configure(o: LambdaLROptions): LrLambda[] {
    const n = this.optimizer.paramGroups.length;
    const fns = Array.isArray(o.lrLambda) ? o.lrLambda : Array.from({ length: n }, () => o.lrLambda as LrLambda);
    if (fns.length !== n || !fns.every((f) => typeof f === 'function')) {
      invalid('LambdaLR', 'lrLambda', `a function of the step, or ${n} of them (one per parameter group)`, o.lrLambda);
    }
    return fns;
  }

  protected getLr(): number[] {
    return this.baseLrs.map((b, i) => {
      const f = this.config[i]!(this.lastEpoch);
      if (typeof f !== 'number' || !Number.isFinite(f)) invalid('LambdaLR', `lrLambda(${this.lastEpoch})`, 'a finite number', f);
      return b * f;
    });
  }
}

export interface OneCycleOptions {
  /** The peak lr: one number, or one per parameter group. */
  maxLr: number | number[];
  totalSteps: number | null;
  epochs: number | null;
  stepsPerEpoch: number | null;
  pctStart: number;
  annealStrategy: 'cos' | 'linear';
  cycleMomentum: boolean;
  baseMomentum: number;
  maxMomentum: number;
  divFactor: number;
  finalDivFactor: number;
  threePhase: boolean;
}

interface Phase {
  endStep: number;
  startLr: 'initial' | 'max' | 'min';
  endLr: 'initial' | 'max' | 'min';
  startMomentum: 'base' | 'max';
  endMomentum: 'base' | 'max';
}

interface OneCycleConfig {
  o: OneCycleOptions;
  totalSteps: number;
  phases: Phase[];
  lrs: { initial: number; max: number; min: number }[];
}

const ONE_CYCLE_NAMES = [
  'maxLr',
  'totalSteps',
  'epochs',
  'stepsPerEpoch',
  'pctStart',
  'annealStrategy',
  'cycleMomentum',
  'baseMomentum',
  'maxMomentum',
  'divFactor',
  'finalDivFactor',
  'threePhase',
] as const;

type OneCycleArgs = PositionalOrOptions<
  [
    maxLr: number | number[],
    totalSteps: number | null,
    epochs: number | null,
    stepsPerEpoch: number | null,
    pctStart: number,
    annealStrategy: 'cos' | 'linear',
    cycleMomentum: boolean,
    baseMomentum: number,
    maxMomentum: number,
    divFactor: number,
    finalDivFactor: number,
    threePhase: boolean,
    lastEpoch: number,
  ],
  Partial<OneCycleOptions & LastEpochOption>
>;

/**
 * The 1cycle policy (torch.optim.lr_scheduler.OneCycleLR(optimizer, maxLr, totalSteps, epochs,
 * stepsPerEpoch, pctStart = 0.3, annealStrategy = 'cos', cycleMomentum = true, baseMomentum = 0.85,
 * maxMomentum = 0.95, divFactor = 25, finalDivFactor = 1e4, threePhase = false, lastEpoch = -1)):
 * warm up from maxLr / divFactor to maxLr over pctStart of the steps, then anneal to the initial
 * lr / finalDivFactor; momentum (SGD's momentum, Adam's beta1) cycles the other way between
 * maxMomentum and baseMomentum.
 */
export class OneCycleLR extends LRScheduler<OneCycleOptions, OneCycleConfig> {
  constructor(optimizer: AnyOptimizer, ...args: OneCycleArgs) {
    super(optimizer, args, ONE_CYCLE_NAMES, {
      maxLr: undefined,
      totalSteps: null,
      epochs: null,
      stepsPerEpoch: null,
      pctStart: 0.3,
      annealStrategy: 'cos',
      cycleMomentum: true,
      baseMomentum: 0.85,
      maxMomentum: 0.95,
      divFactor: 25,
      finalDivFactor: 1e4,
      threePhase: false,
    });
  }

  get totalSteps(): number {
    return this.config.totalSteps;
  }

  protected configure(o: OneCycleOptions): OneCycleConfig {
    const C = 'OneCycleLR';
    let total: number;
    if (o.totalSteps !== null && o.totalSteps !== undefined) {
      total = integerIn(C, 'totalSteps', o.totalSteps, { min: 1 });
    } else {
      if (o.epochs === null || o.epochs === undefined || o.stepsPerEpoch === null || o.stepsPerEpoch === undefined) {
        throw new ArgumentError(`${C}: give totalSteps, or epochs and stepsPerEpoch`);
      }
      total = integerIn(C, 'epochs', o.epochs, { min: 1 }) * integerIn(C, 'stepsPerEpoch', o.stepsPerEpoch, { min: 1 });
    }
    numberIn(C, 'pctStart', o.pctStart, { min: 0, max: 1 });
    oneOf(C, 'annealStrategy', o.annealStrategy, ['cos', 'linear']);
    boolean(C, 'cycleMomentum', o.cycleMomentum, 'true or false');
    numberIn(C, 'baseMomentum', o.baseMomentum, { min: 0 });
    numberIn(C, 'maxMomentum', o.maxMomentum, { min: 0 });
    numberIn(C, 'divFactor', o.divFactor, { min: 0, minExclusive: true });
    numberIn(C, 'finalDivFactor', o.finalDivFactor, { min: 0, minExclusive: true });
    boolean(C, 'threePhase', o.threePhase, 'true or false');
    const groups = this.optimizer.paramGroups;
    const maxLrs = perGroup(C, 'maxLr', o.maxLr, groups.length, { min: 0, minExclusive: true });
    if (o.cycleMomentum) {
      for (const g of groups) {
        if (!('momentum' in g) && !('betas' in g)) {
          throw new ArgumentError(`${C}: cycleMomentum needs an optimizer with momentum or betas; pass cycleMomentum: false`);
        }
      }
    }
    const p = o.pctStart;
    const phases: Phase[] = o.threePhase
      ? [
          { endStep: p * total - 1, startLr: 'initial', endLr: 'max', startMomentum: 'max', endMomentum: 'base' },
          { endStep: 2 * p * total - 2, startLr: 'max', endLr: 'initial', startMomentum: 'base', endMomentum: 'max' },
          { endStep: total - 1, startLr: 'initial', endLr: 'min', startMomentum: 'max', endMomentum: 'max' },
        ]
      : [
          { endStep: p * total - 1, startLr: 'initial', endLr: 'max', startMomentum: 'max', endMomentum: 'base' },
          { endStep: total - 1, startLr: 'max', endLr: 'min', startMomentum: 'base', endMomentum: 'max' },
        ];
    const lrs = maxLrs.map((m) => {
      const initial = m / o.divFactor;
      return { initial, max: m, min: initial / o.finalDivFactor };
    });
    return { o, totalSteps: total, phases, lrs };
  }

  /** As PyTorch: the groups start at maxLr / divFactor, with momentum at maxMomentum. */
  protected override startGroups(groups: ParamGroup<{ lr: number }>[]): void {
    groups.forEach((g, i) => (g.initialLr = this.config.lrs[i]!.initial));
    if (this.config.o.cycleMomentum) groups.forEach((g) => this.setMomentum(g, this.config.o.maxMomentum));
  }

  private setMomentum(g: ParamGroup<{ lr: number }>, momentum: number): void {
    const h = g as unknown as { momentum?: number; betas?: [number, number] };
    if (h.betas) h.betas = [momentum, h.betas[1]];
    else h.momentum = momentum;
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.config.o.annealStrategy === 'linear') return (end - start) * pct + start;
    return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  }

  protected getLr(): number[] {
    const { o, totalSteps, phases } = this.config;
    const step = this.lastEpoch;
    if (step > totalSteps) {
      throw new ArgumentError(`OneCycleLR: stepped ${step} times, more than totalSteps = ${totalSteps}`);
    }
    return this.optimizer.paramGroups.map((g, gi) => {
      const lrs = this.config.lrs[gi]!;
      let start = 0;
      let lr = lrs.initial;
      let momentum = o.maxMomentum;
      for (let i = 0; i < phases.length; i++) {
        const ph = phases[i]!;
        if (step <= ph.endStep || i === phases.length - 1) {
          const pct = (step - start) / (ph.endStep - start);
          lr = this.anneal(lrs[ph.startLr], lrs[ph.endLr], pct);
          const mom = { base: o.baseMomentum, max: o.maxMomentum };
          momentum = this.anneal(mom[ph.startMomentum], mom[ph.endMomentum], pct);
          break;
        }
        start = ph.endStep;
      }
      if (o.cycleMomentum) this.setMomentum(g, momentum);
      return lr;
    });
  }
}
