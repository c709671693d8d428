/**
 * Which elementwise ops can end a conv / matmul kernel as a fused epilogue (graph/fuse.ts), and as
 * what: activations (unary maps with an epilogue.wgsl twin), residual adds (add / sub of a tensor
 * of the output's shape, either operand order, with add's alpha), and batch norm in eval mode (a
 * per-channel scale and shift over dim 1). Imported for its registrations by the producer ops.
 */
import { registerEpilogueRule } from '../graph/fuse.js';
import { UNARY, type UnaryOp } from '../kernels/elementwise.js';
import { sameShape } from '../util/shape.js';

/** The unary maps shaders/epilogue.wgsl implements (with elementwise.wgsl's formulas). */
const ACTIVATIONS: readonly UnaryOp[] = [
  'identity', 'neg', 'relu', 'tanh', 'sigmoid', 'affine', 'leakyRelu', 'clamp', 'elu', 'gelu', 'geluTanh',
  'softplus', 'silu', 'hardswish', 'hardsigmoid', 'relu6',
];

registerEpilogueRule('unary', (node) => {
  const a = node.attrs as { op: UnaryOp; alpha: number; beta: number };
  if (!ACTIVATIONS.includes(a.op) || node.inputs[0]!.dtype !== 'float32') return null;
  return { kind: 'act', op: UNARY[a.op], a: a.alpha, b: a.beta };
});

registerEpilogueRule('binary', (node, input) => {
  const a = node.attrs as { op: string; alpha: number };
  if (a.op !== 'add' && a.op !== 'sub') return null;
  const [x, y] = node.inputs as [typeof node.inputs[0], typeof node.inputs[0]];
  const out = node.outputs[0]!.shape;
  if (x === y || !sameShape(x!.shape, out) || !sameShape(y!.shape, out) || x!.dtype !== 'float32' || y!.dtype !== 'float32') return null;
  // add: x + alpha y; sub: x - alpha y. With v the fused value and r the other operand:
  const sign = a.op === 'add' ? 1 : -1;
  return input === 0
    ? { kind: 'residual', a: 1, b: sign * a.alpha, operand: y! }
    : { kind: 'residual', a: sign * a.alpha, b: 1, operand: x! };
});

registerEpilogueRule('batch_norm', (node, input) => {
  // Eval mode: inputs (x, runningMean, runningVar, weight?, bias?) (src/ops/norm.ts).
  const a = node.attrs as { training: boolean; eps: number; hasWeight: boolean; hasBias: boolean };
  if (a.training || input !== 0) return null;
  const shape = node.inputs[0]!.shape;
  if (shape.length < 2) return null;
  let k = 3;
  const weight = a.hasWeight ? node.inputs[k++]! : null;
  const bias = a.hasBias ? node.inputs[k++]! : null;
  return {
    kind: 'affine',
    channels: shape[1]!,
    inner: shape.slice(2).reduce((p, d) => p * d, 1),
    eps: a.eps,
    mean: node.inputs[1]!,
    variance: node.inputs[2]!,
    weight,
    bias,
  };
});
