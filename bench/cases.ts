/**
 * The benchmark cases (issue 5). Each case has a webtrain side and a tfjs side doing the same work
 * on the same shapes, dtype (float32) and batch, a FLOP count, a description for the PyTorch CPU
 * reference (bench/torch_cases.py), and in smoke mode a check that both libraries compute the same
 * numbers from the same inputs and weights.
 *
 * A side is an `Impl`: `iter()` records and submits one iteration (one training step, one kernel
 * call, or one epoch) without waiting, `sync()` waits until the GPU has finished everything
 * submitted. The runner (suite.ts) times `inner` iterations followed by one sync.
 */
import * as wt from '../src/internal.ts'; // ops and engineFor are internal
import { tf, type TfjsWebGPU } from './tfjs-backend.ts';
import {
  epochSubset,
  hostBatches,
  hwioToOihw,
  mainJobTransform,
  nchwToNhwc,
  nhwcToNchw,
  oihwToHwio,
  randomArray,
  randomLabels,
  relativeError,
} from './data.ts';
import { ResNetStage1, copyLeNetWeights, copyResNetWeights, disposeWebtrain, tfjsLeNet5, tfjsResNetStage1 } from './models.ts';

const F = wt.nn.functional;

export interface Impl {
  iter(): void | Promise<void>;
  /** A cheaper warm-up than iter() where one iteration is long (the epoch case: one batch). */
  warm?(): Promise<void>;
  sync(): Promise<void>;
  dispose(): void;
}

export interface BenchContext {
  device: wt.Device;
  tfjs: TfjsWebGPU;
  smoke: boolean;
  mnist(): Promise<wt.MnistData>;
}

/** What bench/torch_cases.py runs for a case (same shapes; see that file). */
export interface TorchSpec {
  kind: 'lenet_step' | 'conv_fwd' | 'conv_fwdbwd' | 'matmul' | 'resnet_step' | 'mnist_epoch';
  params: Record<string, number>;
}

export interface Agreement {
  /** What was compared, e.g. 'conv output', 'dx', 'loss after 2 Adam steps'. */
  what: string;
  relError: number;
  tolerance: number;
}

export interface BenchCase {
  id: string;
  title: string;
  /** Throughput unit: images per second, or GFLOP per second for single kernels. */
  unit: 'images/s' | 'GFLOP/s';
  /** Images (or FLOPs) one iteration processes. */
  workPerIter: number;
  /** FLOPs of one iteration (forward + backward where trained); 0 where not counted. */
  flopsPerIter: number;
  warmup: number;
  reps: number;
  /** The runner repeats iter() inside a repetition until it lasts about this long (same rule for both). */
  targetRepMs: number;
  maxInner: number;
  /** Where sides warm up with Impl.warm(): how many warm-ups one iteration costs (for the time budget). */
  warmScale?: number;
  /**
   * A case run earlier whose FLOP rates predict this one's time, so the time budget can skip this
   * case before spending its (long) warm-up.
   */
  projectFrom?: string;
  /** Why webtrain cannot run this case yet, or null. */
  webtrainMissing(): string | null;
  webtrain(ctx: BenchContext): Promise<Impl>;
  tfjs(ctx: BenchContext): Promise<Impl>;
  torch: TorchSpec | null;
  /** Smoke mode: compare both libraries on identical inputs and weights. */
  check?(ctx: BenchContext): Promise<Agreement[]>;
}

// ---- FLOP counts (multiply-add = 2 FLOPs) ------------------------------------------------------

export function convFlops(n: number, c: number, o: number, oh: number, ow: number, k: number): number {
  return 2 * n * o * oh * ow * c * k * k;
}

/** Forward FLOPs of LeNet-5 on a batch (convs and linears; pools, ReLUs and the loss are noise). */
export function lenetForwardFlops(batch: number): number {
  return convFlops(batch, 1, 6, 28, 28, 5) + convFlops(batch, 6, 16, 10, 10, 5) + 2 * batch * (400 * 120 + 120 * 84 + 84 * 10);
}

/** FLOPs of a LeNet-5 training step: forward, and backward without conv1's input gradient. */
export function lenetStepFlops(batch: number): number {
  return 3 * lenetForwardFlops(batch) - convFlops(batch, 1, 6, 28, 28, 5);
}

