/**
 * The training loop users would otherwise write by hand: for each batch, forward, loss, backward,
 * optimizer step (one GPU submission), scheduler step; the loss and accuracy of a step are read
 * back while the next step records, so reading never stalls the GPU longer than it must.
 */
import { ArgumentError } from '../errors.js';
import { crossEntropy } from '../ops/loss.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { LRScheduler } from '../optim/lr-scheduler.js';
import type { Tensor } from '../tensor/tensor.js';
import type { DataLoader } from '../data/loader.js';
import { inLayer, noGrad } from '../util/scope.js';
import { correctCount } from './metrics.js';

export interface StepInfo {
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  /** Loss of this step. */
  loss: number;
  /** Running training accuracy of this epoch so far, in [0, 1]. */
  accuracy: number;
  /** Training images per second since the start of the epoch. */
  imagesPerSec: number;
  lr: number;
}

export interface EpochInfo {
  epoch: number;
  epochs: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number | null;
  testAccuracy: number | null;
  imagesPerSec: number;
  seconds: number;
}

export interface FitOptions {
  model: Module;
  optimizer: Optimizer<{ lr: number }>;
  scheduler?: LRScheduler | null;
  train: DataLoader;
  test?: DataLoader | null;
  epochs: number;
  /** Epochs already done (resuming from a checkpoint, as Keras's initial_epoch): runs epochs initialEpoch + 1 .. epochs. */
  initialEpoch?: number;
  lossFn?: (logits: Tensor, target: Tensor) => Tensor;
  onStep?: (s: StepInfo) => void;
  onEpoch?: (e: EpochInfo) => void | Promise<void>;
  /** Stops after the current step when aborted. */
  signal?: AbortSignal;
}

export interface FitResult {
  epochs: EpochInfo[];
  /** Training images per second over all epochs (data loading included, evaluation excluded). */
  imagesPerSec: number;
  trainSeconds: number;
}

interface Pending {
  values: Promise<[number, number]>;
  size: number;
  step: number;
}

export async function fit(o: FitOptions): Promise<FitResult> {
  const lossFn = o.lossFn ?? ((logits: Tensor, y: Tensor) => crossEntropy(logits, y));
  const history: EpochInfo[] = [];
  let trainImages = 0;
  let trainMs = 0;
  const first = (o.initialEpoch ?? 0) + 1;
  if (!Number.isInteger(o.epochs) || o.epochs < 0) throw new ArgumentError(`fit: epochs must be a non-negative integer, got ${String(o.epochs)}`);
  if (!Number.isInteger(first - 1) || first - 1 < 0 || first - 1 > o.epochs) {
    throw new ArgumentError(`fit: initialEpoch must be an integer in [0, epochs = ${o.epochs}], got ${String(o.initialEpoch)}`);
  }
  for (let epoch = first; epoch <= o.epochs && !o.signal?.aborted; epoch++) {
    o.model.train();
    const t0 = performance.now();
    let seen = 0;
    let lossSum = 0;
    let correct = 0;
    let step = 0;
    const queue: Pending[] = [];
    const settle = async (p: Pending): Promise<void> => {
      const [l, c] = await p.values;
      lossSum += l * p.size;
      correct += c;
      seen += p.size;
      o.onStep?.({
        epoch,
        epochs: o.epochs,
        step: p.step,
        stepsPerEpoch: o.train.length,
        loss: l,
        accuracy: correct / seen,
        imagesPerSec: seen / ((performance.now() - t0) / 1000),
        lr: o.optimizer.paramGroups[0]!.lr,
      });
    };
    for (const batch of o.train) {
      if (o.signal?.aborted) break;
      step++;
      const logits = o.model.call(batch.x);
      const loss = inLayer('loss', () => lossFn(logits, batch.y));
      const hits = correctCount(logits, batch.y);
      loss.backward();
      o.optimizer.step();
      o.scheduler?.step();
      o.optimizer.zeroGrad();
      // The readbacks join this step's submission; the previous step's values are ready by now.
      const values = Promise.all([loss.item(), hits.item()]);
      // Marked handled now: if an earlier step fails, the loop stops before awaiting this one.
      values.catch(() => {});
      queue.push({ values, size: batch.size, step });
      batch.x.dispose();
      batch.y.dispose();
      if (queue.length > 1) await settle(queue.shift()!);
    }
    while (queue.length > 0) await settle(queue.shift()!);
    const seconds = (performance.now() - t0) / 1000;
    trainImages += seen;
    trainMs += seconds * 1000;
    let testLoss: number | null = null;
    let testAccuracy: number | null = null;
    if (o.test) {
      const r = await evaluate(o.model, o.test, lossFn);
      testLoss = r.loss;
      testAccuracy = r.accuracy;
    }
    const info: EpochInfo = {
      epoch,
      epochs: o.epochs,
      trainLoss: seen ? lossSum / seen : NaN,
      trainAccuracy: seen ? correct / seen : NaN,
      testLoss,
      testAccuracy,
      imagesPerSec: seen / seconds,
      seconds,
    };
    history.push(info);
    await o.onEpoch?.(info);
  }
  return { epochs: history, imagesPerSec: trainImages / (trainMs / 1000), trainSeconds: trainMs / 1000 };
}

export interface EvalResult {
  loss: number;
  accuracy: number;
  count: number;
}

/** Mean loss and top-1 accuracy over a loader, in eval mode and without autograd. */
export async function evaluate(model: Module, loader: DataLoader, lossFn?: (logits: Tensor, target: Tensor) => Tensor): Promise<EvalResult> {
  const fn = lossFn ?? ((logits: Tensor, y: Tensor) => crossEntropy(logits, y, { reduction: 'sum' }));
  const wasTraining = model.training;
  model.eval();
  const reads: Promise<[number, number]>[] = [];
  let count = 0;
  try {
    for (const batch of loader) {
      const [loss, hits] = noGrad(() => {
        const logits = model.call(batch.x);
        return [inLayer('loss', () => fn(logits, batch.y)), correctCount(logits, batch.y)];
      });
      const n = batch.size;
      reads.push(Promise.all([loss.item(), hits.item()]).then(([l, c]) => [lossFn ? l * n : l, c]));
      count += n;
      batch.x.dispose();
      batch.y.dispose();
    }
    const values = await Promise.all(reads);
    const lossSum = values.reduce((s, [l]) => s + l, 0);
    const correct = values.reduce((s, [, c]) => s + c, 0);
    return { loss: lossSum / count, accuracy: correct / count, count };
  } finally {
    model.train(wasTraining);
  }
}
