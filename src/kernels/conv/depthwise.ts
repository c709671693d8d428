/**
 * Wrapper of shaders/depthwise.wgsl: depthwise convolution (groups = C, O = C * multiplier), its
 * input gradient and its weight gradient (rows split into chunks, partial sums added by
 * shaders/reduce.wgsl, when the taps alone give too few tiles).
 */
import source from '../../../shaders/depthwise.wgsl?raw';
import type { ShaderSource } from '../../device/pipeline-cache.js';
import type { BufRef, KernelContext } from '../context.js';
import { epilogueBindings, epilogueConstants, epilogueFlops, withEpilogue, type BoundEpilogue } from '../epilogue.js';
import { grid1d } from '../grid.js';
import { splitWeightGrad, type ConvGeometry } from './geometry.js';

export const depthwiseShader: ShaderSource = withEpilogue({ file: 'depthwise.wgsl', code: source });

/** Whether the depthwise kernels can run a convolution: one input channel per group. */
export function isDepthwise(g: ConvGeometry): boolean {
  return g.groups === g.c && g.groups > 1 && g.o % g.c === 0;
}

function constants(g: ConvGeometry): Record<string, number> {
  return {
    N: g.n, C: g.c, H: g.h, W: g.w, O: g.o, KH: g.kh, KW: g.kw, OH: g.oh, OW: g.ow,
    SH: g.sh, SW: g.sw, PH: g.ph, PW: g.pw, DH: g.dh, DW: g.dw,
  };
}

const macs = (g: ConvGeometry): number => g.n * g.o * g.oh * g.ow * g.kh * g.kw;
const bytes = (g: ConvGeometry): number => 4 * (g.n * g.c * g.h * g.w + g.o * g.kh * g.kw + g.n * g.o * g.oh * g.ow);

export function depthwiseForward(ctx: KernelContext, g: ConvGeometry, x: BufRef, w: BufRef, bias: BufRef | null, y: BufRef, epi: BoundEpilogue | null = null): void {
  ctx.dispatch({
    shader: depthwiseShader,
    entryPoint: 'forward',
    constants: { ...constants(g), HAS_BIAS: bias !== null, ...epilogueConstants(epi?.epilogue ?? null) },
    bindings: [x, w, y, bias ?? w, ...epilogueBindings(epi, x)],
    workgroups: grid1d(Math.ceil(g.ow / 4) * g.oh * g.o * g.n, 64),
    flops: 2 * macs(g) + epilogueFlops(epi?.epilogue ?? null, g.n * g.o * g.oh * g.ow),
    bytes: bytes(g),
  });
}

export function depthwiseInputGrad(ctx: KernelContext, g: ConvGeometry, dy: BufRef, w: BufRef, dx: BufRef): void {
  ctx.dispatch({
    shader: depthwiseShader,
    entryPoint: 'input_grad',
    constants: constants(g),
    bindings: [dy, w, dx],
    workgroups: grid1d(Math.ceil(g.w / 4) * g.h * g.c * g.n, 64),
    flops: 2 * macs(g),
    bytes: bytes(g),
  });
}

export function depthwiseWeightGrad(ctx: KernelContext, g: ConvGeometry, dy: BufRef, x: BufRef, dw: BufRef): void {
  const taps = g.kh * g.kw;
  const tiles = Math.ceil(taps / 4) * g.o;
  splitWeightGrad(ctx, g.n * g.oh, tiles, g.o * taps, dw, (out, { used, chunk }) =>
    ctx.dispatch({
      shader: depthwiseShader,
      entryPoint: 'weight_grad',
      constants: { ...constants(g), SPLITS: used, ROW_CHUNK: chunk },
      bindings: [dy, x, out],
      workgroups: grid1d(tiles * used, 64),
      flops: 2 * macs(g),
      bytes: bytes(g),
    }),
  );
}