/** Forward FLOPs of the ResNet stage: stem conv, four 3x3 convs, fc. */
export function resnetForwardFlops(batch: number, size: number, ch: number): number {
  return convFlops(batch, 3, ch, size, size, 3) + 4 * convFlops(batch, ch, ch, size, size, 3) + 2 * batch * ch * 10;
}

// ---- helpers -------------------------------------------------------------------------------------

const wtSync = (ctx: BenchContext) => () => ctx.device.sync();
const tfSync = (ctx: BenchContext) => () => ctx.tfjs.sync();
const flush = (ctx: BenchContext): void => wt.engineFor(ctx.device).flush([]);

async function wtData(t: wt.Tensor): Promise<Float32Array> {
  return (await t.data()) as Float32Array;
}

async function tfData(t: tf.Tensor): Promise<Float32Array> {
  return (await t.data()) as Float32Array;
}

function disposeGrad(t: wt.Tensor): void {
  if (t.grad) {
    t.grad.dispose();
    t.grad = null;
  }
}

function tfAdam(lr: number): tf.AdamOptimizer {
  // PyTorch's eps (tfjs defaults to 1e-7).
  return tf.train.adam(lr, 0.9, 0.999, 1e-8);
}

// ---- 1. LeNet-5 training step --------------------------------------------------------------------

function lenetStep(batch: number, smoke: boolean): BenchCase {
  const lr = 1e-3;
  return {
    id: 'lenet-step',
    title: `LeNet-5 training step (Adam), batch ${batch}, 1x28x28`,
    unit: 'images/s',
    workPerIter: batch,
    flopsPerIter: lenetStepFlops(batch),
    warmup: smoke ? 0 : 1,
    reps: smoke ? 1 : 5,
    targetRepMs: smoke ? 0 : 400,
    maxInner: 10,
    webtrainMissing: () => null,
    async webtrain(ctx) {
      wt.manualSeed(0);
      const model = new wt.LeNet5();
      const opt = new wt.optim.Adam(model.parameters(), { lr });
      const x = wt.tensor(randomArray(batch * 784, 1), { shape: [batch, 1, 28, 28] });
      const y = wt.tensor(randomLabels(batch, 10, 2), { shape: [batch], dtype: 'int32' });
      let last: wt.Tensor | null = null;
      return {
        iter() {
          const loss = F.crossEntropy(model.call(x), y);
          loss.backward();
          opt.step();
          opt.zeroGrad();
          last?.dispose();
          last = loss;
        },
        sync: wtSync(ctx),
        dispose() {
          last?.dispose();
          x.dispose();
          y.dispose();
          disposeWebtrain(model, opt);
        },
      };
    },
    async tfjs(ctx) {
      const model = tfjsLeNet5();
      const opt = tfAdam(lr);
      const x = tf.tensor4d(randomArray(batch * 784, 1), [batch, 28, 28, 1]);
      const labels = tf.tensor1d(randomLabels(batch, 10, 2), 'int32');
      const y = tf.oneHot(labels, 10);
      labels.dispose();
      let last: tf.Scalar | null = null;
      return {
        iter() {
          const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true);
          last?.dispose();
          last = loss;
        },
        sync: tfSync(ctx),
        dispose() {
          last?.dispose();
          tf.dispose([x, y]);
          opt.dispose();
          model.dispose();
        },
      };
    },
    torch: { kind: 'lenet_step', params: { batch } },
    async check() {
      // Same weights and batch: the losses of three consecutive Adam steps must agree.
      wt.manualSeed(0);
      const model = new wt.LeNet5();
      const opt = new wt.optim.Adam(model.parameters(), { lr: 1e-2 });
      const tmodel = tfjsLeNet5();
      await copyLeNetWeights(model, tmodel);
      const topt = tfAdam(1e-2);
      const xs = randomArray(batch * 784, 11);
      const ys = randomLabels(batch, 10, 12);
      const x = wt.tensor(xs, { shape: [batch, 1, 28, 28] });
      const y = wt.tensor(ys, { shape: [batch], dtype: 'int32' });
      const tx = tf.tensor4d(xs, [batch, 28, 28, 1]); // one channel: NCHW and NHWC coincide
      const ty = tf.oneHot(tf.tensor1d(ys, 'int32'), 10);
      const [a, b] = await lossesOfThreeSteps(model, opt, x, y, topt, tmodel, tx, ty);
      x.dispose();
      y.dispose();
      disposeWebtrain(model, opt);
      tf.dispose([tx, ty]);
      topt.dispose();
      tmodel.dispose();
      return [{ what: `losses of 3 Adam steps (${a.map((v) => v.toFixed(4)).join(', ')})`, relError: relativeError(a, b), tolerance: 1e-3 }];
    },
  };
}

