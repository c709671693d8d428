/** GoogLeNet and Inception v3 against torchvision 0.14 (gen_models_inception.py): keys, logits, training, an SGD step. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../../src/index.js';
import googlenetJson from '../../fixtures/models/googlenet.json';
import googlenetSgdJson from '../../fixtures/models/googlenet_sgd.json';
import googlenetSmallJson from '../../fixtures/models/googlenet_small.json';
import inceptionV3Json from '../../fixtures/models/inception_v3.json';
import inceptionV3SmallJson from '../../fixtures/models/inception_v3_small.json';
import { expectFixtureLogits, expectSgdStepMatches, expectTorchvisionStateDict, expectTrainsOnGpu, modelFixture, sgdStepFixture } from '../../zoo.js';

const { googlenet, googlenetLoss, inceptionV3 } = wt.models;

beforeAll(async () => {
  await wt.init();
});

describe('GoogLeNet', () => {
  it('has torchvision state-dict keys, shapes and parameter count (1000 classes, aux heads)', () => {
    expectTorchvisionStateDict(googlenet(), modelFixture(googlenetJson));
    // Without the aux heads: torchvision's published 6,624,904 parameters.
    expect(googlenet({ auxLogits: false }).numParameters()).toBe(6624904);
  });

  it('rejects unknown options and bad values', () => {
    expect(() => googlenet({ numClass: 10 } as never)).toThrow(/googlenet: unknown option 'numClass'/);
    expect(() => googlenet({ numClasses: 0 })).toThrow(/googlenet: numClasses must be a positive integer/);
    expect(() => googlenet({ dropout: 2 })).toThrow(/googlenet: dropout must be a probability/);
  });

  it('eval logits match PyTorch with the same weights (1x3x32x32)', async () => {
    await expectFixtureLogits(googlenet({ numClasses: 10 }), modelFixture(googlenetSmallJson));
  });

  it('returns the two aux heads in train mode and the logits alone in eval mode', () => {
    const m = googlenet({ numClasses: 10 });
    const x = wt.randn(2, 3, 32, 32);
    const out = m.call(x) as wt.models.GoogLeNetOutputs;
    expect([...out.logits.shape, ...out.auxLogits1.shape, ...out.auxLogits2.shape]).toEqual([2, 10, 2, 10, 2, 10]);
    expect(m.eval().call(x)).toBeInstanceOf(wt.Tensor);
  });

  it('one SGD step (loss + 0.3 aux1 + 0.3 aux2) matches PyTorch', async () => {
    await expectSgdStepMatches(googlenet({ numClasses: 10, dropout: 0, dropoutAux: 0 }), sgdStepFixture(googlenetSgdJson), googlenetLoss as never);
  });

  // Plain SGD on the SGD-step test's shapes, whose compiled step it replays (a GoogLeNet step
  // takes ~20 s to compile on SwiftShader).
  it('trains on the GPU with the aux heads: the loss falls, each step one submission', async () => {
    const check = { input: [2, 3, 64, 64], numClasses: 10, steps: 4, lr: 0.1, momentum: 0, loss: googlenetLoss as never };
    await expectTrainsOnGpu(googlenet({ numClasses: 10 }), check);
  });
});

describe('Inception v3', () => {
  it('has torchvision state-dict keys, shapes and parameter count (1000 classes, aux head)', () => {
    expectTorchvisionStateDict(inceptionV3(), modelFixture(inceptionV3Json));
  });

  it('eval logits match PyTorch with the same weights (1x3x75x75)', async () => {
    await expectFixtureLogits(inceptionV3({ numClasses: 10 }), modelFixture(inceptionV3SmallJson));
  });
});
