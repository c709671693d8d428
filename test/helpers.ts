/**
 * What every GPU test shares: seeded random data, the relative error ||a - b|| / ||b|| and an
 * assertion on it with a useful message, a poisoned buffer pool (so an output element a kernel
 * forgot to write reads as NaN), and two gradient checks:
 *
 *  - checkFiniteDifferences: the GPU's analytic gradients against float64 central differences of
 *    the CPU reference forward, element by element (catches a wrong rule and a wrong element);
 *  - checkDirectional: GPU only, (f(x + eps v) - f(x - eps v)) vs <grad f, 2 eps v> for a random v
 *    (catches a gradient that disagrees with the GPU's own forward, but only on average).
 *
 * checkOp ties them together for one op: forward vs reference, gradients vs reference gradients,
 * and the finite-difference check. Everything here runs in Node and in the browser (no node: imports).
 */
import { assert } from 'vitest';
import * as wt from '../src/index.js';
import { sizeClass } from '../src/device/buffer-pool.js';
import { ndarray, numel, unravel, type NDArray } from './reference/ndarray.js';

/**
 * Default relative tolerance of a float32 GPU result against a float64 reference. float32 rounds at
 * 6e-8; a sum of K terms of mixed sign drifts by about sqrt(K) of that, and SwiftShader's exp/log/tanh
 * are a few ulp off, so 1e-5 holds for the small shapes of these tests with a wide margin while a
 * wrong element or a wrong formula is still far above it.
 */
export const TOL = 1e-5;

/**
 * Default tolerance of the GPU-only directional check. Both f(x +- eps v) are float32 sums, so their
 * difference carries about 1e-7 * sum|terms| of rounding, which over a step of 2 eps is
 * around 1e-5 * sqrt(n) relative for the default eps = 1e-2; the central difference's own truncation
 * error is O(eps^2).
 */
export const DIRECTIONAL_TOL = 2e-3;

// ---- seeded random data ------------------------------------------------------------------------

/** A small seeded generator (mulberry32), independent of the library's own. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = (seed * 0x9e3779b1 + 0x6d2b79f5) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [lo, hi). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo));
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    return p;
  }
}

/** Test data: the float32 values the GPU gets and the same values in float64 for the references. */
export interface TestArray {
  readonly shape: number[];
  readonly data: Float32Array;
  readonly ref: NDArray;
}

export function testArray(shape: readonly number[], data: ArrayLike<number>): TestArray {
  const f32 = Float32Array.from(data);
  return { shape: [...shape], data: f32, ref: ndarray(shape, f32) };
}

export interface RandomOptions {
  /** Range of the values (default [-1, 1]). */
  lo?: number;
  hi?: number;
  /**
   * Values closer to 0 than this are drawn again (default 0.05): never zeros, and away from the kink
   * of relu-like maps, so central differences do not straddle it.
   */
  minAbs?: number;
}

/** Uniform random values, seeded. */
export function randomArray(shape: readonly number[], seed: number, options: RandomOptions = {}): TestArray {
  const { lo = -1, hi = 1, minAbs = lo < 0 && hi > 0 ? 0.05 : 0 } = options;
  const rng = new Rng(seed);
  const data = new Float32Array(numel(shape));
  for (let i = 0; i < data.length; i++) {
    let v: number;
    do v = Math.fround(rng.uniform(lo, hi));
    while (Math.abs(v) < minAbs || v === 0);
    data[i] = v;
  }
  return testArray(shape, data);
}

/**
 * Distinct values spaced `gap` apart in random order, around 0 but never 0 (offset by a quarter
 * gap): for max pooling and amax, where near-ties would make the maximum, and so the gradient,
 * ambiguous under perturbation.
 */
export function distinctArray(shape: readonly number[], seed: number, gap = 0.05): TestArray {
  const n = numel(shape);
  const perm = new Rng(seed).permutation(n);
  return testArray(
    shape,
    perm.map((k) => (k - Math.floor(n / 2) + 0.25) * gap),
  );
}