// ---- 2. conv2d 3x3 -------------------------------------------------------------------------------

interface ConvShape {
  n: number;
  c: number;
  k: number;
  size: number;
}

function convData(s: ConvShape) {
  const { n, c, k, size } = s;
  const scale = 1 / Math.sqrt(c * 9);
  return {
    x: randomArray(n * c * size * size, 21),
    w: randomArray(k * c * 9, 22, scale),
    dy: randomArray(n * k * size * size, 23),
  };
}

function convCase(s: ConvShape, withGrads: boolean, smoke: boolean): BenchCase {
  const { n, c, k, size } = s;
  const fwd = convFlops(n, c, k, size, size, 3);
  const flops = withGrads ? 3 * fwd : fwd;
  return {
    id: withGrads ? 'conv-fwdbwd' : 'conv-fwd',
    title: `conv2d 3x3 ${c}->${k}, ${size}x${size}, batch ${n}, ${withGrads ? 'forward + input and weight gradients' : 'forward'}`,
    unit: 'GFLOP/s',
    workPerIter: flops,
    flopsPerIter: flops,
    warmup: smoke ? 0 : 1,
    reps: smoke ? 1 : 5,
    targetRepMs: smoke ? 0 : 300,
    maxInner: 20,
    webtrainMissing: () => null,
    async webtrain(ctx) {
      const d = convData(s);
      const x = wt.tensor(d.x, { shape: [n, c, size, size], requiresGrad: withGrads });
      const w = wt.tensor(d.w, { shape: [k, c, 3, 3], requiresGrad: withGrads });
      const dy = withGrads ? wt.tensor(d.dy, { shape: [n, k, size, size] }) : null;
      let y: wt.Tensor | null = null;
      return {
        iter() {
          y?.dispose();
          disposeGrad(x);
          disposeGrad(w);
          y = F.conv2d(x, w, null, { padding: 1 });
          if (dy) y.backward(dy);
          flush(ctx);
        },
        sync: wtSync(ctx),
        dispose() {
          y?.dispose();
          for (const t of [x, w, dy]) t?.dispose();
        },
      };
    },
    async tfjs(ctx) {
      const d = convData(s);
      const x = tf.tensor4d(nchwToNhwc(d.x, n, c, size, size), [n, size, size, c]);
      const w = tf.tensor4d(oihwToHwio(d.w, k, c, 3, 3), [3, 3, c, k]);
      const dy = withGrads ? tf.tensor4d(nchwToNhwc(d.dy, n, k, size, size), [n, size, size, k]) : null;
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'));
      let outs: tf.Tensor[] = [];
      return {
        iter() {
          tf.dispose(outs);
          outs = dy ? grads([x, w], dy) : [tf.conv2d(x, w, 1, 'same')];
        },
        sync: tfSync(ctx),
        dispose() {
          tf.dispose([...outs, x, w, ...(dy ? [dy] : [])]);
        },
      };
    },
    torch: { kind: withGrads ? 'conv_fwdbwd' : 'conv_fwd', params: { n, c, k, size } },
    async check() {
      const d = convData(s);
      const x = wt.tensor(d.x, { shape: [n, c, size, size], requiresGrad: withGrads });
      const w = wt.tensor(d.w, { shape: [k, c, 3, 3], requiresGrad: withGrads });
      const dy = wt.tensor(d.dy, { shape: [n, k, size, size] });
      const y = F.conv2d(x, w, null, { padding: 1 });
      if (withGrads) y.backward(dy);
      const tx = tf.tensor4d(nchwToNhwc(d.x, n, c, size, size), [n, size, size, c]);
      const tw = tf.tensor4d(oihwToHwio(d.w, k, c, 3, 3), [3, 3, c, k]);
      const tdy = tf.tensor4d(nchwToNhwc(d.dy, n, k, size, size), [n, size, size, k]);
      const ty = tf.conv2d(tx, tw, 1, 'same');
      const out: Agreement[] = [
        { what: 'conv output', relError: relativeError(await wtData(y), nhwcToNchw(await tfData(ty), n, k, size, size)), tolerance: 1e-4 },
      ];
      if (withGrads) {
        const [tdx, tdw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))([tx, tw], tdy);
        out.push({ what: 'input gradient', relError: relativeError(await wtData(x.grad!), nhwcToNchw(await tfData(tdx!), n, c, size, size)), tolerance: 1e-4 });
        out.push({ what: 'weight gradient', relError: relativeError(await wtData(w.grad!), hwioToOihw(await tfData(tdw!), k, c, 3, 3)), tolerance: 1e-4 });
        tf.dispose([tdx!, tdw!]);
      }
      tf.dispose([tx, tw, tdy, ty]);
      for (const t of [y, x, w, dy]) t.dispose();
      return out;
    },
  };
}

