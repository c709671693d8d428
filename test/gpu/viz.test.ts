/**
 * wt.viz: colormaps and images, grids, bilinear resize, overlays, shifts; filter grids of a conv
 * weight; feature maps of a staged LeNet-5 against its forward; Grad-CAM against a hand-worked case
 * (a linear head over one conv stage, where dy_c/dA is the head's weight) and against finite
 * differences of the class score; receptive fields of units (size and jump as wt.summary's, the
 * position exact: the gradient of a unit w.r.t. the input is non-zero exactly on its window);
 * confusion matrices; hand-made kernels through conv2d against a float64 CPU convolution.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';
import { expectClose, randomArray, tensorOf } from '../helpers.js';

const V = wt.viz;
const F = wt.nn.functional;

beforeAll(async () => {
  await wt.init();
});

/** LeNet-5 as stages (conv1 + act, pool, conv2 + act, pool, head), as the demo defines it. */
function lenetStages(m: wt.LeNet5): wt.viz.StagedModel {
  const act = (x: wt.Tensor): wt.Tensor => (m.activation === 'relu' ? F.relu(x) : F.tanh(x));
  const pool = (x: wt.Tensor): wt.Tensor => (m.pooling === 'max' ? F.maxPool2d(x, 2) : F.avgPool2d(x, 2));
  return {
    model: m,
    stages: [
      { name: 'conv1', kind: 'conv', run: (x) => act(m.conv1.call(x)), windows: [m.conv1] },
      { name: 'pool1', kind: 'pool', run: pool, windows: [{ kernelSize: 2, pooling: true }] },
      { name: 'conv2', kind: 'conv', run: (x) => act(m.conv2.call(x)), windows: [m.conv2] },
      { name: 'pool2', kind: 'pool', run: pool, windows: [{ kernelSize: 2, pooling: true }] },
      { name: 'classifier', kind: 'head', run: (x) => m.fc3.call(act(m.fc2.call(act(m.fc1.call(wt.flatten(x, 1)))))) },
    ],
  };
}

describe('images', () => {
  it('maps a plane through a colormap over its own range', () => {
    const img = V.toImage([0, 1, 2, 3, 4, 5], 2, 3, { colormap: 'gray' });
    expect([img.width, img.height, img.data.length]).toEqual([3, 2, 24]);
    expect(Array.from(img.data.subarray(0, 4))).toEqual([0, 0, 0, 255]);
    expect(Array.from(img.data.subarray(20, 24))).toEqual([255, 255, 255, 255]);
    expect(img.data[8]).toBe(102); // 2 / 5 of 255
    // symmetric: zero in the middle of the diverging map (near white)
    const sym = V.toImage([-2, 0, 1], 1, 3, { colormap: 'diverging', range: 'symmetric' });
    expect(Array.from(sym.data.subarray(4, 7))).toEqual([242, 242, 242]);
    // a constant plane is not a division by zero
    expect(Array.from(V.toImage([3, 3], 1, 2).data).every(Number.isFinite)).toBe(true);
    expect(() => V.toImage([1, 2, 3], 2, 2)).toThrow(/3 values for a 2x2 image/);
    expect(V.valueRange([1, NaN, -4], 'symmetric')).toEqual([-4, 4]);
    expect(V.valueRange([1, 2], [0, 10])).toEqual([0, 10]);
  });

  it('upscales, tiles into grids, resizes, overlays, shifts and flips', () => {
    const a = V.toImage([0, 1, 1, 0], 2, 2, { colormap: 'gray' });
    const up = V.upscale(a, 3);
    expect([up.width, up.height]).toEqual([6, 6]);
    expect(up.data[(0 * 6 + 2) * 4]).toBe(0);
    expect(up.data[(0 * 6 + 3) * 4]).toBe(255);
    const grid = V.imageGrid([a, a, a, a, a], { gap: 1, background: [9, 9, 9, 255] });
    // 3 columns x 2 rows of 2x2 tiles with 1-pixel gaps
    expect([grid.width, grid.height]).toEqual([10, 7]);
    expect(grid.data[0]).toBe(9);
    expect(grid.data[(1 * 10 + 2) * 4]).toBe(255); // tile 0, pixel (0, 1)
    expect(() => V.imageGrid([a, up])).toThrow(/one size/);

    const r = V.resizeBilinear([0, 1, 2, 3], 2, 2, 4, 4);
    expect(r[0]).toBeCloseTo(0);
    expect(r[15]).toBeCloseTo(3);
    expect(r[5]).toBeCloseTo(0.75); // (1.25 - 0.5) along both axes: 0.25 * 1 + 0.25 * 2
    expect(Array.from(V.resizeBilinear([5, 7], 1, 2, 1, 2))).toEqual([5, 7]);

    const base = V.toImage([0, 0, 0, 0], 2, 2, { colormap: 'gray', range: [0, 1] });
    const o = V.overlay(base, [0, 0, 0, 1], { colormap: 'gray', alpha: 1 });
    expect(o.data[12]).toBe(255);
    expect(o.data[0]).toBe(0);

    expect(Array.from(V.shiftPlane([1, 2, 3, 4], 2, 2, 1, 0))).toEqual([0, 1, 0, 3]);
    expect(Array.from(V.shiftPlane([1, 2, 3, 4], 2, 2, 0, -1))).toEqual([3, 4, 0, 0]);
    expect(Array.from(V.flipPlane([1, 2, 3, 4, 5, 6], 2, 3))).toEqual([3, 2, 1, 6, 5, 4]);
  });
});

