/**
 * What the model-zoo tests share (test/gpu/models/): the fixtures that gen_models_<family>.py writes
 * from torchvision (test/fixtures/models_common.py has the format), the deterministic weights both
 * sides compute from each state-dict key (so no weights are stored), and the three checks every
 * model passes: state-dict keys, order, shapes and parameter count equal to torchvision's; eval
 * logits equal to PyTorch's with the same weights and input; and training steps on the GPU that
 * lower the loss, one submission each, the second building nothing new. Node and Chromium.
 */
import { afterEach, assert, expect } from 'vitest';
import * as wt from '../src/index.js';
import { expectClose } from './helpers.js';

export interface ModelFixture {
  torch: string;
  name: string;
  builder: string;
  kwargs: Record<string, unknown>;
  numParameters: number;
  /** [key, shape, dtype] in state_dict() order. */
  stateDict: [string, number[], string][];
  input: number[];
  logits?: { shape: number[]; data: number[] };
  sgdStep?: SgdStepFixture;
}

/**
 * One PyTorch SGD step (no momentum, train mode, float64) from the deterministic weights on the
 * fixture's input: the loss before it; per listed parameter the update new - old at a spread of
 * flat indices and the norm of the whole update; the listed buffers' values after the step.
 */
export interface SgdStepFixture {
  lr: number;
  labels: number[];
  loss: number;
  params: Record<string, { index: number[]; delta: number[]; deltaNorm: number }>;
  buffers: Record<string, number[]>;
}

export function modelFixture(json: unknown): ModelFixture {
  const f = json as ModelFixture;
  if (!/^1\.13/.test(f.torch)) assert.fail(`model fixture ${f.name} made with torch ${f.torch}, expected 1.13`);
  return f;
}

function fnv1a(key: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(key)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** models_common.det_uniform: n float32 values in [-1, 1) from a hash of the key and the index. */
export function detUniform(key: string, n: number): Float32Array {
  const seed = fnv1a(key);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let h = (seed ^ Math.imul(i, 0x9e3779b1)) >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
    out[i] = ((h >>> 8) / 16777216) * 2 - 1;
  }
  return out;
}

/** models_common.det_values: the value of a state-dict entry (or the input) by its key's last part. */
export function detValues(key: string, shape: readonly number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const u = detUniform(key, n);
  const last = key.slice(key.lastIndexOf('.') + 1);
  const out = new Float32Array(n);
  // Python computes in float64 and rounds once to float32; so do we.
  let f: (v: number) => number;
  if (last === 'weight' && shape.length >= 2) {
    const bound = Math.sqrt(6 / shape.slice(1).reduce((a, b) => a * b, 1));
    f = (v) => v * bound;
  } else if (last === 'weight') f = (v) => 1 + 0.2 * v;
  else if (last === 'bias' || last === 'running_mean') f = (v) => 0.1 * v;
  else if (last === 'running_var') f = (v) => 1 + 0.4 * v;
  else f = (v) => v;
  for (let i = 0; i < n; i++) out[i] = f(u[i]!);
  return out;
}

/** Fills every float parameter and buffer of `model` with detValues (as the fixture's PyTorch model was). */
export function loadDeterministic(model: wt.nn.Module): void {
  const sd: Record<string, wt.Tensor> = {};
  for (const [k, t] of Object.entries(model.stateDict())) {
    sd[k] = t.dtype === 'float32' ? wt.tensor(detValues(k, t.shape), { shape: [...t.shape] }) : t;
  }
  model.loadStateDict(sd);
}

/** The deterministic input of a fixture. */
export function fixtureInput(f: ModelFixture): wt.Tensor {
  return wt.tensor(detValues('input', f.input), { shape: f.input });
}

/** torchvision's state-dict keys in order, shapes, dtypes (int64 counters are int32 here) and parameter count. */
export function expectTorchvisionStateDict(module: wt.nn.Module<unknown>, f: ModelFixture): void {
  const model = module as wt.nn.Module;
  const ours = Object.entries(model.stateDict()).map(([k, t]) => [k, [...t.shape], t.dtype] as [string, number[], string]);
  const theirs = f.stateDict.map(([k, s, d]) => [k, s, d === 'int64' ? 'int32' : d] as [string, number[], string]);
  const ourKeys = ours.map(([k]) => k);
  const theirKeys = theirs.map(([k]) => k);
  const missing = theirKeys.filter((k) => !ourKeys.includes(k));
  const unexpected = ourKeys.filter((k) => !theirKeys.includes(k));
  expect({ missing, unexpected }, `${f.name}: state-dict keys vs ${f.builder}`).toEqual({ missing: [], unexpected: [] });
  expect(ours, `${f.name}: state-dict order, shapes and dtypes vs ${f.builder}`).toEqual(theirs);
  expect(model.numParameters(true), `${f.name}: parameter count`).toBe(f.numParameters);
}

