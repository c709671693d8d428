/**
 * conv2d on the GPU against test/reference/conv2d.ts: forward (with and without bias), input
 * gradient, weight gradient and bias gradient, over stride, padding (int, pair, 'valid', and 'same'
 * with an odd total, which pads one more on the bottom/right), dilation, groups (incl. depthwise),
 * batch 1, channel counts that are not multiples of the 4-wide tile, spatial size 1, prime sizes.
 *
 * conv2d has two algorithms (src/ops/conv.ts chooseConvAlgorithm): 'direct' (implicit GEMM,
 * shaders/conv2d.wgsl) runs anything; 'gemm' (im2col + matrix products) runs groups = 1 with
 * OH*OW a multiple of 4. Every case runs with each algorithm that can take it, forced through
 * engine.tuning.conv, and checks from the plan that the intended one ran. The direct weight
 * gradient splits the N*OH rows into chunks unless there are already enough tiles; the gemm one
 * splits the batch: both sides of each split are covered.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';
import type { ConvGeometry } from '../../src/kernels/conv2d.js';
import * as conv from '../reference/conv2d.js';
import { checkDirectional, checkOp, expectClose, randomArray, readPoisoned, tensorOf } from '../helpers.js';

const F = wt.nn.functional;

let engine: ReturnType<typeof wt.engineFor>;
beforeAll(async () => {
  engine = wt.engineFor(await wt.init());
});
afterEach(() => {
  engine.tuning.conv = 'auto';
});

type Algorithm = 'direct' | 'gemm';

/** The algorithms that can run a case: direct always, gemm where chooseConvAlgorithm allows it. */
function algorithmsFor(x: number[], w: number[], p: conv.Conv2dParams): Algorithm[] {
  const g = conv.convGeometry(x, w, p);
  const geo: ConvGeometry = { ...g, ph: g.padTop, pw: g.padLeft };
  return wt.ops.chooseConvAlgorithm(geo, 'gemm') === 'gemm' ? ['direct', 'gemm'] : ['direct'];
}

interface ConvCase {
  name: string;
  x: number[];
  w: number[];
  bias?: boolean;
  p: conv.Conv2dParams;
  /** Whether the direct weight gradient is computed in row chunks plus a reduction (default true). */
  splitsWeightGrad?: boolean;
}

const cases: ConvCase[] = [
  { name: 'defaults, 3x3', x: [2, 3, 7, 7], w: [5, 3, 3, 3], p: {} },
  { name: 'stride 2, padding 1, batch 1', x: [1, 5, 9, 11], w: [6, 5, 3, 3], p: { stride: 2, padding: 1 } },
  { name: 'pairs: kernel 3x2, stride (2, 3), padding (1, 0), prime sizes', x: [2, 3, 13, 7], w: [4, 3, 3, 2], p: { stride: [2, 3], padding: [1, 0] } },
  { name: "padding 'same', even kernel (asymmetric padding)", x: [2, 2, 6, 5], w: [3, 2, 4, 4], p: { padding: 'same' } },
  { name: "padding 'same' with dilation (2, 3) and a 3x2 kernel", x: [1, 3, 7, 8], w: [2, 3, 3, 2], p: { padding: 'same', dilation: [2, 3] } },
  { name: "padding 'valid'", x: [1, 2, 5, 6], w: [3, 2, 2, 3], p: { padding: 'valid' } },
  { name: 'dilation 2, padding 2', x: [2, 3, 9, 9], w: [4, 3, 3, 3], p: { dilation: 2, padding: 2 } },
  { name: 'groups 3', x: [2, 6, 5, 5], w: [9, 2, 3, 3], p: { groups: 3, padding: 1 } },
  { name: 'depthwise (groups = channels), multiplier 2', x: [1, 4, 6, 6], w: [8, 1, 3, 3], p: { groups: 4, padding: 1, stride: 2 } },
  { name: '1x1 convolution', x: [3, 7, 5, 3], w: [3, 7, 1, 1], p: {} },
  { name: 'spatial size 1, kernel 1 (one weight-gradient row: no split)', x: [1, 6, 1, 1], w: [5, 6, 1, 1], p: {}, splitsWeightGrad: false },
  { name: 'spatial size 1, kernel 3, padding 1', x: [2, 3, 1, 1], w: [2, 3, 3, 3], p: { padding: 1 } },
  { name: 'no bias', x: [2, 3, 6, 6], w: [5, 3, 3, 3], bias: false, p: { padding: 1 } },
  { name: 'stride larger than the kernel', x: [1, 2, 11, 10], w: [3, 2, 2, 2], p: { stride: 3 } },
  { name: 'kernel as large as the padded input', x: [2, 2, 3, 4], w: [3, 2, 5, 6], p: { padding: 1 } },
  { name: 'stride, dilation, padding and groups together', x: [1, 4, 9, 8], w: [6, 2, 3, 3], p: { stride: [2, 3], dilation: [2, 1], padding: [2, 1], groups: 2 } },
  { name: 'height 1 (a 1xW image), kernel 1x3, stride 2', x: [2, 3, 1, 9], w: [5, 3, 1, 3], p: { stride: 2 } },
];

