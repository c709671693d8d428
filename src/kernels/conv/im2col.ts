/**
 * Wrapper of shaders/im2col.wgsl and shaders/gemm.wgsl: convolution as matrix products, one product
 * per (image, group). Forward: col = im2col(x) [N, G, KPG, S4], y[n, g] = W[g] [OG, KPG] x col[n, g].
 * Input gradient: dcol[n, g] = W[g]^T x dy[n, g], dx = col2im(dcol). Weight gradient:
 * dW[g] = sum_n dy[n, g] x col[n, g]^T. The products read 16-byte vectors: K per group and the
 * spatial size are padded to multiples of 4 (col's extra rows and columns are zero), and the
 * backward products read dy with rows padded to S4 (a padded copy in a temp when OH*OW % 4 != 0).
 *
 * A 1x1 convolution with stride 1 and no padding (groups 1, OH*OW % 4 = 0) skips im2col: x is its own
 * col (its C rows standing for KP; the products read the missing rows as zero).
 */
import im2colSource from '../../../shaders/im2col.wgsl?raw';
import gemmSource from '../../../shaders/gemm.wgsl?raw';
import type { ShaderSource } from '../../device/pipeline-cache.js';
import type { BufRef, KernelContext } from '../context.js';
import { epilogueBindings, epilogueConstants, epilogueFlops, withEpilogue, type BoundEpilogue } from '../epilogue.js';
import { grid1d } from '../grid.js';
import { padForward } from '../pad.js';
import { splitWeightGrad, up4, type ConvGeometry } from './geometry.js';

export const im2colShader: ShaderSource = { file: 'im2col.wgsl', code: im2colSource };
export const gemmShader: ShaderSource = withEpilogue({ file: 'gemm.wgsl', code: gemmSource });

export interface ColLayout {
  /** Taps of one group: CG*KH*KW. */
  k: number;
  /** k rounded up to 4. */
  kpg: number;
  /** Rows of one image's col: G * kpg. */
  kp: number;
  /** Output plane OH*OW. */
  s: number;
  /** s rounded up to 4. */
  s4: number;
}

/** Sizes of the im2col layout of a convolution. */
export function colLayout(g: ConvGeometry): ColLayout {
  const k = (g.c / g.groups) * g.kh * g.kw;
  const s = g.oh * g.ow;
  const kpg = up4(k);
  return { k, kpg, kp: g.groups * kpg, s, s4: up4(s) };
}

/** Whether a 1x1 convolution can use x as its col (no im2col). */
export function isPlain1x1(g: ConvGeometry): boolean {
  return (
    g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.ph === 0 && g.pw === 0 &&
    g.oh === g.h && g.ow === g.w && g.groups === 1 && (g.oh * g.ow) % 4 === 0
  );
}

function geometryConstants(g: ConvGeometry): Record<string, number> {
  const { kp, kpg, s4 } = colLayout(g);
  return {
    N: g.n, C: g.c, H: g.h, W: g.w, KH: g.kh, KW: g.kw, OH: g.oh, OW: g.ow,
    SH: g.sh, SW: g.sw, PH: g.ph, PW: g.pw, DH: g.dh, DW: g.dw, KP: kp, S4: s4,
    CG: g.c / g.groups, KPG: kpg,
  };
}

