/**
 * conv2d on the GPU against test/reference/conv2d.ts: forward (with and without bias), input
 * gradient, weight gradient and bias gradient, over stride, padding (int, pair, 'valid', and 'same'
 * with an odd total, which pads one more on the bottom/right), dilation, groups (incl. depthwise),
 * batch 1, channel counts that are not multiples of the 4-wide tile, spatial size 1, prime sizes.
 *
 * conv2d has several algorithms (src/kernels/conv/choose.ts chooseConvAlgorithm): 'direct' (implicit GEMM,
 * shaders/conv2d.wgsl) runs anything; 'gemm' (im2col + matrix products, one per image and group)
 * anything whose im2col buffer fits; 'matmul1x1' plain 1x1 convolutions (stride 1, no padding,
 * OH*OW a multiple of 4). Every case runs with each algorithm that can take its forward, forced
 * through engine.tuning.conv (each pass uses it where it can), and checks from the plan that the
 * intended one ran. The direct weight gradient splits the N*OH rows into chunks unless there are
 * already enough tiles; the gemm one splits the batch: both sides of each split are covered.
 * Also: kernel sizes 1..11 and non-square kernels, nn.Conv2d with every padding mode, PyTorch
 * fixtures (test/fixtures/conv2d_options.json, conv2d_module.json from gen_conv.py), a convolution
 * whose dispatches need more than 65535 workgroups, and the errors.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/internal.js'; // ops and engineFor are internal
import type { ConvGeometry } from '../../src/kernels/conv/geometry.js';
import moduleFixtures from '../fixtures/conv2d_module.json';
import optionFixtures from '../fixtures/conv2d_options.json';
import * as conv from '../reference/conv2d.js';
import * as padRef from '../reference/pad.js';
import { checkDirectional, checkOp, expectClose, randomArray, readPoisoned, tensorOf } from '../helpers.js';

const F = wt.nn.functional;

let engine: ReturnType<typeof wt.engineFor>;
beforeAll(async () => {
  engine = wt.engineFor(await wt.init());
});
afterEach(() => {
  engine.tuning.conv = 'auto';
});

const ALGORITHMS = ['direct', 'gemm', 'matmul1x1', 'depthwise', 'winograd'] as const;
type Algorithm = (typeof ALGORITHMS)[number];

function geometry(x: number[], w: number[], p: conv.Conv2dParams): ConvGeometry {
  const g = conv.convGeometry(x, w, p);
  return { ...g, ph: g.padTop, pw: g.padLeft };
}

/** The algorithms that can run a case's forward. */
function algorithmsFor(x: number[], w: number[], p: conv.Conv2dParams): Algorithm[] {
  return ALGORITHMS.filter((a) => wt.ops.canRunConv(geometry(x, w, p), a));
}

/** The forward kernel each algorithm runs (the plan's entry points of the 'conv2d' label). */
const FORWARD_KERNEL: Record<Algorithm, string> = { direct: 'conv2d.wgsl:forward', gemm: 'gemm.wgsl:nn', matmul1x1: 'gemm.wgsl:nn', depthwise: 'depthwise.wgsl:forward', winograd: 'winograd.wgsl:output' };

