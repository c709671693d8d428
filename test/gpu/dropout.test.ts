/**
 * Dropout on the GPU: Philox4x32-10 against the Random123 known answers (CPU reference), the GPU's
 * mask against the reference bit for bit, statistics (keep rate within binomial bounds, per Philox
 * word and for neighbouring pairs, kept values scaled by exactly 1 / (1 - p)), the gradient's mask
 * equal to the forward's, p = 0 and p = 1, eval mode, seeds (reproducible with manualSeed, different
 * per call), channel dropout (dropout1d/2d/3d), the modules, a training step that replays its plan
 * without new buffers, a backward recorded after its forward ran, and launches past one dispatch's
 * workgroup limit.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/internal.js'; // ops and engineFor are internal
import { elementMask, philox4x32, planeMask } from '../reference/dropout.js';
import { ndarray, type NDArray } from '../reference/ndarray.js';
import { checkOp, describeCase, expectClose, expectEqualValues, randomArray, readPoisoned, tensorOf, trainingStep } from '../helpers.js';

const F = wt.nn.functional;

beforeAll(async () => {
  await wt.init();
});

/** The Philox key the next dropout call draws after manualSeed(seed). */
function seedAfter(seed: number): [number, number] {
  return wt.ops.dropoutSeed(new wt.Generator(seed));
}

/** Five standard deviations of a binomial count. */
function binomialBound(n: number, q: number): number {
  return 5 * Math.sqrt(n * q * (1 - q));
}

function expectRate(kept: number, n: number, keepProbability: number, what: string): void {
  const bound = binomialBound(n, keepProbability);
  const diff = Math.abs(kept - n * keepProbability);
  expect(diff, `${what}: ${kept} of ${n} kept, expected ${n * keepProbability} +- ${bound.toFixed(1)} (5 sigma)`).toBeLessThanOrEqual(bound);
}

function maskedRef(x: NDArray, mask: Uint8Array, planeSize: number, p: number): NDArray {
  const scale = p >= 1 ? 0 : 1 / (1 - p);
  return ndarray(x.shape, Array.from(x.data, (v, i) => (mask[Math.floor(i / planeSize)] ? v * scale : 0)));
}

describe('Philox4x32-10 (CPU reference) against the Random123 known answers', () => {
  it('three counter/key vectors', () => {
    const hex = (v: number[]) => v.map((w) => w.toString(16).padStart(8, '0')).join(' ');
    expect(hex(philox4x32([0, 0, 0, 0], [0, 0]))).toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
    const ones = 0xffffffff;
    expect(hex(philox4x32([ones, ones, ones, ones], [ones, ones]))).toBe('408f276d 41c83b0e a20bc7c6 6d5451fd');
    expect(hex(philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]))).toBe('d16cfe09 94fdcceb 5001e420 24126ea1');
  });
});

describe('dropout: the GPU mask is the reference mask', () => {
  const cases: [number[], number][] = [
    [[1], 0.5],
    [[3], 0.2],
    [[5], 0.7],
    [[2, 3, 7, 11], 0.5], // 462 elements: not a multiple of 4
    [[4, 64], 0.1],
    [[1001], 0.9],
  ];
  cases.forEach(([shape, p], k) => {
    it(`${describeCase(shape, { p })}: forward and gradient (reference and finite differences)`, async () => {
      const x = randomArray(shape, 10 + k);
      const seed = 100 + k;
      const mask = elementMask(x.data.length, p, seedAfter(seed));
      await checkOp({
        what: `dropout ${describeCase(shape, { p })}`,
        inputs: [x],
        gpu: (t) => {
          wt.manualSeed(seed);
          return F.dropout(t, p);
        },
        ref: (a) => maskedRef(a, mask, 1, p),
        refGrad: (gy) => [maskedRef(gy, mask, 1, p)],
        tol: 1e-6,
        gradTol: 1e-6,
      });
    });
  });

  it('a backward recorded after the forward was read (and recomputed) uses the forward\'s mask', async () => {
    const x = randomArray([5000], 32);
    const xt = tensorOf(x, true);
    const h = F.dropout(xt.mul(3), 0.5);
    const y = h.mul(h);
    const out = (await y.data()) as Float32Array;
    // Another dropout call in between draws the next seed; h's node keeps its own.
    await F.dropout(wt.ones([64]), 0.5).data();
    y.backward(wt.ones([5000]));
    const dx = (await xt.grad!.data()) as Float32Array;
    // y = (6 x)^2 where kept, 0 elsewhere: dy/dx = 2 * 6x * 6 = 72 x where kept.
    let bad = 0;
    for (let i = 0; i < 5000; i++) {
      const kept = out[i] !== 0;
      if (kept ? Math.abs(dx[i]! - 72 * x.data[i]!) > 1e-4 * Math.abs(72 * x.data[i]!) : dx[i] !== 0) bad++;
    }
    expect(bad).toBe(0);
  });

  it('the backward pass regenerates the same mask: dx = dy / (1 - p) exactly where y != 0, 0 elsewhere', async () => {
    const n = 100_003;
    const p = 0.35;
    const x = randomArray([n], 30);
    const gy = randomArray([n], 31);
    const xt = tensorOf(x, true);
    const y = F.dropout(xt, p);
    y.backward(tensorOf(gy));
    const [out, dx] = (await readPoisoned(y, xt.grad!)) as Float32Array[];
    const scale = Math.fround(1 / (1 - p));
    let mismatches = 0;
    for (let i = 0; i < n; i++) {
      const kept = out![i] !== 0;
      const want = kept ? Math.fround(gy.data[i]! * scale) : 0;
      if (dx![i] !== want) mismatches++;
      if (kept && out![i] !== Math.fround(x.data[i]! * scale)) mismatches++;
    }
    expect(mismatches).toBe(0);
  });
});

