/**
 * The end-to-end training run both e2e tests share (Node/Dawn and Chromium): LeNet-5 on a fixed,
 * seeded sample of the MNIST training digits for a few hundred steps through the public API
 * (`wt.fit`), then top-1 accuracy on held-out digits it never saw. Sized so one run takes about a
 * minute on SwiftShader.
 */
import { expect } from 'vitest';
import * as wt from '../../src/index.js';

export interface ShortRunConfig {
  /** Optimizer steps: one epoch over steps * batchSize training digits. */
  steps: number;
  batchSize: number;
  /** Held-out digits scored after training (drawn from mnistSplit's test part). */
  heldOut: number;
  /** Peak learning rate of Adam under a one-cycle schedule. */
  lr: number;
  seed: number;
}

export const SHORT_RUN: ShortRunConfig = { steps: 200, batchSize: 24, heldOut: 500, lr: 0.01, seed: 0 };

export interface ShortRunResult {
  adapter: string;
  runtime: wt.AdapterSummary['runtime'];
  /** The loss of every step, in order. */
  losses: number[];
  heldOutAccuracy: number;
  heldOutLoss: number;
  heldOutCount: number;
  imagesPerSec: number;
  trainSeconds: number;
}

/** A seeded sample of `n` of `indices`, so every class appears in proportion. */
function sample(indices: Int32Array, n: number, g: wt.Generator): Int32Array {
  const order = g.permutation(indices.length);
  return Int32Array.from(order.subarray(0, n), (i) => indices[i]!);
}

export async function trainLeNetBriefly(c: ShortRunConfig = SHORT_RUN): Promise<ShortRunResult> {
  const device = await wt.init();
  wt.manualSeed(c.seed);
  const mnist = await wt.loadMnist();
  const split = wt.mnistSplit(mnist);
  const all = wt.mnistDataset(mnist);
  const g = new wt.Generator(c.seed);
  const normalize = new wt.transforms.Normalize([0.1307], [0.3081]);
  const train = new wt.DataLoader(wt.subset(all, sample(split.train, c.steps * c.batchSize, g)), {
    batchSize: c.batchSize,
    shuffle: true,
    seed: c.seed,
    transform: normalize,
  });
  const test = new wt.DataLoader(wt.subset(all, sample(split.test, c.heldOut, g)), { batchSize: 250, transform: normalize });
  const model = new wt.LeNet5();
  const optimizer = new wt.optim.Adam(model.parameters(), { lr: c.lr });
  const scheduler = new wt.optim.OneCycleLR(optimizer, c.lr, { totalSteps: c.steps });
  const losses: number[] = [];
  const result = await wt.fit({
    model,
    optimizer,
    scheduler,
    train,
    test,
    epochs: 1,
    onStep: (s) => losses.push(s.loss),
  });
  const epoch = result.epochs[0]!;
  return {
    adapter: wt.describeAdapter(device.adapter),
    runtime: device.adapter.runtime,
    losses,
    heldOutAccuracy: epoch.testAccuracy!,
    heldOutLoss: epoch.testLoss!,
    heldOutCount: c.heldOut,
    imagesPerSec: result.imagesPerSec,
    trainSeconds: result.trainSeconds,
  };
}

function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Logs the run and asserts that it trained: the loss fell and held-out accuracy is far above chance. */
export function expectTrained(r: ShortRunResult, c: ShortRunConfig = SHORT_RUN): void {
  const first = mean(r.losses.slice(0, 20));
  const last = mean(r.losses.slice(-20));
  console.log(
    `[e2e ${r.runtime}] ${r.adapter}: loss ${first.toFixed(3)} (first 20 steps) -> ${last.toFixed(3)} (last 20), ` +
      `held-out accuracy ${(r.heldOutAccuracy * 100).toFixed(1)}% of ${r.heldOutCount}, ` +
      `${r.imagesPerSec.toFixed(0)} images/s, ${r.trainSeconds.toFixed(1)} s training`,
  );
  expect(r.losses).toHaveLength(c.steps);
  expect(r.losses.every(Number.isFinite)).toBe(true);
  // Starts near chance (ln 10 = 2.30) and ends well below it.
  expect(first).toBeGreaterThan(1.2);
  expect(last).toBeLessThan(0.5 * first);
  expect(last).toBeLessThan(0.6);
  // Chance is 10%.
  expect(r.heldOutAccuracy).toBeGreaterThan(0.8);
  expect(r.heldOutLoss).toBeLessThan(0.7);
}
