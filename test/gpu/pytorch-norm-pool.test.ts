/**
 * webtrain against PyTorch 1.13 for normalization and pooling: the fixtures test/fixtures/gen_norm.py
 * and gen_pool.py wrote (inputs, options, PyTorch's output, the running statistics after the call,
 * and the gradient of every input for a stored upstream gradient), run through the public API only.
 * Relative error <= 1e-4 (FIXTURE_TOL, as pytorch.test.ts); indices exactly.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';
import norm from '../fixtures/norm.json';
import poolMore from '../fixtures/pool_more.json';
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
  op: string;
  args: Record<string, unknown>;
  inputs: Record<string, FixtureTensor>;
  output: FixtureTensor;
  indices?: FixtureTensor;
  upstream?: FixtureTensor;
  grads?: Record<string, FixtureTensor>;
  runningMeanAfter?: FixtureTensor;
  runningVarAfter?: FixtureTensor;
}

interface ModuleStep {
  training: boolean;
  input: FixtureTensor;
  output: FixtureTensor;
  runningMean: FixtureTensor;
  runningVar: FixtureTensor;
  numBatchesTracked: number;
}

interface ModuleCase {
  name: string;
  op: 'module';
  module: 'BatchNorm2d' | 'InstanceNorm2d';
  options: Record<string, unknown>;
  init: { weight: FixtureTensor; bias: FixtureTensor };
  stateDictKeys: string[];
  steps: ModuleStep[];
}

interface Fixture<C> {
  torch: string;
  cases: C[];
}

const fromFixture = (t: FixtureTensor, requiresGrad = false): wt.Tensor =>
  wt.tensor(Float32Array.from(t.data), { shape: t.shape, requiresGrad });

/** Inputs (float32; those with a stored gradient require grad), except the running statistics. */
function inputTensors(c: OpCase): Record<string, wt.Tensor> {
  const out: Record<string, wt.Tensor> = {};
  for (const [k, v] of Object.entries(c.inputs)) out[k] = fromFixture(v, c.grads?.[k] !== undefined);
  return out;
}

/** Runs `op`, backward with the stored upstream, and compares output, indices, gradients and `extra`. */
async function compare(
  c: OpCase,
  run: (t: Record<string, wt.Tensor>) => wt.Tensor | [wt.Tensor, wt.Tensor],
  extra: (t: Record<string, wt.Tensor>) => [wt.Tensor, FixtureTensor, string][] = () => [],
): Promise<void> {
  const t = inputTensors(c);
  const result = run(t);
  const [y, indices] = Array.isArray(result) ? result : [result, null];
  expect(y.shape, `${c.name}: output shape`).toEqual(c.output.shape);
  if (c.upstream) y.backward(fromFixture(c.upstream));
  const gradNames = Object.keys(c.grads ?? {});
  const extras = extra(t);
  const read = await readPoisoned(y, ...(indices ? [indices] : []), ...gradNames.map((k) => t[k]!.grad!), ...extras.map(([e]) => e));
  expectClose(read.shift()!, c.output.data, FIXTURE_TOL, `${c.name}: output vs PyTorch`);
  if (indices) expectEqualValues(read.shift()!, c.indices!.data, `${c.name}: indices vs PyTorch`);
  else expect(c.indices, `${c.name}: PyTorch returned indices`).toBeUndefined();
  for (const k of gradNames) expectClose(read.shift()!, c.grads![k]!.data, FIXTURE_TOL, `${c.name}: d/d${k} vs PyTorch`);
  for (const [, want, what] of extras) expectClose(read.shift()!, want.data, FIXTURE_TOL, `${c.name}: ${what} vs PyTorch`);
}

const normCases = (norm as Fixture<OpCase | ModuleCase>).cases;
const opCases = (op: string) => normCases.filter((c): c is OpCase => c.op === op);

/** Running statistics given to the op (updated in place), and their expected values afterwards. */
function running(c: OpCase): { rm: wt.Tensor | null; rv: wt.Tensor | null; checks: () => [wt.Tensor, FixtureTensor, string][] } {
  const rm = c.inputs['runningMean'] ? fromFixture(c.inputs['runningMean']) : null;
  const rv = c.inputs['runningVar'] ? fromFixture(c.inputs['runningVar']) : null;
  return {
    rm,
    rv,
    checks: () =>
      rm && rv
        ? [
            [rm, c.runningMeanAfter!, 'running mean after'],
            [rv, c.runningVarAfter!, 'running var after'],
          ]
        : [],
  };
}

function withoutRunning(c: OpCase): OpCase {
  const inputs = { ...c.inputs };
  delete inputs['runningMean'];
  delete inputs['runningVar'];
  return { ...c, inputs };
}

