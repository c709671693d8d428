/** Wrapper of shaders/cross_entropy.wgsl: per-row softmax cross-entropy (or nll_loss) and its gradient. */
import source from '../../shaders/cross_entropy.wgsl?raw';
import type { ShaderSource } from '../device/pipeline-cache.js';
import type { BufRef, KernelCall } from './context.js';
import { grid1d } from './grid.js';

export const crossEntropyShader: ShaderSource = { file: 'cross_entropy.wgsl', code: source };

export interface CrossEntropyShape {
  outer: number;
  classes: number;
  inner: number;
  ignoreIndex: number;
  labelSmoothing: number;
  /** nll_loss: the input is log-probabilities already (no softmax, no smoothing). */
  nll?: boolean;
}

function constants(s: CrossEntropyShape, hasWeight: boolean): Record<string, number | boolean> {
  return {
    OUTER: s.outer, C: s.classes, INNER: s.inner, IGNORE_INDEX: s.ignoreIndex,
    SMOOTHING: s.labelSmoothing, HAS_WEIGHT: hasWeight, NLL: s.nll ?? false,
  };
}

export function crossEntropyForward(
  s: CrossEntropyShape,
  logits: BufRef,
  target: BufRef,
  weight: BufRef | null,
  rowLoss: BufRef,
  rowWeight: BufRef,
  rowLse: BufRef,
): KernelCall {
  const rows = s.outer * s.inner;
  return {
    shader: crossEntropyShader,
    entryPoint: 'forward',
    constants: constants(s, weight !== null),
    bindings: [logits, target, weight ?? logits, rowLoss, rowWeight, rowLse],
    workgroups: grid1d(rows, 64),
    flops: rows * s.classes * (s.labelSmoothing > 0 ? 6 : 4),
    bytes: 4 * (rows * s.classes + 4 * rows),
  };
}

export function crossEntropyBackward(
  s: CrossEntropyShape,
  logits: BufRef,
  target: BufRef,
  weight: BufRef | null,
  rowGrad: BufRef,
  rowLse: BufRef,
  weightSum: BufRef | null,
  gradLogits: BufRef,
): KernelCall {
  const count = s.outer * s.classes * s.inner;
  return {
    shader: crossEntropyShader,
    entryPoint: 'backward',
    constants: constants(s, weight !== null),
    bindings: [logits, target, weight ?? logits, gradLogits, null, null, rowGrad, rowLse, weightSum ?? logits],
    workgroups: grid1d(count, 64),
    flops: count * 6,
    bytes: 4 * (2 * count + 3 * s.outer * s.inner),
  };
}
