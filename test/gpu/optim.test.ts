/**
 * Optimizer updates on the GPU against test/reference/optim.ts over several steps with given
 * gradients: SGD (momentum, dampening, nesterov, weight decay, maximize), Adam and AdamW (weight
 * decay, amsgrad, maximize), parameter groups, gradients from backward(), and learning rates and
 * betas changed between steps by a schedule (they reach the kernels through a per-step buffer).
 *
 * Compared: the parameter's displacement from its start (what the updates add up to; the
 * parameter itself would hide an error in a small update behind its own size) and the state.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';
import { AdamReference, SgdReference, type AdamParams, type SgdParams } from '../reference/optim.js';
import { expectClose, randomArray, tensorOf, type TestArray } from '../helpers.js';

beforeAll(async () => {
  await wt.init();
});

const SHAPE = [5, 7]; // 35 elements: not a multiple of the 64-wide workgroup
const STEPS = 4;

/** The displacement p - p0 in float64 from float32 values. */
function displacement(p: ArrayLike<number>, p0: ArrayLike<number>): Float64Array {
  return Float64Array.from(p, (v, i) => v - p0[i]!);
}

/**
 * Per step the float32 parameter is rounded (ulp 6e-8 for values of order 1) while the displacement
 * is of order lr * steps = 0.4, so its relative error is ~1e-6 after a few steps.
 */
const STEP_TOL = 1e-5;

interface Stepper {
  step(param: Float64Array, grad: ArrayLike<number>): void;
}

/** Runs `opt` and `ref` side by side for STEPS steps with random gradients, comparing every step. */
async function compareSteps(what: string, p0: TestArray, makeOpt: (p: wt.Tensor) => wt.optim.Optimizer<{ lr: number }>, ref: Stepper, beforeStep?: (step: number) => void): Promise<wt.Tensor> {
  const p = tensorOf(p0, true);
  const opt = makeOpt(p);
  const expected = Float64Array.from(p0.data);
  for (let s = 0; s < STEPS; s++) {
    beforeStep?.(s);
    const g = randomArray(p0.shape, 1000 + s);
    p.grad = tensorOf(g);
    opt.step();
    ref.step(expected, g.data);
    const got = await p.data();
    expectClose(displacement(got, p0.data), displacement(expected, p0.data), STEP_TOL, `${what}: step ${s + 1}, parameter displacement`);
  }
  return p;
}

const sgdCases: [string, SgdParams][] = [
  ['plain', { lr: 0.1 }],
  ['momentum 0.9', { lr: 0.1, momentum: 0.9 }],
  ['momentum + dampening 0.3', { lr: 0.1, momentum: 0.8, dampening: 0.3 }],
  ['nesterov', { lr: 0.1, momentum: 0.9, nesterov: true }],
  ['weight decay', { lr: 0.1, weightDecay: 0.05 }],
  ['momentum + weight decay + maximize', { lr: 0.1, momentum: 0.5, weightDecay: 0.1, maximize: true }],
  ['nesterov + weight decay', { lr: 0.05, momentum: 0.7, nesterov: true, weightDecay: 0.01 }],
];

describe('SGD', () => {
  sgdCases.forEach(([name, params], k) => {
    it(name, async () => {
      const p0 = randomArray(SHAPE, 10 + k);
      const ref = new SgdReference(params);
      let opt: wt.optim.SGD | null = null;
      const p = await compareSteps(`SGD ${name}`, p0, (t) => (opt = new wt.optim.SGD([t], params)), ref);
      if (params.momentum) {
        const buf = opt!.state.get(p)?.momentumBuffer;
        expect(buf, 'momentum buffer').toBeDefined();
        expectClose(await buf!.data(), ref.momentumBuffer!, 1e-5, `SGD ${name}: momentum buffer`);
      }
    });
  });

  it('parameter groups with their own hyper-parameters', async () => {
    const a0 = randomArray([3, 4], 20);
    const b0 = randomArray([9], 21);
    const a = tensorOf(a0, true);
    const b = tensorOf(b0, true);
    const opt = new wt.optim.SGD([{ params: [a] }, { params: [b], lr: 0.3, momentum: 0.5 }], { lr: 0.1, momentum: 0.9 });
    const refA = new SgdReference({ lr: 0.1, momentum: 0.9 });
    const refB = new SgdReference({ lr: 0.3, momentum: 0.5 });
    const ea = Float64Array.from(a0.data);
    const eb = Float64Array.from(b0.data);
    for (let s = 0; s < STEPS; s++) {
      const ga = randomArray(a0.shape, 30 + s);
      const gb = randomArray(b0.shape, 40 + s);
      a.grad = tensorOf(ga);
      b.grad = tensorOf(gb);
      opt.step();
      refA.step(ea, ga.data);
      refB.step(eb, gb.data);
    }
    expectClose(displacement(await a.data(), a0.data), displacement(ea, a0.data), STEP_TOL, 'group 0');
    expectClose(displacement(await b.data(), b0.data), displacement(eb, b0.data), STEP_TOL, 'group 1');
  });

  it('gradients from backward(), zeroGrad between steps', async () => {
    const p0 = randomArray(SHAPE, 50);
    const p = tensorOf(p0, true);
    const opt = new wt.optim.SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true });
    const ref = new SgdReference({ lr: 0.1, momentum: 0.9, nesterov: true });
    const expected = Float64Array.from(p0.data);
    for (let s = 0; s < STEPS; s++) {
      const w = randomArray(SHAPE, 60 + s);
      opt.zeroGrad();
      // L = sum(w * p^2) / 2, so dL/dp = w * p.
      p.mul(p).mul(tensorOf(w)).sum().mul(0.5).backward();
      ref.step(expected, Float64Array.from(expected, (v, i) => Math.fround(v) * w.data[i]!));
      opt.step();
    }
    // The reference's gradient uses its own float64 parameter, the GPU's the float32 one.
    expectClose(displacement(await p.data(), p0.data), displacement(expected, p0.data), 1e-5, 'SGD from backward()');
  });

  it('StepLR halves the learning rate every 2 steps', async () => {
    const p0 = randomArray(SHAPE, 70);
    const ref = new SgdReference({ lr: 0.2, momentum: 0.9 });
    let sched: wt.optim.StepLR | null = null;
    await compareSteps(
      'SGD + StepLR(2, 0.5)',
      p0,
      (t) => {
        const opt = new wt.optim.SGD([t], { lr: 0.2, momentum: 0.9 });
        sched = new wt.optim.StepLR(opt, 2, 0.5);
        return opt;
      },
      {
        step(param, grad) {
          ref.step(param, grad);
          sched!.step();
          ref.p.lr = sched!.getLastLr()[0]!;
        },
      },
    );
    expect(sched!.getLastLr()[0]).toBeCloseTo(0.2 * 0.25, 12);
  });
});