describe('dropout: statistics of 1M elements', () => {
  for (const p of [0.1, 0.5, 0.9]) {
    it(`p = ${p}: keep rate overall, per Philox word, and of neighbouring pairs, within 5 sigma`, async () => {
      const n = 1 << 20;
      const x = wt.ones([n]);
      const [out] = (await readPoisoned(F.dropout(x, p))) as Float32Array[];
      const q = 1 - p;
      const scale = Math.fround(1 / q);
      let kept = 0;
      let pairs = 0;
      let bad = 0;
      const perWord = [0, 0, 0, 0];
      for (let i = 0; i < n; i++) {
        const k = out![i] !== 0;
        if (k) {
          kept++;
          perWord[i % 4]!++;
          if (out![i] !== scale) bad++;
        } else if (out![i] !== 0) bad++;
        if (i > 0 && k && out![i - 1] !== 0) pairs++;
      }
      expect(bad, 'values other than 0 and 1 / (1 - p)').toBe(0);
      expectRate(kept, n, q, 'all elements');
      perWord.forEach((c, j) => expectRate(c, n / 4, q, `word ${j} of each Philox block`));
      expectRate(pairs, n - 1, q * q, 'neighbouring pairs both kept');
    });
  }
});

describe('dropout: edge cases and seeds', () => {
  it('p = 0 and eval mode return the input itself without drawing a seed', async () => {
    const x = tensorOf(randomArray([10], 40));
    wt.manualSeed(1);
    expect(F.dropout(x, 0)).toBe(x);
    expect(F.dropout(x, 0.5, false)).toBe(x);
    expect(F.dropout2d(wt.zeros([2, 3, 4, 4]), 0.5, { training: false }).shape).toEqual([2, 3, 4, 4]);
    // The generator was not advanced: the next call draws the first key after manualSeed(1).
    const probe = randomArray([8], 41);
    const mask = elementMask(8, 0.5, seedAfter(1));
    const [out] = await readPoisoned(F.dropout(tensorOf(probe), 0.5));
    expectClose(out!, maskedRef(probe.ref, mask, 1, 0.5), 0, 'first dropout after manualSeed(1)');
  });

  it('p = 1 zeroes everything, gradient 0', async () => {
    // (PyTorch computes input * 0, so a NaN input stays NaN there; shader compilers may fold x * 0
    // to 0, and WGSL does not promise NaN propagation, so finite inputs only.)
    const x = wt.tensor([1, -2, 3, 4, 5], { requiresGrad: true });
    const y = F.dropout(x, 1);
    y.backward(wt.ones([5]));
    const [out, dx] = await readPoisoned(y, x.grad!);
    expect(Array.from(out!).every((v) => v === 0)).toBe(true);
    expect(Array.from(dx!).every((v) => v === 0)).toBe(true);
  });

  it('reproducible with manualSeed; different per call and per seed', async () => {
    const x = wt.ones([4096]);
    const run = async (seed: number | null) => {
      if (seed !== null) wt.manualSeed(seed);
      return Array.from((await F.dropout(x, 0.5).data()) as Float32Array);
    };
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    const d = await run(null);
    expect(a).toEqual(b);
    const differences = (u: number[], v: number[]) => u.filter((e, i) => e !== v[i]).length;
    // Independent masks at p = 0.5 differ in about half the elements.
    expect(differences(a, c)).toBeGreaterThan(1500);
    expect(differences(b, d)).toBeGreaterThan(1500);
  });

  it('probability outside [0, 1] and non-float input are errors; inplace rebinds the input', async () => {
    expect(() => F.dropout(wt.ones([3]), 1.5)).toThrow(/dropout: dropout probability has to be between 0 and 1, but got 1.5/);
    expect(() => F.dropout2d(wt.ones([2, 3, 2, 2]), -0.1)).toThrow(/dropout2d: dropout probability has to be between 0 and 1, but got -0.1/);
    expect(() => new wt.nn.Dropout(2)).toThrow(/Dropout: dropout probability has to be between 0 and 1, but got 2/);
    expect(() => F.dropout(wt.tensor(Int32Array.of(1, 2)), 0.5)).toThrow(/input must be float32, got int32/);
    expect(() => F.dropout(wt.ones([3], { requiresGrad: true }), 0.5, true, true)).toThrow(/leaf tensor that requires grad/);
    const x = wt.ones([64]);
    const y = F.dropout(x, 0.5, { inplace: true });
    expect(y).toBe(x);
    const values = Array.from((await x.data()) as Float32Array);
    expect(values.some((v) => v === 0) && values.some((v) => v === 2)).toBe(true);
  });
});

