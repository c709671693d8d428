/**
 * The ResNets of src/models/resnet.ts against torchvision 0.14 and the reference modules of
 * gen_models_resnet.py: state-dict keys, order, shapes and parameter counts of every builder; eval
 * logits at 32x32 (batch 1, 10 classes); one SGD step of ResNet-18 against PyTorch's; training
 * steps that lower the loss (ResNet-18 and the CIFAR ResNet-20).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../../src/index.js';
import preact101 from '../../fixtures/models/preact_resnet101.json';
import preact152 from '../../fixtures/models/preact_resnet152.json';
import preact18 from '../../fixtures/models/preact_resnet18.json';
import preact18Small from '../../fixtures/models/preact_resnet18_small.json';
import preact34 from '../../fixtures/models/preact_resnet34.json';
import preact50 from '../../fixtures/models/preact_resnet50.json';
import preact50CifarStem from '../../fixtures/models/preact_resnet50_cifar_stem.json';
import resnet101 from '../../fixtures/models/resnet101.json';
import resnet110 from '../../fixtures/models/resnet110.json';
import resnet152 from '../../fixtures/models/resnet152.json';
import resnet18 from '../../fixtures/models/resnet18.json';
import resnet18CifarStem from '../../fixtures/models/resnet18_cifar_stem.json';
import resnet18Sgd from '../../fixtures/models/resnet18_sgd.json';
import resnet18Small from '../../fixtures/models/resnet18_small.json';
import resnet20 from '../../fixtures/models/resnet20.json';
import resnet20B from '../../fixtures/models/resnet20_b.json';
import resnet32 from '../../fixtures/models/resnet32.json';
import resnet34 from '../../fixtures/models/resnet34.json';
import resnet44 from '../../fixtures/models/resnet44.json';
import resnet50 from '../../fixtures/models/resnet50.json';
import resnet50Small from '../../fixtures/models/resnet50_small.json';
import resnet56 from '../../fixtures/models/resnet56.json';
import resnext101_32x8d from '../../fixtures/models/resnext101_32x8d.json';
import resnext101_64x4d from '../../fixtures/models/resnext101_64x4d.json';
import resnext50 from '../../fixtures/models/resnext50_32x4d.json';
import resnext50Small from '../../fixtures/models/resnext50_32x4d_small.json';
import wide101 from '../../fixtures/models/wide_resnet101_2.json';
import wide50 from '../../fixtures/models/wide_resnet50_2.json';
import { buildWithoutRandomInit, expectFixtureLogits, expectFixtureSgdStep, expectTorchvisionStateDict, expectTrainsOnGpu, modelFixture, type ModelFixture } from '../../zoo.js';

type Builder = (options: Record<string, unknown>) => wt.nn.Module;
const m = wt.models as unknown as Record<string, Builder>;

/** [builder name, fixture]: the model is m[name](fixture.kwargs). */
const STATE_DICTS: [string, unknown][] = [
  ['resnet18', resnet18],
  ['resnet34', resnet34],
  ['resnet50', resnet50],
  ['resnext50_32x4d', resnext50],
  ['resnet18', resnet18CifarStem],
  ['preactResnet18', preact18],
  ['preactResnet50', preact50CifarStem],
  ['resnet20', resnet20],
  ['resnet20', resnet20B],
  ['resnet32', resnet32],
  ['resnet44', resnet44],
  ['resnet56', resnet56],
  ['resnet110', resnet110],
];

/**
 * The builders of 44M to 127M parameters: about 45 s of building (the weights are drawn and
 * uploaded twice, by Conv2d and by the kaiming init) for a check that is plain JavaScript, so it
 * runs in the Node project only; Chromium lists them as skipped.
 */
const BIG_STATE_DICTS: [string, unknown][] = [
  ['resnet101', resnet101],
  ['resnet152', resnet152],
  ['resnext101_32x8d', resnext101_32x8d],
  ['resnext101_64x4d', resnext101_64x4d],
  ['wideResnet50_2', wide50],
  ['wideResnet101_2', wide101],
  ['preactResnet34', preact34],
  ['preactResnet50', preact50],
  ['preactResnet101', preact101],
  ['preactResnet152', preact152],
];
const inBrowser = typeof window !== 'undefined';

