/**
 * Batch, instance, group and layer norm on the GPU against test/reference/norm.ts: forward,
 * gradients of input, weight and bias (reference and float64 finite differences), the running
 * statistics update (momentum, cumulative average, unbiased variance, the tracked-batch count),
 * eval mode, affine on and off, the modules and their state dicts, and odd sizes (batch 1,
 * channel counts not a multiple of 4, spatial sizes 1 and primes, scalar and vec4 planes, split
 * reductions and tensors past one dispatch's workgroup limit).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/internal.js'; // ops and engineFor are internal
import * as ref from '../reference/norm.js';
import type { NDArray } from '../reference/ndarray.js';
import { TOL, checkOp, describeCase, expectClose, randomArray, readPoisoned, tensorOf, trainingStep, type TestArray } from '../helpers.js';

const F = wt.nn.functional;

beforeAll(async () => {
  await wt.init();
});

/** Positive variances for running statistics. */
function variances(c: number, seed: number): TestArray {
  return randomArray([c], seed, { lo: 0.5, hi: 2 });
}

function paramShape(shape: readonly number[]): number[] {
  return [shape[1]!];
}

// ---- batch norm ----------------------------------------------------------------------------------

const bnShapes: number[][] = [
  [4, 3, 5, 5], // scalar planes (S = 25), 3 channels
  [2, 8, 4, 4], // vec4 planes
  [1, 5, 7, 3], // batch 1, prime sizes
  [6, 7, 1, 1], // spatial size 1
  [3, 2, 13, 11],
  [5, 6], // [N, C]
  [2, 3, 8], // [N, C, L]
];

describe('batchNorm training: forward, gradients, running statistics', () => {
  bnShapes.forEach((shape, k) => {
    for (const affine of [true, false]) {
      it(`${describeCase(shape)} affine=${affine}`, async () => {
        const c = shape[1]!;
        const x = randomArray(shape, 10 + k, { lo: -2, hi: 3 });
        const w = randomArray([c], 20 + k, { lo: 0.5, hi: 1.5 });
        const b = randomArray([c], 30 + k);
        const inputs = affine ? [x, w, b] : [x];
        const eps = 1e-5;
        const g = ref.byChannel(shape);
        await checkOp({
          what: `batchNorm training ${describeCase(shape)} affine=${affine}`,
          inputs,
          gpu: (t, tw, tb) => F.batchNorm(t, null, null, tw ?? null, tb ?? null, true, 0.1, eps),
          ref: (a, aw, ab) => ref.batchNorm(a, null, null, aw ?? null, ab ?? null, true, 0.1, eps).y,
          refGrad: (gy, a, aw) => {
            const r = ref.normalizeBackward(gy, a, g, aw ?? null, paramShape(shape), eps, null);
            return affine ? [r.dx, r.dw, r.db] : [r.dx];
          },
          // Normalizing divides by the batch std; the gradient sums over N*S terms of both signs.
          tol: 2e-5,
          gradTol: 5e-5,
          fd: { tol: 1e-4 },
        });
      });
    }
  });

  it('mean 300, std 0.3: the shifted sums keep the variance (E[x^2] - mean^2 would lose it in float32)', async () => {
    const shape = [8, 3, 6, 6];
    const base = randomArray(shape, 45);
    const x = { ...base, data: base.data.map((v) => Math.fround(300 + 0.5 * v)) };
    const shifted = { shape: x.shape, data: x.data, ref: { shape: x.shape, data: Float64Array.from(x.data) } };
    const g = ref.byChannel(shape);
    await checkOp({
      what: 'batchNorm training, mean 300',
      inputs: [shifted],
      gpu: (t) => F.batchNorm(t, null, null, null, null, true),
      ref: (a) => ref.batchNorm(a, null, null, null, null, true, 0.1, 1e-5).y,
      refGrad: (gy, a) => [ref.normalizeBackward(gy, a, g, null, [3], 1e-5, null).dx],
      // The float32 mean itself is rounded to half an ulp of 300 (1.5e-5), 5e-5 of the std.
      tol: 2e-4,
      gradTol: 2e-4,
      fd: { tol: 2e-4, eps: 1e-4 },
    });
  });

  it('updates runningMean and runningVar in place (unbiased variance), as part of the same step', async () => {
    const shape = [3, 5, 6, 6];
    const x = randomArray(shape, 40, { lo: -1, hi: 4 });
    const rm0 = randomArray([5], 41);
    const rv0 = variances(5, 42);
    const rm = tensorOf(rm0);
    const rv = tensorOf(rv0);
    const before = { mean: rm, var: rv };
    const engine = wt.engineFor(wt.defaultDevice());
    const flushes = engine.stats.flushes;
    const y = F.batchNorm(tensorOf(x), rm, rv, { training: true, momentum: 0.3 });
    // The handles are the same objects, rebound to their updated values.
    expect(before.mean).toBe(rm);
    const [gotY, gotMean, gotVar] = await readPoisoned(y, rm, rv);
    expect(engine.stats.flushes - flushes).toBe(1);
    const expected = ref.batchNorm(x.ref, rm0.ref, rv0.ref, null, null, true, 0.3, 1e-5);
    expectClose(gotY!, expected.y, 2e-5, 'y');
    expectClose(gotMean!, expected.runningMean!, TOL, 'running mean');
    expectClose(gotVar!, expected.runningVar!, TOL, 'running var');
  });
});