describe('channel dropout (dropout1d/2d/3d)', () => {
  const cases: [string, number[], number, number][] = [
    // name, shape, p, batched rank
    ['dropout2d', [3, 5, 3, 3], 0.5, 4], // planes of 9: scalar
    ['dropout2d', [2, 7, 4, 4], 0.3, 4], // planes of 16: vec4
    ['dropout2d', [4, 6, 11], 0.4, 3], // 3-D: [N, C, L] as PyTorch 1.13
    ['dropout2d', [2, 3, 1, 1], 0.5, 4], // planes of 1
    ['dropout1d', [3, 4, 10], 0.5, 3],
    ['dropout1d', [6, 7], 0.5, 2], // unbatched [C, L]
    ['dropout3d', [2, 3, 2, 3, 4], 0.5, 5],
    ['dropout3d', [4, 2, 3, 5], 0.25, 4], // unbatched [C, D, H, W]
  ];
  cases.forEach(([name, shape, p, rank], k) => {
    it(`${name} ${describeCase(shape, { p })}: whole planes, forward and gradient`, async () => {
      const fn = F[name as 'dropout2d'];
      const x = randomArray(shape, 50 + k);
      const seed = 200 + k;
      const unbatched = (name === 'dropout1d' && rank === 2) || (name === 'dropout3d' && rank === 4);
      const planeSize = shape.slice(unbatched ? 1 : 2).reduce((a, b) => a * b, 1);
      const mask = planeMask(x.data.length / planeSize, p, seedAfter(seed));
      const { y } = await checkOp({
        what: `${name} ${describeCase(shape, { p })}`,
        inputs: [x],
        gpu: (t) => {
          wt.manualSeed(seed);
          return fn(t, p);
        },
        ref: (a) => maskedRef(a, mask, planeSize, p),
        refGrad: (gy) => [maskedRef(gy, mask, planeSize, p)],
        tol: 1e-6,
        gradTol: 1e-6,
      });
      // Each plane is all kept or all zero.
      for (let q = 0; q < mask.length; q++) {
        const plane = y.subarray(q * planeSize, (q + 1) * planeSize);
        expect(plane.every((v) => v !== 0) || plane.every((v) => v === 0), `plane ${q}`).toBe(true);
      }
    });
  });

  it('keep rate over 40000 planes within 5 sigma; rank errors', async () => {
    const [out] = (await readPoisoned(F.dropout2d(wt.ones([100, 400, 3, 3]), 0.3))) as Float32Array[];
    let kept = 0;
    for (let q = 0; q < 40_000; q++) if (out![q * 9] !== 0) kept++;
    expectRate(kept, 40_000, 0.7, 'planes');
    expect(() => F.dropout1d(wt.ones([2, 3, 4, 5]), 0.5)).toThrow(/dropout1d: expected 2D or 3D input, got 4D input/);
    expect(() => F.dropout3d(wt.ones([2, 3, 4]), 0.5)).toThrow(/dropout3d: expected 4D or 5D input, got 3D input/);
    expect(() => F.dropout2d(wt.ones([5]), 0.5)).toThrow(/dropout2d: expected an input with at least 2 dims/);
  });
});

