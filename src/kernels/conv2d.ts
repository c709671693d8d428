/**
 * Wrapper of shaders/conv2d.wgsl: conv2d forward (with fused bias), input gradient and weight
 * gradient as implicit GEMMs. The weight gradient reduces over N*OH*OW; it splits those rows into
 * chunks (partial sums added by shaders/reduce.wgsl) so small layers still use the whole device.
 */
import source from '../../shaders/conv2d.wgsl?raw';
import type { ShaderSource } from '../device/pipeline-cache.js';
import type { BufRef, LowerContext } from '../graph/op.js';
import { epilogueBindings, epilogueConstants, epilogueFlops, withEpilogue, type BoundEpilogue } from './epilogue.js';
import { grid1d } from './grid.js';
import { reduceAxis } from './reduce.js';

export const conv2dShader: ShaderSource = withEpilogue({ file: 'conv2d.wgsl', code: source });

export interface ConvGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  o: number;
  kh: number;
  kw: number;
  oh: number;
  ow: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  groups: number;
}

function constants(g: ConvGeometry): Record<string, number> {
  return {
    N: g.n, C: g.c, H: g.h, W: g.w, O: g.o, KH: g.kh, KW: g.kw, OH: g.oh, OW: g.ow,
    SH: g.sh, SW: g.sw, PH: g.ph, PW: g.pw, DH: g.dh, DW: g.dw, G: g.groups,
  };
}

function macs(g: ConvGeometry): number {
  return g.n * g.o * g.oh * g.ow * (g.c / g.groups) * g.kh * g.kw;
}

export function conv2dForward(ctx: LowerContext, g: ConvGeometry, x: BufRef, w: BufRef, bias: BufRef | null, y: BufRef, epi: BoundEpilogue | null = null): void {
  const tiles = Math.ceil(g.ow / 4) * g.oh * g.n * Math.ceil(g.o / g.groups / 4) * g.groups;
  ctx.dispatch({
    shader: conv2dShader,
    entryPoint: 'forward',
    constants: { ...constants(g), HAS_BIAS: bias !== null, ...epilogueConstants(epi?.epilogue ?? null) },
    bindings: [x, w, y, bias ?? w, ...epilogueBindings(epi, x)],
    workgroups: grid1d(tiles, 64),
    flops: 2 * macs(g) + epilogueFlops(epi?.epilogue ?? null, g.n * g.o * g.oh * g.ow),
    bytes: 4 * (g.n * g.c * g.h * g.w + g.o * (g.c / g.groups) * g.kh * g.kw + g.n * g.o * g.oh * g.ow),
  });
}

export function conv2dInputGrad(ctx: LowerContext, g: ConvGeometry, dy: BufRef, w: BufRef, dx: BufRef): void {
  const tiles = Math.ceil(g.w / 4) * g.h * g.n * Math.ceil(g.c / g.groups / 4) * g.groups;
  ctx.dispatch({
    shader: conv2dShader,
    entryPoint: 'input_grad',
    constants: constants(g),
    bindings: [dy, w, dx],
    workgroups: grid1d(tiles, 64),
    flops: 2 * macs(g),
    bytes: 4 * (g.n * g.c * g.h * g.w + g.o * (g.c / g.groups) * g.kh * g.kw + g.n * g.o * g.oh * g.ow),
  });
}

/** Tiles wanted in flight for the weight gradient before splitting the reduction stops paying. */
const TARGET_TILES = 2048;

export function conv2dWeightGrad(ctx: LowerContext, g: ConvGeometry, dy: BufRef, x: BufRef, dw: BufRef): void {
  const taps = (g.c / g.groups) * g.kh * g.kw;
  const tiles = Math.ceil(taps / 4) * Math.ceil(g.o / g.groups / 4) * g.groups;
  const rows = g.n * g.oh;
  const splits = Math.max(1, Math.min(rows, Math.ceil(TARGET_TILES / tiles)));
  const chunk = Math.ceil(rows / splits);
  const used = Math.ceil(rows / chunk);
  const weightCount = g.o * taps;
  const out = used > 1 ? ctx.temp(used * weightCount * 4) : dw;
  ctx.dispatch({
    shader: conv2dShader,
    entryPoint: 'weight_grad',
    constants: { ...constants(g), SPLITS: used, ROW_CHUNK: chunk },
    bindings: [dy, x, out],
    workgroups: grid1d(tiles * used, 64),
    flops: 2 * macs(g),
    bytes: 4 * (g.n * g.c * g.h * g.w + weightCount + g.n * g.o * g.oh * g.ow),
  });
  if (used > 1) reduceAxis(ctx, 'sum', 1, used, weightCount, out, dw);
}