// ---- 3. matmul -----------------------------------------------------------------------------------

function matmulCase(size: number, smoke: boolean, id: string): BenchCase {
  const flops = 2 * size * size * size;
  return {
    id,
    title: `matmul ${size}x${size}x${size}`,
    unit: 'GFLOP/s',
    workPerIter: flops,
    flopsPerIter: flops,
    warmup: smoke ? 0 : 1,
    reps: smoke ? 1 : 5,
    targetRepMs: smoke ? 0 : 300,
    maxInner: 20,
    webtrainMissing: () => null,
    async webtrain(ctx) {
      const a = wt.tensor(randomArray(size * size, 31), { shape: [size, size] });
      const b = wt.tensor(randomArray(size * size, 32), { shape: [size, size] });
      let c: wt.Tensor | null = null;
      return {
        iter() {
          c?.dispose();
          c = wt.ops.matmul(a, b);
          flush(ctx);
        },
        sync: wtSync(ctx),
        dispose() {
          c?.dispose();
          a.dispose();
          b.dispose();
        },
      };
    },
    async tfjs(ctx) {
      const a = tf.tensor2d(randomArray(size * size, 31), [size, size]);
      const b = tf.tensor2d(randomArray(size * size, 32), [size, size]);
      let c: tf.Tensor | null = null;
      return {
        iter() {
          c?.dispose();
          c = tf.matMul(a, b);
        },
        sync: tfSync(ctx),
        dispose() {
          tf.dispose([a, b]);
          c?.dispose();
        },
      };
    },
    torch: { kind: 'matmul', params: { size } },
    async check() {
      const ad = randomArray(size * size, 33);
      const bd = randomArray(size * size, 34);
      const c = wt.ops.matmul(wt.tensor(ad, { shape: [size, size] }), wt.tensor(bd, { shape: [size, size] }));
      const tc = tf.matMul(tf.tensor2d(ad, [size, size]), tf.tensor2d(bd, [size, size]));
      const e = relativeError(await wtData(c), await tfData(tc));
      c.dispose();
      tc.dispose();
      return [{ what: 'product', relError: e, tolerance: 1e-5 }];
    },
  };
}

// ---- 4. ResNet stage-1 training step -------------------------------------------------------------