describe('filters, feature maps, predictions', () => {
  it('draws every first-layer filter of LeNet-5 as a tile of the grid', async () => {
    wt.manualSeed(1);
    const m = new wt.LeNet5();
    const img = await V.filterGrid(m.conv1.weight, { scale: 4, cols: 6, gap: 2 });
    expect([img.width, img.height]).toEqual([6 * 20 + 7 * 2, 20 + 2 * 2]);
    const w = (await m.conv1.weight.data()) as Float32Array;
    // Filter 0's largest-magnitude weight is drawn at an end of the diverging map.
    let k = 0;
    for (let i = 1; i < 25; i++) if (Math.abs(w[i]!) > Math.abs(w[k]!)) k = i;
    const px = ((2 + Math.floor(k / 5) * 4) * img.width + 2 + (k % 5) * 4) * 4;
    expect(Array.from(img.data.subarray(px, px + 3))).toEqual(w[k]! > 0 ? [180, 4, 38] : [59, 76, 192]);
    await expect(V.filterGrid(wt.zeros([3, 3]))).rejects.toThrow(/conv weight/);
  });

  it('gives the conv stages of LeNet-5 and the forward pass of the model', async () => {
    wt.manualSeed(2);
    const m = new wt.LeNet5();
    const staged = lenetStages(m);
    const x = tensorOf(randomArray([1, 1, 28, 28], 3));
    const { maps, prediction } = await V.featureMaps(staged, x);
    expect(maps.map((f) => [f.stage, f.channels, f.height, f.width])).toEqual([
      ['conv1', 6, 28, 28],
      ['conv2', 16, 10, 10],
    ]);
    const conv1 = (await wt.noGrad(() => F.relu(m.conv1.call(x))).data()) as Float32Array;
    expectClose(maps[0]!.data, conv1, 1e-6, 'conv1 maps');
    const logits = (await wt.noGrad(() => m.call(x)).data()) as Float32Array;
    const e = Array.from(logits, (v) => Math.exp(v - Math.max(...logits)));
    const s = e.reduce((a, b) => a + b, 0);
    expectClose(prediction.probs, e.map((v) => v / s), 1e-5, 'probabilities');
    expect(prediction.label).toBe(logits.indexOf(Math.max(...logits)));
    const p2 = await V.predict(staged, x);
    expectClose(p2.probs, prediction.probs, 1e-6, 'predict');
    expect(m.training).toBe(true); // restored
  });
});

