/**
 * GPU augmentation (wt.augment, shaders/augment.wgsl) against the float64 references of
 * test/reference/augment.ts with the same random parameters (each transform's `sample` with the
 * same seed): crops with padding, resized crops, flips, centre and ten crops, colour jitter, PCA
 * lighting, normalization; and against torchvision 0.14 (test/fixtures/gen_augment.py) for the same
 * parameters; outputs read from poisoned buffers, odd sizes; seeded determinism;
 * ten-crop prediction; a training step with augmentation that replays its plan with new draws and
 * no new buffers; and the errors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/internal.js'; // ops and engineFor are internal
import * as ref from '../reference/augment.js';
import { ndarray } from '../reference/ndarray.js';
import fixtureFile from '../fixtures/augment.json';
import { expectClose, randomArray, readPoisoned, tensorOf, trainingStep, type TestArray } from '../helpers.js';

const A = wt.augment;
const TOL = 1e-5;

beforeAll(async () => {
  await wt.init();
});

/** Images in (0, 1]. */
function images(shape: number[], seed: number): TestArray {
  return randomArray(shape, seed, { lo: 0.01, hi: 1 });
}

async function gpu(t: wt.Tensor): Promise<Float32Array> {
  return (await readPoisoned(t))[0] as Float32Array;
}