function resnetStep(batch: number, size: number, channels: number, smoke: boolean): BenchCase {
  const lr = 0.01;
  return {
    id: 'resnet-step',
    title: `ResNet-18 stage 1 training step (3x3 stem + 2 basic blocks, BN, ${channels} ch, SGD momentum), batch ${batch}, 3x${size}x${size}`,
    unit: 'images/s',
    workPerIter: batch,
    flopsPerIter: 3 * resnetForwardFlops(batch, size, channels) - convFlops(batch, 3, channels, size, size, 3),
    warmup: smoke ? 0 : 1,
    reps: smoke ? 1 : 5,
    targetRepMs: smoke ? 0 : 400,
    maxInner: 10,
    projectFrom: 'conv-fwdbwd',
    webtrainMissing: () => null,
    async webtrain(ctx) {
      wt.manualSeed(0);
      const model = new ResNetStage1(channels);
      const opt = new wt.optim.SGD(model.parameters(), { lr, momentum: 0.9 });
      const x = wt.tensor(randomArray(batch * 3 * size * size, 41), { shape: [batch, 3, size, size] });
      const y = wt.tensor(randomLabels(batch, 10, 42), { shape: [batch], dtype: 'int32' });
      let last: wt.Tensor | null = null;
      return {
        iter() {
          const loss = F.crossEntropy(model.call(x), y);
          loss.backward();
          opt.step();
          opt.zeroGrad();
          last?.dispose();
          last = loss;
        },
        sync: wtSync(ctx),
        dispose() {
          last?.dispose();
          x.dispose();
          y.dispose();
          disposeWebtrain(model, opt);
        },
      };
    },
    async tfjs(ctx) {
      const model = tfjsResNetStage1(size, channels);
      const opt = tf.train.momentum(lr, 0.9);
      const x = tf.tensor4d(nchwToNhwc(randomArray(batch * 3 * size * size, 41), batch, 3, size, size), [batch, size, size, 3]);
      const labels = tf.tensor1d(randomLabels(batch, 10, 42), 'int32');
      const y = tf.oneHot(labels, 10);
      labels.dispose();
      let last: tf.Scalar | null = null;
      return {
        iter() {
          const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true);
          last?.dispose();
          last = loss;
        },
        sync: tfSync(ctx),
        dispose() {
          last?.dispose();
          tf.dispose([x, y]);
          opt.dispose();
          model.dispose();
        },
      };
    },
    torch: { kind: 'resnet_step', params: { batch, size, channels } },
    async check() {
      // Same weights and batch: the losses of three SGD-momentum steps (BN on batch statistics).
      wt.manualSeed(0);
      const model = new ResNetStage1(channels);
      const opt = new wt.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
      const tmodel = tfjsResNetStage1(size, channels);
      await copyResNetWeights(model, tmodel);
      const topt = tf.train.momentum(0.05, 0.9);
      const xs = randomArray(batch * 3 * size * size, 51);
      const ys = randomLabels(batch, 10, 52);
      const x = wt.tensor(xs, { shape: [batch, 3, size, size] });
      const y = wt.tensor(ys, { shape: [batch], dtype: 'int32' });
      const tx = tf.tensor4d(nchwToNhwc(xs, batch, 3, size, size), [batch, size, size, 3]);
      const ty = tf.oneHot(tf.tensor1d(ys, 'int32'), 10);
      const [a, b] = await lossesOfThreeSteps(model, opt, x, y, topt, tmodel, tx, ty);
      x.dispose();
      y.dispose();
      disposeWebtrain(model, opt);
      tf.dispose([tx, ty]);
      topt.dispose();
      tmodel.dispose();
      return [{ what: `losses of 3 SGD steps (${a.map((v) => v.toFixed(4)).join(', ')})`, relError: relativeError(a, b), tolerance: 1e-3 }];
    },
  };
}

// ---- 5. The main job's epoch ---------------------------------------------------------------------