export function im2col(ctx: KernelContext, g: ConvGeometry, x: BufRef, col: BufRef): void {
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

export function col2im(ctx: KernelContext, g: ConvGeometry, col: BufRef, dx: BufRef): void {
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

/** The weight as [O, KPG] with 16-byte aligned rows (a temp), or the weight itself when K % 4 = 0. */
function alignedWeight(ctx: KernelContext, g: ConvGeometry, w: BufRef): BufRef {
  const { k, kpg } = colLayout(g);
  if (k === kpg) return w;
  const wp = ctx.temp(g.o * kpg * 4);
  ctx.dispatch({
    shader: im2colShader,
    entryPoint: 'pad_weight',
    constants: { ...geometryConstants(g), O: g.o },
    bindings: [w, wp],
    workgroups: grid1d(g.o * kpg, 64),
    bytes: 4 * (g.o * k + g.o * kpg),
  });
  return wp;
}

/**
 * y[n, g] = W[g] x col[n, g] (+ bias, then the epilogue), written as [N, O, OH, OW]. `col` is
 * im2col's output, or x itself for a plain 1x1 convolution (direct1x1; isPlain1x1 must hold).
 */
export function convGemmForward(
  ctx: KernelContext,
  g: ConvGeometry,
  w: BufRef,
  col: BufRef,
  bias: BufRef | null,
  y: BufRef,
  direct1x1 = false,
  epi: BoundEpilogue | null = null,
): void {
  const { kpg, s, s4 } = colLayout(g);
  const og = g.o / g.groups;
  const wp = alignedWeight(ctx, g, w);
  const batch = g.n * g.groups;
  const tiles = (s4 / 4) * Math.ceil(og / 8) * batch;
  ctx.dispatch({
    shader: gemmShader,
    entryPoint: 'nn',
    constants: {
      M: og, N: s4, K: kpg, BATCH: batch, A_BATCH: g.groups > 1 ? og * kpg : 0, A_GROUPS: g.groups,
      B_BATCH: direct1x1 ? g.c * s : kpg * s4, K_ROWS: direct1x1 ? g.c : 0,
      C_BATCH: og * s, LDC: s, NCOLS: s, HAS_BIAS: bias !== null, ...epilogueConstants(epi?.epilogue ?? null),
    },
    bindings: [wp, col, y, bias ?? wp, ...epilogueBindings(epi, wp)],
    workgroups: grid1d(tiles, 64),
    flops: 2 * g.n * g.o * kpg * s4 + epilogueFlops(epi?.epilogue ?? null, g.n * g.o * s),
    bytes: 4 * (g.o * kpg + (direct1x1 ? g.n * g.c * s : g.n * g.groups * kpg * s4) + g.n * g.o * s),
  });
}

/** dy [N, O, OH*OW] with rows padded to S4: dy itself when OH*OW % 4 = 0, else a zero-padded temp. */
function paddedRows(ctx: KernelContext, g: ConvGeometry, dy: BufRef): BufRef {
  const { s, s4 } = colLayout(g);
  if (s === s4) return dy;
  const out = ctx.temp(g.n * g.o * s4 * 4);
  padForward(ctx, [g.n * g.o, s], [0, s4 - s], 'constant', 0, dy, out);
  return out;
}

/**
 * dcol[n, g] = W[g]^T x dy[n, g] as [N, G, KPG, S4]. For a plain 1x1 convolution (direct1x1) dcol is
 * dx itself ([N, C, OH*OW]).
 */
export function convGemmInputGrad(ctx: KernelContext, g: ConvGeometry, w: BufRef, dy: BufRef, dcol: BufRef, direct1x1 = false): void {
  const { kpg, s4 } = colLayout(g);
  const dyp = paddedRows(ctx, g, dy);
  const og = g.o / g.groups;
  const wp = alignedWeight(ctx, g, w);
  const batch = g.n * g.groups;
  const tiles = (s4 / 4) * Math.ceil(kpg / 8) * batch;
  ctx.dispatch({
    shader: gemmShader,
    entryPoint: 'tn',
    constants: {
      M: kpg, N: s4, K: og, BATCH: batch, A_BATCH: g.groups > 1 ? og * kpg : 0, A_GROUPS: g.groups,
      B_BATCH: og * s4, C_BATCH: direct1x1 ? g.c * s4 : kpg * s4, LDC: s4, NCOLS: s4, M_ROWS: direct1x1 ? g.c : 0,
    },
    bindings: [wp, dyp, dcol],
    workgroups: grid1d(tiles, 64),
    flops: 2 * g.n * g.o * kpg * s4,
    bytes: 4 * (g.o * kpg + g.n * g.o * s4 + g.n * g.groups * kpg * s4),
  });
}

/** dW[g] = sum_n dy[n, g] x col[n, g]^T, written as [O, CG*KH*KW] (col: x itself when direct1x1). */
export function convGemmWeightGrad(ctx: KernelContext, g: ConvGeometry, dy: BufRef, col: BufRef, dw: BufRef, direct1x1 = false): void {
  const { k, kpg, kp, s4 } = colLayout(g);
  const dyp = paddedRows(ctx, g, dy);
  const og = g.o / g.groups;
  // The product's N: the taps of a group (x's C rows for a plain 1x1 convolution).
  const cols = direct1x1 ? g.c : kpg;
  const tiles = Math.ceil(cols / 4) * Math.ceil(og / 4) * g.groups;
  splitWeightGrad(ctx, g.n, tiles, g.o * k, dw, (out, { used, chunk }) =>
    ctx.dispatch({
      shader: gemmShader,
      entryPoint: 'ntr',
      constants: {
        M: og, N: cols, K: s4, BATCH: g.n, A_BATCH: g.o * s4, B_BATCH: direct1x1 ? g.c * s4 : kp * s4,
        GROUPS: g.groups, A_GROUP: og * s4, B_GROUP: kpg * s4, LDC: k, NCOLS: k, SPLITS: used, B_CHUNK: chunk,
      },
      bindings: [dyp, col, out],
      workgroups: grid1d(tiles * used, 64),
      flops: 2 * g.n * g.o * kpg * s4,
      bytes: 4 * (g.n * g.o * s4 + g.n * kp * s4 + used * g.o * k),
    }),
  );
}
