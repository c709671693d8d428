/**
 * Classification metrics as lazy tensors (computed with the step that produced the logits):
 * top-1 and top-k correct counts and accuracies, as in ImageNet reporting, built on topk.
 */
import { ArgumentError, ShapeError, fmtShape } from '../errors.js';
import { cast, div, eq, mul } from '../ops/elementwise.js';
import { argmax, sum } from '../ops/reduce.js';
import { unsqueeze } from '../ops/shape.js';
import { sliceRaw } from '../ops/slice.js';
import { topk } from '../ops/topk.js';
import type { Tensor } from '../tensor/tensor.js';

function checkClassification(op: string, logits: Tensor, target: Tensor): void {
  if (logits.ndim !== 2 || target.ndim !== 1 || target.shape[0] !== logits.shape[0]) {
    throw new ShapeError(`${op}: expected logits [N, C] and targets [N], got ${fmtShape(logits.shape)} and ${fmtShape(target.shape)}`);
  }
  if (target.dtype !== 'int32') throw new ArgumentError(`${op}: targets must be int32, got ${target.dtype}`);
}

function checkK(op: string, k: unknown, classes: number): number {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > classes) {
    throw new ArgumentError(`${op}: k must be an integer in [1, ${classes}] (the number of classes), got ${String(k)}`);
  }
  return k;
}

/** Number of rows whose top-1 prediction (first maximum) equals the target (int32 scalar). */
export function correctCount(logits: Tensor, target: Tensor): Tensor {
  checkClassification('correctCount', logits, target);
  return sum(eq(argmax(logits, 1), target));
}

/** [N, maxK] bool: whether column j of each row's top-maxK predictions is its target. */
function hits(op: string, logits: Tensor, target: Tensor, maxK: number): Tensor {
  checkClassification(op, logits, target);
  checkK(op, maxK, logits.shape[1]!);
  return eq(topk(logits, maxK, 1).indices, unsqueeze(target, 1));
}

/**
 * Number of rows whose target is among the k highest logits (int32 scalar): top-1 with k = 1,
 * top-5 with k = 5. logits [N, C] with k <= C, targets int32 [N]. Ties among the logits are ordered
 * by class index (topk's order).
 */
export function topkCorrect(logits: Tensor, target: Tensor, k = 1): Tensor {
  return sum(hits('topkCorrect', logits, target, k));
}

/** Fraction of rows whose target is among the k highest logits (float32 scalar in [0, 1]). */
export function topkAccuracy(logits: Tensor, target: Tensor, k = 1): Tensor {
  // No rows: 0 / 0, NaN.
  return div(cast(topkCorrect(logits, target, k), 'float32'), logits.shape[0] ?? 0);
}

/**
 * Top-k accuracies in percent for each k of `topk` (default [1]), as the `accuracy` helper of the
 * PyTorch ImageNet example and torchvision's references: accuracy(output, target, [1, 5]) gives
 * [acc@1, acc@5]. One topk over the largest k serves every k.
 */
export function accuracy(output: Tensor, target: Tensor, topkList: readonly number[] = [1]): Tensor[] {
  const op = 'accuracy';
  if (!Array.isArray(topkList) || topkList.length === 0) throw new ArgumentError(`${op}: topk must be a non-empty list of k values, got ${String(topkList)}`);
  checkClassification(op, output, target);
  const ks = topkList.map((k) => checkK(op, k, output.shape[1]!));
  const maxK = Math.max(...ks);
  const h = hits(op, output, target, maxK);
  const n = output.shape[0]!;
  return ks.map((k) => div(mul(cast(sum(sliceRaw(h, 1, 0, 1, k)), 'float32'), 100), n));
}
