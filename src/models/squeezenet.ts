/**
 * SqueezeNet. Iandola et al., "SqueezeNet: AlexNet-level accuracy with 50x fewer parameters and
 * <0.5MB model size" (2016), Table 1 (version 1.0) and the 1.1 configuration of the authors'
 * repository (3x3 stem of 64, earlier pooling: 2.4x less computation, same accuracy). torchvision
 * 0.14's form: `features.N` with Fire modules (squeeze 1x1 -> expand 1x1 and 3x3, concatenated),
 * 3x3/2 max pools in ceil mode, and a convolutional classifier (dropout, 1x1 conv to the classes,
 * ReLU, global average pool); kaiming-uniform conv init, N(0, 0.01) for the final conv.
 * Parameters with 1000 classes: 1,248,424 (1.0), 1,235,496 (1.1).
 * Input [N, 3, H, W]: H, W >= 21 for 1.0 and >= 17 for 1.1 (torchvision's min_size).
 */
import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import * as F from '../ops/index.js';
import { AdaptiveAvgPool2d, Conv2d, Dropout, MaxPool2d, Module, ReLU, Sequential, init } from '../nn/index.js';
import { builderOptions } from './builder-options.js';

/** A Fire module: squeeze 1x1 conv + ReLU, then expand 1x1 and 3x3 convs + ReLU, concatenated on channels. */
export class Fire extends Module {
  readonly inplanes: number;
  squeeze: Conv2d;
  squeezeActivation: ReLU;
  expand1x1: Conv2d;
  expand1x1Activation: ReLU;
  expand3x3: Conv2d;
  expand3x3Activation: ReLU;

  constructor(inplanes: number, squeezePlanes: number, expand1x1Planes: number, expand3x3Planes: number) {
    super();
    this.inplanes = inplanes;
    this.squeeze = new Conv2d(inplanes, squeezePlanes, 1);
    this.squeezeActivation = new ReLU();
    this.expand1x1 = new Conv2d(squeezePlanes, expand1x1Planes, 1);
    this.expand1x1Activation = new ReLU();
    this.expand3x3 = new Conv2d(squeezePlanes, expand3x3Planes, 3, { padding: 1 });
    this.expand3x3Activation = new ReLU();
  }

  forward(x: Tensor): Tensor {
    const s = this.squeezeActivation.call(this.squeeze.call(x));
    return F.cat([this.expand1x1Activation.call(this.expand1x1.call(s)), this.expand3x3Activation.call(this.expand3x3.call(s))], 1);
  }
}

export interface SqueezeNetOptions {
  numClasses?: number;
  dropout?: number;
}

const DEFAULTS: Required<SqueezeNetOptions> = { numClasses: 1000, dropout: 0.5 };

export class SqueezeNet extends Module {
  readonly numClasses: number;
  features: Sequential;
  classifier: Sequential;

  constructor(version: '1_0' | '1_1' = '1_0', options: SqueezeNetOptions = {}) {
    super();
    const o = builderOptions('SqueezeNet', options, DEFAULTS);
    this.numClasses = o.numClasses;
    const dropout = o.dropout;
    const pool = (): MaxPool2d => new MaxPool2d(3, { stride: 2, ceilMode: true });
    if (version === '1_0') {
      this.features = new Sequential(
        new Conv2d(3, 96, 7, { stride: 2 }), new ReLU(), pool(),
        new Fire(96, 16, 64, 64), new Fire(128, 16, 64, 64), new Fire(128, 32, 128, 128), pool(),
        new Fire(256, 32, 128, 128), new Fire(256, 48, 192, 192), new Fire(384, 48, 192, 192), new Fire(384, 64, 256, 256), pool(),
        new Fire(512, 64, 256, 256),
      );
    } else if (version === '1_1') {
      this.features = new Sequential(
        new Conv2d(3, 64, 3, { stride: 2 }), new ReLU(), pool(),
        new Fire(64, 16, 64, 64), new Fire(128, 16, 64, 64), pool(),
        new Fire(128, 32, 128, 128), new Fire(256, 32, 128, 128), pool(),
        new Fire(256, 48, 192, 192), new Fire(384, 48, 192, 192), new Fire(384, 64, 256, 256), new Fire(512, 64, 256, 256),
      );
    } else {
      throw new ArgumentError(`SqueezeNet: unsupported version ${String(version)}: '1_0' or '1_1' expected`);
    }
    const finalConv = new Conv2d(512, this.numClasses, 1);
    this.classifier = new Sequential(new Dropout(dropout), finalConv, new ReLU(), new AdaptiveAvgPool2d([1, 1]));
    for (const m of this.modules()) {
      if (m instanceof Conv2d) {
        if (m === finalConv) init.normal_(m.weight, 0, 0.01);
        else init.kaimingUniform_(m.weight);
        if (m.bias) init.zeros_(m.bias);
      }
    }
  }

  /** x: [N, 3, H, W] -> logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    return F.flatten(this.classifier.call(this.features.call(x)), 1);
  }
}

/** torchvision.models.squeezenet1_0: `squeezenet1_0({ numClasses, dropout })`. */
export function squeezenet1_0(options: SqueezeNetOptions = {}): SqueezeNet {
  return new SqueezeNet('1_0', builderOptions('squeezenet1_0', options, DEFAULTS));
}

/** torchvision.models.squeezenet1_1: `squeezenet1_1({ numClasses, dropout })`. */
export function squeezenet1_1(options: SqueezeNetOptions = {}): SqueezeNet {
  return new SqueezeNet('1_1', builderOptions('squeezenet1_1', options, DEFAULTS));
}