/** Random class indices in [0, classes) as int32 data. */
export function randomClasses(count: number, classes: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: count }, () => rng.int(0, classes));
}

/** A GPU tensor holding a TestArray's values. */
export function tensorOf(a: TestArray, requiresGrad = false): wt.Tensor {
  return wt.tensor(a.data, { shape: a.shape, requiresGrad });
}

// ---- comparing ---------------------------------------------------------------------------------

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

/** ||actual - expected|| / ||expected|| (the absolute norm when expected is all zeros). */
export function relErr(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let d = 0;
  for (let i = 0; i < actual.length; i++) d += (actual[i]! - expected[i]!) ** 2;
  const e = norm(expected);
  return e === 0 ? Math.sqrt(d) : Math.sqrt(d) / e;
}

function isNDArray(v: unknown): v is NDArray {
  return typeof v === 'object' && v !== null && 'shape' in v && 'data' in v;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(7);
}

/**
 * Asserts relErr(actual, expected) <= tol, and that actual has no NaN or infinity where expected is
 * finite (a poisoned, unwritten output). The message names `what`, the error, and the worst element
 * (with its multi-index when expected is an NDArray).
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number> | NDArray, tol: number, what: string): void {
  const exp = isNDArray(expected) ? expected.data : expected;
  const shape = isNDArray(expected) ? expected.shape : null;
  const where = (i: number): string => (shape && shape.length > 1 ? `${i} [${unravel(i, shape).join(', ')}]` : String(i));
  if (actual.length !== exp.length) {
    assert.fail(`${what}: got ${actual.length} values, expected ${exp.length}${shape ? ` (shape [${shape.join(', ')}])` : ''}`);
  }
  let nonFinite = 0;
  let firstBad = -1;
  for (let i = 0; i < actual.length; i++) {
    if (!Number.isFinite(actual[i]!) && Number.isFinite(exp[i]!)) {
      nonFinite++;
      if (firstBad < 0) firstBad = i;
    }
  }
  const err = relErr(actual, exp);
  if (nonFinite === 0 && err <= tol) return;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - exp[i]!);
    if (!(d <= Math.abs(actual[worst]! - exp[worst]!))) worst = i;
  }
  const lines = [`${what}: relative error ${err.toExponential(2)} exceeds tolerance ${tol.toExponential(0)} (${actual.length} elements)`];
  if (nonFinite > 0) {
    lines.push(`  ${nonFinite} elements are not finite where the reference is (first at ${where(firstBad)}: ${actual[firstBad]}); an output element left unwritten reads as the NaN poison`);
  }
  lines.push(`  worst element ${where(worst)}: got ${fmt(actual[worst]!)}, expected ${fmt(exp[worst]!)}`);
  assert.fail(lines.join('\n'));
}

/** Asserts integer outputs (indices, argmax, comparisons) equal the reference exactly. */
export function expectEqualValues(actual: ArrayLike<number>, expected: ArrayLike<number> | NDArray, what: string): void {
  const exp = isNDArray(expected) ? expected.data : expected;
  if (actual.length !== exp.length) assert.fail(`${what}: got ${actual.length} values, expected ${exp.length}`);
  const wrong: number[] = [];
  for (let i = 0; i < exp.length; i++) if (actual[i] !== exp[i]) wrong.push(i);
  if (wrong.length > 0) {
    const shown = wrong.slice(0, 5).map((i) => `[${i}] got ${actual[i]}, expected ${exp[i]}`);
    assert.fail(`${what}: ${wrong.length} of ${exp.length} values differ: ${shown.join('; ')}${wrong.length > 5 ? ' ...' : ''}`);
  }
}

// ---- poisoning -----------------------------------------------------------------------------------

/** Quiet NaN's bits; read as int32 it is 2143289344, which is no valid index either. */
const POISON_BITS = 0x7fc00000;

