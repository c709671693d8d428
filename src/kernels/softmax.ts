/** Wrapper of shaders/softmax.wgsl: softmax / log-softmax along the middle dim of [outer, C, inner]. */
import source from '../../shaders/softmax.wgsl?raw';
import type { ShaderSource } from '../device/pipeline-cache.js';
import type { BufRef, KernelCall } from './context.js';

export const softmaxShader: ShaderSource = { file: 'softmax.wgsl', code: source };

const MAX_GROUPS = 65535;

export interface SoftmaxShape {
  outer: number;
  classes: number;
  inner: number;
  log: boolean;
}

function launch(s: SoftmaxShape, entry: 'forward' | 'backward', bindings: BufRef[], flopsPerElement: number, arrays: number): KernelCall {
  const { outer, classes, inner } = s;
  // Rows contiguous and 4-aligned: vec4 loads.
  const vec4 = inner === 1 && classes % 4 === 0;
  const unit = vec4 ? 4 : 1;
  // The larger of outer and inner along the lanes.
  const outerOnX = outer >= inner;
  const X = outerOnX ? outer : inner;
  const Y = outerOnX ? inner : outer;
  const rowOuter = (classes * inner) / unit;
  const constants = {
    C: classes / unit,
    INNER: inner,
    X,
    Y,
    ROW_X: outerOnX ? rowOuter : 1,
    ROW_Y: outerOnX ? 1 : rowOuter,
    LOG: s.log,
  };
  const count = outer * classes * inner;
  return {
    shader: softmaxShader,
    entryPoint: vec4 ? `${entry}4` : entry,
    constants,
    bindings,
    workgroups: [Math.min(Math.ceil(X / 64), MAX_GROUPS), Math.min(Y, MAX_GROUPS), 1],
    flops: count * flopsPerElement,
    bytes: 4 * count * arrays,
  };
}

export function softmaxForward(s: SoftmaxShape, x: BufRef, y: BufRef): KernelCall {
  return launch(s, 'forward', [x, y], 5, 2);
}

/** dx from the saved output y and the output gradient g. */
export function softmaxBackward(s: SoftmaxShape, y: BufRef, g: BufRef, dx: BufRef): KernelCall {
  return launch(s, 'backward', [y, dx, g], 3, 3);
}