/**
 * The weight gradient splits the N*OH rows into chunks unless there are at least 2048 tiles of
 * 4 output channels x 4 taps: 128 channels x 3x3 taps and 29 output channels give 288 * 8 tiles,
 * so one chunk covers both rows. (The cases above all split, except spatial size 1 with one row.)
 */
const noSplit: ConvCase = { name: '128 -> 29 channels, 3x3 (enough tiles: no row split)', x: [2, 128, 3, 3], w: [29, 128, 3, 3], p: {}, splitsWeightGrad: false };

/** Labels and entry points of the kernels the latest plan ran. */
function lastKernels(): { label: string; entryPoint: string }[] {
  return engine.lastPlan?.kernels ?? [];
}

async function run(c: ConvCase, seed: number, algorithm: Algorithm, tol?: number): Promise<void> {
  const withBias = c.bias ?? true;
  const inputs = [randomArray(c.x, seed), randomArray(c.w, seed + 1)];
  if (withBias) inputs.push(randomArray([c.w[0]!], seed + 2));
  engine.tuning.conv = algorithm;
  await checkOp({
    what: `conv2d [${algorithm}] ${c.name}: x [${c.x}], w [${c.w}], ${JSON.stringify(c.p)}`,
    inputs,
    gpu: (x, w, b) => F.conv2d(x, w, b ?? null, c.p),
    ref: (x, w, b) => conv.conv2d(x, w, b ?? null, c.p),
    refGrad: (gy, x, w) => {
      const grads = [conv.conv2dInputGrad(gy, w, c.x, c.p), conv.conv2dWeightGrad(gy, x, c.w, c.p)];
      if (withBias) grads.push(conv.conv2dBiasGrad(gy));
      return grads;
    },
    ...(tol !== undefined ? { tol, gradTol: tol } : {}),
    fd: { maxPoints: 120 },
    seed: seed + 3,
  });
  // The plan checkOp ran holds forward and backward: make sure the intended path was taken.
  const kernels = lastKernels();
  const usedIm2col = kernels.some((k) => k.label === 'im2col');
  expect(usedIm2col, `${algorithm} algorithm (im2col in the plan)`).toBe(algorithm === 'gemm');
  if (algorithm === 'direct') {
    const reductions = kernels.filter((k) => k.label === 'conv2d_weight_grad' && k.entryPoint.startsWith('reduce')).length;
    if (c.splitsWeightGrad ?? true) expect(reductions, 'weight gradient split into row chunks').toBeGreaterThan(0);
    else expect(reductions, 'weight gradient in one pass').toBe(0);
  }
}