/**
 * Runs `build` with the default generator drawing constants, for state-dict structure checks of big
 * models: nn.init draws every value on the CPU (about 0.1 s per million parameters here, so
 * wide_resnet101_2 takes 12 s), and the structure does not depend on the values.
 */
export function buildWithoutRandomInit<T>(build: () => T): T {
  const g = wt.defaultGenerator as unknown as Record<string, unknown>;
  g.random = () => 0.5;
  g.normal = () => 0;
  try {
    return build();
  } finally {
    delete g.random;
    delete g.normal;
  }
}

/**
 * The fixture's sgdStep here: the deterministic weights, train mode, cross-entropy on the fixture's
 * input and labels, one wt.optim.SGD step with the fixture's lr; then the loss, each listed
 * parameter's update (new - deterministic value) at the fixture's indices and its whole norm, and
 * the listed buffers, each within relative error `tol` of PyTorch's.
 */
export async function expectFixtureSgdStep(model: wt.nn.Module<unknown>, f: ModelFixture, tol = 1e-3): Promise<void> {
  const s = f.sgdStep;
  if (!s) assert.fail(`${f.name}: the fixture has no sgdStep`);
  const m = model as wt.nn.Module;
  loadDeterministic(m);
  m.train();
  const x = fixtureInput(f);
  const y = wt.tensor(Int32Array.from(s.labels), { shape: [s.labels.length] });
  const opt = new wt.optim.SGD(m.parameters(), { lr: s.lr });
  opt.zeroGrad();
  const loss = wt.nn.functional.crossEntropy(model.call(x) as wt.Tensor, y);
  loss.backward();
  opt.step();
  expectClose([(await loss.item()) as number], [s.loss], tol, `${f.name}: loss of the SGD step`);
  const sd = m.stateDict();
  for (const [k, p] of Object.entries(s.params)) {
    const t = sd[k];
    if (!t) assert.fail(`${f.name}: no parameter ${k}`);
    const now = await t.data();
    const before = detValues(k, t.shape);
    let sq = 0;
    for (let i = 0; i < now.length; i++) sq += (now[i]! - before[i]!) ** 2;
    expectClose(p.index.map((i) => now[i]! - before[i]!), p.delta, tol, `${f.name}: update of ${k} at ${p.index.length} indices vs PyTorch's SGD step`);
    expectClose([Math.sqrt(sq)], [p.deltaNorm], tol, `${f.name}: norm of the update of ${k}`);
  }
  for (const [k, values] of Object.entries(s.buffers)) {
    const t = sd[k];
    if (!t) assert.fail(`${f.name}: no buffer ${k}`);
    expectClose(Array.from(await t.data()), values, tol, `${f.name}: ${k} after the SGD step`);
  }
}

/** Eval-mode logits with the deterministic weights and input, against PyTorch's float64 ones. */
export async function expectFixtureLogits(model: wt.nn.Module<unknown>, f: ModelFixture, tol = 1e-4, pick: (out: unknown) => wt.Tensor = (o) => o as wt.Tensor): Promise<void> {
  if (!f.logits) assert.fail(`${f.name}: the fixture has no logits`);
  loadDeterministic(model as wt.nn.Module);
  model.eval();
  const y = wt.noGrad(() => pick(model.call(fixtureInput(f))));
  expect([...y.shape], `${f.name}: logits shape`).toEqual(f.logits.shape);
  expectClose(await y.data(), f.logits.data, tol, `${f.name} eval logits vs PyTorch`);
}

export interface TrainCheck {
  /** Input batch shape [N, C, H, W]. */
  input: number[];
  numClasses: number;
  steps: number;
  lr?: number;
  /** SGD momentum (default 0.9). */
  momentum?: number;
  /** Extra loss terms from the model's output (GoogLeNet's auxiliary heads: 0.3 each). */
  loss?: (out: unknown, y: wt.Tensor) => wt.Tensor;
}

function counters(device: wt.Device): { pipelines: number; buffers: number; submits: number } {
  return { pipelines: device.pipelines.stats.pipelines, buffers: device.pool.stats.created, submits: device.submitCount };
}

/**
 * Trains `model` in train mode on one fixed random batch with SGD (momentum 0.9 unless `c.momentum`) for `steps` steps:
 * the loss falls, and from the third step on each step is one queue submission that creates no
 * pipeline and no GPU buffer (the plan replays). Returns the losses.
 */