describe('PyTorch fixtures: normalization', () => {
  it('fixtures come from PyTorch 1.13', () => {
    expect((norm as Fixture<unknown>).torch).toMatch(/^1\.13/);
    expect((poolMore as Fixture<unknown>).torch).toMatch(/^1\.13/);
  });

  for (const c of opCases('batchNorm')) {
    it(`batchNorm: ${c.name}`, async () => {
      const { rm, rv, checks } = running(c);
      const a = c.args as { training: boolean; momentum: number; eps: number };
      await compare(
        withoutRunning(c),
        (t) => F.batchNorm(t['input']!, rm, rv, t['weight'] ?? null, t['bias'] ?? null, a.training, a.momentum, a.eps),
        checks,
      );
    });
  }

  for (const c of opCases('instanceNorm')) {
    it(`instanceNorm: ${c.name}`, async () => {
      const { rm, rv, checks } = running(c);
      const a = c.args as { useInputStats: boolean; momentum: number; eps: number };
      await compare(
        withoutRunning(c),
        (t) => F.instanceNorm(t['input']!, { runningMean: rm, runningVar: rv, weight: t['weight'] ?? null, bias: t['bias'] ?? null, ...a }),
        checks,
      );
    });
  }

  for (const c of opCases('groupNorm')) {
    it(`groupNorm: ${c.name}`, async () => {
      const a = c.args as { numGroups: number; eps: number };
      await compare(c, (t) => F.groupNorm(t['input']!, a.numGroups, { weight: t['weight'] ?? null, bias: t['bias'] ?? null, eps: a.eps }));
    });
  }

  for (const c of opCases('layerNorm')) {
    it(`layerNorm: ${c.name}`, async () => {
      const a = c.args as { normalizedShape: number[]; eps: number };
      await compare(c, (t) => F.layerNorm(t['input']!, a.normalizedShape, t['weight'] ?? null, t['bias'] ?? null, a.eps));
    });
  }

  for (const c of opCases('localResponseNorm')) {
    it(`localResponseNorm: ${c.name}`, async () => {
      const { size, ...rest } = c.args as { size: number; alpha?: number; beta?: number; k?: number };
      await compare(c, (t) => F.localResponseNorm(t['input']!, size, rest));
    });
  }

  for (const c of normCases.filter((x): x is ModuleCase => x.op === 'module')) {
    it(`${c.name}: training steps, running statistics, num_batches_tracked, then eval`, async () => {
      const m = c.module === 'BatchNorm2d' ? new wt.nn.BatchNorm2d(3, c.options) : new wt.nn.InstanceNorm2d(4, c.options);
      expect(Object.keys(m.stateDict())).toEqual(c.stateDictKeys);
      m.weight!._take(fromFixture(c.init.weight));
      m.bias!._take(fromFixture(c.init.bias));
      for (const [i, step] of c.steps.entries()) {
        m.train(step.training);
        const [y, mean, variance, count] = await readPoisoned(m.call(fromFixture(step.input)), m.runningMean!, m.runningVar!, m.numBatchesTracked!);
        const what = `${c.name} step ${i + 1}${step.training ? '' : ' (eval)'}`;
        expectClose(y!, step.output.data, FIXTURE_TOL, `${what}: output`);
        expectClose(mean!, step.runningMean.data, FIXTURE_TOL, `${what}: running_mean`);
        expectClose(variance!, step.runningVar.data, FIXTURE_TOL, `${what}: running_var`);
        expect(Array.from(count!), `${what}: num_batches_tracked`).toEqual([step.numBatchesTracked]);
      }
    });
  }
});

const poolCases = (poolMore as Fixture<OpCase>).cases;

type PoolFn = (x: wt.Tensor, ...rest: unknown[]) => wt.Tensor | [wt.Tensor, wt.Tensor];

describe('PyTorch fixtures: pooling', () => {
  for (const c of poolCases.filter((x) => x.op !== 'module')) {
    it(`${c.op}: ${c.name}`, async () => {
      const { outputSize, kernelSize, ...rest } = c.args as { outputSize?: wt.nn.functional.AdaptiveSize; kernelSize?: number | [number, number] };
      if (c.op === 'adaptiveAvgPool2d') await compare(c, (t) => F.adaptiveAvgPool2d(t['input']!, outputSize!));
      else if (c.op === 'adaptiveMaxPool2d') await compare(c, (t) => F.adaptiveMaxPool2d(t['input']!, outputSize!, rest));
      else await compare(c, (t) => (F[c.op as 'maxPool2d'] as PoolFn)(t['input']!, kernelSize!, rest));
    });
  }

  for (const c of poolCases.filter((x) => x.op === 'module')) {
    it(`module ${c.name}`, async () => {
      const { module, positional } = c.args as { module: 'MaxPool2d' | 'AvgPool2d' | 'AdaptiveAvgPool2d' | 'AdaptiveMaxPool2d'; positional: unknown[] };
      const Ctor = wt.nn[module] as unknown as new (...args: unknown[]) => wt.nn.Module<wt.Tensor | [wt.Tensor, wt.Tensor]>;
      const m = new Ctor(...positional);
      await compare(c, (t) => m.call(t['input']!));
    });
  }
});
