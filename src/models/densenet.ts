/**
 * DenseNet-BC (Huang et al., "Densely Connected Convolutional Networks", 2017), as torchvision 0.14
 * builds it (`models/densenet.py`), following the paper's Table 1 (ImageNet): a 7x7/2 conv stem
 * and 3x3/2 max pool, four dense blocks of 6-12-24-16 (121), 6-12-32-32 (169), 6-12-48-32 (201) or
 * 6-12-36-24 (161, growth rate 48, 96 stem features) layers, transitions (BN, ReLU, 1x1 conv
 * halving the channels, 2x2 average pool) between them, a final BN, ReLU, global average pool and
 * the classifier. Each dense layer is BN-ReLU-1x1 conv (bnSize * growthRate channels)-BN-ReLU-3x3
 * conv (growthRate channels) on the concatenation of all earlier feature maps of its block.
 *
 * State-dict keys are torchvision's: features.conv0.weight, features.norm0.*,
 * features.denseblock1.denselayer1.norm1.weight, ..., features.transition1.conv.weight, ...,
 * features.norm5.*, classifier.*. Initialization as torchvision: Kaiming-normal conv weights,
 * batch norm 1 / 0, classifier bias 0.
 *
 * Input: nominally 3x224x224; the smallest that works is 29x29 (the last transition's pool needs a
 * 2x2 map). memoryEfficient (torchvision's gradient checkpointing of the concatenation and
 * bottleneck) is accepted and has no effect: the step's compiled plan already places every
 * intermediate by its lifetime, and the values are the same either way.
 */
import { ArgumentError } from '../errors.js';
import { AvgPool2d, BatchNorm2d, Conv2d, Linear, MaxPool2d, Module, ReLU, Sequential, init } from '../nn/index.js';
import * as F from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { builderOptions, flag, positiveInt, probability } from './checks.js';

/** One dense layer (torchvision's _DenseLayer): BN-ReLU-1x1 conv-BN-ReLU-3x3 conv on the concatenated inputs. */
export class DenseLayer extends Module {
  norm1: BatchNorm2d;
  relu1: ReLU;
  conv1: Conv2d;
  norm2: BatchNorm2d;
  relu2: ReLU;
  conv2: Conv2d;
  readonly dropRate: number;
  readonly memoryEfficient: boolean;

  constructor(numInputFeatures: number, growthRate: number, bnSize: number, dropRate: number, memoryEfficient = false) {
    super();
    this.norm1 = new BatchNorm2d(numInputFeatures);
    this.relu1 = new ReLU();
    this.conv1 = new Conv2d(numInputFeatures, bnSize * growthRate, 1, { bias: false });
    this.norm2 = new BatchNorm2d(bnSize * growthRate);
    this.relu2 = new ReLU();
    this.conv2 = new Conv2d(bnSize * growthRate, growthRate, 3, { padding: 1, bias: false });
    this.dropRate = dropRate;
    this.memoryEfficient = memoryEfficient;
  }

  /** inputs: the block's input and every earlier layer's output, concatenated on channels. */
  forward(...inputs: Tensor[]): Tensor {
    const x = inputs.length === 1 ? inputs[0]! : F.cat(inputs, 1);
    const bottleneck = this.conv1.call(this.relu1.call(this.norm1.call(x)));
    const y = this.conv2.call(this.relu2.call(this.norm2.call(bottleneck)));
    return this.dropRate > 0 ? F.dropout(y, this.dropRate, this.training) : y;
  }
}

/** numLayers dense layers named denselayer1 ... (torchvision's _DenseBlock); output: all their features and the input, concatenated. */
export class DenseBlock extends Module {
  constructor(numLayers: number, numInputFeatures: number, bnSize: number, growthRate: number, dropRate: number, memoryEfficient = false) {
    super();
    for (let i = 0; i < numLayers; i++) {
      const layer = new DenseLayer(numInputFeatures + i * growthRate, growthRate, bnSize, dropRate, memoryEfficient);
      (this as unknown as Record<string, Module>)[`denselayer${i + 1}`] = layer;
    }
  }

  forward(x: Tensor): Tensor {
    const features = [x];
    for (const layer of this.children()) features.push(layer.call(...features));
    return F.cat(features, 1);
  }
}

/** Between dense blocks (torchvision's _Transition): BN, ReLU, 1x1 conv, 2x2 average pool. */
export class Transition extends Sequential {
  norm: BatchNorm2d;
  relu: ReLU;
  conv: Conv2d;
  pool: AvgPool2d;

  constructor(numInputFeatures: number, numOutputFeatures: number) {
    super();
    this.norm = new BatchNorm2d(numInputFeatures);
    this.relu = new ReLU();
    this.conv = new Conv2d(numInputFeatures, numOutputFeatures, 1, { bias: false });
    this.pool = new AvgPool2d(2, { stride: 2 });
  }
}

/** A Sequential whose children have names (PyTorch's Sequential(OrderedDict(...))). */
function namedSequential(children: [string, Module][]): Sequential {
  const s = new Sequential();
  for (const [name, m] of children) (s as unknown as Record<string, Module>)[name] = m;
  return s;
}

