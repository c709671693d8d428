/**
 * webtrain against PyTorch 1.13: the fixtures test/fixtures/generate.py wrote (inputs, options,
 * PyTorch's output and the gradient of every input for a stored upstream gradient). Relative error
 * <= 1e-4 (FIXTURE_TOL): the fixtures are PyTorch's float64 results for float32 inputs, and the GPU
 * computes in float32, so this leaves a wide margin over rounding while any semantic difference
 * (a padding rule, a divisor, a reduction) shows up as an error of order 1.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/internal.js'; // ops and engineFor are internal
import activations from '../fixtures/activations.json';
import avgPool from '../fixtures/avg_pool2d.json';
import conv2d from '../fixtures/conv2d.json';
import crossEntropy from '../fixtures/cross_entropy.json';
import linear from '../fixtures/linear.json';
import matmul from '../fixtures/matmul.json';
import maxPool from '../fixtures/max_pool2d.json';
import mseLoss from '../fixtures/mse_loss.json';
import optimizers from '../fixtures/optimizers.json';
import schedulers from '../fixtures/schedulers.json';
import { expectClose, expectEqualValues, readPoisoned } from '../helpers.js';

const F = wt.nn.functional;
const FIXTURE_TOL = 1e-4;

beforeAll(async () => {
  await wt.init();
});

interface FixtureTensor {
  shape: number[];
  data: number[];
}

interface OpCase {
  name: string;
  args: Record<string, unknown>;
  inputs: Record<string, FixtureTensor>;
  output: FixtureTensor;
  indices?: FixtureTensor;
  upstream?: FixtureTensor;
  grads?: Record<string, FixtureTensor>;
}

interface Fixture<C> {
  torch: string;
  cases: C[];
}

const cases = (f: unknown): OpCase[] => (f as Fixture<OpCase>).cases;

/** Inputs named in `ints` become int32 tensors; float inputs with a stored gradient require grad. */
function inputTensors(c: OpCase, ints: readonly string[] = []): Record<string, wt.Tensor> {
  const out: Record<string, wt.Tensor> = {};
  for (const [k, v] of Object.entries(c.inputs)) {
    out[k] = ints.includes(k)
      ? wt.tensor(Int32Array.from(v.data), { shape: v.shape })
      : wt.tensor(Float32Array.from(v.data), { shape: v.shape, requiresGrad: c.grads?.[k] !== undefined });
  }
  return out;
}

/** Runs `op` on the case's inputs, backward with the stored upstream gradient, and compares all. */
async function compare(c: OpCase, op: (t: Record<string, wt.Tensor>) => wt.Tensor | [wt.Tensor, wt.Tensor], ints: readonly string[] = [], tol = FIXTURE_TOL): Promise<void> {
  const t = inputTensors(c, ints);
  const result = op(t);
  const [y, indices] = Array.isArray(result) ? result : [result, null];
  expect(y.shape, `${c.name}: output shape`).toEqual(c.output.shape);
  if (c.upstream) y.backward(wt.tensor(Float32Array.from(c.upstream.data), { shape: c.upstream.shape }));
  const gradNames = Object.keys(c.grads ?? {});
  const read = await readPoisoned(y, ...(indices ? [indices] : []), ...gradNames.map((k) => t[k]!.grad!));
  const out = read.shift()!;
  expectClose(out, c.output.data, tol, `${c.name}: output vs PyTorch`);
  if (indices) expectEqualValues(read.shift()!, c.indices!.data, `${c.name}: indices vs PyTorch`);
  else expect(c.indices, `${c.name}: PyTorch returned indices`).toBeUndefined();
  gradNames.forEach((k, i) => expectClose(read[i]!, c.grads![k]!.data, tol, `${c.name}: d/d${k} vs PyTorch`));
}