describe('batchNorm eval: running statistics, gradients', () => {
  bnShapes.forEach((shape, k) => {
    for (const affine of [true, false]) {
      it(`${describeCase(shape)} affine=${affine}`, async () => {
        const c = shape[1]!;
        const x = randomArray(shape, 50 + k, { lo: -2, hi: 3 });
        const rm = randomArray([c], 60 + k);
        const rv = variances(c, 70 + k);
        const w = randomArray([c], 80 + k, { lo: 0.5, hi: 1.5 });
        const b = randomArray([c], 90 + k);
        const eps = 1e-3;
        const g = ref.byChannel(shape);
        await checkOp({
          what: `batchNorm eval ${describeCase(shape)} affine=${affine}`,
          inputs: affine ? [x, rm, rv, w, b] : [x, rm, rv],
          differentiable: [true, false, false, true, true],
          gpu: (t, trm, trv, tw, tb) => F.batchNorm(t, trm!, trv!, tw ?? null, tb ?? null, false, 0.1, eps),
          ref: (a, arm, arv, aw, ab) => ref.batchNorm(a, arm!, arv!, aw ?? null, ab ?? null, false, 0.1, eps).y,
          refGrad: (gy, a, arm, arv, aw) => {
            const r = ref.normalizeBackward(gy, a, g, aw ?? null, paramShape(shape), eps, { mean: arm!.data, variance: arv!.data });
            return affine ? [r.dx, null, null, r.dw, r.db] : [r.dx, null, null];
          },
        });
      });
    }
  });
});

/** Batch mean and unbiased variance per channel of an [N, C, ...] array. */
function batchMoments(x: NDArray): { mean: number[]; unbiased: number[] } {
  const st = ref.groupStats(x, ref.byChannel(x.shape));
  return {
    mean: Array.from(st.mean),
    unbiased: Array.from(st.variance, (v, c) => (v * st.count[c]!) / (st.count[c]! - 1)),
  };
}