describe('resampling through boxes', () => {
  it('padded, resized, mirrored and reordered boxes on odd sizes', async () => {
    const x = images([3, 2, 7, 5], 1);
    const boxes: wt.augment.CropBox[] = [
      { src: 2, top: -2, left: -1, height: 9, width: 4, flip: false }, // reaches into the padding
      { src: 0, top: 1, left: 0, height: 5, width: 5, flip: true }, // resized 5x5 -> 9x4
      { src: 1, top: 0, left: 0, height: 7, width: 5, flip: false }, // whole image, resized
      { src: 1, top: 3, left: 2, height: 2, width: 3, flip: true }, // upscaled
      { src: 0, top: 6, left: 4, height: 1, width: 1, flip: false }, // one pixel
    ];
    const y = await gpu(wt.ops.resampleImages(tensorOf(x), boxes, 9, 4));
    expectClose(y, ref.resample(x.ref, boxes, 9, 4), TOL, 'resample');
  });

  for (const [shape, size, padding] of [
    [[4, 3, 32, 32], 32, 4],
    [[3, 1, 13, 11], [9, 10], 2],
    [[2, 3, 5, 7], 5, 0],
  ] as const) {
    it(`RandomCrop(${JSON.stringify(size)}, { padding: ${padding} }) on [${shape}]`, async () => {
      const x = images([...shape], 2);
      const t = new A.RandomCrop(size, { padding });
      const boxes = t.sample(shape[0], shape[2], shape[3], new wt.Generator(5));
      const y = await gpu(t.call(tensorOf(x), new wt.Generator(5)));
      const [h, w] = t.size;
      // Exact: a box of the output's size samples pixels without interpolation.
      expect(Array.from(y)).toEqual(Array.from(ref.resample(x.ref, boxes, h, w).data, Math.fround));
    });
  }

  it('RandomResizedCrop to 8x6 and to 17x17 (odd, upscaling)', async () => {
    const x = images([5, 3, 20, 15], 3);
    for (const size of [[8, 6], 17] as const) {
      const t = new A.RandomResizedCrop(size);
      const boxes = t.sample(5, 20, 15, new wt.Generator(8));
      boxes.forEach((b) => {
        expect(b.top >= 0 && b.left >= 0 && b.top + b.height <= 20 && b.left + b.width <= 15).toBe(true);
      });
      const [h, w] = t.size;
      expectClose(await gpu(t.call(tensorOf(x), new wt.Generator(8))), ref.resample(x.ref, boxes, h, w), TOL, `RandomResizedCrop(${size})`);
    }
    // Impossible ratios fall back to the centre crop with the ratio clamped.
    const strict = new A.RandomResizedCrop(4, { scale: [0.99, 1], ratio: [3, 3] });
    expect(strict.sample(1, 20, 15, new wt.Generator(1))[0]).toMatchObject({ height: 5, width: 15, top: 7, left: 0 });
  });

  it('RandomHorizontalFlip(p), CenterCrop and TenCrop', async () => {
    const x = images([6, 3, 9, 7], 4);
    const flip = new A.RandomHorizontalFlip(0.5);
    const boxes = flip.sample(6, 9, 7, new wt.Generator(2));
    expect(boxes.some((b) => b.flip) && boxes.some((b) => !b.flip)).toBe(true);
    expect(Array.from(await gpu(flip.call(tensorOf(x), new wt.Generator(2))))).toEqual(Array.from(ref.resample(x.ref, boxes, 9, 7).data, Math.fround));
    const centre = await gpu(new A.CenterCrop([5, 4]).call(tensorOf(x)));
    const cBoxes = Array.from({ length: 6 }, (_, i) => ({ src: i, top: 2, left: 2, height: 5, width: 4, flip: false }));
    expect(Array.from(centre)).toEqual(Array.from(ref.resample(x.ref, cBoxes, 5, 4).data, Math.fround));
    const ten = new A.TenCrop(5);
    const tBoxes = ten.boxes(6, 9, 7);
    expect(tBoxes.length).toBe(60);
    expect(tBoxes.slice(0, 5).map((b) => [b.top, b.left])).toEqual([[0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]);
    expect([tBoxes[6]!.top, tBoxes[6]!.left, tBoxes[24]!.top, tBoxes[24]!.left, tBoxes[30]!.flip]).toEqual([0, 2, 2, 1, true]);
    expect(Array.from(await gpu(ten.call(tensorOf(x))))).toEqual(Array.from(ref.resample(x.ref, tBoxes, 5, 5).data, Math.fround));
  });
});

describe('colour', () => {
  it('ColorJitter on RGB (odd size) and grey images', async () => {
    for (const [shape, o] of [
      [[4, 3, 7, 9], { brightness: 0.6, contrast: 0.5, saturation: 0.8 }],
      [[3, 1, 5, 3], { brightness: [0.5, 1.8], contrast: 0.7 }],
      [[2, 3, 11, 1], { contrast: 0.9 }],
      [[3, 3, 6, 5], { saturation: [0, 2] }],
    ] as const) {
      const x = images([...shape], 6);
      const t = new A.ColorJitter(o as ConstructorParameters<typeof A.ColorJitter>[0]);
      const f = t.sample(shape[0], new wt.Generator(3));
      expectClose(await gpu(t.call(tensorOf(x), new wt.Generator(3))), ref.adjustColors(x.ref, f), TOL, `ColorJitter(${JSON.stringify(o)}) on [${shape}]`);
    }
  });

  it('the contrast mean over a large image (workgroup reduction with strides)', async () => {
    const x = images([2, 3, 67, 45], 7);
    const f = { contrast: [0.3, 1.7], brightness: [1.2, 0.8] };
    expectClose(await gpu(wt.ops.adjustColors(tensorOf(x), f)), ref.adjustColors(x.ref, f), TOL, 'contrast 67x45');
  });

  it('Lighting (PCA noise) and Normalize', async () => {
    const x = images([5, 3, 4, 7], 8);
    const light = new A.Lighting(0.1);
    const f = light.sample(5, new wt.Generator(4));
    expect(f.lighting!.length).toBe(15);
    expectClose(await gpu(light.call(tensorOf(x), new wt.Generator(4))), ref.adjustColors(x.ref, f), TOL, 'Lighting');
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    expectClose(await gpu(new A.Normalize(mean, std).call(tensorOf(x))), ref.normalize(x.ref, mean, std), TOL, 'Normalize');
    const grey = images([3, 1, 5, 5], 9);
    expectClose(await gpu(new A.Normalize([0.1307], [0.3081]).call(tensorOf(grey))), ref.normalize(grey.ref, [0.1307], [0.3081]), TOL, 'Normalize grey');
  });
});

describe('seeded pipelines, ten-crop prediction, plan replay, errors', () => {
  const pipeline = new A.Compose([
    new A.RandomResizedCrop(12, { scale: [0.3, 1] }),
    new A.RandomHorizontalFlip(),
    new A.ColorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4 }),
    new A.Lighting(0.1),
    new A.Normalize([0.5, 0.5, 0.5], [0.25, 0.25, 0.25]),
  ]);

  it('a Compose of everything: the same seed gives the same bits, another seed other images', async () => {
    const x = images([4, 3, 16, 14], 10);
    const run = async (seed: number): Promise<number[]> => Array.from(await gpu(pipeline.call(tensorOf(x), new wt.Generator(seed))));
    const a = await run(1);
    expect(await run(1)).toEqual(a);
    expect(await run(2)).not.toEqual(a);
    expect(a.every(Number.isFinite)).toBe(true);
  });

  it('tenCropPredict averages the softmax over the ten crops', async () => {
    const n = 3;
    const x = images([n, 3, 8, 9], 11);
    const wArr = randomArray([3 * 6 * 6, 4], 12);
    const weight = tensorOf(wArr);
    const model = (t: wt.Tensor): wt.Tensor => wt.matmul(wt.ops.reshape(t, [t.shape[0]!, 3 * 36]), weight);
    const probs = await gpu(A.tenCropPredict(model, tensorOf(x), 6));
    const crops = ref.resample(x.ref, new A.TenCrop(6).boxes(n, 8, 9), 6, 6);
    const expected = ndarray([n, 4]);
    for (let k = 0; k < 10; k++) {
      for (let i = 0; i < n; i++) {
        const logits = [0, 1, 2, 3].map((j) => {
          let s = 0;
          for (let q = 0; q < 108; q++) s += crops.data[(k * n + i) * 108 + q]! * wArr.ref.data[q * 4 + j]!;
          return s;
        });
        const m = Math.max(...logits);
        const e = logits.map((v) => Math.exp(v - m));
        const z = e.reduce((a, b) => a + b, 0);
        e.forEach((v, j) => (expected.data[i * 4 + j]! += v / z / 10));
      }
    }
    expectClose(probs, expected, 1e-5, 'tenCropPredict');
  });

  it('a training step with GPU augmentation replays its plan with new draws and no new buffers', async () => {
    const device = wt.defaultDevice();
    wt.manualSeed(3);
    const net = new wt.nn.Sequential(new wt.nn.Flatten(), new wt.nn.Linear(3 * 12 * 12, 4));
    const opt = new wt.optim.SGD(net.parameters(), { lr: 0 });
    const x = tensorOf(images([8, 3, 16, 14], 13));
    const labels = wt.tensor(Int32Array.from({ length: 8 }, (_, i) => i % 4));
    const g = new wt.Generator(21);
    const step = trainingStep(opt, () => wt.nn.functional.crossEntropy(net.call(pipeline.call(x, g)), labels));
    const losses = [await step(), await step()];
    const engine = wt.engineFor(device);
    for (let i = 0; i < 3; i++) {
      const before = { hits: engine.stats.planHits, builds: engine.stats.planBuilds, buffers: device.pool.stats.created, pipelines: device.pipelines.stats.pipelines };
      losses.push(await step());
      expect(device.pool.stats.created - before.buffers, 'new GPU buffers').toBe(0);
      expect(engine.stats.planBuilds - before.builds, 'plans built').toBe(0);
      expect(engine.stats.planHits - before.hits, 'plan hits').toBe(1);
      expect(device.pipelines.stats.pipelines - before.pipelines, 'pipelines').toBe(0);
    }
    // lr = 0: different losses come from different augmentations.
    expect(new Set(losses).size).toBe(losses.length);
  });

  it('errors name the op and what was wrong', () => {
    const x = tensorOf(images([2, 3, 4, 4], 14));
    expect(() => new A.RandomCrop(9, { padding: 2 }).call(x)).toThrow(/RandomCrop: crop 9x9 is larger than the padded 8x8 image/);
    expect(() => new A.RandomCrop(3, { padding: -1 })).toThrow(wt.ArgumentError);
    expect(() => new A.ColorJitter({ brightness: -1 })).toThrow(/ColorJitter: brightness/);
    expect(() => new A.Lighting().call(tensorOf(images([2, 1, 4, 4], 15)))).toThrow(/adjust_colors: saturation and lighting need RGB images/);
    expect(() => new A.Normalize([0.5, 0.5], [1, 1]).call(x)).toThrow(/normalize: 2 mean values for 3 channels/);
    expect(() => new A.RandomHorizontalFlip().call(wt.ones([3, 4, 4]))).toThrow(/\[N, C, H, W\]/);
    const leaf = tensorOf(images([2, 3, 4, 4], 16), true);
    expect(() => new A.CenterCrop(2).call(leaf)).toThrow(/resample_images: augmentation has no gradient/);
    expect(() => wt.ops.resampleImages(x, [{ src: 2, top: 0, left: 0, height: 1, width: 1, flip: false }], 1, 1)).toThrow(/box 0 .* does not fit an input of 2 images/);
  });
});