describe('PyTorch fixtures: ops', () => {
  it('fixtures come from PyTorch 1.13', () => {
    expect((conv2d as Fixture<OpCase>).torch).toMatch(/^1\.13/);
  });

  describe('conv2d', () => {
    for (const c of cases(conv2d)) {
      it(c.name, async () => {
        await compare(c, (t) => F.conv2d(t['input']!, t['weight']!, t['bias'] ?? null, c.args));
      });
    }
  });

  describe('maxPool2d', () => {
    for (const c of cases(maxPool)) {
      it(c.name, async () => {
        const { kernelSize, ...rest } = c.args as { kernelSize: number | [number, number] };
        // returnIndices comes from the fixture, so neither overload's literal type applies.
        const maxPool2d = F.maxPool2d as (x: wt.Tensor, k: number | [number, number], o: wt.nn.functional.MaxPool2dOptions) => wt.Tensor | [wt.Tensor, wt.Tensor];
        await compare(c, (t) => maxPool2d(t['input']!, kernelSize, rest));
      });
    }
  });

  describe('avgPool2d', () => {
    for (const c of cases(avgPool)) {
      it(c.name, async () => {
        const { kernelSize, ...rest } = c.args as { kernelSize: number | [number, number] };
        await compare(c, (t) => F.avgPool2d(t['input']!, kernelSize, rest as wt.nn.functional.AvgPool2dOptions));
      });
    }
  });

  describe('linear', () => {
    for (const c of cases(linear)) {
      it(c.name, async () => {
        await compare(c, (t) => F.linear(t['input']!, t['weight']!, t['bias'] ?? null));
      });
    }
  });

  describe('matmul', () => {
    for (const c of cases(matmul)) {
      it(c.name, async () => {
        await compare(c, (t) => t['input']!.matmul(t['other']!));
      });
    }
  });

  describe('crossEntropy', () => {
    for (const c of cases(crossEntropy)) {
      it(c.name, async () => {
        const { weight, ...rest } = c.args as { weight?: number[] };
        await compare(c, (t) => F.crossEntropy(t['input']!, t['target']!, { ...rest, weight: weight ? wt.tensor(weight) : null }), ['target']);
      });
    }
  });

  describe('mseLoss', () => {
    for (const c of cases(mseLoss)) {
      it(c.name, async () => {
        await compare(c, (t) => F.mseLoss(t['input']!, t['target']!, c.args));
      });
    }
  });

  describe('activations', () => {
    const fns: Record<string, (x: wt.Tensor, options: Record<string, unknown>) => wt.Tensor> = {
      relu: (x) => F.relu(x),
      relu6: (x) => F.relu6(x),
      leakyRelu: (x, o) => F.leakyRelu(x, o),
      elu: (x, o) => F.elu(x, o),
      gelu: (x, o) => F.gelu(x, o),
      sigmoid: (x) => F.sigmoid(x),
      tanh: (x) => F.tanh(x),
      silu: (x) => F.silu(x),
      hardswish: (x) => F.hardswish(x),
      hardsigmoid: (x) => F.hardsigmoid(x),
      softplus: (x, o) => F.softplus(x, o),
      hardtanh: (x, o) => F.hardtanh(x, o),
      clamp: (x, o) => wt.ops.clamp(x, o['min'] as number, o['max'] as number),
    };
    for (const c of cases(activations)) {
      const { fn, ...options } = c.args as { fn: string };
      it(`${c.name} ${JSON.stringify(options)}`, async () => {
        const f = fns[fn];
        expect(f, `activation ${fn}`).toBeDefined();
        await compare(c, (t) => f!(t['input']!, options));
      });
    }
  });
});

interface OptimizerCase {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW';
  args: Record<string, unknown>;
  param: FixtureTensor;
  grads: FixtureTensor[];
  params: FixtureTensor[];
}

describe('PyTorch fixtures: optimizer steps', () => {
  for (const c of (optimizers as unknown as Fixture<OptimizerCase>).cases) {
    it(c.name, async () => {
      const p = wt.tensor(Float32Array.from(c.param.data), { shape: c.param.shape, requiresGrad: true });
      const Opt = wt.optim[c.optimizer];
      const opt = new Opt([p], c.args);
      for (const [s, g] of c.grads.entries()) {
        p.grad = wt.tensor(Float32Array.from(g.data), { shape: g.shape });
        opt.step();
        // The displacement from the start: the parameter itself would hide a wrong small update.
        const got = Array.from(await p.data(), (v, i) => v - c.param.data[i]!);
        const expected = c.params[s]!.data.map((v, i) => v - c.param.data[i]!);
        expectClose(got, expected, FIXTURE_TOL, `${c.name}: step ${s + 1}, displacement vs PyTorch`);
      }
    });
  }
});

interface ScheduleCase {
  name: string;
  scheduler: 'OneCycleLR' | 'StepLR' | 'CosineAnnealingLR';
  optimizer: 'SGD' | 'Adam';
  args: Record<string, number | string | boolean>;
  lr: number[];
  momentum?: number[];
}

describe('PyTorch fixtures: learning-rate schedules', () => {
  for (const c of (schedulers as unknown as Fixture<ScheduleCase>).cases) {
    it(c.name, () => {
      const p = wt.tensor([0], { requiresGrad: true });
      const opt = c.optimizer === 'SGD' ? new wt.optim.SGD([p], { lr: 0.1, momentum: 0.9 }) : new wt.optim.Adam([p], { lr: 0.1 });
      if (c.scheduler === 'StepLR' || c.scheduler === 'CosineAnnealingLR') opt.paramGroups[0]!.lr = 0.2;
      let sched: wt.optim.LRScheduler;
      if (c.scheduler === 'OneCycleLR') {
        const { maxLr, ...options } = c.args as unknown as { maxLr: number } & wt.optim.OneCycleOptions;
        sched = new wt.optim.OneCycleLR(opt, maxLr, options);
      } else if (c.scheduler === 'StepLR') {
        sched = new wt.optim.StepLR(opt, c.args['stepSize'] as number, c.args['gamma'] as number);
      } else {
        sched = new wt.optim.CosineAnnealingLR(opt, c.args['tMax'] as number, c.args['etaMin'] as number);
      }
      const lrs: number[] = [];
      const momenta: number[] = [];
      for (let s = 0; s < c.lr.length; s++) {
        const o = opt.paramGroups[0]! as { lr: number; momentum?: number; betas?: [number, number] };
        lrs.push(o.lr);
        momenta.push(o.betas ? o.betas[0] : o.momentum!);
        if (s < c.lr.length - 1) sched.step();
      }
      // Both sides compute in float64 from the same closed forms.
      expectClose(lrs, c.lr, 1e-12, `${c.name}: lr per step vs PyTorch`);
      if (c.momentum) expectClose(momenta, c.momentum, 1e-12, `${c.name}: momentum / beta1 per step vs PyTorch`);
    });
  }
});