describe('receptive fields', () => {
  // conv 5x5 pad 2 -> avg pool 2 -> conv 3x3 stride 2 pad 1 -> conv 3x3 dilation 2 pad 1, on 28x28:
  // maps of 28, 14, 7 and 5.
  const chain: wt.viz.SlidingWindow[] = [
    { kernelSize: 5, padding: 2 },
    { kernelSize: 2, pooling: true },
    { kernelSize: 3, stride: 2, padding: 1 },
    { kernelSize: 3, dilation: 2, padding: 1 },
  ];

  it('places the window of a unit from the kernels, strides and paddings; its size and jump are wt.summary\'s', () => {
    const net = new wt.nn.Sequential(
      new wt.nn.Conv2d(1, 2, 5, { padding: 2 }),
      new wt.nn.AvgPool2d(2),
      new wt.nn.Conv2d(2, 3, 3, { stride: 2, padding: 1 }),
      new wt.nn.Conv2d(3, 2, 3, { dilation: 2, padding: 1 }),
    );
    const rows = wt.summary(net, [1, 1, 28, 28]).rows.filter((r) => r.path !== '');
    for (let l = 1; l <= chain.length; l++) {
      const w = V.receptiveWindow(chain.slice(0, l), 0, 0, [28, 28]);
      expect([[w.height, w.width], w.jump], `layer ${l}`).toEqual([rows[l - 1]!.receptiveField!.size, rows[l - 1]!.receptiveField!.jump]);
    }
    // Worked by hand: sizes 5, 6, 10, 26; jumps 1, 2, 4, 4; offsets -2, -2, -2 - 1 * 2 = -4, -4 - 1 * 4 = -8.
    expect(V.receptiveWindow(chain, 0, 0, [28, 28])).toMatchObject({ top: -8, left: -8, height: 26, width: 26, jump: [4, 4] });
    // What unit (2, 4) sees: columns 8 .. 33 less what lies past the image, and past the 7x7 map:
    // the dilated conv reads that map's columns 3, 5 and 7, and 7 is padding; 3 and 5 see input
    // columns 8 .. 25.
    expect(V.receptiveWindow(chain, 2, 4, [28, 28])).toEqual({ top: 0, left: 8, height: 26, width: 26, jump: [4, 4], seen: { top: 0, left: 8, height: 26, width: 18 } });
    expect(V.receptiveWindow([{ kernelSize: 5, padding: 'same' }, { kernelSize: [3, 1], padding: 'valid' }], 1, 1, [8, 8])).toMatchObject({
      top: -1,
      left: -1,
      height: 7,
      width: 5,
      seen: { top: 0, left: 0, height: 6, width: 4 },
    });
    expect(() => V.receptiveWindow(chain, -1, 0, [28, 28])).toThrow(/integers >= 0/);
    expect(() => V.receptiveWindow(chain, 5, 0, [28, 28])).toThrow(/outside the last map of 5 rows/);
  });

  it('is exact: the gradient of a unit with respect to the input is non-zero exactly on its window', async () => {
    const positive = (shape: number[], seed: number): wt.Tensor => {
      const g = new wt.Generator(seed);
      const n = shape.reduce((a, b) => a * b, 1);
      return wt.tensor(Float32Array.from({ length: n }, () => 0.1 + g.random()), { shape });
    };
    // Positive weights: every path from an input pixel to the unit adds, so none cancels.
    const w1 = positive([2, 1, 5, 5], 1);
    const w2 = positive([3, 2, 3, 3], 2);
    const w3 = positive([2, 3, 3, 3], 3);
    for (const [r, c] of [[0, 0], [2, 4], [4, 1], [4, 4]] as const) {
      const x = positive([1, 1, 28, 28], 4);
      x.requiresGrad = true;
      let h = F.conv2d(x, w1, null, { padding: 2 });
      h = F.avgPool2d(h, 2);
      h = F.conv2d(h, w2, null, { stride: 2, padding: 1 });
      h = F.conv2d(h, w3, null, { dilation: 2, padding: 1 });
      expect(h.shape).toEqual([1, 2, 5, 5]);
      const pick = new Float32Array(2 * 5 * 5);
      pick[r * 5 + c] = 1; // channel 0, unit (r, c)
      wt.mul(h, wt.tensor(pick, { shape: [1, 2, 5, 5] })).sum().backward();
      const g = (await x.grad!.data()) as Float32Array;
      const box = V.receptiveWindow(chain, r, c, [28, 28]).seen;
      const inside = (i: number): boolean => {
        const y = Math.floor(i / 28);
        const xx = i % 28;
        return y >= box.top && y < box.top + box.height && xx >= box.left && xx < box.left + box.width;
      };
      const wrong = Array.from(g).flatMap((v, i) => ((v !== 0) !== inside(i) ? [`(${Math.floor(i / 28)}, ${i % 28}) = ${v}`] : []));
      expect(wrong, `unit (${r}, ${c}), window ${JSON.stringify(box)}`).toEqual([]);
    }
  });

  it('of a staged model\'s unit, from the stages\' windows (LeNet-5)', () => {
    const staged = lenetStages(new wt.LeNet5());
    expect(V.stageWindow(staged, 'conv1', 0, 0, [28, 28])).toEqual({ top: -2, left: -2, height: 5, width: 5, jump: [1, 1], seen: { top: 0, left: 0, height: 3, width: 3 } });
    // conv2 (no padding) after a 2x2 pool: 14 pixels, 2 apart, unit 0 from pixel -2.
    expect(V.stageWindow(staged, 'conv2', 3, 9, [28, 28])).toEqual({ top: 4, left: 16, height: 14, width: 14, jump: [2, 2], seen: { top: 4, left: 16, height: 14, width: 12 } });
    const rf = wt.summary(staged.model, [1, 1, 28, 28]).rows.find((r) => r.path === 'conv2')!.receptiveField!;
    expect([rf.size, rf.jump]).toEqual([[14, 14], [2, 2]]);
    expect(() => V.stageWindow(staged, 'nope', 0, 0, [28, 28])).toThrow(/no stage 'nope'/);
    expect(() => V.stageWindow({ model: staged.model, stages: [{ name: 'a', kind: 'conv', run: (x) => x }] }, 'a', 0, 0, [28, 28])).toThrow(/does not say its sliding windows/);
  });
});

