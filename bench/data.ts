/**
 * Host data shared by both libraries in a case: seeded random arrays, the layout changes between
 * webtrain's PyTorch layouts (NCHW activations, OIHW conv weights, [out, in] linear weights) and
 * tfjs's (NHWC, HWIO, [in, out]), and the MNIST batches of the epoch case built on the CPU exactly
 * as webtrain's DataLoader builds them.
 */
import * as wt from '../src/index.ts';

export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const g = new wt.Generator(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = g.normal() * scale;
  return a;
}

export function randomLabels(n: number, classes: number, seed: number): Int32Array {
  const g = new wt.Generator(seed);
  return Int32Array.from({ length: n }, () => g.randint(0, classes));
}

/** [N, C, H, W] -> [N, H, W, C]. */
export function nchwToNhwc(a: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) out[((b * h + y) * w + x) * c + ch] = a[((b * c + ch) * h + y) * w + x]!;
  return out;
}

/** [N, H, W, C] -> [N, C, H, W]. */
export function nhwcToNchw(a: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) out[((b * c + ch) * h + y) * w + x] = a[((b * h + y) * w + x) * c + ch]!;
  return out;
}

/** Conv weight [O, I, kH, kW] -> [kH, kW, I, O]. */
export function oihwToHwio(a: Float32Array, o: number, i: number, kh: number, kw: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let oc = 0; oc < o; oc++)
    for (let ic = 0; ic < i; ic++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) out[((y * kw + x) * i + ic) * o + oc] = a[((oc * i + ic) * kh + y) * kw + x]!;
  return out;
}

/** [kH, kW, I, O] -> [O, I, kH, kW]. */
export function hwioToOihw(a: Float32Array, o: number, i: number, kh: number, kw: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let oc = 0; oc < o; oc++)
    for (let ic = 0; ic < i; ic++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) out[((oc * i + ic) * kh + y) * kw + x] = a[((y * kw + x) * i + ic) * o + oc]!;
  return out;
}

/** Linear weight [out, in] -> dense kernel [in, out]. */
export function transpose2d(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]!;
  return out;
}

/** ||a - b|| / ||b||. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    num += d * d;
    den += b[i]! * b[i]!;
  }
  return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-30);
}

/** The images of the epoch case: every k-th of the 8,000 training digits, so all classes appear. */
export function epochSubset(mnist: wt.MnistData, count: number): wt.ImageDataset {
  const all = wt.mnistDataset(mnist);
  const { train } = wt.mnistSplit(mnist);
  const stride = Math.max(1, Math.floor(train.length / count));
  const idx = Int32Array.from({ length: Math.min(count, train.length) }, (_, i) => train[i * stride]!);
  return wt.subset(all, idx);
}

/** The main job's CPU transform: random ±2 pixel shifts, then MNIST normalization. */
export function mainJobTransform(): wt.transforms.Transform {
  const T = wt.transforms;
  return new T.Compose([new T.RandomCrop(2), new T.Normalize([0.1307], [0.3081])]);
}

/**
 * One epoch's batches on the CPU, built exactly as wt.DataLoader builds them (seeded shuffle,
 * gather, scale to [0, 1], transform), for the tfjs loop of the epoch case.
 */
export function* hostBatches(
  d: wt.ImageDataset,
  batchSize: number,
  generator: wt.Generator,
  transform: wt.transforms.Transform,
): Generator<{ x: Float32Array; y: Int32Array; n: number }> {
  const order = generator.permutation(d.count);
  const per = d.channels * d.height * d.width;
  const scale = d.images instanceof Uint8Array ? 1 / 255 : 1;
  for (let start = 0; start < d.count; start += batchSize) {
    const idx = order.subarray(start, Math.min(d.count, start + batchSize));
    const n = idx.length;
    const x = new Float32Array(n * per);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const src = idx[i]! * per;
      for (let k = 0; k < per; k++) x[i * per + k] = d.images[src + k]! * scale;
      y[i] = d.labels[idx[i]!]!;
    }
    transform.apply(x, { batch: n, channels: d.channels, height: d.height, width: d.width }, generator);
    yield { x, y, n };
  }
}
