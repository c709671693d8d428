/** DenseNet-121/161/169/201 against torchvision 0.14 (gen_models_densenet.py): keys, logits, training. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../../src/index.js';
import densenet121Json from '../../fixtures/models/densenet121.json';
import densenet121SmallJson from '../../fixtures/models/densenet121_small.json';
import densenet161Json from '../../fixtures/models/densenet161.json';
import densenet169Json from '../../fixtures/models/densenet169.json';
import densenet201Json from '../../fixtures/models/densenet201.json';
import { expectFixtureLogits, expectTorchvisionStateDict, expectTrainsOnGpu, modelFixture } from '../../zoo.js';

const { densenet121, densenet161, densenet169, densenet201 } = wt.models;

beforeAll(async () => {
  await wt.init();
});

describe('DenseNet', () => {
  it.each([
    ['densenet121', densenet121, densenet121Json],
    ['densenet161', densenet161, densenet161Json],
    ['densenet169', densenet169, densenet169Json],
    ['densenet201', densenet201, densenet201Json],
  ] as const)('%s has torchvision state-dict keys, shapes and parameter count', (_, build, json) => {
    expectTorchvisionStateDict(build(), modelFixture(json));
  });

  it('rejects unknown options and bad values', () => {
    expect(() => densenet121({ growth: 12 } as never)).toThrow(/densenet121: unknown option 'growth'/);
    expect(() => densenet121({ blockConfig: [] })).toThrow(/densenet121: blockConfig must be a non-empty array/);
    expect(() => densenet121({ dropRate: -1 })).toThrow(/densenet121: dropRate must be a probability/);
  });

  it('DenseNet-121 eval logits match PyTorch with the same weights (1x3x32x32)', async () => {
    await expectFixtureLogits(densenet121({ numClasses: 10 }), modelFixture(densenet121SmallJson));
  });

  // DenseNet-121's layers but two per block: every module kind (multi-input dense layers, the
  // blocks' concatenation, transitions, stem, norm5) in a 2-2-2-2 DenseNet-BC. The full 6-12-24-16
  // trains too, but its first step builds ~2100 pipelines (one set per distinct channel count),
  // 40-100 s on SwiftShader.
  it('a DenseNet-BC (k 32, blocks 2-2-2-2) trains on the GPU: the loss falls, each step one submission', async () => {
    const model = densenet121({ numClasses: 10, blockConfig: [2, 2, 2, 2] });
    await expectTrainsOnGpu(model, { input: [2, 3, 32, 32], numClasses: 10, steps: 6, lr: 0.01 });
  });
});