describe('Grad-CAM', () => {
  it('weights each channel by the mean gradient of the class score (linear head, worked by hand)', async () => {
    // One conv stage A = conv(x) [1, 2, 2, 2] and a linear head y = W flatten(A): dy_c/dA = W[c],
    // so the weight of channel k is the mean of W[c, k, :, :] and the map is relu(sum_k w_k A_k).
    const conv = new wt.nn.Conv2d(1, 2, 2, { bias: false });
    const head = new wt.nn.Linear(8, 3, { bias: false });
    const model = new wt.nn.Sequential(conv, new wt.nn.Flatten(), head);
    const cw = new Float32Array([1, 0, 0, 0, 0, 0, 0, 1]); // channel 0: top-left pixel, channel 1: bottom-right
    const hw = new Float32Array(24);
    for (let i = 0; i < 24; i++) hw[i] = ((i * 7) % 5) - 2; // mixed signs
    model.loadStateDict({ '0.weight': wt.tensor(cw, { shape: [2, 1, 2, 2] }), '2.weight': wt.tensor(hw, { shape: [3, 8] }) });
    const staged: wt.viz.StagedModel = {
      model,
      stages: [
        { name: 'conv', kind: 'conv', run: (x) => conv.call(x) },
        { name: 'head', kind: 'head', run: (x) => head.call(wt.flatten(x, 1)) },
      ],
    };
    const xs = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const x = wt.tensor(xs, { shape: [1, 1, 3, 3] });
    // A[0] = x[y][x] (top-left), A[1] = x[y+1][x+1]
    const A0 = [1, 2, 4, 5];
    const A1 = [5, 6, 8, 9];
    for (const c of [0, 1, 2]) {
      const r = await V.gradCam(staged, x, { classIndex: c });
      const w0 = (hw[c * 8] + hw[c * 8 + 1]! + hw[c * 8 + 2]! + hw[c * 8 + 3]!) / 4;
      const w1 = (hw[c * 8 + 4]! + hw[c * 8 + 5]! + hw[c * 8 + 6]! + hw[c * 8 + 7]!) / 4;
      expectClose(r.weights, [w0, w1], 1e-6, `weights of class ${c}`);
      const raw = A0.map((a, i) => Math.max(0, w0 * a + w1 * A1[i]!));
      const max = Math.max(...raw);
      expectClose(r.cam, raw.map((v) => (max > 0 ? v / max : 0)), 1e-5, `cam of class ${c}`);
      expect([r.camHeight, r.camWidth, r.height, r.width, r.heat.length, r.classIndex]).toEqual([2, 2, 3, 3, 9, c]);
    }
    // The parameters collect no gradient, and require grad again afterwards.
    expect(conv.weight.grad).toBe(null);
    expect(head.weight.grad).toBe(null);
    expect(head.weight.requiresGrad).toBe(true);
    await expect(V.gradCam(staged, x, { stage: 'nope' })).rejects.toThrow(/no conv stage 'nope' \(conv stages: conv\)/);
  });

  it('on LeNet-5: the gradient weights agree with finite differences of the class score', async () => {
    wt.manualSeed(4);
    const m = new wt.LeNet5();
    const staged = lenetStages(m);
    const x = tensorOf(randomArray([1, 1, 28, 28], 5));
    const r = await V.gradCam(staged, x);
    expect(r.stage).toBe('conv2');
    expect(r.classIndex).toBe(r.probs.indexOf(Math.max(...r.probs)));
    expect([r.camHeight, r.camWidth, r.heat.length]).toEqual([10, 10, 784]);
    expect(Math.max(...r.cam)).toBeLessThanOrEqual(1);
    // d(score)/d(A_k) summed over space = d(score)/d(s) when every A_k[i] is replaced by A_k[i] + s.
    const a = (await wt.noGrad(() => F.relu(m.conv2.call(F.maxPool2d(F.relu(m.conv1.call(x)), 2)))).data()) as Float32Array;
    const head = staged.stages.slice(3);
    const score = async (k: number, eps: number): Promise<number> => {
      const b = a.slice();
      for (let i = 0; i < 100; i++) b[k * 100 + i]! += eps;
      let h = wt.tensor(b, { shape: [1, 16, 10, 10] });
      m.eval();
      const logits = wt.noGrad(() => {
        for (const s of head) h = s.run(h);
        return h;
      });
      m.train();
      return ((await logits.data()) as Float32Array)[r.classIndex]!;
    };
    for (const k of [0, 5, 11]) {
      const eps = 1e-2;
      const fd = ((await score(k, eps)) - (await score(k, -eps))) / (2 * eps) / 100;
      expect(Math.abs(fd - r.weights[k]!)).toBeLessThan(1e-3 + 0.05 * Math.abs(fd));
    }
    for (const p of m.parameters()) expect(p.grad).toBe(null);
  });
});