interface Encoded {
  shape: number[];
  data: number[];
}

interface FixtureCase {
  name: string;
  op: 'boxes' | 'crops' | 'color';
  input: Encoded;
  output?: Encoded;
  boxes?: wt.augment.CropBox[];
  size?: [number, number];
  center?: Encoded;
  tenCrop?: Encoded;
  brightness?: number[];
  contrast?: number[];
  saturation?: number[];
  mean?: number[];
  std?: number[];
}

describe('against torchvision 0.14 (test/fixtures/augment.json)', () => {
  const cases = (fixtureFile as unknown as { cases: FixtureCase[] }).cases;
  const input = (c: FixtureCase): wt.Tensor => wt.tensor(Float32Array.from(c.input.data), { shape: c.input.shape });
  for (const c of cases) {
    it(`${c.op}: ${c.name}`, async () => {
      if (c.op === 'boxes') {
        const y = await gpu(wt.ops.resampleImages(input(c), c.boxes!, c.size![0], c.size![1]));
        expectClose(y, ndarray(c.output!.shape, c.output!.data), TOL, c.name);
      } else if (c.op === 'crops') {
        expectClose(await gpu(new A.CenterCrop(c.size!).call(input(c))), ndarray(c.center!.shape, c.center!.data), 1e-7, `${c.name}: CenterCrop`);
        expectClose(await gpu(new A.TenCrop(c.size!).call(input(c))), ndarray(c.tenCrop!.shape, c.tenCrop!.data), 1e-7, `${c.name}: TenCrop`);
      } else {
        const f: wt.augment.ColorFactors = {};
        if (c.brightness) f.brightness = c.brightness;
        if (c.contrast) f.contrast = c.contrast;
        if (c.saturation) f.saturation = c.saturation;
        let y = wt.ops.adjustColors(input(c), f);
        if (c.mean) y = new A.Normalize(c.mean, c.std!).call(y);
        expectClose(await gpu(y), ndarray(c.output!.shape, c.output!.data), TOL, c.name);
      }
    });
  }
});
