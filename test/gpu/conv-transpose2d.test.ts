/**
 * convTranspose2d on the GPU against test/reference/conv2d.ts (convTranspose2d, written from the
 * definition: each input pixel scatters weight * x into the output) and PyTorch 1.13
 * (test/fixtures/conv_transpose2d.json from gen_conv.py): forward, input, weight and bias gradients
 * with finite differences, over stride, padding, outputPadding, groups, dilation, non-square
 * kernels, batch 1, spatial size 1; under each algorithm that can run its passes; nn.ConvTranspose2d
 * (names, initialization bound, outputSize) and the errors.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/internal.js'; // ops and engineFor are internal
import fixtures from '../fixtures/conv_transpose2d.json';
import * as conv from '../reference/conv2d.js';
import { checkOp, expectClose, randomArray, readPoisoned, tensorOf } from '../helpers.js';

const F = wt.nn.functional;

let engine: ReturnType<typeof wt.engineFor>;
beforeAll(async () => {
  engine = wt.engineFor(await wt.init());
});
afterEach(() => {
  engine.tuning.conv = 'auto';
});

interface Case {
  name: string;
  x: number[];
  w: number[];
  bias?: boolean;
  p: conv.ConvTranspose2dParams;
}

const cases: Case[] = [
  { name: 'defaults, 3x3', x: [2, 3, 5, 5], w: [3, 4, 3, 3], p: {} },
  { name: 'stride 2, padding 1, outputPadding 1', x: [1, 4, 4, 5], w: [4, 3, 3, 3], p: { stride: 2, padding: 1, outputPadding: 1 } },
  { name: 'kernel 4, stride 2, padding 1 (DCGAN), no bias', x: [2, 3, 3, 4], w: [3, 2, 4, 4], bias: false, p: { stride: 2, padding: 1 } },
  { name: 'pairs: stride (2, 3), padding (1, 0), outputPadding (0, 2), kernel 3x2', x: [1, 2, 4, 3], w: [2, 3, 3, 2], p: { stride: [2, 3], padding: [1, 0], outputPadding: [0, 2] } },
  { name: 'groups 2, stride 2', x: [2, 4, 4, 4], w: [4, 3, 3, 3], p: { groups: 2, stride: 2 } },
  { name: 'dilation 2, outputPadding 1 (< dilation)', x: [1, 2, 5, 4], w: [2, 3, 3, 3], p: { dilation: 2, outputPadding: 1 } },
  { name: 'groups = channels, stride 3', x: [1, 3, 3, 3], w: [3, 1, 2, 2], p: { groups: 3, stride: 3 } },
  { name: '1x1 kernel, spatial size 1, batch 1', x: [1, 5, 1, 1], w: [5, 2, 1, 1], p: {} },
  { name: 'padding that crops the output', x: [1, 2, 6, 6], w: [2, 2, 3, 3], bias: false, p: { padding: 2 } },
  { name: 'prime sizes, 5 input channels, kernel 1x7', x: [2, 5, 7, 3], w: [5, 3, 1, 7], p: { padding: [0, 3] } },
];

const ALGORITHMS = ['direct', 'gemm', 'matmul1x1', 'depthwise', 'winograd'] as const;

/** The algorithms that can run the transposed convolution (its forward is a conv input gradient). */
function algorithmsFor(c: Case): (typeof ALGORITHMS)[number][] {
  const [n, cin, h, w] = c.x as [number, number, number, number];
  const [, ocg, kh, kw] = c.w as [number, number, number, number];
  const pr = (v: conv.IntOrPair | undefined, d: number): [number, number] => (v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : [v[0], v[1]]);
  const [sh, sw] = pr(c.p.stride, 1);
  const [ph, pw] = pr(c.p.padding, 0);
  const [oph, opw] = pr(c.p.outputPadding, 0);
  const [dh, dw] = pr(c.p.dilation, 1);
  const groups = c.p.groups ?? 1;
  const geo = {
    n, c: ocg * groups, h: (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1, w: (w - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1,
    o: cin, kh, kw, oh: h, ow: w, sh, sw, ph, pw, dh, dw, groups,
  };
  return ALGORITHMS.filter((a) => wt.ops.canRunConv(geo, a, 'inputGrad'));
}

describe('convTranspose2d: forward, input, weight and bias gradients', () => {
  cases.forEach((c, k) => {
    for (const algorithm of algorithmsFor(c)) {
      it(`${c.name} [${algorithm}]`, async () => {
        const withBias = c.bias ?? true;
        const cout = c.w[1]! * (c.p.groups ?? 1);
        const inputs = [randomArray(c.x, 40 * k), randomArray(c.w, 40 * k + 1)];
        if (withBias) inputs.push(randomArray([cout], 40 * k + 2));
        engine.tuning.conv = algorithm;
        await checkOp({
          what: `convTranspose2d [${algorithm}] ${c.name}`,
          inputs,
          gpu: (x, w, b) => F.convTranspose2d(x, w, b ?? null, c.p),
          ref: (x, w, b) => conv.convTranspose2d(x, w, b ?? null, c.p),
          refGrad: (gy, x, w) => {
            const [dx, dw] = conv.convTranspose2dGrads(gy, x, w, c.p);
            return withBias ? [dx, dw, conv.conv2dBiasGrad(gy)] : [dx, dw];
          },
          fd: { maxPoints: 100 },
          seed: 40 * k + 3,
        });
        // The plan ran forward and backward: the transposed forward is a conv input gradient.
        const entries = (engine.lastPlan?.kernels ?? []).filter((q) => q.label === 'conv2d_input_grad').map((q) => q.entryPoint);
        const sw = typeof c.p.stride === 'object' ? c.p.stride[1] : (c.p.stride ?? 1);
        const dw = typeof c.p.dilation === 'object' ? c.p.dilation[1] : (c.p.dilation ?? 1);
        const direct = sw === 1 && dw === 1 ? 'conv2d.wgsl:input_grad_window' : 'conv2d.wgsl:input_grad';
        const expected = { direct, gemm: 'gemm.wgsl:tn', matmul1x1: 'gemm.wgsl:tn', depthwise: 'depthwise.wgsl:input_grad', winograd: 'winograd.wgsl:output' }[algorithm];
        expect(entries, 'kernels of the transposed forward').toContain(expected);
      });
    }
  });

  it('positional arguments (stride, padding, outputPadding, groups, dilation) and an unbatched input', async () => {
    const x = randomArray([4, 3, 3], 900);
    const w = randomArray([4, 1, 3, 3], 901);
    const p: conv.ConvTranspose2dParams = { stride: 2, padding: 1, outputPadding: 1, groups: 2, dilation: 1 };
    await checkOp({
      what: 'convTranspose2d(x, w, null, 2, 1, 1, 2, 1) on [4, 3, 3]',
      inputs: [x, w],
      gpu: (xt, wt_) => F.convTranspose2d(xt, wt_, null, 2, 1, 1, 2, 1),
      ref: (xa, wa) => {
        const y = conv.convTranspose2d({ shape: [1, ...xa.shape], data: xa.data }, wa, null, p);
        return { shape: y.shape.slice(1), data: y.data };
      },
    });
  });
});

describe('convTranspose2d: PyTorch 1.13 fixtures', () => {
  interface T {
    shape: number[];
    data: number[];
  }
  interface Fixture {
    name: string;
    args: conv.ConvTranspose2dParams;
    inputs: { input: T; weight: T; bias?: T };
    output: T;
    upstream: T;
    grads: Record<string, T>;
  }
  for (const c of (fixtures as unknown as { cases: Fixture[] }).cases) {
    it(c.name, async () => {
      const t = (a: T): wt.Tensor => wt.tensor(Float32Array.from(a.data), { shape: a.shape, requiresGrad: true });
      const x = t(c.inputs.input);
      const w = t(c.inputs.weight);
      const b = c.inputs.bias ? t(c.inputs.bias) : null;
      const y = F.convTranspose2d(x, w, b, c.args);
      expect(y.shape).toEqual(c.output.shape);
      y.backward(wt.tensor(Float32Array.from(c.upstream.data), { shape: c.upstream.shape }));
      const [out, gx, gw, gb] = await readPoisoned(y, x.grad!, w.grad!, ...(b ? [b.grad!] : []));
      expectClose(out!, c.output.data, 1e-4, `${c.name}: output vs PyTorch`);
      expectClose(gx!, c.grads['input']!.data, 1e-4, `${c.name}: d/dinput vs PyTorch`);
      expectClose(gw!, c.grads['weight']!.data, 1e-4, `${c.name}: d/dweight vs PyTorch`);
      if (b) expectClose(gb!, c.grads['bias']!.data, 1e-4, `${c.name}: d/dbias vs PyTorch`);
    });
  }
});

describe('nn.ConvTranspose2d', () => {
  it('weight [in, out/groups, kH, kW], PyTorch names and init bound 1/sqrt(out/groups * kH * kW)', async () => {
    const layer = new wt.nn.ConvTranspose2d(4, 6, [3, 2], { stride: 2, groups: 2 });
    expect(layer.weight.shape).toEqual([4, 3, 3, 2]);
    expect(layer.bias!.shape).toEqual([6]);
    expect(layer.namedParameters().map(([k]) => k)).toEqual(['weight', 'bias']);
    const bound = 1 / Math.sqrt(3 * 3 * 2);
    const wv = await layer.weight.data();
    expect(Math.max(...Array.from(wv, Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...Array.from(wv, Math.abs))).toBeGreaterThan(bound * 0.8);
  });

  it('computes F.convTranspose2d; outputSize picks the outputPadding', async () => {
    const layer = new wt.nn.ConvTranspose2d(3, 2, 3, 2, 1);
    const x = randomArray([1, 3, 4, 4], 950);
    const w = { shape: layer.weight.shape, data: Float64Array.from(await layer.weight.data()) };
    const b = { shape: [2], data: Float64Array.from(await layer.bias!.data()) };
    const [y] = await readPoisoned(layer.call(tensorOf(x)));
    expectClose(y!, conv.convTranspose2d(x.ref, w, b, { stride: 2, padding: 1 }), 1e-5, 'nn.ConvTranspose2d');
    const y8 = layer.forward(tensorOf(x), [8, 8]);
    expect(y8.shape).toEqual([1, 2, 8, 8]);
    const [v8] = await readPoisoned(y8);
    expectClose(v8!, conv.convTranspose2d(x.ref, w, b, { stride: 2, padding: 1, outputPadding: 1 }), 1e-5, 'outputSize [8, 8]');
    expect(() => layer.forward(tensorOf(x), [9, 8])).toThrow(/ConvTranspose2d.*output size of \[9,8\].*\[7\.\.8\]/);
  });
});

describe('convTranspose2d: errors before anything runs', () => {
  let x: wt.Tensor;
  let w: wt.Tensor;
  beforeAll(() => {
    x = wt.zeros([1, 4, 5, 5]);
    w = wt.zeros([4, 2, 3, 3]);
  });
  const cases: [string, () => unknown, RegExp][] = [
    ['input channels vs weight', () => F.convTranspose2d(wt.zeros([1, 3, 5, 5]), w), /conv_transpose2d: input has 3 channels.*\[4, 2, 3, 3\] expects 4/],
    ['channels not divisible by groups', () => F.convTranspose2d(x, w, null, { groups: 3 }), /conv_transpose2d: input channels 4.*not divisible by groups = 3/],
    ['outputPadding not below stride or dilation', () => F.convTranspose2d(x, w, null, { stride: 2, outputPadding: 2 }), /conv_transpose2d: outputPadding must be smaller than either stride or dilation, got outputPadding 2, stride 2, dilation 1/],
    ['dilation 0', () => F.convTranspose2d(x, w, null, { dilation: 0 }), /conv_transpose2d: dilation must be >= 1, got 0/],
    ['stride 0', () => F.convTranspose2d(x, w, null, { stride: [1, 0] }), /conv_transpose2d: stride must be >= 1, got \[1,0\]/],
    ['wrong rank', () => F.convTranspose2d(wt.zeros([4, 5]), w), /conv_transpose2d: expected a 3-D \[C, H, W\] or 4-D \[N, C, H, W\] input, got \[4, 5\]/],
    ['output too small', () => F.convTranspose2d(x, w, null, { padding: 4 }), /conv_transpose2d: output size -1x-1 is too small/],
    ['bias shape', () => F.convTranspose2d(x, w, wt.zeros([4])), /conv_transpose2d: bias must be \[2\], got \[4\]/],
    ['the layer path inside a module', () => new wt.nn.Sequential(new wt.nn.ConvTranspose2d(3, 2, 3)).call(x), /conv_transpose2d \(0\): input has 4 channels/],
  ];
  for (const [name, f, re] of cases) {
    it(name, () => {
      expect(f).toThrow(re);
    });
  }
});
