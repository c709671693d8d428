/**
 * Confusion matrices: counts[t * classes + p] is how many images of true class t the model called
 * p. Predictions are computed in eval mode without autograd, batch by batch, read in one flush.
 */
import { ArgumentError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { argmax } from '../ops/reduce.js';
import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../util/scope.js';

export interface ConfusionMatrix {
  classes: number;
  /** classes * classes counts, row = true class, column = predicted class. */
  counts: Int32Array;
  total: number;
  /** Fraction on the diagonal. */
  accuracy: number;
  /** Per true class: the fraction predicted right (NaN for a class with no images). */
  recall: Float32Array;
}

/** The confusion matrix of predicted against true labels. */
export function confusionMatrix(predicted: ArrayLike<number>, labels: ArrayLike<number>, classes: number): ConfusionMatrix {
  if (predicted.length !== labels.length) throw new ArgumentError(`confusionMatrix: ${predicted.length} predictions for ${labels.length} labels`);
  if (!Number.isInteger(classes) || classes < 1) throw new ArgumentError(`confusionMatrix: classes must be a positive integer, got ${classes}`);
  const counts = new Int32Array(classes * classes);
  let right = 0;
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i]!;
    const p = predicted[i]!;
    if (!(t >= 0 && t < classes && p >= 0 && p < classes)) {
      throw new ArgumentError(`confusionMatrix: item ${i} has label ${t} and prediction ${p}, outside 0..${classes - 1}`);
    }
    counts[t * classes + p]!++;
    if (t === p) right++;
  }
  const recall = new Float32Array(classes);
  for (let t = 0; t < classes; t++) {
    let row = 0;
    for (let p = 0; p < classes; p++) row += counts[t * classes + p]!;
    recall[t] = row ? counts[t * classes + t]! / row : NaN;
  }
  return { classes, counts, total: labels.length, accuracy: labels.length ? right / labels.length : NaN, recall };
}

/** The top-1 prediction and the label of every image of a set of batches (a DataLoader). */
export async function predictLabels(model: Module, batches: Iterable<{ x: Tensor; y: Tensor }>): Promise<{ predicted: Int32Array; labels: Int32Array }> {
  const wasTraining = model.training;
  model.eval();
  const reads: Promise<[Int32Array, Int32Array]>[] = [];
  try {
    for (const b of batches) {
      const pred = noGrad(() => argmax(model.call(b.x) as Tensor, 1));
      reads.push(Promise.all([pred.data(), b.y.data()]).then(([p, y]) => [p as Int32Array, y as Int32Array]));
      pred.dispose();
      b.x.dispose();
    }
  } finally {
    model.train(wasTraining);
  }
  const parts = await Promise.all(reads);
  const n = parts.reduce((s, [p]) => s + p.length, 0);
  const predicted = new Int32Array(n);
  const labels = new Int32Array(n);
  let o = 0;
  for (const [p, y] of parts) {
    predicted.set(p, o);
    labels.set(y, o);
    o += p.length;
  }
  return { predicted, labels };
}
