/**
 * Wrapper of shaders/winograd.wgsl: Winograd F(2x2, 3x3) for 3x3 convolutions with stride 1,
 * dilation 1 and groups 1, and for their input gradients (a convolution of dy with the flipped,
 * transposed kernel and padding 2 - p). Three transforms here and 16 matrix products by
 * shaders/gemm.wgsl `nn` in between; the transformed input and products live in temps.
 */
import source from '../../../shaders/winograd.wgsl?raw';
import type { ShaderSource } from '../../device/pipeline-cache.js';
import type { BufRef, KernelContext } from '../context.js';
import { epilogueBindings, epilogueConstants, epilogueFlops, withEpilogue, type BoundEpilogue } from '../epilogue.js';
import { grid1d } from '../grid.js';
import { MAX_CONV_TEMP_BYTES, up4, type ConvGeometry } from './geometry.js';
import { gemmShader } from './im2col.js';

export const winogradShader: ShaderSource = withEpilogue({ file: 'winograd.wgsl', code: source });

/** The convolution the kernels compute: input [N, CI, HI, WI] to output [N, CO, HO, WO]. */
interface WinogradConv {
  n: number;
  ci: number;
  hi: number;
  wi: number;
  co: number;
  ho: number;
  wo: number;
  ph: number;
  pw: number;
  /** Whether the weight is the forward's [CI, CO, 3, 3], read flipped (input gradients). */
  flip: boolean;
}

function sizes(w: WinogradConv): { cp: number; th: number; tw: number; t4: number } {
  const th = Math.ceil(w.ho / 2);
  const tw = Math.ceil(w.wo / 2);
  return { cp: up4(w.ci), th, tw, t4: up4(w.n * th * tw) };
}

const forwardConv = (g: ConvGeometry): WinogradConv => ({ n: g.n, ci: g.c, hi: g.h, wi: g.w, co: g.o, ho: g.oh, wo: g.ow, ph: g.ph, pw: g.pw, flip: false });
const inputGradConv = (g: ConvGeometry): WinogradConv => ({ n: g.n, ci: g.o, hi: g.oh, wi: g.ow, co: g.c, ho: g.h, wo: g.w, ph: 2 - g.ph, pw: 2 - g.pw, flip: true });

function fits(w: WinogradConv): boolean {
  const { cp, t4 } = sizes(w);
  return 16 * Math.max(cp, w.co) * t4 * 4 <= MAX_CONV_TEMP_BYTES;
}

/** Whether Winograd can run this convolution's forward ('forward') or its input gradient. */
export function canWinograd(g: ConvGeometry, pass: 'forward' | 'inputGrad'): boolean {
  if (g.kh !== 3 || g.kw !== 3 || g.sh !== 1 || g.sw !== 1 || g.dh !== 1 || g.dw !== 1 || g.groups !== 1) return false;
  if (pass === 'forward') return fits(forwardConv(g));
  return g.ph <= 2 && g.pw <= 2 && fits(inputGradConv(g));
}

function run(ctx: KernelContext, w: WinogradConv, x: BufRef, weight: BufRef, bias: BufRef | null, y: BufRef, epi: BoundEpilogue | null): void {
  const { cp, th, tw, t4 } = sizes(w);
  const t = w.n * th * tw;
  const constants = {
    N: w.n, CI: w.ci, HI: w.hi, WI: w.wi, CO: w.co, HO: w.ho, WO: w.wo, PH: w.ph, PW: w.pw,
    CP: cp, TH: th, TW: tw, T4: t4, FLIP: w.flip,
  };
  const u = ctx.temp(16 * w.co * cp * 4);
  ctx.dispatch({
    shader: winogradShader,
    entryPoint: 'weights',
    constants,
    bindings: [weight, u, null],
    workgroups: grid1d(w.co * cp, 64),
    flops: 16 * 6 * w.co * w.ci,
    bytes: 4 * (9 + 16) * w.co * w.ci,
  });
  const v = ctx.temp(16 * cp * t4 * 4);
  ctx.dispatch({
    shader: winogradShader,
    entryPoint: 'input',
    constants,
    bindings: [x, v, null],
    workgroups: grid1d(cp * t4, 64),
    flops: 32 * w.ci * t,
    bytes: 4 * (w.n * w.ci * w.hi * w.wi + 16 * cp * t4),
  });
  const m = ctx.temp(16 * w.co * t4 * 4);
  ctx.dispatch({
    shader: gemmShader,
    entryPoint: 'nn',
    constants: { M: w.co, N: t4, K: cp, BATCH: 16, A_BATCH: w.co * cp, B_BATCH: cp * t4, C_BATCH: w.co * t4, LDC: t4, NCOLS: t4 },
    bindings: [u, v, m, u, u, u],
    workgroups: grid1d((t4 / 4) * Math.ceil(w.co / 8) * 16, 64),
    flops: 2 * 16 * w.co * cp * t4,
    bytes: 4 * 16 * (w.co * cp + cp * t4 + w.co * t4),
  });
  ctx.dispatch({
    shader: winogradShader,
    entryPoint: 'output',
    constants: { ...constants, HAS_BIAS: bias !== null, ...epilogueConstants(epi?.epilogue ?? null) },
    bindings: [m, y, bias ?? m, ...epilogueBindings(epi, m)],
    workgroups: grid1d(w.co * t, 64),
    flops: 24 * w.co * t + epilogueFlops(epi?.epilogue ?? null, w.n * w.co * w.ho * w.wo),
    bytes: 4 * (16 * w.co * t4 + w.n * w.co * w.ho * w.wo),
  });
}

/** y = conv(x, w) + bias (then the epilogue) for a 3x3, stride-1 convolution. */
export function winogradForward(ctx: KernelContext, g: ConvGeometry, x: BufRef, w: BufRef, bias: BufRef | null, y: BufRef, epi: BoundEpilogue | null = null): void {
  run(ctx, forwardConv(g), x, w, bias, y, epi);
}

/** dx for dy of a 3x3, stride-1 convolution (padding at most 2). */
export function winogradInputGrad(ctx: KernelContext, g: ConvGeometry, dy: BufRef, w: BufRef, dx: BufRef): void {
  run(ctx, inputGradConv(g), dy, w, null, dx, null);
}