describe('confusion matrices', () => {
  it('counts true against predicted classes', () => {
    const c = V.confusionMatrix([0, 1, 1, 2, 2, 2], [0, 1, 2, 2, 2, 0], 3);
    expect(Array.from(c.counts)).toEqual([1, 0, 1, 0, 1, 0, 0, 1, 2]);
    expect(c.accuracy).toBeCloseTo(4 / 6);
    expect(Array.from(c.recall)).toEqual([0.5, 1, Math.fround(2 / 3)]);
    expect(() => V.confusionMatrix([0, 3], [0, 1], 3)).toThrow(/item 1 has label 1 and prediction 3/);
    expect(Number.isNaN(V.confusionMatrix([0], [0], 2).recall[1])).toBe(true);
  });

  it('predicts a loader of digits batch by batch', async () => {
    wt.manualSeed(6);
    const m = new wt.LeNet5();
    const n = 70;
    const images = new Uint8Array(n * 784);
    for (let i = 0; i < images.length; i++) images[i] = (i * 37) % 256;
    const labels = new Int32Array(n).map((_, i) => i % 10);
    const loader = new wt.DataLoader({ count: n, channels: 1, height: 28, width: 28, numClasses: 10, images, labels }, { batchSize: 32 });
    const { predicted, labels: got } = await V.predictLabels(m, loader);
    expect(Array.from(got)).toEqual(Array.from(labels));
    const all = wt.noGrad(() => wt.argmax(m.call(wt.tensor(Float32Array.from(images, (v) => v / 255), { shape: [n, 1, 28, 28] })), 1));
    expect(Array.from(predicted)).toEqual(Array.from((await all.data()) as Int32Array));
  });
});

describe('hand-made kernels', () => {
  it('applies each through conv2d as a float64 CPU cross-correlation does', async () => {
    const h = 9;
    const w = 7;
    const img = Float32Array.from(randomArray([h, w], 8).data);
    for (const k of V.HAND_KERNELS) {
      const got = await V.applyKernel(img, h, w, k.weights);
      const want = new Float64Array(h * w);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          let s = 0;
          for (let i = 0; i < 3; i++)
            for (let j = 0; j < 3; j++) {
              const yy = y + i - 1;
              const xx = x + j - 1;
              if (yy >= 0 && yy < h && xx >= 0 && xx < w) s += img[yy * w + xx]! * k.weights[i]![j]!;
            }
          want[y * w + x] = s;
        }
      expectClose(got, want, 1e-5, k.name);
    }
    await expect(V.applyKernel(img, h, w, [[1, 2]])).rejects.toThrow(/square with an odd size/);
  });
});
