/**
 * Wrapper of shaders/im2col.wgsl and shaders/gemm.wgsl: convolution as matrix products for
 * groups = 1. Forward: col = im2col(x) [N, KP, S4], y[n] = W [O, KP] x col[n]. Input gradient:
 * dcol[n] = W^T x dy[n], dx = col2im(dcol). Weight gradient: dW = sum_n dy[n] x col[n]^T. The
 * products read 16-byte vectors (K and the spatial size padded to multiples of 4).
 */
import im2colSource from '../../shaders/im2col.wgsl?raw';
import gemmSource from '../../shaders/gemm.wgsl?raw';
import type { ShaderSource } from '../device/pipeline-cache.js';
import type { BufRef, LowerContext } from '../graph/op.js';
import type { ConvGeometry } from './conv2d.js';
import { grid1d } from './grid.js';
import { reduceAxis } from './reduce.js';

export const im2colShader: ShaderSource = { file: 'im2col.wgsl', code: im2colSource };
export const gemmShader: ShaderSource = { file: 'gemm.wgsl', code: gemmSource };

const up4 = (n: number): number => Math.ceil(n / 4) * 4;

/** Sizes of the im2col layout of a convolution. */
export function colLayout(g: ConvGeometry): { k: number; kp: number; s: number; s4: number } {
  const k = g.c * g.kh * g.kw;
  const s = g.oh * g.ow;
  return { k, kp: up4(k), s, s4: up4(s) };
}

function geometryConstants(g: ConvGeometry): Record<string, number> {
  const { kp, s4 } = colLayout(g);
  return {
    N: g.n, C: g.c, H: g.h, W: g.w, KH: g.kh, KW: g.kw, OH: g.oh, OW: g.ow,
    SH: g.sh, SW: g.sw, PH: g.ph, PW: g.pw, DH: g.dh, DW: g.dw, KP: kp, S4: s4,
  };
}

export function im2col(ctx: LowerContext, g: ConvGeometry, x: BufRef, col: BufRef): void {
  const { kp, s4 } = colLayout(g);
  ctx.dispatch({
    shader: im2colShader,
    entryPoint: 'im2col',
    constants: geometryConstants(g),
    bindings: [x, col],
    workgroups: grid1d(g.n * kp * g.oh, 64),
    bytes: 4 * (g.n * g.c * g.h * g.w + g.n * kp * s4),
  });
}

export function col2im(ctx: LowerContext, g: ConvGeometry, col: BufRef, dx: BufRef): void {
  const { kp, s4 } = colLayout(g);
  ctx.dispatch({
    shader: im2colShader,
    entryPoint: 'col2im',
    constants: geometryConstants(g),
    bindings: [col, dx],
    workgroups: grid1d(g.n * g.c * g.h, 64),
    flops: g.n * g.c * g.h * g.w * g.kh * g.kw,
    bytes: 4 * (g.n * g.c * g.h * g.w + g.n * kp * s4),
  });
}

/** The weight as [O, KP] with 16-byte aligned rows (a temp), or the weight itself when K % 4 = 0. */
function alignedWeight(ctx: LowerContext, g: ConvGeometry, w: BufRef): BufRef {
  const { k, kp } = colLayout(g);
  if (k === kp) return w;
  const wp = ctx.temp(g.o * kp * 4);
  ctx.dispatch({
    shader: im2colShader,
    entryPoint: 'pad_weight',
    constants: { ...geometryConstants(g), O: g.o },
    bindings: [w, wp],
    workgroups: grid1d(g.o * kp, 64),
    bytes: 4 * (g.o * k + g.o * kp),
  });
  return wp;
}

/** y[n] = W x col[n] (+ bias), written as [N, O, OH, OW]. */
export function convGemmForward(ctx: LowerContext, g: ConvGeometry, w: BufRef, col: BufRef, bias: BufRef | null, y: BufRef): void {
  const { kp, s, s4 } = colLayout(g);
  const wp = alignedWeight(ctx, g, w);
  const tiles = (s4 / 4) * Math.ceil(g.o / 8) * g.n;
  ctx.dispatch({
    shader: gemmShader,
    entryPoint: 'nn',
    constants: {
      M: g.o, N: s4, K: kp, BATCH: g.n, A_BATCH: 0, B_BATCH: kp * s4, C_BATCH: g.o * s, LDC: s, NCOLS: s,
      HAS_BIAS: bias !== null,
    },
    bindings: [wp, col, y, bias ?? wp],
    workgroups: grid1d(tiles, 64),
    flops: 2 * g.n * g.o * kp * s4,
    bytes: 4 * (g.o * kp + g.n * kp * s4 + g.n * g.o * s),
  });
}

/** dcol[n] = W^T x dy[n] as [N, KP, S4] (needs OH*OW % 4 = 0: dy rows are read as vec4s). */
export function convGemmInputGrad(ctx: LowerContext, g: ConvGeometry, w: BufRef, dy: BufRef, dcol: BufRef): void {
  const { kp, s, s4 } = colLayout(g);
  const wp = alignedWeight(ctx, g, w);
  const tiles = (s / 4) * Math.ceil(kp / 8) * g.n;
  ctx.dispatch({
    shader: gemmShader,
    entryPoint: 'tn',
    constants: { M: kp, N: s, K: g.o, BATCH: g.n, A_BATCH: 0, B_BATCH: g.o * s, C_BATCH: kp * s4, LDC: s4, NCOLS: s },
    bindings: [wp, dy, dcol],
    workgroups: grid1d(tiles, 64),
    flops: 2 * g.n * g.o * kp * s,
    bytes: 4 * (g.o * kp + g.n * g.o * s + g.n * kp * s4),
  });
}

/** Tiles wanted in flight for the weight gradient before splitting the batch stops paying. */
const TARGET_TILES = 2048;

/** dW = sum_n dy[n] x col[n]^T, written as [O, C*KH*KW] (needs OH*OW % 4 = 0). */
export function convGemmWeightGrad(ctx: LowerContext, g: ConvGeometry, dy: BufRef, col: BufRef, dw: BufRef): void {
  const { k, kp, s, s4 } = colLayout(g);
  const tiles = Math.ceil(kp / 4) * Math.ceil(g.o / 4);
  const splits = Math.max(1, Math.min(g.n, Math.ceil(TARGET_TILES / tiles)));
  const chunk = Math.ceil(g.n / splits);
  const used = Math.ceil(g.n / chunk);
  const out = used > 1 ? ctx.temp(used * g.o * k * 4) : dw;
  ctx.dispatch({
    shader: gemmShader,
    entryPoint: 'ntr',
    constants: {
      M: g.o, N: kp, K: s, BATCH: g.n, A_BATCH: g.o * s, B_BATCH: kp * s4, LDC: k, NCOLS: k,
      SPLITS: used, B_CHUNK: chunk,
    },
    bindings: [dy, col, out],
    workgroups: grid1d(tiles * used, 64),
    flops: 2 * g.n * g.o * kp * s,
    bytes: 4 * (g.n * g.o * s + g.n * kp * s4 + used * g.o * k),
  });
  if (used > 1) reduceAxis(ctx, 'sum', 1, used, g.o * k, out, dw);
}