const adamCases: [string, AdamParams][] = [
  ['Adam defaults (lr 0.1)', { lr: 0.1 }],
  ['Adam betas (0.8, 0.99), eps 1e-6', { lr: 0.1, betas: [0.8, 0.99], eps: 1e-6 }],
  ['Adam weight decay', { lr: 0.1, weightDecay: 0.1 }],
  ['Adam amsgrad', { lr: 0.1, amsgrad: true }],
  ['Adam maximize + amsgrad + weight decay', { lr: 0.1, amsgrad: true, maximize: true, weightDecay: 0.05 }],
  ['AdamW default weight decay 0.01', { lr: 0.1, weightDecay: 0.01, decoupled: true }],
  ['AdamW weight decay 0.3 + amsgrad', { lr: 0.1, weightDecay: 0.3, amsgrad: true, decoupled: true }],
];

describe('Adam and AdamW', () => {
  adamCases.forEach(([name, params], k) => {
    it(name, async () => {
      const p0 = randomArray(SHAPE, 80 + k);
      const ref = new AdamReference(params);
      const { decoupled, ...options } = params;
      // AdamW's default weight decay (0.01) is what the first AdamW case relies on.
      const opts = decoupled && options.weightDecay === 0.01 ? { lr: options.lr } : options;
      let opt: wt.optim.Adam | null = null;
      const p = await compareSteps(name, p0, (t) => (opt = decoupled ? new wt.optim.AdamW([t], opts) : new wt.optim.Adam([t], opts)), ref);
      const state = opt!.state.get(p)!;
      expect(state.step).toBe(STEPS);
      expectClose(await state.expAvg.data(), ref.expAvg!, 1e-5, `${name}: exp_avg`);
      // The kernel forms 1 - beta2 from float32 beta2 (0.999 rounds to 0.99900001), which is 1.3e-5
      // off in relative terms (PyTorch passes 1 - beta2 as a double); that error lands in v as is.
      expectClose(await state.expAvgSq.data(), ref.expAvgSq!, 3e-5, `${name}: exp_avg_sq`);
      if (params.amsgrad) expectClose(await state.maxExpAvgSq!.data(), ref.maxExpAvgSq!, 3e-5, `${name}: max_exp_avg_sq`);
      else expect(state.maxExpAvgSq).toBeUndefined();
    });
  });

  it('OneCycleLR drives lr and beta1 through the per-step hyper buffer', async () => {
    const p0 = randomArray(SHAPE, 90);
    const ref = new AdamReference({ lr: 0.1 });
    let sched: wt.optim.OneCycleLR | null = null;
    let opt: wt.optim.Adam | null = null;
    const seen: [number, number][] = [];
    await compareSteps(
      'Adam + OneCycleLR',
      p0,
      (t) => {
        opt = new wt.optim.Adam([t], { lr: 0.1 });
        sched = new wt.optim.OneCycleLR(opt, 0.5, { totalSteps: STEPS + 1 });
        return opt;
      },
      {
        step(param, grad) {
          ref.step(param, grad);
          sched!.step();
        },
      },
      () => {
        // The schedule set this step's lr and beta1 on the group: the reference uses the same.
        const o = opt!.paramGroups[0]!;
        ref.p.lr = o.lr;
        ref.p.betas = [o.betas[0], o.betas[1]];
        seen.push([o.lr, o.betas[0]]);
      },
    );
    // It starts at maxLr / divFactor with beta1 = maxMomentum, and both move.
    expect(seen[0]![0]).toBeCloseTo(0.5 / 25, 12);
    expect(seen[0]![1]).toBeCloseTo(0.95, 12);
    expect(new Set(seen.map(([lr]) => lr)).size).toBe(STEPS);
    expect(new Set(seen.map(([, b]) => b)).size).toBe(STEPS);
  });
});
