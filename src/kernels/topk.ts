/** Wrapper of shaders/topk.wgsl: top-k along the middle dim of [outer, R, inner], and the scatter back. */
import source from '../../shaders/topk.wgsl?raw';
import type { ShaderSource } from '../device/pipeline-cache.js';
import type { BufRef, KernelCall } from './context.js';

export const topkShader: ShaderSource = { file: 'topk.wgsl', code: source };

const MAX_GROUPS = 65535;

export interface TopkShape {
  outer: number;
  /** Length of the dim searched (of the scattered-into tensor for scatter). */
  r: number;
  k: number;
  inner: number;
}

function rows(s: TopkShape): { constants: Record<string, number>; workgroups: [number, number, number] } {
  const outerOnX = s.outer >= s.inner;
  const X = outerOnX ? s.outer : s.inner;
  const Y = outerOnX ? s.inner : s.outer;
  return {
    constants: {
      R: s.r,
      K: s.k,
      INNER: s.inner,
      X,
      Y,
      ROW_X: outerOnX ? s.r * s.inner : 1,
      ROW_Y: outerOnX ? 1 : s.r * s.inner,
      OUT_X: outerOnX ? s.k * s.inner : 1,
      OUT_Y: outerOnX ? 1 : s.k * s.inner,
    },
    workgroups: [Math.min(Math.ceil(X / 64), MAX_GROUPS), Math.min(Y, MAX_GROUPS), 1],
  };
}

export function topkKernel(s: TopkShape, largest: boolean, x: BufRef, values: BufRef, indices: BufRef): KernelCall {
  const { constants, workgroups } = rows(s);
  const n = s.outer * s.inner;
  return {
    shader: topkShader,
    entryPoint: 'topk',
    constants: { ...constants, LARGEST: largest },
    bindings: [x, values, indices],
    workgroups,
    flops: n * s.k * s.r,
    bytes: 4 * n * (s.k * s.r + 2 * s.k),
  };
}

/** dst[o, index[o, j, i], i] = g[o, j, i]; dst must be zeroed first. */
export function scatterKernel(s: TopkShape, index: BufRef, g: BufRef, dst: BufRef): KernelCall {
  const { constants, workgroups } = rows(s);
  const n = s.outer * s.inner * s.k;
  return {
    shader: topkShader,
    entryPoint: 'scatter',
    constants,
    bindings: [null, dst, null, index, g],
    workgroups,
    flops: 0,
    bytes: 12 * n,
  };
}
