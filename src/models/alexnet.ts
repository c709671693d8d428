/**
 * AlexNet. Krizhevsky, Sutskever, Hinton, "ImageNet Classification with Deep Convolutional Neural
 * Networks" (NIPS 2012), Sec. 3 and Fig. 2.
 *
 * - `alexnet()` is torchvision 0.14's form (from Krizhevsky's "One weird trick", 2014): one tower,
 *   64-192-384-256-256 channels, no LRN, 3x3/2 max pooling, adaptive average pool to 6x6, dropout
 *   before the two hidden FC layers. 61,100,840 parameters with 1000 classes.
 * - `alexnet({ original: true })` is the paper's two-tower net on one device: 96-256-384-384-256
 *   channels, conv1 11x11/4 without padding (227x227 input gives 55x55), the towers as groups=2 on
 *   conv2, conv4 and conv5 (conv3 and the FC layers read both towers, as in the paper), local
 *   response normalization (size 5, alpha 1e-4, beta 0.75, k 2; PyTorch/Caffe convention, alpha
 *   divided by the size) after the ReLUs of conv1 and conv2, overlapping 3x3/2 max pooling, dropout
 *   0.5. Same names as torchvision's (features.N, classifier.N); 60,965,224 parameters.
 *   Initialization is PyTorch's default (the paper's N(0, 0.01) with unit biases trains slowly).
 *
 * Input: [N, 3, H, W]. torchvision's form needs H, W >= 63; the original form >= 67. The adaptive
 * pool makes the classifier's input 256x6x6 for any larger size (224 or 227 is the paper's).
 */
import type { Tensor } from '../tensor/tensor.js';
import * as F from '../ops/index.js';
import { AdaptiveAvgPool2d, Conv2d, Dropout, Linear, LocalResponseNorm, MaxPool2d, Module, ReLU, Sequential } from '../nn/index.js';
import { builderOptions } from './builder-options.js';

export interface AlexNetOptions {
  numClasses?: number;
  dropout?: number;
  /** The paper's two-tower form (grouped convs, LRN) instead of torchvision's. */
  original?: boolean;
}

/** The AlexNet class also takes the hidden FC width that torchvision fixes (quick training runs, small heads). */
export interface AlexNetClassOptions extends AlexNetOptions {
  /** Width of the two hidden classifier layers (default 4096). */
  hiddenFeatures?: number;
}

const DEFAULTS: Required<AlexNetOptions> = { numClasses: 1000, dropout: 0.5, original: false };

export class AlexNet extends Module {
  features: Sequential;
  avgpool: AdaptiveAvgPool2d;
  classifier: Sequential;

  constructor(options: AlexNetClassOptions = {}) {
    super();
    const o = builderOptions<AlexNetClassOptions>('AlexNet', options, { ...DEFAULTS, hiddenFeatures: 4096 });
    const { hiddenFeatures: hidden, numClasses, dropout } = o;
    const pool = (): MaxPool2d => new MaxPool2d(3, { stride: 2 });
    if (o.original) {
      const lrn = (): LocalResponseNorm => new LocalResponseNorm(5, { alpha: 1e-4, beta: 0.75, k: 2 });
      this.features = new Sequential(
        new Conv2d(3, 96, 11, { stride: 4 }), new ReLU(), lrn(), pool(),
        new Conv2d(96, 256, 5, { padding: 2, groups: 2 }), new ReLU(), lrn(), pool(),
        new Conv2d(256, 384, 3, { padding: 1 }), new ReLU(),
        new Conv2d(384, 384, 3, { padding: 1, groups: 2 }), new ReLU(),
        new Conv2d(384, 256, 3, { padding: 1, groups: 2 }), new ReLU(), pool(),
      );
    } else {
      this.features = new Sequential(
        new Conv2d(3, 64, 11, { stride: 4, padding: 2 }), new ReLU(), pool(),
        new Conv2d(64, 192, 5, { padding: 2 }), new ReLU(), pool(),
        new Conv2d(192, 384, 3, { padding: 1 }), new ReLU(),
        new Conv2d(384, 256, 3, { padding: 1 }), new ReLU(),
        new Conv2d(256, 256, 3, { padding: 1 }), new ReLU(), pool(),
      );
    }
    this.avgpool = new AdaptiveAvgPool2d([6, 6]);
    this.classifier = new Sequential(
      new Dropout(dropout), new Linear(256 * 6 * 6, hidden), new ReLU(),
      new Dropout(dropout), new Linear(hidden, hidden), new ReLU(),
      new Linear(hidden, numClasses),
    );
  }

  /** x: [N, 3, H, W] (H, W >= 63, or 67 for the original form) -> logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    return this.classifier.call(F.flatten(this.avgpool.call(this.features.call(x)), 1));
  }
}

/** torchvision.models.alexnet: `alexnet({ numClasses, dropout })`; `{ original: true }` for the paper's form. */
export function alexnet(options: AlexNetOptions = {}): AlexNet {
  return new AlexNet(builderOptions('alexnet', options, DEFAULTS));
}