/** The direct kernels' entry points: the sliding-window ones at stride 1 and dilation 1 along the width. */
function directEntry(base: 'forward' | 'input_grad', geo: ConvGeometry): string {
  return `conv2d.wgsl:${base}${geo.sw === 1 && geo.dw === 1 ? '_window' : ''}`;
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
  { name: 'plain 1x1, 5 channels (K not a multiple of 4), plane 4x5', x: [2, 5, 4, 5], w: [6, 5, 1, 1], p: {} },
  { name: 'plain 1x1, 8 channels, plane 2x2, batch 1', x: [1, 8, 2, 2], w: [3, 8, 1, 1], p: {} },
  { name: 'kernel 1x7 (Inception-v3), padding (0, 3)', x: [2, 4, 5, 9], w: [3, 4, 1, 7], p: { padding: [0, 3] } },
  { name: 'kernel 7x1 (Inception-v3), padding (3, 0)', x: [2, 4, 9, 5], w: [3, 4, 7, 1], p: { padding: [3, 0] } },
  { name: 'kernel 11, stride 4, padding 2 (AlexNet conv1)', x: [1, 3, 23, 19], w: [4, 3, 11, 11], p: { stride: 4, padding: 2 } },
  { name: 'groups 2 with 3 channels per group (grouped products, odd K)', x: [2, 6, 7, 6], w: [4, 3, 3, 3], p: { groups: 2, padding: 1 } },
  { name: 'depthwise 3x3, plane 7x7 (not a multiple of 4)', x: [2, 6, 7, 7], w: [6, 1, 3, 3], p: { groups: 6, padding: 1 } },
  { name: 'depthwise 5x5, dilation 2, padding 4, plane 9x10', x: [1, 3, 9, 10], w: [3, 1, 5, 5], p: { groups: 3, padding: 4, dilation: 2 } },
  { name: 'depthwise 3x3, stride 2, multiplier 3, no bias', x: [2, 2, 9, 8], w: [6, 1, 3, 3], bias: false, p: { groups: 2, padding: 1, stride: 2 } },
  { name: '3x3 stride 1, padding 1, 5 channels, 9x7 (odd planes: partial 2x2 tiles)', x: [2, 5, 9, 7], w: [6, 5, 3, 3], p: { padding: 1 } },
  { name: '3x3 stride 1, padding 2 (input gradient with padding 0), batch 1', x: [1, 3, 5, 6], w: [4, 3, 3, 3], p: { padding: 2 } },
  { name: '3x3 stride 1, padding (0, 1), 1x1 output rows', x: [2, 4, 3, 8], w: [3, 4, 3, 3], p: { padding: [0, 1] } },
  { name: 'depthwise 1x7 stride (1, 1), row shorter than the window', x: [1, 4, 3, 2], w: [4, 1, 1, 7], p: { groups: 4, padding: [0, 3] } },
];