/**
 * Fills pooled buffers with NaN so that the next buffers the pool hands out for these byte sizes
 * (and anything else of their size classes) start as poison. The pool's free lists are LIFO, so
 * buffers acquired, written and released here are the first ones handed out again: `spare` more
 * than asked for each size class, so intermediates of the same class are covered too.
 */
export function poisonPool(device: wt.Device, byteSizes: readonly number[], spare = 2): void {
  const perClass = new Map<number, number>();
  for (const b of byteSizes) {
    const c = sizeClass(b);
    perClass.set(c, (perClass.get(c) ?? spare) + 1);
  }
  const taken: GPUBuffer[] = [];
  for (const [size, count] of perClass) {
    for (let k = 0; k < count; k++) {
      const buffer = device.acquire(size, 'poison');
      device.write(buffer, 0, new Uint32Array(device.pool.sizeOf(buffer) / 4).fill(POISON_BITS));
      taken.push(buffer);
    }
  }
  for (let i = taken.length - 1; i >= 0; i--) device.release(taken[i]!);
}

/**
 * Reads tensors whose values are still pending, after poisoning the buffers their computation will
 * get: any element the kernels leave unwritten comes back as NaN (floats) or 2143289344 (int32).
 */
export async function readPoisoned(...tensors: wt.Tensor[]): Promise<(Float32Array | Int32Array | Uint8Array)[]> {
  if (tensors.length === 0) return [];
  const device = tensors[0]!.device;
  poisonPool(device, tensors.map((t) => Math.max(4, t.numel() * 4)));
  const out: (Float32Array | Int32Array | Uint8Array)[] = [];
  for (const t of tensors) out.push(await t.data());
  return out;
}

// ---- gradient checks -------------------------------------------------------------------------------

export interface FiniteDifferenceCheck {
  what: string;
  /** The float64 reference forward. */
  forward: (...inputs: NDArray[]) => NDArray;
  /** The point to differentiate at: the float32 values the GPU used, in float64. */
  at: readonly NDArray[];
  /** dL/dy: the check differentiates the scalar L = <upstream, forward(...at)>. */
  upstream: NDArray;
  /** The analytic gradients dL/d(at[i]) under test (null skips that input). */
  gradients: readonly (ArrayLike<number> | null)[];
  /** Relative tolerance (default TOL). */
  tol?: number;
  /** Step, relative to max(1, |x|) (default 1e-6: float64 truncation and rounding both ~1e-10). */
  eps?: number;
  /** At most this many coordinates per input are checked, drawn at random (default 300). */
  maxPoints?: number;
  seed?: number;
}

/**
 * Float64 central differences (L(x + h e_j) - L(x - h e_j)) / 2h of the reference forward, at up to
 * maxPoints coordinates j of each input, against the analytic gradient at the same coordinates.
 */
export function checkFiniteDifferences(c: FiniteDifferenceCheck): void {
  const { eps = 1e-6, maxPoints = 300, tol = TOL } = c;
  const rng = new Rng(c.seed ?? 12345);
  const loss = (inputs: NDArray[]): number => {
    const y = c.forward(...inputs);
    if (y.data.length !== c.upstream.data.length) {
      throw new Error(`${c.what}: reference output has ${y.data.length} elements, upstream ${c.upstream.data.length}`);
    }
    let s = 0;
    for (let i = 0; i < y.data.length; i++) s += y.data[i]! * c.upstream.data[i]!;
    return s;
  };
  c.gradients.forEach((grad, k) => {
    if (!grad) return;
    const x = c.at[k]!;
    if (grad.length !== x.data.length) {
      assert.fail(`${c.what}: gradient of input ${k} has ${grad.length} values, the input ${x.data.length}`);
    }
    const n = x.data.length;
    const points = n <= maxPoints ? Array.from({ length: n }, (_, i) => i) : rng.permutation(n).slice(0, maxPoints).sort((a, b) => a - b);
    const numeric: number[] = [];
    const analytic: number[] = [];
    for (const j of points) {
      const h = eps * Math.max(1, Math.abs(x.data[j]!));
      const shifted = (delta: number): NDArray[] =>
        c.at.map((a, i) => {
          if (i !== k) return a;
          const data = Float64Array.from(a.data);
          data[j] += delta;
          return { shape: a.shape, data };
        });
      numeric.push((loss(shifted(h)) - loss(shifted(-h))) / (2 * h));
      analytic.push(grad[j]!);
    }
    expectClose(analytic, numeric, tol, `${c.what}: d/d(input ${k}) vs float64 finite differences at ${points.length} points`);
  });
}

