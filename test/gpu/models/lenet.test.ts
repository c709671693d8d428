/** LeNet-5 against its PyTorch reference module (gen_models_lenet.py): keys, logits, training. */
import { beforeAll, describe, it } from 'vitest';
import * as wt from '../../../src/index.js';
import lenetJson from '../../fixtures/models/lenet5.json';
import { expectFixtureLogits, expectTorchvisionStateDict, expectTrainsOnGpu, modelFixture } from '../../zoo.js';

const fixture = modelFixture(lenetJson);

beforeAll(async () => {
  await wt.init();
});

describe('LeNet-5', () => {
  it('has the reference state-dict keys, shapes and parameter count', () => {
    expectTorchvisionStateDict(new wt.LeNet5(), fixture);
  });

  it('eval logits match PyTorch with the same weights', async () => {
    await expectFixtureLogits(new wt.LeNet5(), fixture);
  });

  it('trains on the GPU: the loss falls and each step replays one submission', async () => {
    await expectTrainsOnGpu(new wt.LeNet5(), { input: [8, 1, 28, 28], numClasses: 10, steps: 16, lr: 0.02 });
  });
});