/** Kernel sizes 1..11 (stride and padding varied so the output stays small but not trivial). */
const kernelSizes: ConvCase[] = Array.from({ length: 11 }, (_, i) => {
  const k = i + 1;
  return { name: `kernel ${k}x${k}`, x: [1, 2, k + 4, k + 3], w: [3, 2, k, k], p: { stride: 1 + (k % 2), padding: Math.floor(k / 3) } };
});

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
  // Every algorithm but winograd (which has no weight gradient of its own) runs all three passes.
  const geo = geometry(c.x, c.w, c.p);
  const usedIm2col = kernels.some((k) => k.label === 'im2col');
  if (algorithm !== 'winograd') expect(usedIm2col, `${algorithm} algorithm (im2col in the plan)`).toBe(algorithm === 'gemm');
  if (algorithm === 'winograd' && wt.ops.canRunConv(geo, 'winograd', 'inputGrad')) {
    expect(kernels.filter((k) => k.label === 'conv2d_input_grad').map((k) => k.entryPoint), 'winograd input gradient').toContain('winograd.wgsl:output');
  }
  const forwardKernel = algorithm === 'direct' ? directEntry('forward', geo) : FORWARD_KERNEL[algorithm];
  expect(kernels.filter((k) => k.label === 'conv2d').map((k) => k.entryPoint), `${algorithm} forward kernel`).toContain(forwardKernel);
  if (algorithm === 'direct') {
    expect(kernels.filter((k) => k.label === 'conv2d_input_grad').map((k) => k.entryPoint), 'direct input gradient').toContain(directEntry('input_grad', geo));
  }
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

  kernelSizes.forEach((c, k) => {
    for (const algorithm of algorithmsFor(c.x, c.w, c.p)) {
      it(`${c.name} [${algorithm}]`, async () => {
        await run(c, 300 + 10 * k, algorithm);
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
    const all = new Set(cases.flatMap((c) => algorithmsFor(c.x, c.w, c.p)));
    for (const a of ALGORITHMS) expect(all).toContain(a);
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

describe('nn.Conv2d padding modes', () => {
  const modes = ['reflect', 'replicate', 'circular', 'zeros'] as const;
  const specs: { name: string; x: number[]; out: number; k: number | [number, number]; o: wt.nn.Conv2dOptions }[] = [
    { name: 'padding 1', x: [2, 3, 6, 7], out: 4, k: 3, o: { padding: 1 } },
    { name: 'padding (2, 1), stride 2, kernel 5x3', x: [1, 2, 7, 6], out: 3, k: [5, 3], o: { padding: [2, 1], stride: 2 } },
    { name: "padding 'same', even kernel, dilation 2", x: [1, 2, 7, 8], out: 3, k: 4, o: { padding: 'same', dilation: [2, 1] } },
    { name: 'padding 1, groups 2, no bias', x: [2, 4, 5, 5], out: 6, k: 3, o: { padding: 1, groups: 2, bias: false } },
  ];
  specs.forEach((spec, k) => {
    for (const mode of modes) {
      it(`${mode}: ${spec.name} (forward, input, weight and bias gradients)`, async () => {
        const layer = new wt.nn.Conv2d(spec.x[1]!, spec.out, spec.k, { ...spec.o, paddingMode: mode });
        const [kh, kw] = typeof spec.k === 'number' ? [spec.k, spec.k] : spec.k;
        const [sh, sw] = [layer.stride[0], layer.stride[1]];
        const [dh, dw] = layer.dilation;
        // F.pad's list for the mode, as PyTorch's _reversed_padding_repeated_twice.
        let pads: number[];
        if (spec.o.padding === 'same') {
          const th = dh * (kh - 1);
          const tw = dw * (kw - 1);
          pads = [Math.floor(tw / 2), tw - Math.floor(tw / 2), Math.floor(th / 2), th - Math.floor(th / 2)];
        } else {
          const [ph, pw] = typeof spec.o.padding === 'number' ? [spec.o.padding, spec.o.padding] : (spec.o.padding as [number, number]);
          pads = [pw, pw, ph, ph];
        }
        const p: conv.Conv2dParams = { stride: [sh, sw], dilation: [dh, dw], groups: layer.groups };
        const padMode: padRef.PadMode = mode === 'zeros' ? 'constant' : mode;
        const withBias = layer.bias !== null;
        const inputs = [randomArray(spec.x, 1000 + k), randomArray(layer.weight.shape, 1001 + k)];
        if (withBias) inputs.push(randomArray([spec.out], 1002 + k));
        await checkOp({
          what: `nn.Conv2d paddingMode ${mode}, ${spec.name}`,
          inputs,
          gpu: (x, w, b) => {
            // The module's forward with the test's tensors (tracked) as its parameters.
            const m = layer as unknown as { weight: wt.Tensor; bias: wt.Tensor | null };
            m.weight = w!;
            m.bias = withBias ? b! : null;
            return layer.call(x!);
          },
          ref: (x, w, b) => conv.conv2d(padRef.pad(x, pads, padMode), w, b ?? null, p),
          refGrad: (gy, x, w) => {
            const xp = padRef.pad(x, pads, padMode);
            const dxp = conv.conv2dInputGrad(gy, w, xp.shape, p);
            const grads = [padRef.padGrad(dxp, spec.x, pads, padMode), conv.conv2dWeightGrad(gy, xp, w.shape, p)];
            if (withBias) grads.push(conv.conv2dBiasGrad(gy));
            return grads;
          },
          fd: { maxPoints: 60 },
          seed: 1003 + k,
        });
        const padded = (engine.lastPlan?.kernels ?? []).some((q) => q.label.startsWith('pad') && q.entryPoint === 'pad.wgsl:forward');
        expect(padded, 'F.pad ran for a non-zero padding mode').toBe(mode !== 'zeros');
      });
    }
  });

  it('an unbatched [C, H, W] input with circular padding', async () => {
    const layer = new wt.nn.Conv2d(2, 3, 3, { padding: 1, paddingMode: 'circular' });
    const x = randomArray([2, 5, 4], 1100);
    const [y] = await readPoisoned(layer.call(tensorOf(x)));
    const w = { shape: layer.weight.shape, data: Float64Array.from(await layer.weight.data()) };
    const b = { shape: [3], data: Float64Array.from(await layer.bias!.data()) };
    const expected = conv.conv2d(padRef.pad({ shape: [1, 2, 5, 4], data: x.ref.data }, [1, 1, 1, 1], 'circular'), w, b, {});
    expectClose(y!, expected.data, 1e-5, 'unbatched circular Conv2d');
  });
});

describe('conv2d: PyTorch 1.13 fixtures', () => {
  interface T {
    shape: number[];
    data: number[];
  }
  interface Fixture {
    name: string;
    args: Record<string, unknown>;
    inputs: { input: T; weight: T; bias?: T };
    output: T;
    upstream: T;
    grads: Record<string, T>;
  }
  const t = (a: T): wt.Tensor => wt.tensor(Float32Array.from(a.data), { shape: a.shape, requiresGrad: true });
  async function compare(c: Fixture, f: (x: wt.Tensor, w: wt.Tensor, b: wt.Tensor | null) => wt.Tensor): Promise<void> {
    const x = t(c.inputs.input);
    const w = t(c.inputs.weight);
    const b = c.inputs.bias ? t(c.inputs.bias) : null;
    const y = f(x, w, b);
    expect(y.shape).toEqual(c.output.shape);
    y.backward(wt.tensor(Float32Array.from(c.upstream.data), { shape: c.upstream.shape }));
    const [out, gx, gw, gb] = await readPoisoned(y, x.grad!, w.grad!, ...(b ? [b.grad!] : []));
    expectClose(out!, c.output.data, 1e-4, `${c.name}: output vs PyTorch`);
    expectClose(gx!, c.grads['input']!.data, 1e-4, `${c.name}: d/dinput vs PyTorch`);
    expectClose(gw!, c.grads['weight']!.data, 1e-4, `${c.name}: d/dweight vs PyTorch`);
    if (b) expectClose(gb!, c.grads['bias']!.data, 1e-4, `${c.name}: d/dbias vs PyTorch`);
  }

  describe('F.conv2d: kernel sizes, non-square kernels, depthwise, 1x1', () => {
    for (const c of (optionFixtures as unknown as { cases: Fixture[] }).cases) {
      it(c.name, async () => {
        await compare(c, (x, w, b) => F.conv2d(x, w, b, c.args as wt.nn.functional.Conv2dOptions));
      });
    }
  });

  describe('nn.Conv2d with each padding mode', () => {
    for (const c of (moduleFixtures as unknown as { cases: Fixture[] }).cases) {
      it(c.name, async () => {
        const { inChannels, outChannels, kernelSize, ...o } = c.args as { inChannels: number; outChannels: number; kernelSize: number | [number, number] };
        const layer = new wt.nn.Conv2d(inChannels, outChannels, kernelSize, o as wt.nn.Conv2dOptions);
        await compare(c, (x, w, b) => {
          const m = layer as unknown as { weight: wt.Tensor; bias: wt.Tensor | null };
          m.weight = w;
          m.bias = b;
          return layer.call(x);
        });
      });
    }
  });
});

describe('conv2d: dispatches over 65535 workgroups', () => {
  // A 1x1 convolution of a one-column image: direct runs one tile per output row (4.3M tiles in the
  // forward and the input gradient); gemm runs one im2col invocation per (row of col, output row):
  // 4 x 1.1M. Both need the second dimension of the workgroup grid.
  const sizes = { direct: 4_300_000, gemm: 1_100_000 } as const;
  for (const algorithm of ['direct', 'gemm'] as const) {
    it(`a 1x1 convolution of a ${sizes[algorithm]}x1 image [${algorithm}]: forward and every gradient`, async () => {
      const n = sizes[algorithm];
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = ((i * 7919) % 1013) / 1013 - 0.5;
      engine.tuning.conv = algorithm;
      const x = wt.tensor(data, { shape: [1, 1, n, 1], requiresGrad: true });
      const w = wt.tensor([0.75], { shape: [1, 1, 1, 1], requiresGrad: true });
      const b = wt.tensor([-0.25], { requiresGrad: true });
      const y = F.conv2d(x, w, b);
      y.backward(wt.onesLike(y));
      const [out, gx, gw, gb] = await readPoisoned(y, x.grad!, w.grad!, b.grad!);
      const kernels = lastKernels();
      expect(kernels.some((k) => k.label === 'im2col'), 'im2col ran').toBe(algorithm === 'gemm');
      const expected = new Float32Array(n);
      let sum = 0;
      let sumAbs = 0;
      for (let i = 0; i < n; i++) {
        expected[i] = 0.75 * data[i]! - 0.25;
        sum += data[i]!;
        sumAbs += Math.abs(data[i]!);
      }
      expectClose(out!, expected, 1e-6, 'y = 0.75 x - 0.25');
      expectClose(gx!, new Float32Array(n).fill(0.75), 0, 'dx = w');
      // A float32 sum of millions of terms (in chunks, then reduced) is off by ~1e-6 of sum |x|.
      expect(Math.abs(gw![0]! - sum), 'dw = sum x').toBeLessThan(1e-5 * sumAbs);
      expectClose(gb!, [n], 1e-6, 'db = N H W');
    });
  }
});

describe('conv2d: errors before anything runs', () => {
  const t: Record<string, wt.Tensor> = {};
  beforeAll(() => {
    const shapes: Record<string, number[]> = {
      x: [1, 4, 5, 5], w: [6, 2, 3, 3], w1: [6, 1, 3, 3], w5: [5, 2, 3, 3], w73: [2, 4, 7, 3], w33: [2, 4, 3, 3],
      x2: [4, 5], w3d: [6, 4, 3], b5: [5],
    };
    for (const [k, shape] of Object.entries(shapes)) t[k] = wt.zeros(shape);
  });
  const cases: [string, () => unknown, RegExp][] = [
    ['input channels not divisible by groups', () => F.conv2d(t.x!, t.w1!, null, { groups: 3 }), /conv2d: input channels 4 \(input \[1, 4, 5, 5\]\) are not divisible by groups = 3/],
    ['out channels not divisible by groups', () => F.conv2d(t.x!, t.w5!, null, { groups: 2 }), /conv2d: out channels 5 .* not divisible by groups = 2/],
    ['weight channels vs input', () => F.conv2d(t.x!, t.w!), /conv2d: input has 4 channels .* weight \[6, 2, 3, 3\] with groups = 1 expects 2/],
    ['kernel larger than the padded input', () => F.conv2d(t.x!, t.w73!), /conv2d: kernel 7x3 .* larger than the padded input 5x5/],
    ['dilated kernel larger than the padded input', () => F.conv2d(t.x!, t.w33!, null, { dilation: 3 }), /conv2d: kernel 3x3 \(dilation 3x3, extent 7x7\) is larger than the padded input 5x5/],
    ['wrong input rank', () => F.conv2d(t.x2!, t.w!), /conv2d: expected a 3-D \[C, H, W\] or 4-D \[N, C, H, W\] input, got \[4, 5\]/],
    ['wrong weight rank', () => F.conv2d(t.x!, t.w3d!), /conv2d: weight must be 4-D .* got \[6, 4, 3\]/],
    ['dilation 0', () => F.conv2d(t.x!, t.w!, null, { dilation: 0, groups: 2 }), /conv2d: dilation must be >= 1, got 0/],
    ['stride 0', () => F.conv2d(t.x!, t.w!, null, { stride: [0, 1], groups: 2 }), /conv2d: stride must be >= 1, got \[0,1\]/],
    ["padding 'same' with stride 2", () => F.conv2d(t.x!, t.w!, null, { padding: 'same', stride: 2, groups: 2 }), /conv2d: padding='same' is not supported for strided convolutions \(expected stride 1, got 2\)/],
    ['bias shape', () => F.conv2d(t.x!, t.w!, t.b5!, { groups: 2 }), /conv2d: bias must be \[6\], got \[5\]/],
    ['the layer path inside a module', () => new wt.nn.Sequential(new wt.nn.Conv2d(3, 2, 3)).call(t.x!), /conv2d \(0\): input has 4 channels/],
    ['the layer path with a padding mode', () => new wt.nn.Sequential(new wt.nn.Identity(), new wt.nn.Conv2d(4, 2, 3, { padding: 5, paddingMode: 'reflect' })).call(t.x!), /pad \(1\): reflect padding must be smaller than the padded dim: padding \(5, 5\) of dim 3 of size 5/],
    ['nn.Conv2d: unknown padding mode', () => new wt.nn.Conv2d(4, 2, 3, { paddingMode: 'mirror' as 'zeros' }), /Conv2d: paddingMode must be 'zeros', 'reflect', 'replicate' or 'circular', got 'mirror'/],
    ['nn.Conv2d: channels not divisible by groups', () => new wt.nn.Conv2d(4, 6, 3, { groups: 3 }), /Conv2d: inChannels 4 must be divisible by groups 3/],
    ['nn.Conv2d: stride 0', () => new wt.nn.Conv2d(4, 6, 3, 0), /Conv2d: stride must be >= 1, got 0/],
  ];
  for (const [name, f, re] of cases) {
    it(name, () => {
      const before = engine.stats.recorded;
      expect(f).toThrow(re);
      expect(engine.stats.recorded - before, 'nodes recorded by the failing call').toBe(0);
    });
  }
});
