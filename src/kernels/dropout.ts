/** Wrapper of shaders/dropout.wgsl: dropout of elements or of whole planes with Philox4x32-10 bits. */
import source from '../../shaders/dropout.wgsl?raw';
import type { ShaderSource } from '../device/pipeline-cache.js';
import type { BufRef, KernelCall } from './context.js';
import { grid1d } from './grid.js';

export const dropoutShader: ShaderSource = { file: 'dropout.wgsl', code: source };

export interface DropoutParams {
  /** Drop probability in [0, 1]. */
  p: number;
  /** Elements per plane dropped together (feature dropout), or 0 for elementwise dropout. */
  plane: number;
}

/** Vectors one plane invocation writes at most (then planes are split over more invocations). */
const PLANE_VECTORS = 64;

/** The keep test of a Philox word: word >= THRESH, i.e. kept with probability 1 - THRESH / 2^32. */
export function dropThreshold(p: number): { THRESH: number; DROP_ALL: boolean; SCALE: number } {
  if (p >= 1) return { THRESH: 0, DROP_ALL: true, SCALE: 0 };
  return { THRESH: Math.min(2 ** 32 - 1, Math.round(p * 2 ** 32)), DROP_ALL: false, SCALE: 1 / (1 - p) };
}

/** y = x * mask / (1 - p) over `count` elements, the mask drawn from `seed` (2 x u32). */
export function dropoutKernel(count: number, d: DropoutParams, x: BufRef, seed: BufRef, y: BufRef): KernelCall {
  const base = { ...dropThreshold(d.p), COUNT: count };
  if (d.plane === 0) {
    return {
      shader: dropoutShader,
      entryPoint: 'elements_4',
      constants: base,
      bindings: [x, seed, y],
      workgroups: grid1d(Math.ceil(count / 4), 64),
      flops: count * 40,
      bytes: 8 * count,
    };
  }
  const width = d.plane % 4 === 0 ? 4 : 1;
  const sv = d.plane / width;
  const planes = count / d.plane;
  const t = Math.max(1, Math.min(sv, Math.round(sv / PLANE_VECTORS)));
  return {
    shader: dropoutShader,
    entryPoint: `planes_${width}`,
    constants: { ...base, PLANES: planes, SV: sv, T: t },
    bindings: [x, seed, y],
    workgroups: grid1d(planes * t, 64),
    flops: count + planes * t * 160,
    bytes: 8 * count,
  };
}
