/**
 * Epilogue fusion (src/graph/fuse.ts): chains of elementwise ops after a conv or a matmul run in
 * the producer's kernel. Each test computes the same graph with fusion on and off
 * (engine.tuning.fuse) and checks that the results agree (forward and gradients), that the plan
 * really fused (or really did not, where fusing would be wrong), and, for forward chains, the
 * result against a float64 reference: conv2d under every algorithm with batch norm (eval), a
 * residual add in either operand order and each activation the epilogue implements; linear with
 * an activation and with batch norm 1d; training steps, where the gradients must be unchanged.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/internal.js'; // ops and engineFor are internal
import * as conv from '../reference/conv2d.js';
import type { NDArray } from '../reference/ndarray.js';
import { expectClose, randomArray, readPoisoned, tensorOf, type TestArray } from '../helpers.js';

const F = wt.nn.functional;

let engine: ReturnType<typeof wt.engineFor>;
beforeAll(async () => {
  engine = wt.engineFor(await wt.init());
});
afterEach(() => {
  engine.tuning.conv = 'auto';
  engine.tuning.fuse = true;
});

function labels(): string[] {
  return (engine.lastPlan?.kernels ?? []).map((k) => k.label.replace(/ \(.*\)$/, ''));
}

/** Runs `f` with fusion on and off; returns both results (read from poisoned buffers) and the plans' labels. */
async function bothWays(f: () => wt.Tensor[]): Promise<{ fused: Float32Array[]; plain: Float32Array[]; fusedLabels: string[]; plainLabels: string[] }> {
  const out: Float32Array[][] = [];
  const names: string[][] = [];
  for (const fuse of [true, false]) {
    engine.tuning.fuse = fuse;
    const ts = f();
    out.push((await readPoisoned(...ts)) as Float32Array[]);
    names.push(labels());
  }
  return { fused: out[0]!, plain: out[1]!, fusedLabels: names[0]!, plainLabels: names[1]! };
}

function bnRef(x: NDArray, mean: NDArray, variance: NDArray, w: NDArray, b: NDArray, eps: number): NDArray {
  const [, c] = x.shape as [number, number];
  const inner = x.shape.slice(2).reduce((p, d) => p * d, 1);
  const data = x.data.map((v, i) => {
    const ch = Math.floor(i / inner) % c;
    return ((v - mean.data[ch]!) / Math.sqrt(variance.data[ch]! + eps)) * w.data[ch]! + b.data[ch]!;
  });
  return { shape: x.shape, data };
}

const positive = (shape: number[], seed: number): TestArray => randomArray(shape, seed, { lo: 0.2, hi: 1.5 });

describe('conv2d + batch norm (eval) + residual add + relu, every algorithm', () => {
  const cases = [
    { algorithm: 'direct', x: [2, 5, 7, 6], w: [6, 5, 3, 3], p: { padding: 1, stride: 2 } },
    { algorithm: 'gemm', x: [2, 5, 7, 6], w: [6, 5, 3, 3], p: { padding: 1, stride: 2 } },
    { algorithm: 'matmul1x1', x: [2, 6, 4, 5], w: [7, 6, 1, 1], p: {} },
    { algorithm: 'depthwise', x: [2, 6, 7, 5], w: [6, 1, 3, 3], p: { padding: 1, groups: 6 } },
    { algorithm: 'winograd', x: [2, 5, 7, 9], w: [6, 5, 3, 3], p: { padding: 1 } },
  ] as const;
  cases.forEach((c, k) => {
    it(`${c.algorithm}: fused into one kernel, equal to the unfused chain and to float64`, async () => {
      const xa = randomArray(c.x, 10 * k);
      const wa = randomArray(c.w, 10 * k + 1);
      const ba = randomArray([c.w[0]], 10 * k + 2);
      const ch = c.w[0];
      const mean = randomArray([ch], 10 * k + 3);
      const variance = positive([ch], 10 * k + 4);
      const gamma = randomArray([ch], 10 * k + 5);
      const beta = randomArray([ch], 10 * k + 6);
      const y0 = conv.conv2d(xa.ref, wa.ref, ba.ref, c.p);
      const res = randomArray(y0.shape, 10 * k + 7);
      engine.tuning.conv = c.algorithm;
      const run = (): wt.Tensor[] =>
        wt.noGrad(() => {
          const y = F.conv2d(tensorOf(xa), tensorOf(wa), tensorOf(ba), c.p);
          const z = F.batchNorm(y, tensorOf(mean), tensorOf(variance), tensorOf(gamma), tensorOf(beta), false, 0.1, 1e-3);
          return [F.relu(wt.ops.add(z, tensorOf(res)))];
        });
      const r = await bothWays(run);
      const name = 'conv2d+batch_norm+add+relu';
      expect(r.fusedLabels, 'fused plan').toContain(name);
      expect(r.fusedLabels.filter((l) => ['batch_norm', 'binary', 'unary'].includes(l)), 'separate elementwise kernels').toEqual([]);
      expect(r.plainLabels, 'unfused plan').toContain('batch_norm');
      expectClose(r.fused[0]!, r.plain[0]!, 1e-5, `${c.algorithm}: fused vs unfused`);
      const z = bnRef(y0, mean.ref, variance.ref, gamma.ref, beta.ref, 1e-3);
      const expected = z.data.map((v, i) => Math.max(0, v + res.ref.data[i]!));
      expectClose(r.fused[0]!, expected, 1e-5, `${c.algorithm}: fused vs float64`);
    });
  });
});

