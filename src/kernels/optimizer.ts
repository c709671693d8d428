/** Wrapper of shaders/optimizer.wgsl: in-place SGD and Adam/AdamW updates of one parameter. */
import source from '../../shaders/optimizer.wgsl?raw';
import type { ShaderSource } from '../device/pipeline-cache.js';
import type { BufRef, KernelCall } from './context.js';
import { grid1d } from './grid.js';

export const optimizerShader: ShaderSource = { file: 'optimizer.wgsl', code: source };

export interface SgdConstants {
  weightDecay: number;
  /** Whether a momentum buffer is kept (its value is in the hyper buffer). */
  momentum: boolean;
  dampening: number;
  nesterov: boolean;
  maximize: boolean;
  first: boolean;
}

export function sgdKernel(count: number, c: SgdConstants, param: BufRef, grad: BufRef, hyper: BufRef, momentumBuf: BufRef): KernelCall {
  return {
    shader: optimizerShader,
    entryPoint: 'sgd',
    constants: {
      COUNT: count, WD: c.weightDecay, HAS_MOMENTUM: c.momentum, DAMPENING: c.dampening,
      NESTEROV: c.nesterov, MAXIMIZE: c.maximize, FIRST: c.first,
    },
    bindings: [param, grad, hyper, momentumBuf],
    workgroups: grid1d(count, 64),
    flops: count * 6,
    bytes: 4 * count * (c.momentum ? 5 : 3),
  };
}

export interface AdamConstants {
  eps: number;
  weightDecay: number;
  decoupled: boolean;
  amsgrad: boolean;
  maximize: boolean;
}

export function adamKernel(
  count: number,
  c: AdamConstants,
  param: BufRef,
  grad: BufRef,
  hyper: BufRef,
  expAvg: BufRef,
  expAvgSq: BufRef,
  maxExpAvgSq: BufRef,
): KernelCall {
  return {
    shader: optimizerShader,
    entryPoint: 'adam',
    constants: {
      COUNT: count, EPS: c.eps, WD: c.weightDecay,
      DECOUPLED: c.decoupled, AMSGRAD: c.amsgrad, MAXIMIZE: c.maximize,
    },
    bindings: [param, grad, hyper, expAvg, expAvgSq, maxExpAvgSq],
    workgroups: grid1d(count, 64),
    flops: count * 14,
    bytes: 4 * count * (c.amsgrad ? 9 : 7),
  };
}
