/**
 * The efficient nets against torchvision 0.14 / a reference PyTorch module (gen_models_mobile.py):
 * SqueezeNet 1.0/1.1, MobileNet v2, ShuffleNet v2 0.5x-2.0x, Xception. State-dict keys/shapes and
 * parameter counts with 1000 classes; eval logits at small inputs; training steps on the GPU.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../../src/index.js';
import { disposedAfterEach, fixtureCase, expectFixtureLogits, expectTorchvisionStateDict, expectTrainsOnGpu, modelFixture } from '../../zoo.js';
import squeezenet10 from '../../fixtures/models/squeezenet1_0.json';
import squeezenet11 from '../../fixtures/models/squeezenet1_1.json';
import squeezenet10Small from '../../fixtures/models/squeezenet1_0_small.json';
import squeezenet11Small from '../../fixtures/models/squeezenet1_1_small.json';
import mobilenetV2Json from '../../fixtures/models/mobilenet_v2.json';
import mobilenetV2W035 from '../../fixtures/models/mobilenet_v2_w0_35.json';
import mobilenetV2Small from '../../fixtures/models/mobilenet_v2_small.json';
import shufflenet05 from '../../fixtures/models/shufflenet_v2_x0_5.json';
import shufflenet10 from '../../fixtures/models/shufflenet_v2_x1_0.json';
import shufflenet15 from '../../fixtures/models/shufflenet_v2_x1_5.json';
import shufflenet20 from '../../fixtures/models/shufflenet_v2_x2_0.json';
import shufflenet10Small from '../../fixtures/models/shufflenet_v2_x1_0_small.json';
import xceptionJson from '../../fixtures/models/xception.json';
import xceptionSmall from '../../fixtures/models/xception_small.json';

const M = wt.models;
const build = disposedAfterEach();

beforeAll(async () => {
  await wt.init();
});

describe('SqueezeNet', () => {
  it.each([
    fixtureCase(squeezenet10, () => M.squeezenet1_0()),
    fixtureCase(squeezenet11, () => M.squeezenet1_1()),
  ])('%s has torchvision state-dict keys, shapes and parameter count', (_name, f, make) => {
    expectTorchvisionStateDict(build(make()), f);
  });

  it('1.0 eval logits match torchvision at its minimum input, 21x21', async () => {
    await expectFixtureLogits(build(M.squeezenet1_0({ numClasses: 10 })), modelFixture(squeezenet10Small));
  });

  it('1.1 eval logits match torchvision at its minimum input, 17x17', async () => {
    await expectFixtureLogits(build(M.squeezenet1_1({ numClasses: 10 })), modelFixture(squeezenet11Small));
  });

  it('trains on the GPU (1.1, 32x32)', async () => {
    wt.manualSeed(0); // the initial weights, whatever ran before
    await expectTrainsOnGpu(build(M.squeezenet1_1({ numClasses: 10, dropout: 0 })), { input: [4, 3, 32, 32], numClasses: 10, steps: 14, lr: 0.015 });
  });

  it('rejects unknown options and bad values', () => {
    expect(() => M.squeezenet1_0({ version: '1_1' } as never)).toThrow(/squeezenet1_0: unknown option 'version'/);
    expect(() => M.squeezenet1_1({ numClasses: 1.5 })).toThrow(/numClasses must be a positive integer/);
  });
});

describe('MobileNet v2', () => {
  it.each([
    fixtureCase(mobilenetV2Json, () => M.mobilenetV2()),
    fixtureCase(mobilenetV2W035, () => M.mobilenetV2({ widthMult: 0.35 })),
  ])('%s has torchvision state-dict keys, shapes and parameter count (parameters and buffers each in order)', (_name, f, make) => {
    expectTorchvisionStateDict(build(make()), f);
  });

  it('mobilenet_v2: the state-dict order interleaves buffers as torch does', () => {
    expectTorchvisionStateDict(build(M.mobilenetV2()), modelFixture(mobilenetV2Json));
  });

  it('eval logits match torchvision at 32x32', async () => {
    await expectFixtureLogits(build(M.mobilenetV2({ numClasses: 10 })), modelFixture(mobilenetV2Small));
  });

  it('trains on the GPU (width 0.35, 32x32)', async () => {
    wt.manualSeed(0); // the initial weights, whatever ran before
    await expectTrainsOnGpu(build(M.mobilenetV2({ numClasses: 10, widthMult: 0.35, dropout: 0 })), { input: [8, 3, 32, 32], numClasses: 10, steps: 8, lr: 0.005 });
  });

  it('rejects unknown options and bad values', () => {
    expect(() => M.mobilenetV2({ width: 0.5 } as never)).toThrow(/mobilenetV2: unknown option 'width'/);
    expect(() => M.mobilenetV2({ widthMult: 0 })).toThrow(/widthMult must be a positive number/);
  });
});

describe('ShuffleNet v2', () => {
  it.each([
    fixtureCase(shufflenet05, () => M.shufflenetV2X0_5()),
    fixtureCase(shufflenet10, () => M.shufflenetV2X1_0()),
    fixtureCase(shufflenet15, () => M.shufflenetV2X1_5()),
    fixtureCase(shufflenet20, () => M.shufflenetV2X2_0()),
  ])('%s has torchvision state-dict keys, shapes and parameter count (parameters and buffers each in order)', (_name, f, make) => {
    expectTorchvisionStateDict(build(make()), f);
  });

  it('1.0x eval logits match torchvision at 32x32', async () => {
    await expectFixtureLogits(build(M.shufflenetV2X1_0({ numClasses: 10 })), modelFixture(shufflenet10Small));
  });

  it('trains on the GPU (0.5x, 32x32)', async () => {
    wt.manualSeed(0); // the initial weights, whatever ran before
    await expectTrainsOnGpu(build(M.shufflenetV2X0_5({ numClasses: 10 })), { input: [8, 3, 32, 32], numClasses: 10, steps: 10, lr: 0.01 });
  });

  it('rejects unknown options', () => {
    expect(() => M.shufflenetV2X1_0({ widthMult: 1 } as never)).toThrow(/shufflenetV2X1_0: unknown option 'widthMult'/);
  });
});

describe('Xception', () => {
  it('has the reference state-dict keys, shapes and parameter count (parameters and buffers each in order)', () => {
    expectTorchvisionStateDict(build(M.xception()), modelFixture(xceptionJson));
  });

  it('eval logits match the PyTorch reference at 32x32 (one middle-flow block)', async () => {
    await expectFixtureLogits(build(M.xception({ numClasses: 10, middleFlowRepeats: 1 })), modelFixture(xceptionSmall));
  });

  it('trains on the GPU (one middle-flow block, 32x32)', async () => {
    wt.manualSeed(0); // the initial weights, whatever ran before
    await expectTrainsOnGpu(build(M.xception({ numClasses: 10, middleFlowRepeats: 1 })), { input: [2, 3, 32, 32], numClasses: 10, steps: 6, lr: 0.02 });
  });

  it('rejects unknown options', () => {
    expect(() => M.xception({ middleFlow: 1 } as never)).toThrow(/xception: unknown option 'middleFlow'/);
  });
});