function mnistEpoch(images: number, batch: number, smoke: boolean): BenchCase {
  const lr = 1e-3;
  return {
    id: 'mnist-epoch',
    title: `main job epoch: LeNet-5 on ${images} MNIST digits, batch ${batch}, Adam, data loading + augmentation + loss/accuracy readback included`,
    unit: 'images/s',
    workPerIter: images,
    flopsPerIter: (images / batch) * lenetStepFlops(batch),
    warmup: smoke ? 0 : 1,
    reps: smoke ? 1 : 5,
    targetRepMs: 0,
    maxInner: 1,
    warmScale: Math.ceil(images / batch),
    projectFrom: 'lenet-step',
    webtrainMissing: () => null,
    async webtrain(ctx) {
      const mnist = await ctx.mnist();
      wt.manualSeed(0);
      const model = new wt.LeNet5();
      const opt = new wt.optim.Adam(model.parameters(), { lr });
      const loader = (n: number) =>
        new wt.DataLoader(epochSubset(mnist, n), { batchSize: batch, shuffle: true, seed: 0, transform: mainJobTransform(), device: ctx.device });
      const epoch = loader(images);
      const warm = loader(batch);
      return {
        async iter() {
          await wt.fit({ model, optimizer: opt, train: epoch, epochs: 1 });
        },
        async warm() {
          await wt.fit({ model, optimizer: opt, train: warm, epochs: 1 });
        },
        sync: wtSync(ctx),
        dispose() {
          disposeWebtrain(model, opt);
        },
      };
    },
    async tfjs(ctx) {
      const mnist = await ctx.mnist();
      const model = tfjsLeNet5();
      const opt = tfAdam(lr);
      const gen = new wt.Generator(0);
      const transform = mainJobTransform();
      // The same loop as wt.fit: per batch, build it on the CPU, upload, one Adam step, count the
      // hits; read the previous step's loss and hits while this one runs.
      const run = async (data: wt.ImageDataset): Promise<void> => {
        const pending: Promise<[number, number]>[] = [];
        let lossSum = 0;
        let correct = 0;
        const settle = async (p: Promise<[number, number]>) => {
          const [l, c] = await p;
          lossSum += l;
          correct += c;
        };
        for (const b of hostBatches(data, batch, gen, transform)) {
          const xs = tf.tensor4d(b.x, [b.n, 28, 28, 1]); // one channel: NCHW and NHWC coincide
          const yi = tf.tensor1d(b.y, 'int32');
          const ys = tf.oneHot(yi, 10);
          let logits: tf.Tensor | null = null;
          const loss = opt.minimize(() => {
            const out = model.apply(xs, { training: true }) as tf.Tensor;
            logits = tf.keep(out);
            return tf.losses.softmaxCrossEntropy(ys, out) as tf.Scalar;
          }, true)!;
          const hits = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits!, 1), yi), 'int32')));
          pending.push(
            Promise.all([loss.data(), hits.data()]).then(([l, c]) => {
              tf.dispose([loss, hits]);
              return [l[0]!, c[0]!] as [number, number];
            }),
          );
          tf.dispose([xs, yi, ys, logits!]);
          if (pending.length > 1) await settle(pending.shift()!);
        }
        while (pending.length > 0) await settle(pending.shift()!);
        if (!Number.isFinite(lossSum) || correct < 0) throw new Error('tfjs epoch: the loss is not finite');
      };
      const epoch = epochSubset(mnist, images);
      const warm = epochSubset(mnist, batch);
      return {
        iter: () => run(epoch),
        warm: () => run(warm),
        sync: tfSync(ctx),
        dispose() {
          opt.dispose();
          model.dispose();
        },
      };
    },
    torch: { kind: 'mnist_epoch', params: { images, batch } },
  };
}

// ---- the list ------------------------------------------------------------------------------------

export interface CaseOptions {
  smoke: boolean;
}

export function benchCases(o: CaseOptions): BenchCase[] {
  const s = o.smoke;
  const conv: ConvShape = s ? { n: 2, c: 8, k: 12, size: 10 } : { n: 8, c: 64, k: 64, size: 32 };
  // The main job's figures first: when the time budget runs out on a loaded machine, the cases
  // cut are the single-kernel ones.
  return [
    lenetStep(s ? 8 : 64, s),
    mnistEpoch(s ? 32 : 256, s ? 16 : 64, s),
    convCase(conv, false, s),
    convCase(conv, true, s),
    matmulCase(s ? 64 : 512, s, 'matmul-512'),
    matmulCase(s ? 100 : 1024, s, 'matmul-1024'),
    resnetStep(s ? 2 : 16, s ? 8 : 32, s ? 8 : 64, s),
  ];
}

export const CASE_IDS = ['lenet-step', 'mnist-epoch', 'conv-fwd', 'conv-fwdbwd', 'matmul-512', 'matmul-1024', 'resnet-step'] as const;

/**
 * Three training steps of the same model in both libraries on the same batch (weights copied
 * before): each library's losses, for the agreement checks.
 */
async function lossesOfThreeSteps(
  model: wt.nn.Module,
  opt: { step(): void; zeroGrad(): void },
  x: wt.Tensor,
  y: wt.Tensor,
  topt: tf.Optimizer,
  tmodel: tf.LayersModel,
  tx: tf.Tensor,
  ty: tf.Tensor,
): Promise<[number[], number[]]> {
  const a: number[] = [];
  const b: number[] = [];
  for (let s = 0; s < 3; s++) {
    const loss = F.crossEntropy(model.call(x), y);
    loss.backward();
    opt.step();
    opt.zeroGrad();
    a.push(await loss.item());
    loss.dispose();
    const tl = topt.minimize(() => tf.losses.softmaxCrossEntropy(ty, tmodel.apply(tx, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
    b.push((await tl.data())[0]!);
    tl.dispose();
  }
  return [a, b];
}