describe('nn.BatchNorm2d', () => {
  it('has PyTorch state-dict names, shapes, dtypes and initial values', async () => {
    const bn = new wt.nn.BatchNorm2d(5);
    const sd = bn.stateDict();
    expect(Object.keys(sd)).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(sd['num_batches_tracked']!.dtype).toBe('int32');
    expect(sd['num_batches_tracked']!.shape).toEqual([]);
    expect(Array.from(await sd['weight']!.data())).toEqual([1, 1, 1, 1, 1]);
    expect(Array.from(await sd['bias']!.data())).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(await sd['running_mean']!.data())).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(await sd['running_var']!.data())).toEqual([1, 1, 1, 1, 1]);
    expect(bn.parameters().length).toBe(2);
    expect(Object.keys(new wt.nn.BatchNorm2d(3, { affine: false }).stateDict())).toEqual(['running_mean', 'running_var', 'num_batches_tracked']);
    expect(Object.keys(new wt.nn.BatchNorm2d(3, 1e-5, 0.1, true, false).stateDict())).toEqual(['weight', 'bias']);
    const positional = new wt.nn.BatchNorm2d(4, 1e-3, null, false);
    expect([positional.eps, positional.momentum, positional.affine, positional.trackRunningStats]).toEqual([1e-3, null, false, true]);
  });

  for (const momentum of [0.25, null]) {
    it(`training over 3 batches (momentum ${momentum}): running statistics and num_batches_tracked, then eval`, async () => {
      const shape = [4, 3, 5, 4];
      const bn = new wt.nn.BatchNorm2d(3, { momentum });
      let rm = [0, 0, 0];
      let rv = [1, 1, 1];
      for (let step = 1; step <= 3; step++) {
        const x = randomArray(shape, 100 + step, { lo: -1 + step, hi: 2 * step });
        const y = bn.call(tensorOf(x));
        const [out] = await readPoisoned(y);
        expectClose(out!, ref.batchNorm(x.ref, null, null, null, null, true, 0, 1e-5).y, 2e-5, `step ${step} output`);
        const m = batchMoments(x.ref);
        const f = momentum ?? 1 / step;
        rm = rm.map((v, c) => (1 - f) * v + f * m.mean[c]!);
        rv = rv.map((v, c) => (1 - f) * v + f * m.unbiased[c]!);
        expectClose(await bn.runningMean!.data(), rm, TOL, `step ${step} running mean`);
        expectClose(await bn.runningVar!.data(), rv, TOL, `step ${step} running var`);
        expect(Array.from(await bn.numBatchesTracked!.data())).toEqual([step]);
      }
      bn.eval();
      const x = randomArray(shape, 110);
      const [out] = await readPoisoned(bn.call(tensorOf(x)));
      const runMean = { shape: [3], data: Float64Array.from(rm) };
      const runVar = { shape: [3], data: Float64Array.from(rv) };
      expectClose(out!, ref.batchNorm(x.ref, runMean, runVar, null, null, false, 0, 1e-5).y, 2e-5, 'eval output');
      // Eval leaves the statistics and the count alone.
      expect(Array.from(await bn.numBatchesTracked!.data())).toEqual([3]);
      expectClose(await bn.runningMean!.data(), rm, TOL, 'running mean after eval');
    });
  }

  it('trackRunningStats = false normalizes with batch statistics in eval mode too', async () => {
    const bn = new wt.nn.BatchNorm2d(3, { trackRunningStats: false }).eval();
    const x = randomArray([2, 3, 3, 3], 120);
    const [out] = await readPoisoned(bn.call(tensorOf(x)));
    expectClose(out!, ref.batchNorm(x.ref, null, null, null, null, true, 0, 1e-5).y, 2e-5, 'output');
  });

  it('loads a state dict by PyTorch names; resetRunningStats', async () => {
    const bn = new wt.nn.BatchNorm2d(2);
    bn.loadStateDict({
      weight: wt.tensor([2, 3]),
      bias: wt.tensor([0.5, -0.5]),
      running_mean: wt.tensor([1, -1]),
      running_var: wt.tensor([4, 0.25]),
      num_batches_tracked: wt.tensor(Int32Array.of(7), { shape: [] }),
    });
    bn.eval();
    const y = bn.call(wt.tensor([3, -2], { shape: [1, 2, 1, 1] }));
    expectClose(await y.data(), [(2 * 2) / Math.sqrt(4 + 1e-5) + 0.5, (3 * -1) / Math.sqrt(0.25 + 1e-5) - 0.5], TOL, 'eval with loaded statistics');
    bn.resetRunningStats();
    expect(Array.from(await bn.runningMean!.data())).toEqual([0, 0]);
    expect(Array.from(await bn.runningVar!.data())).toEqual([1, 1]);
    expect(Array.from(await bn.numBatchesTracked!.data())).toEqual([0]);
  });

  it('errors name the layer and the expected and actual values, before anything runs', () => {
    const model = new wt.nn.Sequential(new wt.nn.Conv2d(3, 4, 1), new wt.nn.BatchNorm2d(5));
    const x = wt.zeros([2, 3, 4, 4]);
    expect(() => model.call(x)).toThrow(/batch_norm \(1\): expected runningMean of shape \[4\] \(the input \[2, 4, 4, 4\] has 4 channels\), got \[5\]/);
    expect(() => new wt.nn.BatchNorm2d(3).call(wt.zeros([3, 4, 4]))).toThrow(/expected 4D input \(got 3D input/);
    expect(() => new wt.nn.BatchNorm2d(3).call(wt.zeros([1, 3, 1, 1]))).toThrow(/more than 1 value per channel when training, got input size \[1, 3, 1, 1\]/);
    expect(() => F.batchNorm(wt.zeros([2, 3]), null, null)).toThrow(/must be defined in evaluation mode/);
    expect(() => F.batchNorm(wt.zeros([2, 3]), null, null, { training: true, eps: -1 })).toThrow(/eps must be a finite number >= 0/);
  });
});

