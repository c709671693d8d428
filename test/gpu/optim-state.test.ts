/**
 * Optimizer and schedule state as PyTorch keeps it (test/fixtures/optim_state.json, written by
 * gen_optim_state.py with torch 1.13): stateDict() after a few steps (per-parameter step, expAvg,
 * expAvgSq, maxExpAvgSq, momentumBuffer; the groups' hyper-parameters and parameter indices), and
 * round trips stateDict -> a new optimizer / schedule -> loadStateDict -> the same later steps.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';
import fixture from '../fixtures/optim_state.json';
import type { FixtureTensor } from '../fixture-cases.js';
import { expectClose } from '../helpers.js';

beforeAll(async () => {
  await wt.init();
});

interface OptimizerCase {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW';
  defaults: Record<string, unknown>;
  group1: Record<string, unknown>;
  params0: FixtureTensor[];
  grads: FixtureTensor[][];
  params: FixtureTensor[];
  stateDict: { state: Record<string, Record<string, number | FixtureTensor>>; paramGroups: Record<string, unknown>[] };
}

interface SchedulerCase {
  name: string;
  scheduler: 'StepLR' | 'MultiStepLR' | 'ExponentialLR' | 'CosineAnnealingLR' | 'OneCycleLR';
  args: unknown[];
  lr: number[][];
  stateDict: { lastEpoch: number; baseLrs: number[]; lastLr: number[] };
  optimizerGroups: Record<string, unknown>[];
}

const toTensor = (t: FixtureTensor, requiresGrad = false): wt.Tensor => wt.tensor(Float32Array.from(t.data), { shape: t.shape, requiresGrad });

/** float32 state of order 1 after 3 steps; 1 - beta2 is formed in float32 on the GPU (see optim.test.ts). */
const STATE_TOL = 3e-5;

function makeOptimizer(c: OptimizerCase, params: wt.Tensor[], defaults = c.defaults): wt.optim.Optimizer {
  const groups = [{ params: [params[0]!] }, { params: [params[1]!], ...c.group1 }];
  const Opt = wt.optim[c.optimizer];
  return new Opt(groups, defaults);
}

function stepWith(opt: wt.optim.Optimizer, params: wt.Tensor[], grads: FixtureTensor[]): void {
  params.forEach((p, i) => (p.grad = toTensor(grads[i]!)));
  opt.step();
}

describe('optimizer stateDict vs PyTorch', () => {
  for (const c of fixture.optimizers as unknown as OptimizerCase[]) {
    it(c.name, async () => {
      const params = c.params0.map((t) => toTensor(t, true));
      const opt = makeOptimizer(c, params);
      for (const g of c.grads) stepWith(opt, params, g);
      for (const [i, p] of params.entries()) expectClose(await p.data(), c.params[i]!.data, 1e-4, `${c.name}: parameter ${i}`);
      const sd = opt.stateDict();
      expect(sd.paramGroups).toEqual(c.stateDict.paramGroups);
      expect(Object.keys(sd.state).sort()).toEqual(Object.keys(c.stateDict.state).sort());
      for (const [i, expected] of Object.entries(c.stateDict.state)) {
        const got = sd.state[Number(i)] as Record<string, wt.Tensor | number>;
        expect(Object.keys(got).sort(), `state ${i} keys`).toEqual(Object.keys(expected).sort());
        for (const [k, v] of Object.entries(expected)) {
          if (typeof v === 'number') expect(got[k], `state ${i}.${k}`).toBe(v);
          else expectClose(await (got[k] as wt.Tensor).data(), v.data, STATE_TOL, `${c.name}: state ${i}.${k}`);
        }
      }
      // The same state object PyTorch's optimizer.state[p] is.
      expect(opt.state.get(params[0]!)).toBeDefined();
    });

    it(`${c.name}: stateDict -> new optimizer -> loadStateDict continues identically`, async () => {
      const a = c.params0.map((t) => toTensor(t, true));
      const b = c.params0.map((t) => toTensor(t, true));
      const optA = makeOptimizer(c, a);
      for (const g of c.grads.slice(0, 2)) stepWith(optA, a, g);
      // b starts where a is, with an optimizer built with other hyper-parameters: loading replaces them.
      for (const [i, p] of a.entries()) b[i]!._take(wt.tensor(await p.data(), { shape: p.shape }));
      const optB = makeOptimizer(c, b, { ...c.defaults, lr: 0.5 });
      const sd = optA.stateDict();
      optB.loadStateDict(sd);
      expect(optB.stateDict().paramGroups).toEqual(sd.paramGroups);
      const sa = optA.state.get(a[0]!) as Record<string, unknown>;
      const sb = optB.state.get(b[0]!) as Record<string, unknown>;
      for (const k of Object.keys(sa)) if (sa[k] instanceof wt.Tensor) expect(sb[k], `${k} is a copy`).not.toBe(sa[k]);
      for (const g of c.grads.slice(2).concat(c.grads.slice(0, 1))) {
        stepWith(optA, a, g);
        stepWith(optB, b, g);
      }
      for (const [i, p] of a.entries()) expect(Array.from(await b[i]!.data()), `parameter ${i} after the round trip`).toEqual(Array.from(await p.data()));
    });
  }

  it('loadStateDict refuses a state dict of another shape', () => {
    const p = wt.randn([3], { requiresGrad: true });
    const q = wt.randn([4], { requiresGrad: true });
    const opt = new wt.optim.SGD([p], 0.1, 0.9);
    p.grad = wt.randn(3);
    opt.step();
    const other = new wt.optim.SGD([q], 0.1, 0.9);
    expect(() => other.loadStateDict(opt.stateDict())).toThrow(/state 'momentumBuffer' of parameter 0 has shape \[3\], the parameter \[4\]/);
    const two = new wt.optim.SGD([{ params: [q] }, { params: [wt.randn([2], { requiresGrad: true })] }], 0.1);
    expect(() => two.loadStateDict(opt.stateDict())).toThrow(/loadStateDict got 1 parameter groups, the optimizer has 2/);
  });
});

