/** Wrapper of shaders/lrn.wgsl: local response normalization across channels and its gradient. */
import source from '../../shaders/lrn.wgsl?raw';
import type { ShaderSource } from '../device/pipeline-cache.js';
import type { BufRef, KernelCall } from './context.js';
import { grid1d } from './grid.js';

export const lrnShader: ShaderSource = { file: 'lrn.wgsl', code: source };

export interface LrnGeometry {
  n: number;
  c: number;
  /** Spatial elements per plane. */
  s: number;
  size: number;
  alpha: number;
  beta: number;
  k: number;
}

/** Channels one invocation walks: the window loads of neighbouring channels overlap in cache. */
const CHANNEL_BLOCK = 16;

function layout(g: LrnGeometry, entry: string) {
  const width = g.s % 4 === 0 ? 4 : 1;
  const sv = g.s / width;
  const cb = Math.min(CHANNEL_BLOCK, g.c);
  const blocks = Math.ceil(g.c / cb);
  const count = g.n * blocks * sv;
  return {
    entryPoint: `${entry}_${width}`,
    constants: { C: g.c, SV: sv, CB: cb, BLOCKS: blocks, COUNT: count, SIZE: g.size, ALPHA: g.alpha, BETA: g.beta, K: g.k },
    workgroups: grid1d(count, 64),
  };
}

/** y = x * d^-beta; d (the scale, for the gradient) is written when `scale` is given. */
export function lrnForward(g: LrnGeometry, x: BufRef, y: BufRef, scale: BufRef, withScale: boolean): KernelCall {
  const l = layout(g, 'forward');
  const count = g.n * g.c * g.s;
  return {
    shader: lrnShader,
    ...l,
    constants: { ...l.constants, WITH_SCALE: withScale },
    bindings: [x, null, null, y, scale],
    flops: count * (2 * g.size + 6),
    bytes: 4 * count * (withScale ? 3 : 2),
  };
}

/** t = dy * x * d^(-beta - 1). */
export function lrnBackwardT(g: LrnGeometry, x: BufRef, dy: BufRef, scale: BufRef, t: BufRef): KernelCall {
  const count = g.n * g.c * g.s;
  return { shader: lrnShader, ...layout(g, 'backward_t'), bindings: [x, dy, scale, t], flops: count * 6, bytes: 16 * count };
}

/** dx = dy * d^-beta - 2 alpha beta / size * x * (window sum of t). */
export function lrnBackwardDx(g: LrnGeometry, x: BufRef, dy: BufRef, scale: BufRef, t: BufRef, dx: BufRef): KernelCall {
  const count = g.n * g.c * g.s;
  return { shader: lrnShader, ...layout(g, 'backward_dx'), bindings: [x, dy, scale, dx, t], flops: count * (g.size + 8), bytes: 20 * count };
}
