/**
 * Matrix products: matmul (PyTorch's broadcasting rules, 1-D to batched) and linear (x W^T + b with
 * the bias fused into the kernel). Transposes are flags of the kernel, never copies, so the
 * gradients dA = dC op(B)^T and dB = op(A)^T dC are the same kernel with other flags.
 * Kernel: shaders/matmul.wgsl through src/kernels/matmul.ts.
 */
import { ShapeError, fmtShape, where } from '../errors.js';
import type { LowerContext } from '../graph/op.js';
import type { Node } from '../graph/value.js';
import type { BoundEpilogue } from '../kernels/epilogue.js';
import { matmul as matmulKernel, splitsK, type MatmulShape } from '../kernels/matmul.js';
import { Tensor } from '../tensor/tensor.js';
import { currentLayer } from '../util/scope.js';
import { broadcastShapes, numel } from '../util/shape.js';
import type { OpDef } from './op.js';
import { float32Arg } from './operands.js';
import { apply1 } from './record.js';
import { expand, sum, sumTo } from './reduce.js';
import { reshape } from './shape.js';

interface MmAttrs {
  transA: boolean;
  transB: boolean;
}

/**
 * The primitive: a [Ba, *, *] x b [Bb, *, *] (+ bias [n]) with Ba, Bb equal or 1 (broadcast).
 * Output [B, m, n].
 */
function shapeOf(node: Node<MmAttrs>): MatmulShape {
  const [a, b] = node.inputs;
  const [batch, m, n] = node.outputs[0]!.shape as [number, number, number];
  const { transA, transB } = node.attrs;
  const k = transA ? a!.shape[1]! : a!.shape[2]!;
  return {
    batch, m, n, k, transA, transB,
    aBatchStride: a!.shape[0] === 1 ? 0 : m * k,
    bBatchStride: b!.shape[0] === 1 ? 0 : k * n,
  };
}

function lowerMm(ctx: LowerContext, node: Node<MmAttrs>, epi: BoundEpilogue | null): void {
  const bias = node.inputs.length > 2 ? ctx.input(2) : null;
  matmulKernel(ctx, shapeOf(node), ctx.input(0), ctx.input(1), ctx.output(0), bias, epi);
}

export const mmOp: OpDef<MmAttrs> = {
  name: 'matmul',
  lower: (ctx, node) => lowerMm(ctx, node, null),
  // Fused epilogues: column n is channel n (linear's features), unless the product splits K.
  epilogue: {
    channels: (node) => ({ channels: node.outputs[0]!.shape[2]!, inner: 1 }),
    accepts: (node) => !splitsK(shapeOf(node), node.inputs.length > 2),
    lower: lowerMm,
  },
  vjp(node, [g], needs) {
    if (!g) return [null, null, null];
    const a = Tensor.view(node.inputs[0]!);
    const b = Tensor.view(node.inputs[1]!);
    const { transA, transB } = node.attrs;
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (needs[0]) {
      da = transA ? mm(b, g, transB, true) : mm(g, b, false, !transB);
      da = sumTo(da, a.shape);
    }
    if (needs[1]) {
      db = transB ? mm(g, a, true, transA) : mm(a, g, !transA, false);
      db = sumTo(db, b.shape);
    }
    const dbias = node.inputs.length > 2 && needs[2] ? sum(g, [0, 1]) : null;
    return [da, db, dbias];
  },
};

/** @internal Batched product of rank-3 tensors with transpose flags. */
export function mm(a: Tensor, b: Tensor, transA: boolean, transB: boolean, bias?: Tensor | null): Tensor {
  const [ba, ar, ac] = a.shape as [number, number, number];
  const [bb, br, bc] = b.shape as [number, number, number];
  const m = transA ? ac : ar;
  const k = transA ? ar : ac;
  const kb = transB ? bc : br;
  const n = transB ? br : bc;
  if (k !== kb) {
    throw new ShapeError(
      `${where('matmul', currentLayer())}: inner dimensions differ: ${fmtShape(a.shape)}${transA ? '^T' : ''} x ${fmtShape(b.shape)}${transB ? '^T' : ''} (${k} vs ${kb})`,
    );
  }
  const batch = Math.max(ba, bb);
  const inputs = bias ? [a, b, bias] : [a, b];
  return apply1(mmOp, inputs, { transA, transB }, { shape: [batch, m, n], dtype: 'float32' });
}

/**
 * Matrix product with PyTorch's rules: 1-D x 1-D is a dot product, 1-D operands are promoted to
 * matrices and the added dim removed, batch dims broadcast.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const layer = currentLayer();
  float32Arg('matmul', 'input', a);
  float32Arg('matmul', 'other', b);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(`${where('matmul', layer)}: both arguments need at least 1 dimension, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]!]) : a;
  const b2 = b.ndim === 1 ? reshape(b, [b.shape[0]!, 1]) : b;
  const [m, ka] = a2.shape.slice(-2) as [number, number];
  const [kb, n] = b2.shape.slice(-2) as [number, number];
  if (ka !== kb) {
    throw new ShapeError(
      `${where('matmul', layer)}: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} cannot be multiplied (${ka} vs ${kb} in the contracted dimension)`,
    );
  }
  const batchA = a2.shape.slice(0, -2);
  const batchB = b2.shape.slice(0, -2);
  let out: Tensor;
  let batchShape: number[];
  if (batchB.length === 0) {
    // Weight-like right operand: fold A's batch dims into its rows (one plain matrix product).
    batchShape = batchA;
    out = mm(reshape(a2, [1, numel(batchA) * m, ka]), reshape(b2, [1, kb, n]), false, false);
  } else {
    batchShape = broadcastShapes(batchA, batchB, 'matmul', layer);
    const bsz = numel(batchShape);
    const expandTo = (t: Tensor, batch: number[], rows: number, cols: number): Tensor => {
      if (numel(batch) === bsz && batch.length === batchShape.length) return reshape(t, [bsz, rows, cols]);
      if (numel(batch) === 1) return reshape(t, [1, rows, cols]);
      // Partial broadcast: materialize the operand over the full batch.
      return reshape(expand(reshape(t, [...batch, rows, cols]), [...batchShape, rows, cols]), [bsz, rows, cols]);
    };
    out = mm(expandTo(a2, batchA, m, ka), expandTo(b2, batchB, kb, n), false, false);
  }
  const shape = [...batchShape, m, n];
  if (a.ndim === 1) shape.splice(shape.length - 2, 1);
  if (b.ndim === 1) shape.splice(shape.length - 1, 1);
  return reshape(out, shape);
}

/** y = x W^T + b over the last dim of x (torch.nn.functional.linear). */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const layer = currentLayer();
  float32Arg('linear', 'input', input);
  if (weight.ndim !== 2) {
    throw new ShapeError(`${where('linear', layer)}: weight must be 2-D [outFeatures, inFeatures], got ${fmtShape(weight.shape)}`);
  }
  const [outF, inF] = weight.shape as [number, number];
  if (input.ndim === 0 || input.shape[input.ndim - 1] !== inF) {
    throw new ShapeError(
      `${where('linear', layer)}: input ${fmtShape(input.shape)} does not end in inFeatures = ${inF} (weight ${fmtShape(weight.shape)})`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new ShapeError(`${where('linear', layer)}: bias must be [${outF}], got ${fmtShape(bias.shape)}`);
  }
  const lead = input.shape.slice(0, -1);
  const rows = numel(lead);
  const y = mm(reshape(input, [1, rows, inF]), reshape(weight, [1, outF, inF]), false, true, bias);
  return reshape(y, [...lead, outF]);
}
