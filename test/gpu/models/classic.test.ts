/**
 * The classic nets against torchvision 0.14 / reference PyTorch modules (gen_models_classic.py):
 * LeNet-5's classic form with LeCun's C3 table, AlexNet (torchvision's and the original two-tower
 * form), VGG-11/13/16/19 (+BN), Network-in-Network. State-dict keys/order/shapes and parameter
 * counts with 1000 classes; eval logits at the smallest inputs; training steps on the GPU.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../../src/index.js';
import { disposedAfterEach, fixtureCase, expectFixtureLogits, expectTorchvisionStateDict, expectTrainsOnGpu, modelFixture } from '../../zoo.js';
import lenet5Classic from '../../fixtures/models/lenet5_classic.json';
import alexnetJson from '../../fixtures/models/alexnet.json';
import alexnetSmall from '../../fixtures/models/alexnet_small.json';
import alexnetOriginal from '../../fixtures/models/alexnet_original.json';
import alexnetOriginalSmall from '../../fixtures/models/alexnet_original_small.json';
import vgg11 from '../../fixtures/models/vgg11.json';
import vgg11Bn from '../../fixtures/models/vgg11_bn.json';
import vgg13 from '../../fixtures/models/vgg13.json';
import vgg13Bn from '../../fixtures/models/vgg13_bn.json';
import vgg16 from '../../fixtures/models/vgg16.json';
import vgg16Bn from '../../fixtures/models/vgg16_bn.json';
import vgg19 from '../../fixtures/models/vgg19.json';
import vgg19Bn from '../../fixtures/models/vgg19_bn.json';
import vgg11Small from '../../fixtures/models/vgg11_small.json';
import ninJson from '../../fixtures/models/nin.json';

const M = wt.models;
const build = disposedAfterEach();

beforeAll(async () => {
  await wt.init();
});

describe('LeNet-5 (classic form)', () => {
  const f = modelFixture(lenet5Classic);
  const classic = { activation: 'tanh', pooling: 'avg', c3Table: 'lecun' } as const;

  it('keeps the state-dict names of the full layer, with the masked C3 weights zero', async () => {
    const m = build(M.lenet5(classic));
    expectTorchvisionStateDict(m, f);
    const w = await m.conv2.weight.data();
    let live = 0;
    for (let o = 0; o < 16; o++) {
      for (let i = 0; i < 6; i++) {
        const on = M.LECUN_C3_TABLE[o]!.includes(i);
        const block = Array.from(w.subarray((o * 6 + i) * 25, (o * 6 + i + 1) * 25));
        if (on) live++;
        else expect(block.every((v) => v === 0), `C3 map ${o} <- S2 map ${i}`).toBe(true);
      }
    }
    expect(live).toBe(60);
  });

  it('eval logits match PyTorch with the same weights', async () => {
    await expectFixtureLogits(build(M.lenet5(classic)), f);
  });

  it('trains on the GPU; the masked weights get no gradient', async () => {
    wt.manualSeed(0); // the initial weights, whatever ran before
    const m = build(M.lenet5(classic));
    await expectTrainsOnGpu(m, { input: [8, 1, 28, 28], numClasses: 10, steps: 12, lr: 0.15 });
    const w = await m.conv2.weight.data();
    expect(w.subarray(3 * 25, 4 * 25).every((v) => v === 0), 'C3 map 0 <- S2 map 3 after training').toBe(true);
  });

  it('rejects unknown options and bad values', () => {
    expect(() => M.lenet5({ c3Tabel: 'lecun' } as never)).toThrow(/lenet5: unknown option 'c3Tabel'/);
    expect(() => M.lenet5({ c3Table: 'sparse' as never })).toThrow(/c3Table must be 'full' or 'lecun'/);
  });
});

describe('AlexNet', () => {
  it.each([
    fixtureCase(alexnetJson, () => M.alexnet()),
    fixtureCase(alexnetOriginal, () => M.alexnet({ original: true })),
  ])('%s has torchvision state-dict keys, shapes and parameter count', (_name, f, make) => {
    expectTorchvisionStateDict(build(make()), f);
  });

  it('eval logits match torchvision at 63x63', async () => {
    await expectFixtureLogits(build(M.alexnet({ numClasses: 10 })), modelFixture(alexnetSmall));
  });

  it('original two-tower form: eval logits match the PyTorch reference at 67x67 (512-wide hidden FC layers)', async () => {
    await expectFixtureLogits(build(new M.AlexNet({ original: true, numClasses: 10, hiddenFeatures: 512 })), modelFixture(alexnetOriginalSmall));
  });

  it('trains on the GPU (original form, 67x67, 512-wide hidden FC layers)', async () => {
    wt.manualSeed(0); // the initial weights, whatever ran before
    // torchvision's 9216-4096-4096 head makes a step take seconds on SwiftShader; the conv towers,
    // LRN and pools are the same.
    const m = new M.AlexNet({ original: true, numClasses: 10, dropout: 0, hiddenFeatures: 512 });
    await expectTrainsOnGpu(build(m), { input: [2, 3, 67, 67], numClasses: 10, steps: 10, lr: 0.05 });
  });

  it('rejects unknown options and bad values', () => {
    expect(() => M.alexnet({ numClass: 10 } as never)).toThrow(/alexnet: unknown option 'numClass'/);
    expect(() => M.alexnet({ numClasses: 0 })).toThrow(/numClasses must be a positive integer/);
    expect(() => M.alexnet({ dropout: 2 })).toThrow(/dropout must be a probability/);
  });
});

describe('VGG', () => {
  // Building a VGG allocates and fills its 123M-parameter classifier on the CPU and uploads it
  // (seconds each here), so VGG-11 is built whole once and the other seven builders' feature stacks
  // (M.vggFeatures(variant): what the builder puts in `features`) are checked against torchvision's
  // features.* entries, the classifier (the same VGG class code
  // for all eight, 25088-4096-4096-1000) against the classifier.* entries of each fixture.
  const configs: [string, unknown, () => wt.nn.Module][] = [
    ['vgg11_bn', vgg11Bn, () => M.vggFeatures('vgg11Bn')],
    ['vgg13', vgg13, () => M.vggFeatures('vgg13')],
    ['vgg13_bn', vgg13Bn, () => M.vggFeatures('vgg13Bn')],
    ['vgg16', vgg16, () => M.vggFeatures('vgg16')],
    ['vgg16_bn', vgg16Bn, () => M.vggFeatures('vgg16Bn')],
    ['vgg19', vgg19, () => M.vggFeatures('vgg19')],
    ['vgg19_bn', vgg19Bn, () => M.vggFeatures('vgg19Bn')],
  ];
  let classifier: [string, number[], string][] = [];
  let classifierParams = 0;

  it('vgg11 has torchvision state-dict keys, shapes and parameter count (the whole model, 1000 classes)', () => {
    const m = build(M.vgg11({ initWeights: false }));
    expectTorchvisionStateDict(m, modelFixture(vgg11));
    classifier = Object.entries(m.classifier.stateDict()).map(([k, t]) => [`classifier.${k}`, [...t.shape], t.dtype]);
    classifierParams = m.classifier.numParameters(true);
  });

  it.each(configs)('%s: features and classifier have torchvision state-dict keys, shapes and parameter count', (name, json, makeFeatures) => {
    const f = modelFixture(json);
    expect(f.name).toBe(name);
    const features = build(makeFeatures());
    const params = new Set(features.namedParameters().map(([k]) => `features.${k}`));
    const ours = [...Object.entries(features.stateDict()).map(([k, t]) => [`features.${k}`, [...t.shape], t.dtype] as [string, number[], string]), ...classifier];
    const theirs = f.stateDict.map(([k, s, d]) => [k, s, d === 'int64' ? 'int32' : d] as [string, number[], string]);
    // Parameters in order, then buffers in order (Module.stateDict lists buffers last: see zoo.ts).
    const split = (rows: [string, number[], string][]) => [rows.filter(([k]) => params.has(k) || k.startsWith('classifier.')), rows.filter(([k]) => !params.has(k) && !k.startsWith('classifier.'))];
    expect(classifier.length, 'the vgg11 case ran first').toBe(6);
    expect(split(ours), `${name}: state dict vs ${f.builder}`).toEqual(split(theirs));
    expect(features.numParameters(true) + classifierParams, `${name}: parameter count`).toBe(f.numParameters);
  });

  it('vgg11_bn: the state-dict entries of its features interleave buffers as torch does', () => {
    const f = modelFixture(vgg11Bn);
    const features = build(M.vggFeatures('vgg11Bn'));
    const ours = Object.entries(features.stateDict()).map(([k, t]) => [`features.${k}`, [...t.shape]]);
    expect(ours).toEqual(f.stateDict.filter(([k]) => k.startsWith('features.')).map(([k, s]) => [k, s]));
  });

  it('the device binds the 411 MB classifier weight (maxStorageBufferBindingSize, maxBufferSize)', () => {
    const { maxStorageBufferBindingSize, maxBufferSize } = wt.defaultDevice().limits;
    const bytes = 4096 * 25088 * 4;
    const what = `4096x25088 float32 = ${bytes} bytes; maxStorageBufferBindingSize ${maxStorageBufferBindingSize}, maxBufferSize ${maxBufferSize}`;
    console.info(`VGG classifier weight: ${what}`);
    expect(Math.min(maxStorageBufferBindingSize, maxBufferSize), what).toBeGreaterThanOrEqual(bytes);
  });

  it('VGG-11 eval logits match torchvision at 32x32', async () => {
    await expectFixtureLogits(build(M.vgg11({ numClasses: 10 })), modelFixture(vgg11Small));
  });

  it('trains on the GPU (VGG-11-BN, 32x32)', async () => {
    wt.manualSeed(0); // the initial weights, whatever ran before
    // torchvision's 25088-4096-4096 head makes a step take seconds here; the CIFAR-style head
    // (1x1 pool, 512 hidden) trains the same VGG-11-BN feature stack.
    const m = new M.VGG(M.makeLayers(M.VGG_CONFIGS.A, true), { numClasses: 10, dropout: 0, avgpoolSize: 1, hiddenFeatures: 512 });
    await expectTrainsOnGpu(build(m), { input: [2, 3, 32, 32], numClasses: 10, steps: 7, lr: 0.05 });
  });

  it('rejects unknown options', () => {
    expect(() => M.vgg16({ batchNorm: true } as never)).toThrow(/vgg16: unknown option 'batchNorm'/);
  });
});

describe('Network-in-Network', () => {
  const f = modelFixture(ninJson);

  it('has the reference state-dict keys, shapes and parameter count', () => {
    expectTorchvisionStateDict(build(M.nin()), f);
  });

  it('eval logits match the PyTorch reference at 32x32', async () => {
    await expectFixtureLogits(build(M.nin()), f);
  });

  it('trains on the GPU (16x16)', async () => {
    wt.manualSeed(0); // the initial weights, whatever ran before
    await expectTrainsOnGpu(build(M.nin({ dropout: 0 })), { input: [2, 3, 16, 16], numClasses: 10, steps: 10, lr: 0.05 });
  });
});