describe('batch norm inside a training step', () => {
  class Net extends wt.nn.Module {
    conv = new wt.nn.Conv2d(2, 6, 3, { padding: 1, bias: false });
    bn = new wt.nn.BatchNorm2d(6);
    fc = new wt.nn.Linear(6, 3);

    forward(x: wt.Tensor): wt.Tensor {
      return this.fc.call(F.relu(this.bn.call(this.conv.call(x))).mean([2, 3]));
    }
  }

  it('replays its plan: one submit per step, no new buffers or pipelines; the running statistics move every step', async () => {
    const device = wt.defaultDevice();
    wt.manualSeed(5);
    const net = new Net();
    const opt = new wt.optim.SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });
    const x = tensorOf(randomArray([4, 2, 6, 6], 130));
    const labels = wt.tensor(Int32Array.from([0, 1, 2, 1]));
    const step = trainingStep(opt, () => F.crossEntropy(net.call(x), labels));
    const losses = [await step(), await step()];
    let means = Array.from(await net.bn.runningMean!.data());
    for (let i = 0; i < 3; i++) {
      const before = { buffers: device.pool.stats.created, submits: device.submitCount, pipelines: device.pipelines.stats.pipelines };
      losses.push(await step());
      expect(device.pool.stats.created - before.buffers, 'new buffers').toBe(0);
      expect(device.pipelines.stats.pipelines - before.pipelines, 'new pipelines').toBe(0);
      // The loss read is the only submit: forward, backward, update and the statistics go together.
      expect(device.submitCount - before.submits, 'submits').toBe(1);
      const now = Array.from(await net.bn.runningMean!.data());
      expect(now).not.toEqual(means);
      means = now;
    }
    expect(Array.from(await net.bn.numBatchesTracked!.data())).toEqual([5]);
    expect(losses[4]!).toBeLessThan(losses[0]!);
  });

  it('a backward recorded after the forward was read recomputes it without updating the statistics again', async () => {
    const x = randomArray([3, 4, 5, 5], 140, { lo: -1, hi: 2 });
    const r = randomArray([3, 4, 5, 5], 141);
    const bn = new wt.nn.BatchNorm2d(4);
    const xt = tensorOf(x, true);
    const y = bn.call(xt);
    const loss = y.mul(tensorOf(r)).sum();
    await loss.item();
    const meanAfterForward = Array.from(await bn.runningMean!.data());
    loss.backward();
    const [dx] = await readPoisoned(xt.grad!);
    const g = ref.normalizeBackward(r.ref, x.ref, ref.byChannel(x.shape), { shape: [4], data: new Float64Array(4).fill(1) }, [4], 1e-5, null);
    expectClose(dx!, g.dx, 5e-5, 'input gradient');
    expectClose(await bn.runningMean!.data(), meanAfterForward, 0, 'running mean after the backward');
    expect(Array.from(await bn.numBatchesTracked!.data())).toEqual([1]);
  });
});

describe('batch norm past one dispatch', () => {
  it('[1100000, 4] (4.4M invocations: a 2-D workgroup grid, partials folded by reduce.wgsl), training forward and gradients', async () => {
    const shape = [1_100_000, 4];
    const x = randomArray(shape, 150, { lo: -1, hi: 3 });
    const w = randomArray([4], 151, { lo: 0.5, hi: 1.5 });
    const b = randomArray([4], 152);
    const gy = randomArray(shape, 153);
    const rm = wt.zeros([4]);
    const rv = wt.ones([4]);
    const [xt, wt_, bt] = [tensorOf(x, true), tensorOf(w, true), tensorOf(b, true)];
    const y = F.batchNorm(xt, rm, rv, wt_, bt, true);
    y.backward(tensorOf(gy));
    const [out, dx, dw, db, mean] = await readPoisoned(y, xt.grad!, wt_.grad!, bt.grad!, rm);
    const g = ref.byChannel(shape);
    const expected = ref.batchNorm(x.ref, { shape: [4], data: new Float64Array(4) }, { shape: [4], data: new Float64Array(4).fill(1) }, w.ref, b.ref, true, 0.1, 1e-5);
    const grads = ref.normalizeBackward(gy.ref, x.ref, g, w.ref, [4], 1e-5, null);
    // 1.1M-term float32 sums (in partials of ~32 terms, then pairwise passes).
    expectClose(out!, expected.y, 1e-4, 'y');
    expectClose(dx!, grads.dx, 1e-4, 'dx');
    expectClose(dw!, grads.dw!, 1e-4, 'dw');
    expectClose(db!, grads.db!, 1e-4, 'db');
    expectClose(mean!, expected.runningMean!, 1e-4, 'running mean');
  });
});

// ---- group, instance and layer norm -------------------------------------------------------------

const groupCases: [number[], number][] = [
  [[2, 6, 5, 5], 3], // scalar planes
  [[3, 8, 4, 4], 2], // vec4 planes
  [[1, 4, 7, 3], 4], // batch 1, a group per channel (instance norm)
  [[2, 6, 1, 1], 2], // spatial size 1
  [[2, 5, 3], 1], // one group: [N, C, L]
  // [N, C]. (Groups of 2 elements make dx a difference of nearly equal terms: 4 or more here.)
  [[4, 12], 3],
];