describe('each activation of the epilogue', () => {
  const acts: [string, (t: wt.Tensor) => wt.Tensor, (v: number) => number][] = [
    ['relu', F.relu, (v) => Math.max(0, v)],
    ['relu6', F.relu6, (v) => Math.min(6, Math.max(0, v))],
    ['leakyRelu 0.2', (t) => F.leakyRelu(t, 0.2), (v) => (v > 0 ? v : 0.2 * v)],
    ['elu 0.7', (t) => F.elu(t, 0.7), (v) => (v > 0 ? v : 0.7 * Math.expm1(v))],
    ['gelu', (t) => F.gelu(t), (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))],
    ['gelu tanh', (t) => F.gelu(t, 'tanh'), (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))],
    ['sigmoid', F.sigmoid, (v) => 1 / (1 + Math.exp(-v))],
    ['tanh', F.tanh, Math.tanh],
    ['silu', F.silu, (v) => v / (1 + Math.exp(-v))],
    ['hardswish', F.hardswish, (v) => (v * Math.min(6, Math.max(0, v + 3))) / 6],
    ['hardsigmoid', F.hardsigmoid, (v) => Math.min(6, Math.max(0, v + 3)) / 6],
    ['softplus beta 2 threshold 1', (t) => F.softplus(t, 2, 1), (v) => (2 * v > 1 ? v : Math.log1p(Math.exp(2 * v)) / 2)],
    ['hardtanh -0.5 0.7', (t) => F.hardtanh(t, -0.5, 0.7), (v) => Math.min(0.7, Math.max(-0.5, v))],
    ['x * 0.5 + 1 (affine)', (t) => wt.ops.add(wt.ops.mul(t, 0.5), 1), (v) => v * 0.5 + 1],
  ];
  for (const [name, act, ref] of acts) {
    it(name, async () => {
      const xa = randomArray([2, 3, 6, 5], 200);
      const wa = randomArray([5, 3, 3, 3], 201, { lo: -2, hi: 2 });
      const r = await bothWays(() => wt.noGrad(() => [act(F.conv2d(tensorOf(xa), tensorOf(wa), null, { padding: 1 }))]));
      expect(r.fusedLabels.some((l) => l.startsWith('conv2d+')), `fused: ${r.fusedLabels.join(', ')}`).toBe(true);
      expect(r.fusedLabels).not.toContain('unary');
      expectClose(r.fused[0]!, r.plain[0]!, 1e-6, `${name}: fused vs unfused`);
      const y = conv.conv2d(xa.ref, wa.ref, null, { padding: 1 });
      expectClose(r.fused[0]!, y.data.map(ref), 1e-5, `${name}: fused vs float64`);
    });
  }
});