export interface DenseNetOptions {
  /** Channels each dense layer adds (k in the paper; 32, 48 for DenseNet-161). */
  growthRate?: number;
  /** Layers in each of the dense blocks ([6, 12, 24, 16] for DenseNet-121). */
  blockConfig?: readonly number[];
  /** Channels of the stem convolution (64, 96 for DenseNet-161). */
  numInitFeatures?: number;
  /** Bottleneck width factor: the 1x1 conv has bnSize * growthRate channels (default 4). */
  bnSize?: number;
  /** Dropout after each dense layer (default 0). */
  dropRate?: number;
  numClasses?: number;
  /** torchvision's checkpointing switch; accepted, no effect (see the file comment). */
  memoryEfficient?: boolean;
}

/** DenseNet-BC, torchvision's DenseNet; see the file comment. */
export class DenseNet extends Module {
  features: Sequential;
  classifier: Linear;

  constructor(options: DenseNetOptions = {}, builder = 'DenseNet') {
    super();
    const b = builder;
    const o = builderOptions(b, options, {
      growthRate: 32,
      blockConfig: [6, 12, 24, 16] as readonly number[],
      numInitFeatures: 64,
      bnSize: 4,
      dropRate: 0,
      numClasses: 1000,
      memoryEfficient: false,
    });
    const growthRate = positiveInt(b, 'growthRate', o.growthRate);
    const numInitFeatures = positiveInt(b, 'numInitFeatures', o.numInitFeatures);
    const bnSize = positiveInt(b, 'bnSize', o.bnSize);
    const dropRate = probability(b, 'dropRate', o.dropRate);
    const numClasses = positiveInt(b, 'numClasses', o.numClasses);
    const memoryEfficient = flag(b, 'memoryEfficient', o.memoryEfficient);
    if (!Array.isArray(o.blockConfig) || o.blockConfig.length === 0) {
      throw new ArgumentError(`${b}: blockConfig must be a non-empty array of layer counts, got ${JSON.stringify(o.blockConfig)}`);
    }
    const blockConfig = o.blockConfig.map((n, i) => positiveInt(b, `blockConfig[${i}]`, n));

    const children: [string, Module][] = [
      ['conv0', new Conv2d(3, numInitFeatures, 7, { stride: 2, padding: 3, bias: false })],
      ['norm0', new BatchNorm2d(numInitFeatures)],
      ['relu0', new ReLU()],
      ['pool0', new MaxPool2d(3, { stride: 2, padding: 1 })],
    ];
    let numFeatures = numInitFeatures;
    blockConfig.forEach((numLayers, i) => {
      children.push([`denseblock${i + 1}`, new DenseBlock(numLayers, numFeatures, bnSize, growthRate, dropRate, memoryEfficient)]);
      numFeatures += numLayers * growthRate;
      if (i !== blockConfig.length - 1) {
        children.push([`transition${i + 1}`, new Transition(numFeatures, Math.floor(numFeatures / 2))]);
        numFeatures = Math.floor(numFeatures / 2);
      }
    });
    children.push(['norm5', new BatchNorm2d(numFeatures)]);
    this.features = namedSequential(children);
    this.classifier = new Linear(numFeatures, numClasses);

    for (const m of this.modules()) {
      if (m instanceof Conv2d) init.kaimingNormal_(m.weight);
      else if (m instanceof BatchNorm2d) {
        init.constant_(m.weight!, 1);
        init.constant_(m.bias!, 0);
      } else if (m instanceof Linear) init.constant_(m.bias!, 0);
    }
  }

  forward(x: Tensor): Tensor {
    const h = F.relu(this.features.call(x));
    return this.classifier.call(F.flatten(F.adaptiveAvgPool2d(h, [1, 1]), 1));
  }
}

/** torchvision's configurations: [growthRate, blockConfig, numInitFeatures]. */
const CONFIGS = {
  densenet121: [32, [6, 12, 24, 16], 64],
  densenet161: [48, [6, 12, 36, 24], 96],
  densenet169: [32, [6, 12, 32, 32], 64],
  densenet201: [32, [6, 12, 48, 32], 64],
} as const;

function densenet(name: keyof typeof CONFIGS, options: DenseNetOptions): DenseNet {
  const [growthRate, blockConfig, numInitFeatures] = CONFIGS[name];
  return new DenseNet({ growthRate, blockConfig, numInitFeatures, ...options }, name);
}

/** DenseNet-121 (k 32, blocks 6-12-24-16, 64 stem features); other options as DenseNet's. */
export function densenet121(options: DenseNetOptions = {}): DenseNet {
  return densenet('densenet121', options);
}

/** DenseNet-161 (k 48, blocks 6-12-36-24, 96 stem features). */
export function densenet161(options: DenseNetOptions = {}): DenseNet {
  return densenet('densenet161', options);
}

/** DenseNet-169 (k 32, blocks 6-12-32-32). */
export function densenet169(options: DenseNetOptions = {}): DenseNet {
  return densenet('densenet169', options);
}

/** DenseNet-201 (k 32, blocks 6-12-48-32). */
export function densenet201(options: DenseNetOptions = {}): DenseNet {
  return densenet('densenet201', options);
}
