/**
 * End-to-end in Node (Dawn): LeNet-5 trains a few hundred steps on MNIST; the loss falls and the
 * held-out accuracy ends far above chance. The same run in Chromium: train.browser.test.ts.
 */
import { expect, it } from 'vitest';
import { SHORT_RUN, expectTrained, trainLeNetBriefly } from './lenet-run.js';

it(`trains LeNet-5 for ${SHORT_RUN.steps} steps of batch ${SHORT_RUN.batchSize} in Node`, async () => {
  const r = await trainLeNetBriefly();
  expect(r.runtime).toBe('node');
  expectTrained(r);
}, 300_000); // about a minute on SwiftShader; the margin is for the 2 cores shared with other runs