/** erf in float64: its Maclaurin series for |x| < 3, the asymptotic series of erfc beyond. */
function erf(x: number): number {
  const z = Math.abs(x);
  if (z >= 3) {
    const t = 1 / (2 * z * z);
    const erfc = (Math.exp(-z * z) / (z * Math.sqrt(Math.PI))) * (1 - t + 3 * t * t - 15 * t ** 3 + 105 * t ** 4);
    return Math.sign(x) * (1 - erfc);
  }
  let sum = 0;
  let term = x;
  for (let n = 0; n < 80; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

describe('residual steps', () => {
  const variants: [string, (y: wt.Tensor, r: wt.Tensor) => wt.Tensor, (y: number, r: number) => number][] = [
    ['r + y', (y, r) => wt.ops.add(r, y), (y, r) => r + y],
    ['y - r', (y, r) => wt.ops.sub(y, r), (y, r) => y - r],
    ['r - y', (y, r) => wt.ops.sub(r, y), (y, r) => r - y],
    ['y + 2.5 r (alpha)', (y, r) => wt.ops.add(y, r, 2.5), (y, r) => y + 2.5 * r],
    ['r + 0.5 y, then relu, then + r again (one residual operand only)', (y, r) => wt.ops.add(F.relu(wt.ops.add(r, y, 0.5)), r), (y, r) => Math.max(0, r + 0.5 * y) + r],
  ];
  for (const [name, f, ref] of variants) {
    it(name, async () => {
      const xa = randomArray([1, 4, 5, 8], 300);
      const wa = randomArray([6, 4, 1, 1], 301);
      const ra = randomArray([1, 6, 5, 8], 302);
      const r = await bothWays(() => wt.noGrad(() => [f(F.conv2d(tensorOf(xa), tensorOf(wa)), tensorOf(ra))]));
      expect(r.fusedLabels.some((l) => l.startsWith('conv2d+')), `fused: ${r.fusedLabels.join(', ')}`).toBe(true);
      expectClose(r.fused[0]!, r.plain[0]!, 1e-6, `${name}: fused vs unfused`);
      const y = conv.conv2d(xa.ref, wa.ref, null, {});
      expectClose(r.fused[0]!, y.data.map((v, i) => ref(v, ra.ref.data[i]!)), 1e-5, `${name}: vs float64`);
    });
  }

  it('a broadcast operand is not a residual (not fused)', async () => {
    const xa = randomArray([1, 4, 5, 8], 310);
    const wa = randomArray([6, 4, 1, 1], 311);
    const ba = randomArray([6, 1, 1], 312);
    const r = await bothWays(() => wt.noGrad(() => [wt.ops.add(F.conv2d(tensorOf(xa), tensorOf(wa)), tensorOf(ba))]));
    expect(r.fusedLabels).toContain('binary');
    expectClose(r.fused[0]!, r.plain[0]!, 0, 'same plan either way');
  });
});

describe('linear and matmul epilogues', () => {
  it('linear -> relu (through the reshape of the batch dims)', async () => {
    const xa = randomArray([3, 2, 7], 400);
    const wa = randomArray([5, 7], 401);
    const ba = randomArray([5], 402);
    const r = await bothWays(() => wt.noGrad(() => [F.relu(F.linear(tensorOf(xa), tensorOf(wa), tensorOf(ba)))]));
    expect(r.fusedLabels).toContain('matmul+relu');
    expectClose(r.fused[0]!, r.plain[0]!, 0, 'linear + relu');
  });

  it('linear -> batch norm 1d (eval, channels = features) -> gelu', async () => {
    const xa = randomArray([6, 9], 410);
    const wa = randomArray([4, 9], 411);
    const mean = randomArray([4], 412);
    const variance = positive([4], 413);
    const r = await bothWays(() =>
      wt.noGrad(() => [F.gelu(F.batchNorm(F.linear(tensorOf(xa), tensorOf(wa)), tensorOf(mean), tensorOf(variance), null, null, false))]),
    );
    expect(r.fusedLabels).toContain('matmul+batch_norm+gelu');
    expectClose(r.fused[0]!, r.plain[0]!, 1e-5, 'linear + bn1d + gelu');
  });

  it('a product that splits K keeps its epilogue separate', async () => {
    const xa = randomArray([2, 512], 420);
    const wa = randomArray([3, 512], 421);
    const r = await bothWays(() => wt.noGrad(() => [F.relu(F.linear(tensorOf(xa), tensorOf(wa)))]));
    expect(r.fusedLabels).toContain('unary');
    expect(r.fusedLabels.some((l) => l.startsWith('matmul+'))).toBe(false);
    expectClose(r.fused[0]!, r.plain[0]!, 0, 'same plan either way');
  });

  it('batched matmul -> tanh', async () => {
    const a = randomArray([4, 3, 5], 430);
    const b = randomArray([4, 5, 6], 431);
    const r = await bothWays(() => wt.noGrad(() => [F.tanh(wt.ops.matmul(tensorOf(a), tensorOf(b)))]));
    expect(r.fusedLabels).toContain('matmul+tanh');
    expectClose(r.fused[0]!, r.plain[0]!, 1e-6, 'bmm + tanh');
  });
});

describe('where fusing would be wrong', () => {
  const xa = randomArray([2, 3, 6, 6], 500);
  const wa = randomArray([4, 3, 3, 3], 501);

  it('the intermediate is also read by the caller: it is computed and kept', async () => {
    engine.tuning.fuse = true;
    const [y, z] = wt.noGrad(() => {
      const y = F.conv2d(tensorOf(xa), tensorOf(wa));
      return [y, F.relu(y)];
    });
    const [yv, zv] = await readPoisoned(y!, z!);
    expect(labels()).toContain('unary');
    const ref = conv.conv2d(xa.ref, wa.ref, null, {});
    expectClose(yv!, ref, 1e-5, 'conv output');
    expectClose(zv!, ref.data.map((v) => Math.max(0, v)), 1e-5, 'relu output');
  });

  it('the intermediate has two readers', async () => {
    const r = await bothWays(() =>
      wt.noGrad(() => {
        const y = F.conv2d(tensorOf(xa), tensorOf(wa));
        return [wt.ops.add(F.relu(y), F.sigmoid(y))];
      }),
    );
    expect(r.fusedLabels.some((l) => l.startsWith('conv2d+'))).toBe(false);
    expectClose(r.fused[0]!, r.plain[0]!, 0, 'same plan either way');
  });

  it('batch norm in training mode is not an epilogue', async () => {
    const r = await bothWays(() => wt.noGrad(() => [F.relu(F.batchNorm(F.conv2d(tensorOf(xa), tensorOf(wa)), null, null, null, null, true))]));
    expect(r.fusedLabels).toContain('batch_norm');
    expect(r.fusedLabels.some((l) => l.startsWith('conv2d+'))).toBe(false);
    expectClose(r.fused[0]!, r.plain[0]!, 0, 'same plan either way');
  });

  it('a later read of a fused-away intermediate recomputes it', async () => {
    engine.tuning.fuse = true;
    let y: wt.Tensor | null = null;
    const z = wt.noGrad(() => {
      y = F.conv2d(tensorOf(xa), tensorOf(wa), null, { padding: 1 });
      return F.relu(y);
    });
    await z.data();
    expect(labels().some((l) => l.startsWith('conv2d+relu'))).toBe(true);
    const [yv] = await readPoisoned(y!);
    expectClose(yv!, conv.conv2d(xa.ref, wa.ref, null, { padding: 1 }), 1e-5, 'the conv output, read afterwards');
  });
});

describe('training: fused forward, unchanged gradients', () => {
  it('a LeNet-like step: conv -> relu -> pool -> linear -> relu -> linear, cross-entropy', async () => {
    const xa = randomArray([4, 1, 12, 12], 600);
    const w1 = randomArray([3, 1, 5, 5], 601);
    const b1 = randomArray([3], 602);
    const w2 = randomArray([10, 48], 603);
    const b2 = randomArray([10], 604);
    const w3 = randomArray([5, 10], 605);
    const labelsT = wt.tensor(Int32Array.from([0, 3, 1, 4]), { shape: [4] });
    const run = (): wt.Tensor[] => {
      const ps = [w1, b1, w2, b2, w3].map((a) => tensorOf(a, true));
      const h = F.maxPool2d(F.relu(F.conv2d(tensorOf(xa), ps[0]!, ps[1]!, { padding: 2 })), 3);
      const logits = F.linear(F.relu(F.linear(wt.ops.reshape(h, [4, 48]), ps[2]!, ps[3]!)), ps[4]!);
      const loss = F.crossEntropy(logits, labelsT);
      loss.backward();
      return [loss, ...ps.map((p) => p.grad!)];
    };
    const r = await bothWays(run);
    expect(r.fusedLabels, 'conv + relu fused in the training step').toContain('conv2d+relu');
    expect(r.fusedLabels, 'linear + relu fused in the training step').toContain('matmul+relu');
    r.fused.forEach((v, i) => expectClose(v, r.plain[i]!, 1e-6, i === 0 ? 'loss' : `gradient ${i - 1}`));
  });

  it('a residual block: relu(conv(x) + x) with gradients to x and the weight', async () => {
    const xa = randomArray([2, 4, 6, 6], 700);
    const wa = randomArray([4, 4, 3, 3], 701);
    const run = (): wt.Tensor[] => {
      const x = tensorOf(xa, true);
      const w = tensorOf(wa, true);
      const y = F.relu(wt.ops.add(F.conv2d(x, w, null, { padding: 1 }), x));
      y.backward(wt.onesLike(y));
      return [y, x.grad!, w.grad!];
    };
    const r = await bothWays(run);
    expect(r.fusedLabels).toContain('conv2d+add+relu');
    r.fused.forEach((v, i) => expectClose(v, r.plain[i]!, 1e-6, ['y', 'dx', 'dw'][i]!));
  });

  it('a replayed fused step hits its cached plan', async () => {
    const xa = randomArray([2, 3, 6, 6], 800);
    const wa = randomArray([4, 3, 3, 3], 801);
    const step = async (): Promise<void> => {
      const x = tensorOf(xa);
      const w = tensorOf(wa, true);
      const y = F.relu(F.conv2d(x, w, null, { padding: 1 }));
      y.sum().backward();
      await w.grad!.data();
    };
    await step();
    const before = { ...engine.stats };
    await step();
    expect(engine.stats.planBuilds - before.planBuilds, 'plans built by the second step').toBe(0);
    expect(labels()).toContain('conv2d+relu');
  });
});