describe('dropout modules and training', () => {
  it('nn.Dropout / Dropout2d: train and eval, no state, positional and options arguments', async () => {
    const m = new wt.nn.Dropout(0.25);
    expect(Object.keys(m.stateDict())).toEqual([]);
    expect([m.p, m.inplace]).toEqual([0.25, false]);
    expect(new wt.nn.Dropout2d({ p: 0.1, inplace: true }).inplace).toBe(true);
    const x = wt.ones([1000]);
    const train = Array.from((await m.call(x).data()) as Float32Array);
    expect(new Set(train)).toEqual(new Set([0, Math.fround(1 / 0.75)]));
    m.eval();
    expect(m.call(x)).toBe(x);
    const d2 = new wt.nn.Dropout2d(0.5);
    const planes = Array.from((await d2.call(wt.ones([8, 16, 2, 2])).data()) as Float32Array);
    for (let q = 0; q < 128; q++) expect(new Set(planes.slice(q * 4, q * 4 + 4)).size).toBe(1);
  });

  it('a training step with dropout replays its plan with a new mask each step', async () => {
    const device = wt.defaultDevice();
    wt.manualSeed(9);
    const net = new wt.nn.Sequential(new wt.nn.Linear(32, 64), new wt.nn.ReLU(), new wt.nn.Dropout(0.5), new wt.nn.Linear(64, 4));
    const opt = new wt.optim.SGD(net.parameters(), { lr: 0 });
    const x = tensorOf(randomArray([16, 32], 60));
    const labels = wt.tensor(Int32Array.from({ length: 16 }, (_, i) => i % 4));
    const step = trainingStep(opt, () => F.crossEntropy(net.call(x), labels));
    const losses = [await step(), await step()];
    const engine = wt.engineFor(device);
    for (let i = 0; i < 3; i++) {
      const before = {
        hits: engine.stats.planHits,
        builds: engine.stats.planBuilds,
        submits: device.submitCount,
        pipelines: device.pipelines.stats.pipelines,
        buffers: device.pool.stats.created,
      };
      losses.push(await step());
      // The seed rides in a pooled parameter buffer of the plan: no upload, no new buffer.
      expect(device.pool.stats.created - before.buffers, 'new GPU buffers').toBe(0);
      expect(engine.stats.planBuilds - before.builds, 'plans built').toBe(0);
      expect(engine.stats.planHits - before.hits, 'plan hits').toBe(1);
      expect(device.submitCount - before.submits, 'submits').toBe(1);
      expect(device.pipelines.stats.pipelines - before.pipelines, 'pipelines').toBe(0);
    }
    // lr = 0: the weights never change, so different losses come from different masks.
    expect(new Set(losses).size).toBe(losses.length);
  });
});

describe('dropout past one dispatch', () => {
  it('16.8M elements (4.2M invocations) and 4.2M planes: rates and sampled reference bits', async () => {
    const n = 4_200_000 * 4 + 3;
    wt.manualSeed(77);
    const key = seedAfter(77);
    const [out] = (await readPoisoned(F.dropout(wt.ones([n]), 0.5))) as Float32Array[];
    let kept = 0;
    for (let i = 0; i < n; i++) if (out![i] !== 0) kept++;
    expectRate(kept, n, 0.5, 'elements');
    const sample: number[] = [];
    const expected: number[] = [];
    for (let i = n - 1; i >= 0; i -= 9973) {
      const words = philox4x32([i >>> 2, 0, 0, 0], key);
      expected.push(words[i & 3]! >= 2 ** 31 ? 2 : 0);
      sample.push(out![i]!);
    }
    expectEqualValues(sample, expected, 'sampled elements vs the reference bits');

    const planes = 4_200_000;
    wt.manualSeed(78);
    const planeKey = seedAfter(78);
    const [outPlanes] = (await readPoisoned(F.dropout2d(wt.ones([planes, 1]), 0.2))) as Float32Array[];
    let keptPlanes = 0;
    for (let q = 0; q < planes; q++) if (outPlanes![q] !== 0) keptPlanes++;
    expectRate(keptPlanes, planes, 0.8, 'planes');
    const reference = planeMask(4096, 0.2, planeKey);
    expectEqualValues(Array.from(outPlanes!.subarray(0, 4096), (v) => (v !== 0 ? 1 : 0)), reference, 'first 4096 planes');
  });
});