export interface DirectionalCheck {
  what: string;
  /** The op under test on GPU tensors; its output is contracted with fixed random weights. */
  f: (...inputs: wt.Tensor[]) => wt.Tensor;
  at: readonly TestArray[];
  /** Which inputs are perturbed and differentiated (default: all). */
  differentiable?: readonly boolean[];
  /** Perturbation size (default 1e-2; the inputs are of order 1). */
  eps?: number;
  tol?: number;
  seed?: number;
}

/**
 * GPU-only gradient check: with L = <w, f(x)> for fixed random w and a random direction v,
 * L(x + eps v) - L(x - eps v) must match <dL/dx, (x + eps v) - (x - eps v)> (the perturbed points
 * are rounded to float32 first, and the difference of the rounded points is used).
 */
export async function checkDirectional(c: DirectionalCheck): Promise<void> {
  const { eps = 1e-2, tol = DIRECTIONAL_TOL, seed = 777 } = c;
  const diff = c.at.map((_, i) => c.differentiable?.[i] ?? true);
  const rng = new Rng(seed);
  const xs = c.at.map((a, i) => tensorOf(a, diff[i]));
  const y = c.f(...xs);
  const w = randomArray(y.shape, seed + 1);
  const weights = tensorOf(w);
  const L = (out: wt.Tensor): wt.Tensor => out.mul(weights).sum();
  L(y).backward();
  const grads = await Promise.all(xs.map((x, i) => (diff[i] ? x.grad!.data() : Promise.resolve(null))));

  const plus: TestArray[] = [];
  const minus: TestArray[] = [];
  let predicted = 0;
  c.at.forEach((a, i) => {
    if (!diff[i]) {
      plus.push(a);
      minus.push(a);
      return;
    }
    const p = new Float32Array(a.data.length);
    const m = new Float32Array(a.data.length);
    for (let j = 0; j < p.length; j++) {
      const v = rng.uniform(-1, 1) * eps * Math.max(1, Math.abs(a.data[j]!));
      p[j] = a.data[j]! + v;
      m[j] = a.data[j]! - v;
      predicted += grads[i]![j]! * (p[j]! - m[j]!);
    }
    plus.push(testArray(a.shape, p));
    minus.push(testArray(a.shape, m));
  });
  const evaluate = (inputs: TestArray[]): Promise<number> => wt.noGrad(() => L(c.f(...inputs.map((a) => tensorOf(a))))).item();
  const measured = (await evaluate(plus)) - (await evaluate(minus));
  const err = Math.abs(measured - predicted) / Math.max(Math.abs(predicted), 1e-30);
  if (!(err <= tol)) {
    assert.fail(
      `${c.what}: directional derivative check failed: L(x+eps v) - L(x-eps v) = ${measured.toPrecision(7)}, ` +
        `<grad, 2 eps v> = ${predicted.toPrecision(7)} (relative error ${err.toExponential(2)} > ${tol})`,
    );
  }
}

// ---- one op against its reference ----------------------------------------------------------------

export interface OpCheck {
  what: string;
  inputs: readonly TestArray[];
  /** Which inputs require grad (default: all). */
  differentiable?: readonly boolean[];
  /** The op on GPU tensors. */
  gpu: (...inputs: wt.Tensor[]) => wt.Tensor;
  /** The float64 reference forward. */
  ref: (...inputs: NDArray[]) => NDArray;
  /** Reference gradients for the upstream gradient gy, one per input (null: none). */
  refGrad?: (gy: NDArray, ...inputs: NDArray[]) => (NDArray | null)[];
  /** Tolerance of the forward (default TOL). */
  tol?: number;
  /** Tolerance of the gradients against refGrad and finite differences (default TOL). */
  gradTol?: number;
  /** Skips the backward checks (forward-only ops). */
  forwardOnly?: boolean;
  /** Options for the finite-difference check. */
  fd?: Partial<Pick<FiniteDifferenceCheck, 'eps' | 'maxPoints' | 'tol'>>;
  seed?: number;
}