const LOGITS: [string, unknown][] = [
  ['resnet18', resnet18Small],
  ['resnet50', resnet50Small],
  ['resnext50_32x4d', resnext50Small],
  ['preactResnet18', preact18Small],
  ['resnet20', resnet20],
  ['resnet20', resnet20B],
];

beforeAll(async () => {
  await wt.init();
});

function checkStateDict(name: string, f: ModelFixture): void {
  const model = buildWithoutRandomInit(() => m[name]!(f.kwargs));
  expectTorchvisionStateDict(model, f);
  for (const t of Object.values(model.stateDict())) t.dispose();
}

const title = (name: string, f: ModelFixture): string => `${name}(${JSON.stringify(f.kwargs)}) has ${f.builder}'s keys, order, shapes and ${f.numParameters} parameters`;

describe('ResNet state dicts', () => {
  for (const [name, json] of STATE_DICTS) {
    const f = modelFixture(json);
    it(title(name, f), () => checkStateDict(name, f));
  }
  for (const [name, json] of BIG_STATE_DICTS) {
    const f = modelFixture(json);
    it.skipIf(inBrowser)(`${title(name, f)} (Node only)`, () => checkStateDict(name, f), 120_000);
  }
});

describe('ResNet eval logits', () => {
  for (const [name, json] of LOGITS) {
    const f = modelFixture(json);
    it(`${name}(${JSON.stringify(f.kwargs)}) matches PyTorch at ${JSON.stringify(f.input)}`, async () => {
      await expectFixtureLogits(m[name]!(f.kwargs), f);
    });
  }
});

describe('ResNet training', () => {
  it("ResNet-18's first SGD step (train-mode BN, lr 0.1) matches PyTorch's: loss, parameter updates, running stats", async () => {
    const f = modelFixture(resnet18Sgd);
    await expectFixtureSgdStep(wt.models.resnet18({ numClasses: 10 }), f, 1e-3);
  });

  it('ResNet-18 trains on the GPU at 32x32: the loss falls and each step replays one submission', async () => {
    await expectTrainsOnGpu(wt.models.resnet18({ numClasses: 10 }), { input: [4, 3, 32, 32], numClasses: 10, steps: 4, lr: 0.01 });
  });

  it('CIFAR ResNet-20 trains on the GPU: the loss falls and each step replays one submission', async () => {
    await expectTrainsOnGpu(wt.models.resnet20(), { input: [4, 3, 32, 32], numClasses: 10, steps: 6, lr: 0.05 });
  });
});

describe('ResNet options', () => {
  it('zeroInitResidual zeroes the last BN weight of every block, and only that', async () => {
    const sd = wt.models.resnet20({ zeroInitResidual: true }).stateDict();
    const last = Object.keys(sd).filter((k) => /^layer\d\.\d\.bn2\.weight$/.test(k));
    expect(last).toHaveLength(9);
    for (const k of last) expect(Array.from(await sd[k]!.data()).every((v) => v === 0), k).toBe(true);
    expect(Array.from(await sd['layer1.0.bn1.weight']!.data()).every((v) => v === 1)).toBe(true);
  });

  it('rejects unknown options and bad values, naming the builder', () => {
    buildWithoutRandomInit(() => {
      expect(() => wt.models.resnet18({ numClass: 10 } as never)).toThrow(/resnet18: unknown option 'numClass'/);
      expect(() => wt.models.resnet50({ numClasses: 0 })).toThrow(/numClasses must be a positive integer/);
      expect(() => wt.models.resnext50_32x4d({ groups: 8 })).toThrow(/resnext50_32x4d: option 'groups' is fixed/);
      expect(() => wt.models.resnet18({ replaceStrideWithDilation: [false, false, true] })).toThrow(/BasicBlock: dilation > 1/);
      expect(() => wt.models.resnet20({ shortcut: 'C' as never })).toThrow(/shortcut must be 'A' or 'B'/);
      expect(() => new wt.models.CifarResNet(21)).toThrow(/depth must be 6n \+ 2/);
    });
  });
});
