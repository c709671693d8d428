/**
 * The benchmark's models in both libraries, built from each one's public API: LeNet-5 as
 * tf.layers (webtrain's is wt.LeNet5), and the first stage of ResNet-18 at CIFAR size (3x3 stem
 * conv + BN + ReLU, two basic blocks of 64 channels, global average pool, linear 10).
 *
 * tfjs runs NHWC (its native layout; it has no NCHW convolutions on WebGPU) and webtrain NCHW: the
 * same shapes and work, each library in the layout it is built for.
 */
import * as wt from '../src/index.ts';
import { tf } from './tfjs-backend.ts';

const F = wt.nn.functional;

export function tfjsLeNet5(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 120, activation: 'relu' }),
      tf.layers.dense({ units: 84, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

/**
 * Copies a wt.LeNet5's weights into tfjsLeNet5(): conv OIHW -> HWIO, linear [out, in] -> [in, out],
 * and fc1's inputs reordered from NCHW flattening (c, h, w) to NHWC flattening (h, w, c).
 */
export async function copyLeNetWeights(src: wt.LeNet5, dst: tf.Sequential): Promise<void> {
  const { oihwToHwio, transpose2d } = await import('./data.ts');
  const data = async (t: wt.Tensor): Promise<Float32Array> => (await t.data()) as Float32Array;
  const c1 = oihwToHwio(await data(src.conv1.weight), 6, 1, 5, 5);
  const c2 = oihwToHwio(await data(src.conv2.weight), 16, 6, 5, 5);
  const fc1 = await data(src.fc1.weight); // [120, 400], input index c*25 + h*5 + w
  const fc1k = new Float32Array(400 * 120); // [400, 120], input index (h*5 + w)*16 + c
  for (let o = 0; o < 120; o++)
    for (let c = 0; c < 16; c++)
      for (let hw = 0; hw < 25; hw++) fc1k[(hw * 16 + c) * 120 + o] = fc1[o * 400 + c * 25 + hw]!;
  const weights = [
    tf.tensor(c1, [5, 5, 1, 6]),
    tf.tensor(await data(src.conv1.bias!), [6]),
    tf.tensor(c2, [5, 5, 6, 16]),
    tf.tensor(await data(src.conv2.bias!), [16]),
    tf.tensor(fc1k, [400, 120]),
    tf.tensor(await data(src.fc1.bias!), [120]),
    tf.tensor(transpose2d(await data(src.fc2.weight), 84, 120), [120, 84]),
    tf.tensor(await data(src.fc2.bias!), [84]),
    tf.tensor(transpose2d(await data(src.fc3.weight), 10, 84), [84, 10]),
    tf.tensor(await data(src.fc3.bias!), [10]),
  ];
  dst.setWeights(weights);
  tf.dispose(weights);
}

/** webtrain's BatchNorm2d once it exists (another engineer is adding it), else null. */
export function webtrainBatchNorm2d(): (new (numFeatures: number) => wt.nn.Module) | null {
  const bn = (wt.nn as unknown as Record<string, unknown>)['BatchNorm2d'];
  return typeof bn === 'function' ? (bn as new (numFeatures: number) => wt.nn.Module) : null;
}

export const RESNET_NA = 'n/a (BatchNorm2d not in webtrain yet)';

/** torchvision's BasicBlock without downsampling: conv-bn-relu-conv-bn, + x, relu. */
class BasicBlock extends wt.nn.Module {
  conv1: wt.nn.Conv2d;
  bn1: wt.nn.Module;
  conv2: wt.nn.Conv2d;
  bn2: wt.nn.Module;

  constructor(channels: number, BN: new (n: number) => wt.nn.Module) {
    super();
    this.conv1 = new wt.nn.Conv2d(channels, channels, 3, { padding: 1, bias: false });
    this.bn1 = new BN(channels);
    this.conv2 = new wt.nn.Conv2d(channels, channels, 3, { padding: 1, bias: false });
    this.bn2 = new BN(channels);
  }

  forward(x: wt.Tensor): wt.Tensor {
    const out = F.relu(this.bn1.call(this.conv1.call(x)));
    return F.relu(this.bn2.call(this.conv2.call(out)).add(x));
  }
}

/** ResNet-18's stem and layer1 at CIFAR size (3x3 stem, no max pool), then pool + fc. */
export class ResNetStage1 extends wt.nn.Module {
  conv1: wt.nn.Conv2d;
  bn1: wt.nn.Module;
  layer1: wt.nn.Sequential;
  fc: wt.nn.Linear;

  constructor(channels: number, BN: new (n: number) => wt.nn.Module) {
    super();
    this.conv1 = new wt.nn.Conv2d(3, channels, 3, { padding: 1, bias: false });
    this.bn1 = new BN(channels);
    this.layer1 = new wt.nn.Sequential(new BasicBlock(channels, BN), new BasicBlock(channels, BN));
    this.fc = new wt.nn.Linear(channels, 10);
  }

  forward(x: wt.Tensor): wt.Tensor {
    const h = this.layer1.call(F.relu(this.bn1.call(this.conv1.call(x))));
    return this.fc.call(h.mean([2, 3]));
  }
}

export function tfjsResNetStage1(size: number, channels: number): tf.LayersModel {
  const conv = () => tf.layers.conv2d({ filters: channels, kernelSize: 3, padding: 'same', useBias: false });
  const bn = () => tf.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-5 });
  const relu = () => tf.layers.reLU();
  const input = tf.input({ shape: [size, size, 3] });
  let h = relu().apply(bn().apply(conv().apply(input))) as tf.SymbolicTensor;
  for (let b = 0; b < 2; b++) {
    const out = relu().apply(bn().apply(conv().apply(h))) as tf.SymbolicTensor;
    const out2 = bn().apply(conv().apply(out)) as tf.SymbolicTensor;
    h = relu().apply(tf.layers.add().apply([out2, h])) as tf.SymbolicTensor;
  }
  const logits = tf.layers.dense({ units: 10 }).apply(tf.layers.globalAveragePooling2d({}).apply(h)) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits });
}

/** Frees a webtrain model's parameters and buffers and an optimizer's state. */
export function disposeWebtrain(model: wt.nn.Module, optimizer?: object): void {
  for (const p of model.parameters()) p.dispose();
  for (const [, b] of model.namedBuffers()) b.dispose();
  // Adam keeps `state`, SGD its momentum `buffers` (private; read here only to free them).
  const o = (optimizer ?? {}) as Record<string, unknown>;
  const maps = [o['state'], o['buffers']];
  for (const m of maps) {
    if (!(m instanceof Map)) continue;
    for (const v of m.values()) {
      if (v instanceof wt.Tensor) v.dispose();
      else if (v && typeof v === 'object') for (const t of Object.values(v)) if (t instanceof wt.Tensor) t.dispose();
    }
  }
}
