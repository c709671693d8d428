/**
 * Wrapper of shaders/conv2d.wgsl: conv2d forward (with fused bias), input gradient and weight
 * gradient as implicit GEMMs. The weight gradient reduces over N*OH*OW; it splits those rows into
 * chunks (partial sums added by shaders/reduce.wgsl) so small layers still use the whole device.
 */
import source from '../../../shaders/conv2d.wgsl?raw';
import type { ShaderSource } from '../../device/pipeline-cache.js';
import type { BufRef, KernelContext } from '../context.js';
import { epilogueBindings, epilogueConstants, epilogueFlops, withEpilogue, type BoundEpilogue } from '../epilogue.js';
import { grid1d } from '../grid.js';
import { splitWeightGrad, up4, type ConvGeometry } from './geometry.js';

export const conv2dShader: ShaderSource = withEpilogue({ file: 'conv2d.wgsl', code: source });

function constants(g: ConvGeometry): Record<string, number> {
  return {
    N: g.n, C: g.c, H: g.h, W: g.w, O: g.o, KH: g.kh, KW: g.kw, OH: g.oh, OW: g.ow,
    SH: g.sh, SW: g.sw, PH: g.ph, PW: g.pw, DH: g.dh, DW: g.dw, G: g.groups,
  };
}

function macs(g: ConvGeometry): number {
  return g.n * g.o * g.oh * g.ow * (g.c / g.groups) * g.kh * g.kw;
}

/** Tiles of 8 columns, unless 4 waste less of a row of `width` (10: 8 + 2 of 16 vs 12). */
function wide(width: number): boolean {
  return Math.ceil(width / 8) * 8 - width <= up4(width) - width;
}

/** Whether the sliding-window entry points run this geometry (stride 1 and dilation 1 along the width). */
export function usesWindow(g: ConvGeometry): boolean {
  return g.sw === 1 && g.dw === 1;
}

/** The weight repacked for the window entry points (a temp): 4 channels of a tap per vec4. */
function repack(ctx: KernelContext, g: ConvGeometry, w: BufRef, forInput: boolean): BufRef {
  const og = g.o / g.groups;
  const cg = g.c / g.groups;
  const taps = g.kh * g.kw;
  const count = forInput ? g.o * taps * up4(cg) : g.groups * cg * taps * up4(og);
  const out = ctx.temp(count * 4);
  ctx.dispatch({
    shader: conv2dShader,
    entryPoint: forInput ? 'repack_input' : 'repack_forward',
    constants: { ...constants(g), OGP: up4(og), CGP: up4(cg) },
    bindings: [w, null, out],
    workgroups: grid1d(count, 64),
    bytes: 4 * (g.o * cg * taps + count),
  });
  return out;
}

export function conv2dForward(ctx: KernelContext, g: ConvGeometry, x: BufRef, w: BufRef, bias: BufRef | null, y: BufRef, epi: BoundEpilogue | null = null): void {
  const og = g.o / g.groups;
  const common = {
    constants: { ...constants(g), HAS_BIAS: bias !== null, OGP: up4(og), ...epilogueConstants(epi?.epilogue ?? null) },
    flops: 2 * macs(g) + epilogueFlops(epi?.epilogue ?? null, g.n * g.o * g.oh * g.ow),
    bytes: 4 * (g.n * g.c * g.h * g.w + g.o * (g.c / g.groups) * g.kh * g.kw + g.n * g.o * g.oh * g.ow),
  };
  if (usesWindow(g)) {
    const wp = repack(ctx, g, w, false);
    const win = wide(g.ow) ? 8 : 4;
    const tiles = Math.ceil(g.ow / win) * g.oh * g.n * (up4(og) / 4) * g.groups;
    ctx.dispatch({
      shader: conv2dShader,
      entryPoint: 'forward_window',
      bindings: [x, wp, y, bias ?? x, ...epilogueBindings(epi, x)],
      workgroups: grid1d(tiles, 64),
      ...common,
      constants: { ...common.constants, WIN8: win === 8 },
    });
    return;
  }
  const tiles = Math.ceil(g.ow / 4) * g.oh * g.n * Math.ceil(og / 4) * g.groups;
  ctx.dispatch({
    shader: conv2dShader,
    entryPoint: 'forward',
    bindings: [x, w, y, bias ?? w, ...epilogueBindings(epi, x)],
    workgroups: grid1d(tiles, 64),
    ...common,
  });
}

export function conv2dInputGrad(ctx: KernelContext, g: ConvGeometry, dy: BufRef, w: BufRef, dx: BufRef): void {
  const cg = g.c / g.groups;
  const common = {
    flops: 2 * macs(g),
    bytes: 4 * (g.n * g.c * g.h * g.w + g.o * cg * g.kh * g.kw + g.n * g.o * g.oh * g.ow),
  };
  if (usesWindow(g)) {
    const wp = repack(ctx, g, w, true);
    const win = wide(g.w) ? 8 : 4;
    const tiles = Math.ceil(g.w / win) * g.h * g.n * (up4(cg) / 4) * g.groups;
    ctx.dispatch({
      shader: conv2dShader,
      entryPoint: 'input_grad_window',
      constants: { ...constants(g), CGP: up4(cg), WIN8: win === 8 },
      bindings: [dy, wp, dx],
      workgroups: grid1d(tiles, 64),
      ...common,
    });
    return;
  }
  const tiles = Math.ceil(g.w / 4) * g.h * g.n * Math.ceil(cg / 4) * g.groups;
  ctx.dispatch({
    shader: conv2dShader,
    entryPoint: 'input_grad',
    constants: constants(g),
    bindings: [dy, w, dx],
    workgroups: grid1d(tiles, 64),
    ...common,
  });
}

export function conv2dWeightGrad(ctx: KernelContext, g: ConvGeometry, dy: BufRef, x: BufRef, dw: BufRef): void {
  const taps = (g.c / g.groups) * g.kh * g.kw;
  const tiles = Math.ceil(taps / 4) * Math.ceil(g.o / g.groups / 4) * g.groups;
  const weightCount = g.o * taps;
  splitWeightGrad(ctx, g.n * g.oh, tiles, weightCount, dw, (out, { used, chunk }) =>
    ctx.dispatch({
      shader: conv2dShader,
      entryPoint: 'weight_grad',
      constants: { ...constants(g), SPLITS: used, ROW_CHUNK: chunk },
      bindings: [dy, x, out],
      workgroups: grid1d(tiles * used, 64),
      flops: 2 * macs(g),
      bytes: 4 * (g.n * g.c * g.h * g.w + weightCount + g.n * g.o * g.oh * g.ow),
    }),
  );
}