describe('groupNorm: forward and gradients', () => {
  groupCases.forEach(([shape, groups], k) => {
    for (const affine of [true, false]) {
      it(`${describeCase(shape, { groups })} affine=${affine}`, async () => {
        const c = shape[1]!;
        const x = randomArray(shape, 200 + k, { lo: -2, hi: 3 });
        const w = randomArray([c], 210 + k, { lo: 0.5, hi: 1.5 });
        const b = randomArray([c], 220 + k);
        const eps = 1e-5;
        const g = ref.bySampleGroup(shape, groups);
        await checkOp({
          what: `groupNorm ${describeCase(shape, { groups })} affine=${affine}`,
          inputs: affine ? [x, w, b] : [x],
          gpu: (t, tw, tb) => F.groupNorm(t, groups, tw ?? null, tb ?? null, eps),
          ref: (a, aw, ab) => {
            const st = ref.groupStats(a, g);
            return ref.normalize(a, g, st.mean, st.variance, aw ?? null, ab ?? null, eps);
          },
          refGrad: (gy, a, aw) => {
            const r = ref.normalizeBackward(gy, a, g, aw ?? null, [c], eps, null);
            return affine ? [r.dx, r.dw, r.db] : [r.dx];
          },
          tol: 2e-5,
          gradTol: 5e-5,
          fd: { tol: 1e-4 },
        });
      });
    }
  });

  it('weight without bias, bias without weight', async () => {
    const shape = [2, 4, 3, 3];
    const x = randomArray(shape, 230);
    const w = randomArray([4], 231, { lo: 0.5, hi: 1.5 });
    const g = ref.bySampleGroup(shape, 2);
    const fwd = (a: NDArray, aw: NDArray | null, ab: NDArray | null) => {
      const st = ref.groupStats(a, g);
      return ref.normalize(a, g, st.mean, st.variance, aw, ab, 1e-5);
    };
    await checkOp({ what: 'groupNorm weight only', inputs: [x, w], gpu: (t, tw) => F.groupNorm(t, 2, { weight: tw! }), ref: (a, aw) => fwd(a, aw!, null), gradTol: 5e-5, fd: { tol: 1e-4 } });
    await checkOp({ what: 'groupNorm bias only', inputs: [x, w], gpu: (t, tb) => F.groupNorm(t, 2, { bias: tb! }), ref: (a, ab) => fwd(a, null, ab!), gradTol: 5e-5, fd: { tol: 1e-4 } });
  });

  it('nn.GroupNorm; channels not divisible by groups is an error', async () => {
    const gn = new wt.nn.GroupNorm(3, 6);
    expect(Object.keys(gn.stateDict())).toEqual(['weight', 'bias']);
    expect(Object.keys(new wt.nn.GroupNorm(3, 6, { affine: false }).stateDict())).toEqual([]);
    expect(() => new wt.nn.GroupNorm(4, 6)).toThrow(/numChannels \(6\) must be divisible by numGroups \(4\)/);
    expect(() => F.groupNorm(wt.zeros([2, 6, 3]), 4)).toThrow(/group_norm: expected the number of channels to be divisible by numGroups, got input of shape \[2, 6, 3\] and numGroups = 4/);
    const x = randomArray([2, 6, 3, 2], 240);
    const g = ref.bySampleGroup(x.shape, 3);
    const st = ref.groupStats(x.ref, g);
    const [out] = await readPoisoned(gn.call(tensorOf(x)));
    expectClose(out!, ref.normalize(x.ref, g, st.mean, st.variance, null, null, 1e-5), 2e-5, 'GroupNorm module');
  });
});