type Make = (opt: wt.optim.Optimizer, args: unknown[]) => wt.optim.LRScheduler;
const schedulers: Record<SchedulerCase['scheduler'], Make> = {
  StepLR: (o, a) => new wt.optim.StepLR(o, a[0] as number, a[1] as number),
  MultiStepLR: (o, a) => new wt.optim.MultiStepLR(o, a[0] as number[], a[1] as number),
  ExponentialLR: (o, a) => new wt.optim.ExponentialLR(o, a[0] as number),
  CosineAnnealingLR: (o, a) => new wt.optim.CosineAnnealingLR(o, a[0] as number, a[1] as number),
  OneCycleLR: (o, a) => new wt.optim.OneCycleLR(o, a[0] as number, a[1] as number),
};

function twoGroups(): wt.optim.SGD {
  const p = wt.zeros([1], { requiresGrad: true });
  const q = wt.zeros([1], { requiresGrad: true });
  return new wt.optim.SGD([{ params: [p] }, { params: [q], lr: 0.05 }], 0.2, 0.9);
}

describe('schedule stateDict vs PyTorch', () => {
  for (const c of fixture.schedulers as unknown as SchedulerCase[]) {
    it(c.name, () => {
      const opt = twoGroups();
      const sched = schedulers[c.scheduler](opt, c.args);
      const lrs: number[][] = [];
      for (let s = 0; s < c.lr.length; s++) {
        lrs.push(opt.paramGroups.map((g) => g.lr));
        sched.step();
      }
      expectClose(lrs.flat(), c.lr.flat(), 1e-12, `${c.name}: lr of both groups per step`);
      const sd = sched.stateDict();
      expect(sd.lastEpoch).toBe(c.stateDict.lastEpoch);
      expectClose(sd.baseLrs, c.stateDict.baseLrs, 1e-12, 'baseLrs');
      expectClose(sd.lastLr, c.stateDict.lastLr, 1e-12, 'lastLr');
      opt.paramGroups.forEach((g, i) => {
        const e = c.optimizerGroups[i]!;
        expectClose([g.lr, g.momentum, g.initialLr!], [e['lr'] as number, e['momentum'] as number, e['initialLr'] as number], 1e-12, `group ${i}: lr, momentum, initialLr`);
      });
    });

    it(`${c.name}: stateDict -> new optimizer and schedule -> loadStateDict continues identically`, () => {
      const opt = twoGroups();
      const sched = schedulers[c.scheduler](opt, c.args);
      for (let s = 0; s < 3; s++) sched.step();
      // As a checkpoint resumes in PyTorch: build both, then load both (a new schedule sets the lr of
      // its step 0; the lr of the step reached comes with the optimizer's state).
      const opt2 = twoGroups();
      const sched2 = schedulers[c.scheduler](opt2, c.args);
      opt2.loadStateDict(opt.stateDict());
      sched2.loadStateDict(sched.stateDict());
      expect(opt2.paramGroups.map((g) => g.lr)).toEqual(opt.paramGroups.map((g) => g.lr));
      expect(sched2.stateDict()).toEqual(sched.stateDict());
      for (let s = 0; s < 3; s++) {
        sched.step();
        sched2.step();
        expect(opt2.paramGroups.map((g) => [g.lr, g.momentum])).toEqual(opt.paramGroups.map((g) => [g.lr, g.momentum]));
      }
    });
  }

  it('a schedule resumed with lastEpoch continues from it', () => {
    const opt = twoGroups();
    const sched = new wt.optim.StepLR(opt, 2, 0.5);
    for (let s = 0; s < 4; s++) sched.step();
    const opt2 = twoGroups();
    opt2.loadStateDict(opt.stateDict());
    const resumed = new wt.optim.StepLR(opt2, { stepSize: 2, gamma: 0.5, lastEpoch: 3 });
    expect(resumed.lastEpoch).toBe(4);
    expect(resumed.getLastLr()).toEqual(sched.getLastLr());
  });

  it('loadStateDict checks what it restores', () => {
    const sched = new wt.optim.StepLR(twoGroups(), 2);
    expect(() => sched.loadStateDict({ ...sched.stateDict(), stepSize: 0 })).toThrow(/StepLR: stepSize must be an integer >= 1, got 0/);
    expect(() => sched.loadStateDict({ ...sched.stateDict(), baseLrs: [0.1] })).toThrow(/StepLR: baseLrs must be a number or 2 numbers/);
    expect(() => sched.loadStateDict({ ...sched.stateDict(), tMax: 3 })).toThrow(/StepLR: loadStateDict: unknown option 'tMax'/);
    expect(sched.stepSize).toBe(2);
  });
});