describe('conv2d: forward, input, weight and bias gradients', () => {
  cases.forEach((c, k) => {
    for (const algorithm of algorithmsFor(c.x, c.w, c.p)) {
      it(`${c.name} [${algorithm}]`, async () => {
        await run(c, 10 * k, algorithm);
      });
    }
  });

  it(`${noSplit.name} [direct]`, async () => {
    // 1152-term dot products: float32 rounding grows like sqrt(1152) * 6e-8 relative to sum|terms|.
    await run(noSplit, 500, 'direct', 3e-5);
  });

  it('gemm: weight gradient split over the batch, K not a multiple of 4 (padded weight rows)', async () => {
    // N = 6 images and few tiles: the batch is split into chunks and the partial sums reduced.
    const c: ConvCase = { name: 'gemm batch split', x: [6, 3, 6, 6], w: [5, 3, 3, 3], p: { padding: 1 } };
    expect(algorithmsFor(c.x, c.w, c.p)).toContain('gemm');
    await run(c, 520, 'gemm');
    const reductions = lastKernels().filter((k) => k.label === 'conv2d_weight_grad' && k.entryPoint.startsWith('reduce')).length;
    expect(reductions, 'gemm weight gradient split over the batch').toBeGreaterThan(0);
  });

  it('gemm: one image, K a multiple of 4 (no split, weight used as is)', async () => {
    const c: ConvCase = { name: 'gemm single image', x: [1, 4, 4, 6], w: [3, 4, 1, 1], p: {} };
    expect(algorithmsFor(c.x, c.w, c.p)).toContain('gemm');
    await run(c, 530, 'gemm');
    const reductions = lastKernels().filter((k) => k.label === 'conv2d_weight_grad' && k.entryPoint.startsWith('reduce')).length;
    expect(reductions, 'gemm weight gradient in one pass').toBe(0);
  });

  it('every algorithm is covered by some case', () => {
    const all = cases.flatMap((c) => algorithmsFor(c.x, c.w, c.p));
    expect(all).toContain('gemm');
    expect(all).toContain('direct');
  });

  it('positional arguments and an unbatched [C, H, W] input', async () => {
    const x = randomArray([3, 6, 7], 600);
    const w = randomArray([4, 3, 3, 3], 601);
    const b = randomArray([4], 602);
    const p: conv.Conv2dParams = { stride: 2, padding: 1, dilation: 1, groups: 1 };
    await checkOp({
      what: 'conv2d(x, w, b, 2, 1, 1, 1) on [3, 6, 7]',
      inputs: [x, w, b],
      gpu: (xt, wt_, bt) => F.conv2d(xt, wt_, bt, 2, 1, 1, 1),
      ref: (xa, wa, ba) => {
        const y = conv.conv2d({ shape: [1, ...xa.shape], data: xa.data }, wa, ba, p);
        return { shape: y.shape.slice(1), data: y.data };
      },
    });
  });

  it('directional derivative through two convolutions (GPU only)', async () => {
    const x = randomArray([2, 3, 8, 8], 700);
    const w1 = randomArray([4, 3, 3, 3], 701);
    const w2 = randomArray([2, 2, 3, 3], 702);
    await checkDirectional({
      what: 'conv2d(tanh(conv2d(x, w1)), w2, groups 2)',
      f: (a, b, c) => F.conv2d(F.tanh(F.conv2d(a, b, null, { padding: 1 })), c, null, { stride: 2, groups: 2 }),
      at: [x, w1, w2],
    });
  });
});

describe('nn.Conv2d', () => {
  it('computes F.conv2d with its parameters and names its parameters as PyTorch', async () => {
    const layer = new wt.nn.Conv2d(3, 5, 3, { stride: 2, padding: 1, bias: true });
    expect(layer.weight.shape).toEqual([5, 3, 3, 3]);
    expect(layer.namedParameters().map(([k]) => k)).toEqual(['weight', 'bias']);
    const x = randomArray([2, 3, 7, 7], 800);
    const [y] = await readPoisoned(layer.call(tensorOf(x)));
    const w = { shape: [5, 3, 3, 3], data: Float64Array.from(await layer.weight.data()) };
    const b = { shape: [5], data: Float64Array.from(await layer.bias!.data()) };
    expectClose(y!, conv.conv2d(x.ref, w, b, { stride: 2, padding: 1 }), 1e-5, 'nn.Conv2d');
  });
});