describe('instanceNorm: forward, gradients, running statistics', () => {
  const shapes = [
    [2, 3, 5, 5],
    [3, 4, 4, 4],
    [1, 5, 7, 1],
    [2, 3, 6],
  ];
  shapes.forEach((shape, k) => {
    for (const affine of [true, false]) {
      it(`${describeCase(shape)} affine=${affine}`, async () => {
        const c = shape[1]!;
        const x = randomArray(shape, 300 + k, { lo: -2, hi: 3 });
        const w = randomArray([c], 310 + k, { lo: 0.5, hi: 1.5 });
        const b = randomArray([c], 320 + k);
        const g = ref.bySampleGroup(shape, c);
        await checkOp({
          what: `instanceNorm ${describeCase(shape)} affine=${affine}`,
          inputs: affine ? [x, w, b] : [x],
          gpu: (t, tw, tb) => F.instanceNorm(t, { weight: tw ?? null, bias: tb ?? null }),
          ref: (a, aw, ab) => ref.instanceNorm(a, null, null, aw ?? null, ab ?? null, 0.1, 1e-5).y,
          refGrad: (gy, a, aw) => {
            const r = ref.normalizeBackward(gy, a, g, aw ?? null, [c], 1e-5, null);
            return affine ? [r.dx, r.dw, r.db] : [r.dx];
          },
          tol: 2e-5,
          gradTol: 5e-5,
          fd: { tol: 1e-4 },
        });
      });
    }
  });

  it('updates running statistics with the batch average of the instance statistics; eval uses them', async () => {
    const shape = [3, 4, 5, 3];
    const x = randomArray(shape, 330, { lo: -1, hi: 3 });
    const rm0 = randomArray([4], 331);
    const rv0 = variances(4, 332);
    const rm = tensorOf(rm0);
    const rv = tensorOf(rv0);
    const y = F.instanceNorm(tensorOf(x), rm, rv, null, null, true, 0.2, 1e-5);
    const [out, gotMean, gotVar] = await readPoisoned(y, rm, rv);
    const expected = ref.instanceNorm(x.ref, rm0.ref, rv0.ref, null, null, 0.2, 1e-5);
    expectClose(out!, expected.y, 2e-5, 'y');
    expectClose(gotMean!, expected.runningMean!, TOL, 'running mean');
    expectClose(gotVar!, expected.runningVar!, TOL, 'running var');
    // nn.InstanceNorm2d(trackRunningStats) in eval normalizes each channel with them, like batch norm.
    const m = new wt.nn.InstanceNorm2d(4, { trackRunningStats: true, affine: true });
    expect(Object.keys(m.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    m.train();
    m.call(tensorOf(x));
    const initial = { mean: { shape: [4], data: new Float64Array(4) }, var: { shape: [4], data: new Float64Array(4).fill(1) } };
    const moduleExpected = ref.instanceNorm(x.ref, initial.mean, initial.var, null, null, 0.1, 1e-5);
    expectClose(await m.runningMean!.data(), moduleExpected.runningMean!, TOL, 'module running mean');
    expectClose(await m.runningVar!.data(), moduleExpected.runningVar!, TOL, 'module running var');
    expect(Array.from(await m.numBatchesTracked!.data())).toEqual([0]);
    m.eval();
    const x2 = randomArray(shape, 333);
    const [evalOut] = await readPoisoned(m.call(tensorOf(x2)));
    const rmNow = { shape: [4], data: Float64Array.from(await m.runningMean!.data()) };
    const rvNow = { shape: [4], data: Float64Array.from(await m.runningVar!.data()) };
    expectClose(evalOut!, ref.batchNorm(x2.ref, rmNow, rvNow, null, null, false, 0, 1e-5).y, 2e-5, 'eval with running statistics');
  });

  it('[4200001, 1, 2]: 4.2M instances, past one dispatch (stats, gradient partials, per-group finalize, dx)', async () => {
    const shape = [4_200_001, 1, 2];
    const x = randomArray(shape, 350, { lo: -1, hi: 2 });
    const w = randomArray([1], 351, { lo: 0.5, hi: 1.5 });
    const b = randomArray([1], 352);
    const gy = randomArray(shape, 353);
    const [xt, wt_, bt] = [tensorOf(x, true), tensorOf(w, true), tensorOf(b, true)];
    const y = F.instanceNorm(xt, { weight: wt_, bias: bt, eps: 1e-2 });
    y.backward(tensorOf(gy));
    const [out, dx, dw, db] = await readPoisoned(y, xt.grad!, wt_.grad!, bt.grad!);
    const g = ref.bySampleGroup(shape, 1);
    const st = ref.groupStats(x.ref, g);
    const grads = ref.normalizeBackward(gy.ref, x.ref, g, w.ref, [1], 1e-2, null);
    expectClose(out!, ref.normalize(x.ref, g, st.mean, st.variance, w.ref, b.ref, 1e-2), 2e-5, 'y');
    expectClose(dx!, grads.dx, 1e-4, 'dx');
    // dw and db sum 8.4M terms in float32.
    expectClose(dw!, grads.dw!, 1e-4, 'dw');
    expectClose(db!, grads.db!, 1e-4, 'db');
  });

  it('batches of more than 64: parameter gradients and running averages summed by split passes', async () => {
    const shape = [150, 3, 2, 5];
    const x = randomArray(shape, 360, { lo: -1, hi: 2 });
    const w = randomArray([3], 361, { lo: 0.5, hi: 1.5 });
    const b = randomArray([3], 362);
    const g = ref.bySampleGroup(shape, 3);
    await checkOp({
      what: 'instanceNorm [150, 3, 2, 5] affine',
      inputs: [x, w, b],
      gpu: (t, tw, tb) => F.instanceNorm(t, { weight: tw!, bias: tb! }),
      ref: (a, aw, ab) => ref.instanceNorm(a, null, null, aw!, ab!, 0.1, 1e-5).y,
      refGrad: (gy, a, aw) => {
        const r = ref.normalizeBackward(gy, a, g, aw!, [3], 1e-5, null);
        return [r.dx, r.dw, r.db];
      },
      tol: 2e-5,
      gradTol: 5e-5,
      fd: { tol: 1e-4, maxPoints: 100 },
    });
    const rm0 = randomArray([3], 363);
    const rv0 = variances(3, 364);
    const rm = tensorOf(rm0);
    const rv = tensorOf(rv0);
    F.instanceNorm(tensorOf(x), rm, rv, null, null, true, 0.3);
    const expected = ref.instanceNorm(x.ref, rm0.ref, rv0.ref, null, null, 0.3, 1e-5);
    const [gotMean, gotVar] = await readPoisoned(rm, rv);
    expectClose(gotMean!, expected.runningMean!, TOL, 'running mean');
    expectClose(gotVar!, expected.runningVar!, TOL, 'running var');
  });

  it('nn.InstanceNorm2d on unbatched [C, H, W] input; a spatial size of 1 is an error', async () => {
    const m = new wt.nn.InstanceNorm2d(3);
    expect(Object.keys(m.stateDict())).toEqual([]);
    const x = randomArray([3, 4, 5], 340);
    const y = m.call(tensorOf(x));
    expect(y.shape).toEqual([3, 4, 5]);
    const batched = { shape: [1, 3, 4, 5], data: x.ref.data };
    const [out] = await readPoisoned(y);
    expectClose(out!, ref.instanceNorm(batched, null, null, null, null, 0.1, 1e-5).y.data, 2e-5, 'unbatched');
    expect(() => m.call(wt.zeros([2, 3, 1, 1]))).toThrow(/more than 1 spatial element when training, got input size \[2, 3, 1, 1\]/);
    expect(() => m.call(wt.zeros([2, 3]))).toThrow(/expected 3D or 4D input \(got 2D input/);
  });
});

const layerCases: [number[], number[]][] = [
  [[4, 10], [10]],
  [[2, 3, 8], [8]], // vec4 rows
  [[3, 2, 5], [2, 5]], // two normalized dims
  [[1, 7], [7]],
  [[5, 3, 1], [1]], // rows of 1 element: y = bias
  [[6, 9], [6, 9]], // the whole tensor
];

describe('layerNorm: forward and gradients', () => {
  layerCases.forEach(([shape, normalized], k) => {
    for (const affine of [true, false]) {
      it(`${describeCase(shape, { normalized })} affine=${affine}`, async () => {
        const size = normalized.reduce((p, d) => p * d, 1);
        const x = randomArray(shape, 400 + k, { lo: -2, hi: 3 });
        const w = randomArray(normalized, 410 + k, { lo: 0.5, hi: 1.5 });
        const b = randomArray(normalized, 420 + k);
        const g = ref.byRow(shape, size);
        const eps = size === 1 ? 1e-2 : 1e-5;
        await checkOp({
          what: `layerNorm ${describeCase(shape, { normalized })} affine=${affine}`,
          inputs: affine ? [x, w, b] : [x],
          gpu: (t, tw, tb) => F.layerNorm(t, normalized, tw ?? null, tb ?? null, eps),
          ref: (a, aw, ab) => {
            const st = ref.groupStats(a, g);
            return ref.normalize(a, g, st.mean, st.variance, aw ?? null, ab ?? null, eps);
          },
          refGrad: (gy, a, aw) => {
            const r = ref.normalizeBackward(gy, a, g, aw ?? null, normalized, eps, null);
            return affine ? [r.dx, r.dw, r.db] : [r.dx];
          },
          tol: 2e-5,
          gradTol: 5e-5,
          fd: { tol: 1e-4 },
        });
      });
    }
  });

  it('bias without weight; nn.LayerNorm; shape errors', async () => {
    const x = randomArray([3, 6], 430);
    const b = randomArray([6], 431);
    const g = ref.byRow([3, 6], 6);
    await checkOp({
      what: 'layerNorm bias only',
      inputs: [x, b],
      gpu: (t, tb) => F.layerNorm(t, 6, { bias: tb! }),
      ref: (a, ab) => {
        const st = ref.groupStats(a, g);
        return ref.normalize(a, g, st.mean, st.variance, null, ab!, 1e-5);
      },
      gradTol: 5e-5,
      fd: { tol: 1e-4 },
    });
    const ln = new wt.nn.LayerNorm([2, 3]);
    expect(Object.keys(ln.stateDict())).toEqual(['weight', 'bias']);
    expect(ln.weight!.shape).toEqual([2, 3]);
    expect(Object.keys(new wt.nn.LayerNorm(4, { elementwiseAffine: false }).stateDict())).toEqual([]);
    expect(() => ln.call(wt.zeros([4, 3, 2]))).toThrow(/layer_norm \(LayerNorm\): given normalizedShape \[2, 3\], expected an input of shape \[\*, 2, 3\], got \[4, 3, 2\]/);
  });

  it('[4200000, 4] rows (past one dispatch) and a [3, 20000] row split with column sums split over rows', async () => {
    for (const [shape, normalized] of [
      [[4_200_000, 1], [1]],
      [[3, 20_000], [20_000]],
      [[40_000, 3], [3]],
    ] as [number[], number[]][]) {
      const size = normalized[0]!;
      const x = randomArray(shape, 440, { lo: -1, hi: 2 });
      const w = randomArray(normalized, 441, { lo: 0.5, hi: 1.5 });
      const b = randomArray(normalized, 442);
      const gy = randomArray(shape, 443);
      const eps = 1e-2;
      const [xt, wt_, bt] = [tensorOf(x, true), tensorOf(w, true), tensorOf(b, true)];
      const y = F.layerNorm(xt, normalized, wt_, bt, eps);
      y.backward(tensorOf(gy));
      const [out, dx, dw, db] = await readPoisoned(y, xt.grad!, wt_.grad!, bt.grad!);
      const g = ref.byRow(shape, size);
      const st = ref.groupStats(x.ref, g);
      const grads = ref.normalizeBackward(gy.ref, x.ref, g, w.ref, normalized, eps, null);
      // Up to 4.2M-term float32 sums for the parameter gradients.
      expectClose(out!, ref.normalize(x.ref, g, st.mean, st.variance, w.ref, b.ref, eps), 1e-4, `${describeCase(shape)} y`);
      expectClose(dx!, grads.dx, 1e-4, `${describeCase(shape)} dx`);
      expectClose(dw!, grads.dw!, 1e-4, `${describeCase(shape)} dw`);
      expectClose(db!, grads.db!, 1e-4, `${describeCase(shape)} db`);
    }
  });
});

// ---- local response norm --------------------------------------------------------------------------

describe('localResponseNorm: forward and gradient', () => {
  const cases: [number[], number, number, number, number][] = [
    [[2, 7, 5, 5], 5, 1e-4, 0.75, 2], // AlexNet's parameters, scalar planes
    [[1, 9, 4, 4], 5, 0.5, 0.75, 1], // vec4 planes; alpha large enough that the window matters
    [[2, 6, 3], 3, 0.3, 0.5, 0.5], // [N, C, L]
    [[1, 20, 2, 2], 4, 0.8, 1.5, 1], // even size (window lo = 2, hi = 1), channel blocks of 16
    [[3, 3, 1, 1], 7, 0.6, 0.75, 2], // window wider than C, spatial size 1
    [[1, 1, 3, 2], 1, 0.4, 0.75, 1], // one channel, size 1
    [[2, 5, 2, 3], 5, 1, 0.75, 0.1], // small k: normalization dominated by the window
  ];
  cases.forEach(([shape, size, alpha, beta, k], i) => {
    it(describeCase(shape, { size, alpha, beta, k }), async () => {
      const x = randomArray(shape, 500 + i, { lo: -2, hi: 2 });
      await checkOp({
        what: `localResponseNorm ${describeCase(shape, { size, alpha, beta, k })}`,
        inputs: [x],
        gpu: (t) => F.localResponseNorm(t, size, alpha, beta, k),
        ref: (a) => ref.localResponseNorm(a, size, alpha, beta, k),
        refGrad: (gy, a) => [ref.localResponseNormBackward(gy, a, size, alpha, beta, k)],
        // pow() on the GPU is exp2(log2): a few ulp of 2^-24 relative per element.
        tol: 2e-5,
        gradTol: 2e-5,
      });
    });
  });

  it('[1, 2, 4200001]: 4.2M invocations, past one dispatch (2-D workgroup grid)', async () => {
    const shape = [1, 2, 4_200_001];
    const x = randomArray(shape, 510, { lo: -2, hi: 2 });
    const gy = randomArray(shape, 511);
    const xt = tensorOf(x, true);
    const y = F.localResponseNorm(xt, 3, 0.5, 0.75, 1);
    y.backward(tensorOf(gy));
    const [out, dx] = await readPoisoned(y, xt.grad!);
    expectClose(out!, ref.localResponseNorm(x.ref, 3, 0.5, 0.75, 1), 2e-5, 'y');
    expectClose(dx!, ref.localResponseNormBackward(gy.ref, x.ref, 3, 0.5, 0.75, 1), 2e-5, 'dx');
  });

  it('nn.LocalResponseNorm(5, 1e-4, 0.75, 2) on [3, 96, 11, 11]; rank errors', async () => {
    const m = new wt.nn.LocalResponseNorm(5, 1e-4, 0.75, 2);
    const x = randomArray([3, 96, 11, 11], 520, { lo: -20, hi: 20 });
    const [out] = await readPoisoned(m.call(tensorOf(x)));
    expectClose(out!, ref.localResponseNorm(x.ref, 5, 1e-4, 0.75, 2), 2e-5, 'AlexNet LRN');
    expect(() => F.localResponseNorm(wt.zeros([4, 5]), 3)).toThrow(/local_response_norm: expected 3D or higher dimensionality input \[N, C, \.\.\.\], got 2D input \[4, 5\]/);
    expect(() => F.localResponseNorm(wt.zeros([1, 4, 5]), 0)).toThrow(/size must be a positive integer, got 0/);
  });
});