describe('PyTorch call forms of schedules and optimizers', () => {
  it('positional, options, and both give the same schedule', () => {
    const lrs = (make: (o: wt.optim.SGD) => wt.optim.LRScheduler): number[] => {
      const opt = twoGroups();
      const s = make(opt);
      const out: number[] = [];
      for (let i = 0; i < 5; i++) {
        out.push(opt.paramGroups[0]!.lr);
        s.step();
      }
      return out;
    };
    const a = lrs((o) => new wt.optim.StepLR(o, 2, 0.5));
    expect(lrs((o) => new wt.optim.StepLR(o, { stepSize: 2, gamma: 0.5 }))).toEqual(a);
    expect(lrs((o) => new wt.optim.StepLR(o, 2, { gamma: 0.5 }))).toEqual(a);
    const b = lrs((o) => new wt.optim.OneCycleLR(o, 0.5, 10, null, null, 0.25, 'linear'));
    expect(lrs((o) => new wt.optim.OneCycleLR(o, { maxLr: 0.5, totalSteps: 10, pctStart: 0.25, annealStrategy: 'linear' }))).toEqual(b);
    expect(lrs((o) => new wt.optim.OneCycleLR(o, 0.5, { epochs: 2, stepsPerEpoch: 5, pctStart: 0.25, annealStrategy: 'linear' }))).toEqual(b);
    const c = lrs((o) => new wt.optim.CosineAnnealingLR(o, 4, 0.01));
    expect(lrs((o) => new wt.optim.CosineAnnealingLR(o, { tMax: 4, etaMin: 0.01 }))).toEqual(c);
    expect(lrs((o) => new wt.optim.LambdaLR(o, (s) => 0.5 ** s))).toEqual(lrs((o) => new wt.optim.ExponentialLR(o, { gamma: 0.5 })));
  });

  it('optimizers: positional and options agree, groups expose their hyper-parameters', () => {
    const p = (): wt.Tensor => wt.zeros([2], { requiresGrad: true });
    const a = new wt.optim.SGD([p()], 0.1, 0.9, 0, 0.01, true, { maximize: true });
    const b = new wt.optim.SGD([p()], { lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true, maximize: true });
    expect(a.stateDict().paramGroups).toEqual(b.stateDict().paramGroups);
    expect(a.paramGroups[0]).toMatchObject({ lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0.01, nesterov: true, maximize: true });
    const c = new wt.optim.Adam([p()], 0.01, [0.8, 0.9], 1e-6, 0, true);
    expect(c.paramGroups[0]).toMatchObject({ lr: 0.01, betas: [0.8, 0.9], eps: 1e-6, weightDecay: 0, amsgrad: true, maximize: false });
    expect(new wt.optim.AdamW([p()]).paramGroups[0]).toMatchObject({ lr: 1e-3, weightDecay: 0.01 });
    expect(new wt.optim.AdamW([p()], 1e-3, [0.9, 0.999], 1e-8, 0).paramGroups[0]!.weightDecay).toBe(0);
  });
});
