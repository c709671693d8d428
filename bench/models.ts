/**
 * The benchmark's models in both libraries, built from each one's public API: LeNet-5 as
 * tf.layers (webtrain's is wt.LeNet5), and the first stage of ResNet-18 at CIFAR size (3x3 stem
 * conv + BN + ReLU, two basic blocks of 64 channels, global average pool, linear 10).
 *
 * tfjs runs NHWC (its native layout; it has no NCHW convolutions on WebGPU) and webtrain NCHW: the
 * same shapes and work, each library in the layout it is built for.
 */
import * as wt from '../src/index.ts';
import { oihwToHwio, transpose2d } from './data.ts';
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

/** torchvision's BasicBlock without downsampling: conv-bn-relu-conv-bn, + x, relu. */
class BasicBlock extends wt.nn.Module {
  conv1: wt.nn.Conv2d;
  bn1: wt.nn.BatchNorm2d;
  conv2: wt.nn.Conv2d;
  bn2: wt.nn.BatchNorm2d;

  constructor(channels: number) {
    super();
    this.conv1 = new wt.nn.Conv2d(channels, channels, 3, { padding: 1, bias: false });
    this.bn1 = new wt.nn.BatchNorm2d(channels);
    this.conv2 = new wt.nn.Conv2d(channels, channels, 3, { padding: 1, bias: false });
    this.bn2 = new wt.nn.BatchNorm2d(channels);
  }

  forward(x: wt.Tensor): wt.Tensor {
    const out = F.relu(this.bn1.call(this.conv1.call(x)));
    return F.relu(this.bn2.call(this.conv2.call(out)).add(x));
  }
}

/** ResNet-18's stem and layer1 at CIFAR size (3x3 stem, no max pool), then pool + fc. */
export class ResNetStage1 extends wt.nn.Module {
  conv1: wt.nn.Conv2d;
  bn1: wt.nn.BatchNorm2d;
  layer1: wt.nn.Sequential;
  fc: wt.nn.Linear;

  constructor(channels: number) {
    super();
    this.conv1 = new wt.nn.Conv2d(3, channels, 3, { padding: 1, bias: false });
    this.bn1 = new wt.nn.BatchNorm2d(channels);
    this.layer1 = new wt.nn.Sequential(new BasicBlock(channels), new BasicBlock(channels));
    this.fc = new wt.nn.Linear(channels, 10);
  }

  forward(x: wt.Tensor): wt.Tensor {
    const h = this.layer1.call(F.relu(this.bn1.call(this.conv1.call(x))));
    return this.fc.call(h.mean([2, 3]));
  }
}

/** The same network in tf.layers; layers are named as the PyTorch/webtrain modules they mirror. */
export function tfjsResNetStage1(size: number, channels: number): tf.LayersModel {
  const conv = (name: string) => tf.layers.conv2d({ name, filters: channels, kernelSize: 3, padding: 'same', useBias: false });
  const bn = (name: string) => tf.layers.batchNormalization({ name, axis: -1, momentum: 0.9, epsilon: 1e-5 });
  const relu = () => tf.layers.reLU();
  const input = tf.input({ shape: [size, size, 3] });
  let h = relu().apply(bn('bn1').apply(conv('conv1').apply(input))) as tf.SymbolicTensor;
  for (let b = 0; b < 2; b++) {
    const p = `layer1.${b}`;
    const out = relu().apply(bn(`${p}.bn1`).apply(conv(`${p}.conv1`).apply(h))) as tf.SymbolicTensor;
    const out2 = bn(`${p}.bn2`).apply(conv(`${p}.conv2`).apply(out)) as tf.SymbolicTensor;
    h = relu().apply(tf.layers.add().apply([out2, h])) as tf.SymbolicTensor;
  }
  const pooled = tf.layers.globalAveragePooling2d({}).apply(h);
  const logits = tf.layers.dense({ name: 'fc', units: 10 }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits });
}

/** Copies a ResNetStage1's parameters into tfjsResNetStage1() by layer name (conv OIHW -> HWIO). */
export async function copyResNetWeights(src: ResNetStage1, dst: tf.LayersModel): Promise<void> {
  const data = async (t: wt.Tensor): Promise<Float32Array> => (await t.data()) as Float32Array;
  const made: tf.Tensor[] = [];
  const t = (a: Float32Array, shape: number[]): tf.Tensor => {
    const x = tf.tensor(a, shape);
    made.push(x);
    return x;
  };
  for (const [name, m] of src.namedModules()) {
    const layer = name ? dst.layers.find((l) => l.name === name) : undefined;
    if (!layer) continue;
    if (m instanceof wt.nn.Conv2d) {
      const [o, i, kh, kw] = m.weight.shape as [number, number, number, number];
      layer.setWeights([t(oihwToHwio(await data(m.weight), o, i, kh, kw), [kh, kw, i, o])]);
    } else if (m instanceof wt.nn.BatchNorm2d) {
      const c = m.numFeatures;
      layer.setWeights([t(await data(m.weight!), [c]), t(await data(m.bias!), [c]), t(new Float32Array(c), [c]), t(new Float32Array(c).fill(1), [c])]);
    } else if (m instanceof wt.nn.Linear) {
      layer.setWeights([t(transpose2d(await data(m.weight), m.outFeatures, m.inFeatures), [m.inFeatures, m.outFeatures]), t(await data(m.bias!), [m.outFeatures])]);
    }
  }
  tf.dispose(made);
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
