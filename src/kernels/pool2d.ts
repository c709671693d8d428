/** Wrapper of shaders/pool2d.wgsl: max/avg pooling forward and backward (gather form). */
import source from '../../shaders/pool2d.wgsl?raw';
import type { ShaderSource } from '../device/pipeline-cache.js';
import type { BufRef, KernelCall } from './context.js';
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

/** Adaptive pooling of [planes, h, w] to [planes, oh, ow] (PyTorch's window bounds). */
export interface AdaptiveGeometry {
  planes: number;
  h: number;
  w: number;
  oh: number;
  ow: number;
}

/**
 * The plain pooling geometry equal to an adaptive one, when there is one: every window along an axis
 * has the same size and they tile the input (n % m == 0 gives kernel = stride = n / m).
 */
export function adaptiveAsPlain(g: AdaptiveGeometry): PoolGeometry | null {
  if (g.oh === 0 || g.ow === 0 || g.h % g.oh !== 0 || g.w % g.ow !== 0) return null;
  const kh = g.h / g.oh;
  const kw = g.w / g.ow;
  return { planes: g.planes, h: g.h, w: g.w, oh: g.oh, ow: g.ow, kh, kw, sh: kh, sw: kw, ph: 0, pw: 0, dh: 1, dw: 1 };
}

function adaptiveConstants(g: AdaptiveGeometry): Record<string, number> {
  return {
    NC: g.planes, H: g.h, W: g.w, OH: g.oh, OW: g.ow, KH: 1, KW: 1, SH: 1, SW: 1,
    // (Empty outputs launch nothing; the constants only need to be valid.)
    WQ: g.ow > 0 ? Math.floor(g.w / g.ow) : 0, WR: g.ow > 0 ? g.w % g.ow : 0, BQ: Math.floor(g.ow / g.w), BR: g.ow % g.w,
  };
}

/** Window elements summed over all outputs (for the FLOP count). */
function adaptiveWindowElements(g: AdaptiveGeometry): number {
  const axis = (n: number, m: number) => {
    let s = 0;
    for (let o = 0; o < m; o++) s += Math.ceil(((o + 1) * n) / m) - Math.floor((o * n) / m);
    return s;
  };
  return g.planes * axis(g.h, g.oh) * axis(g.w, g.ow);
}

export function adaptiveMaxForward(g: AdaptiveGeometry, x: BufRef, y: BufRef, indices: BufRef, withIndices: boolean): KernelCall {
  const count = g.planes * g.oh * g.ow;
  return {
    shader: pool2dShader,
    entryPoint: 'adaptive_max_forward',
    constants: { ...adaptiveConstants(g), WITH_INDICES: withIndices },
    bindings: [x, null, y, indices],
    workgroups: grid1d(g.planes * g.oh, 64),
    flops: adaptiveWindowElements(g),
    bytes: 4 * (g.planes * g.h * g.w + count * (withIndices ? 2 : 1)),
  };
}

export function adaptiveAvgForward(g: AdaptiveGeometry, x: BufRef, y: BufRef): KernelCall {
  const count = g.planes * g.oh * g.ow;
  return {
    shader: pool2dShader,
    entryPoint: 'adaptive_avg_forward',
    constants: adaptiveConstants(g),
    bindings: [x, null, y],
    workgroups: grid1d(g.planes * g.oh, 64),
    flops: adaptiveWindowElements(g),
    bytes: 4 * (g.planes * g.h * g.w + count),
  };
}

/** Adaptive max pooling's input gradient, gathered over the outputs whose windows cover each input. */
export function adaptiveMaxBackward(g: AdaptiveGeometry, dy: BufRef, indices: BufRef, dx: BufRef): KernelCall {
  return {
    shader: pool2dShader,
    entryPoint: 'adaptive_max_backward',
    constants: adaptiveConstants(g),
    bindings: [dy, indices, dx],
    workgroups: grid1d(g.planes * g.h, 64),
    flops: adaptiveWindowElements(g),
    bytes: 4 * (g.planes * g.h * g.w + 2 * g.planes * g.oh * g.ow),
  };
}

/** dy / window size (into `scaled`, shaped like dy), then the gather into dx. */
export function adaptiveAvgBackward(g: AdaptiveGeometry, dy: BufRef, scaled: BufRef, dx: BufRef): KernelCall[] {
  const outputs = g.planes * g.oh * g.ow;
  return [
    {
      shader: pool2dShader,
      entryPoint: 'adaptive_avg_scale',
      constants: adaptiveConstants(g),
      bindings: [dy, null, scaled],
      workgroups: grid1d(g.planes * g.oh, 64),
      flops: outputs,
      bytes: 8 * outputs,
    },
    {
      shader: pool2dShader,
      entryPoint: 'adaptive_avg_backward',
      constants: adaptiveConstants(g),
      bindings: [scaled, null, dx],
      workgroups: grid1d(g.planes * g.h, 64),
      flops: adaptiveWindowElements(g),
      bytes: 4 * (g.planes * g.h * g.w + outputs),
    },
  ];
}
