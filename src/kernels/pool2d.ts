/** Wrapper of shaders/pool2d.wgsl: max/avg pooling forward and backward (gather form). */
import source from '../../shaders/pool2d.wgsl?raw';
import type { ShaderSource } from '../device/pipeline-cache.js';
import type { BufRef, KernelCall } from '../graph/op.js';
import { grid1d } from './grid.js';

export const pool2dShader: ShaderSource = { file: 'pool2d.wgsl', code: source };

export interface PoolGeometry {
  planes: number;
  h: number;
  w: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
}

function constants(g: PoolGeometry): Record<string, number> {
  return {
    NC: g.planes, H: g.h, W: g.w, OH: g.oh, OW: g.ow, KH: g.kh, KW: g.kw,
    SH: g.sh, SW: g.sw, PH: g.ph, PW: g.pw, DH: g.dh, DW: g.dw,
  };
}

/** Whether no two windows share an input element (then max backward can scatter). */
export function windowsDisjoint(g: PoolGeometry): boolean {
  return g.sh >= (g.kh - 1) * g.dh + 1 && g.sw >= (g.kw - 1) * g.dw + 1;
}

export function maxPoolForward(g: PoolGeometry, x: BufRef, y: BufRef, indices: BufRef, withIndices: boolean): KernelCall {
  const count = g.planes * g.oh * g.ow;
  return {
    shader: pool2dShader,
    entryPoint: 'max_forward',
    constants: { ...constants(g), WITH_INDICES: withIndices },
    bindings: [x, null, y, indices],
    workgroups: grid1d(g.planes * g.oh, 64),
    flops: count * g.kh * g.kw,
    bytes: 4 * (g.planes * g.h * g.w + count * (withIndices ? 2 : 1)),
  };
}

/**
 * Max pooling's input gradient. Disjoint windows: `dx` must be zeroed first and each output writes
 * its gradient at its argmax. Overlapping windows: each input gathers from the windows covering it.
 */
export function maxPoolBackward(g: PoolGeometry, dy: BufRef, indices: BufRef, dx: BufRef): KernelCall {
  const count = g.planes * g.h * g.w;
  const scatter = windowsDisjoint(g);
  return {
    shader: pool2dShader,
    entryPoint: scatter ? 'max_backward_scatter' : 'max_backward',
    constants: constants(g),
    bindings: [dy, indices, dx],
    workgroups: grid1d(scatter ? g.planes * g.oh : g.planes * g.h, 64),
    flops: count * g.kh * g.kw,
    bytes: 4 * (count + 2 * g.planes * g.oh * g.ow),
  };
}

export interface AvgOptions {
  countIncludePad: boolean;
  divisor: number;
}

export function avgPoolForward(g: PoolGeometry, o: AvgOptions, x: BufRef, y: BufRef): KernelCall {
  const count = g.planes * g.oh * g.ow;
  return {
    shader: pool2dShader,
    entryPoint: 'avg_forward',
    constants: { ...constants(g), COUNT_INCLUDE_PAD: o.countIncludePad, DIVISOR: o.divisor },
    bindings: [x, null, y],
    workgroups: grid1d(g.planes * g.oh, 64),
    flops: count * g.kh * g.kw,
    bytes: 4 * (g.planes * g.h * g.w + count),
  };
}

export function avgPoolBackward(g: PoolGeometry, o: AvgOptions, dy: BufRef, dx: BufRef): KernelCall {
  const count = g.planes * g.h * g.w;
  return {
    shader: pool2dShader,
    entryPoint: 'avg_backward',
    constants: { ...constants(g), COUNT_INCLUDE_PAD: o.countIncludePad, DIVISOR: o.divisor },
    bindings: [dy, null, dx],
    workgroups: grid1d(g.planes * g.h, 64),
    flops: count * g.kh * g.kw,
    bytes: 4 * (count + g.planes * g.oh * g.ow),
  };
}
