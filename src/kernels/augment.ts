/**
 * Wrapper of shaders/augment.wgsl: crops / resized crops / flips (resample), colour jitter and PCA
 * lighting (gray_mean + color), per-channel normalization. The per-image parameters come in a
 * buffer the caller fills (a plan's per-run parameters).
 */
import source from '../../shaders/augment.wgsl?raw';
import type { ShaderSource } from '../device/pipeline-cache.js';
import type { BufRef, KernelCall, KernelContext } from './context.js';
import { grid1d } from './grid.js';

export const augmentShader: ShaderSource = { file: 'augment.wgsl', code: source };

export interface ImageDims {
  n: number;
  c: number;
  h: number;
  w: number;
}

/** Bytes of the per-output-image boxes of `resampleKernel`: 2 x vec4i per image. */
export const BOX_BYTES = 32;
/** Bytes of the per-image factors of `colorKernels`: 2 x vec4f per image. */
export const FACTOR_BYTES = 32;

/** y [nOut, C, oh, ow] sampled from x [N, C, H, W] through each output image's box. */
export function resampleKernel(d: ImageDims, nOut: number, oh: number, ow: number, x: BufRef, boxes: BufRef, y: BufRef): KernelCall {
  const count = nOut * d.c * oh * ow;
  return {
    shader: augmentShader,
    entryPoint: 'resample',
    constants: { C: d.c, H: d.h, W: d.w, OH: oh, OW: ow, NOUT: nOut },
    bindings: [x, boxes, y],
    workgroups: grid1d(count, 64),
    flops: count * 12,
    bytes: 8 * count,
  };
}

export interface ColorFlags {
  brightness: boolean;
  contrast: boolean;
  saturation: boolean;
  lighting: boolean;
}

/** Colour jitter / lighting of x [N, C, H, W] (C = 1 or 3) with each image's factors. */
export function colorKernels(ctx: KernelContext, d: ImageDims, flags: ColorFlags, x: BufRef, factors: BufRef, y: BufRef): void {
  const constants = {
    C: d.c,
    H: d.h,
    W: d.w,
    N: d.n,
    BRIGHTNESS: flags.brightness,
    CONTRAST: flags.contrast,
    SATURATION: flags.saturation,
    LIGHTING: flags.lighting,
  };
  let means = x;
  if (flags.contrast) {
    means = ctx.temp(4 * d.n);
    ctx.dispatch({
      shader: augmentShader,
      entryPoint: 'gray_mean',
      constants: { C: d.c, H: d.h, W: d.w, N: d.n, BRIGHTNESS: flags.brightness },
      bindings: [x, factors, means],
      workgroups: grid1d(d.n, 1),
      flops: d.n * d.h * d.w * 6,
      bytes: 4 * d.n * d.c * d.h * d.w,
    });
  }
  const pixels = d.n * d.h * d.w;
  ctx.dispatch({
    shader: augmentShader,
    entryPoint: 'color',
    constants,
    // Without contrast the means binding is unused by the arithmetic but still bound.
    bindings: [x, factors, y, means],
    workgroups: grid1d(pixels, 64),
    flops: pixels * d.c * 12,
    bytes: 8 * pixels * d.c,
  });
}

/** (x - mean[c]) * invStd[c]; `stats` holds C means then C inverse deviations. */
export function normalizeKernel(d: ImageDims, x: BufRef, stats: BufRef, y: BufRef): KernelCall {
  const count = d.n * d.c * d.h * d.w;
  return {
    shader: augmentShader,
    entryPoint: 'normalize',
    constants: { C: d.c, H: d.h, W: d.w, N: d.n },
    bindings: [x, stats, y],
    workgroups: grid1d(count, 64),
    flops: 2 * count,
    bytes: 8 * count,
  };
}