export async function expectTrainsOnGpu(model: wt.nn.Module<unknown>, c: TrainCheck): Promise<number[]> {
  const device = wt.defaultDevice();
  wt.manualSeed(11);
  model.train();
  const x = wt.randn(...c.input);
  const y = wt.randint(0, c.numClasses, [c.input[0]!]);
  const opt = new wt.optim.SGD((model as wt.nn.Module).parameters(), { lr: c.lr ?? 0.01, momentum: c.momentum ?? 0.9 });
  const lossOf = c.loss ?? ((out: unknown, t: wt.Tensor) => wt.nn.functional.crossEntropy(out as wt.Tensor, t));
  const losses: number[] = [];
  for (let step = 0; step < c.steps; step++) {
    const before = counters(device);
    opt.zeroGrad();
    const loss = lossOf(model.call(x), y);
    loss.backward();
    opt.step();
    losses.push(await loss.item());
    loss.dispose();
    const after = counters(device);
    if (step >= 2) {
      expect(after.submits - before.submits, `step ${step + 1}: queue submissions`).toBe(1);
      expect(after.pipelines - before.pipelines, `step ${step + 1}: new pipelines`).toBe(0);
      expect(after.buffers - before.buffers, `step ${step + 1}: new GPU buffers`).toBe(0);
    }
  }
  expect(losses.every(Number.isFinite), `losses ${losses.join(', ')}`).toBe(true);
  expect(losses[losses.length - 1]!, `losses ${losses.map((l) => l.toFixed(4)).join(', ')}`).toBeLessThan(losses[0]! * 0.7);
  return losses;
}

/** A fixture from models_common.write_sgd_step_fixture: one PyTorch SGD step in train mode. */
export interface SgdStepFixture {
  torch: string;
  name: string;
  builder: string;
  kwargs: Record<string, unknown>;
  input: number[];
  targets: number[];
  lr: number;
  /** The loss of the step (float64, before the update). */
  loss: number;
  /**
   * For each state-dict key: its shape, its first flat values after the step, and how far
   * PyTorch's own float32 step changes them differently from the float64 one (relative error).
   */
  after: Record<string, { shape: number[]; data: number[]; float32RelErr: number }>;
}

export function sgdStepFixture(json: unknown): SgdStepFixture {
  const f = json as SgdStepFixture;
  if (!/^1\.13/.test(f.torch)) assert.fail(`SGD-step fixture ${f.name} made with torch ${f.torch}, expected 1.13`);
  return f;
}

/**
 * One plain SGD step in train mode from the deterministic weights and input, as the fixture's
 * PyTorch one: the loss within `tol`, and for each stored key the change of its first values
 * (value after the step minus the deterministic start, i.e. -lr * grad for a parameter, momentum *
 * (batch - running) for a running statistic) within relative error max(tol, float32Factor x
 * PyTorch's own float32 error on that change) of PyTorch's float64 change: through many batch
 * norms over a tiny batch, float32 rounding alone moves the early layers' gradients by 1e-3.
 */
export async function expectSgdStepMatches(
  model: wt.nn.Module<unknown>,
  f: SgdStepFixture,
  lossOf: (out: unknown, y: wt.Tensor) => wt.Tensor,
  tol = 1e-4,
  float32Factor = 10,
): Promise<void> {
  const m = model as wt.nn.Module;
  loadDeterministic(m);
  m.train();
  const x = wt.tensor(detValues('input', f.input), { shape: f.input });
  const y = wt.tensor(Int32Array.from(f.targets), { shape: [f.targets.length] });
  const opt = new wt.optim.SGD(m.parameters(), { lr: f.lr });
  opt.zeroGrad();
  const loss = lossOf(model.call(x), y);
  loss.backward();
  opt.step();
  expectClose([await loss.item()], [f.loss], tol, `${f.name}: loss`);
  const sd = m.stateDict();
  for (const [key, ref] of Object.entries(f.after)) {
    const t = sd[key];
    if (!t) assert.fail(`${f.name}: the model has no state-dict entry ${key}`);
    expect([...t.shape], `${f.name}: ${key} shape`).toEqual(ref.shape);
    const n = ref.data.length;
    const start = detValues(key, ref.shape);
    const ours = (await t.data()) as Float32Array;
    const delta = (a: ArrayLike<number>): number[] => Array.from({ length: n }, (_, i) => a[i]! - start[i]!);
    const keyTol = Math.max(tol, float32Factor * ref.float32RelErr);
    expectClose(delta(ours), delta(ref.data), keyTol, `${f.name}: change of ${key} in one SGD step (PyTorch float32: ${ref.float32RelErr.toExponential(2)})`);
  }
}

/** Frees a model's parameters and buffers on the GPU now (big models between tests). */
export function disposeModel(module: wt.nn.Module<unknown>): void {
  for (const t of Object.values((module as wt.nn.Module).stateDict())) t.dispose();
}

/**
 * For a test file of big models: returns `build`, which passes a model through and frees it (its
 * parameters and buffers) after the test that built it, so VGG's half gigabyte does not pile up.
 */
export function disposedAfterEach(): <T extends wt.nn.Module<unknown>>(model: T) => T {
  let built: wt.nn.Module<unknown>[] = [];
  afterEach(() => {
    for (const m of built) disposeModel(m);
    built = [];
  });
  return (model) => {
    built.push(model);
    return model;
  };
}

/** An it.each row [name, fixture, make] for state-dict checks of many builders. */
export function fixtureCase<M>(json: unknown, make: () => M): [string, ModelFixture, () => M] {
  const f = modelFixture(json);
  return [f.name, f, make];
}