/**
 * Runs one op on the GPU with a random upstream gradient and checks, with poisoned outputs: the
 * forward against the reference, each gradient against the reference gradient (when given), and
 * each gradient against float64 finite differences of the reference forward.
 */
export async function checkOp(c: OpCheck): Promise<{ y: Float32Array; grads: (Float32Array | null)[] }> {
  const seed = c.seed ?? 4242;
  const diff = c.inputs.map((_, i) => !c.forwardOnly && (c.differentiable?.[i] ?? true));
  const xs = c.inputs.map((a, i) => tensorOf(a, diff[i]));
  const y = c.gpu(...xs);
  const expected = c.ref(...c.inputs.map((a) => a.ref));
  if (y.shape.join() !== expected.shape.join()) {
    assert.fail(`${c.what}: output shape [${y.shape.join(', ')}], reference [${expected.shape.join(', ')}]`);
  }
  if (c.forwardOnly) {
    const [out] = await readPoisoned(y);
    expectClose(out!, expected, c.tol ?? TOL, `${c.what}: forward`);
    return { y: out as Float32Array, grads: [] };
  }
  const gy = randomArray(y.shape, seed);
  y.backward(tensorOf(gy));
  const gradTensors = xs.filter((_, i) => diff[i]).map((x) => x.grad!);
  const [out, ...gradData] = await readPoisoned(y, ...gradTensors);
  expectClose(out!, expected, c.tol ?? TOL, `${c.what}: forward`);
  const grads: (Float32Array | null)[] = [];
  let k = 0;
  for (let i = 0; i < xs.length; i++) grads.push(diff[i] ? (gradData[k++] as Float32Array) : null);
  const gradTol = c.gradTol ?? TOL;
  if (c.refGrad) {
    const refGrads = c.refGrad(gy.ref, ...c.inputs.map((a) => a.ref));
    refGrads.forEach((g, i) => {
      if (g && grads[i]) expectClose(grads[i]!, g, gradTol, `${c.what}: gradient of input ${i} vs reference`);
    });
  }
  checkFiniteDifferences({
    what: c.what,
    forward: c.ref,
    at: c.inputs.map((a) => a.ref),
    upstream: gy.ref,
    gradients: grads,
    tol: c.fd?.tol ?? gradTol,
    ...(c.fd?.eps !== undefined ? { eps: c.fd.eps } : {}),
    ...(c.fd?.maxPoints !== undefined ? { maxPoints: c.fd.maxPoints } : {}),
    seed,
  });
  return { y: out as Float32Array, grads };
}

/** Human-readable shape and options for test names: "[2, 3, 7, 7] stride=2 padding=1". */
export function describeCase(shape: readonly number[], options: Record<string, unknown> = {}): string {
  const opts = Object.entries(options)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return [`[${shape.join(', ')}]`, ...opts].join(' ');
}

// ---- training steps ----------------------------------------------------------------------------------

/** Something with zeroGrad() and step(): any wt.optim optimizer. */
export interface Stepper {
  zeroGrad(): void;
  step(): void;
}

/**
 * One training step as a function: zero the gradients, compute `loss()`, backward, step, read the
 * loss and dispose of it. For plan-replay tests that run the same step many times.
 */
export function trainingStep(opt: Stepper, loss: () => wt.Tensor): () => Promise<number> {
  return async () => {
    opt.zeroGrad();
    const l = loss();
    l.backward();
    opt.step();
    const v = await l.item();
    l.dispose();
    return v;
  };
}
