/**
 * Weight initialization (torch.nn.init, camelCased, trailing underscore for in place). Values are
 * drawn on the CPU from a seeded generator and uploaded, so a model's initial weights depend only
 * on the seed.
 */
import { ArgumentError } from '../errors.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { defaultGenerator, type Generator } from '../util/random.js';

/** fan_in and fan_out of a weight, as torch.nn.init._calculate_fan_in_and_fan_out. */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.ndim < 2) throw new ArgumentError(`init: fan in and fan out need a tensor with at least 2 dims, got ${t.describe()}`);
  const receptive = t.shape.slice(2).reduce((p, d) => p * d, 1);
  return [t.shape[1]! * receptive, t.shape[0]! * receptive];
}

export function calculateGain(nonlinearity: string, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new ArgumentError(`calculateGain: unsupported nonlinearity '${nonlinearity}'`);
  }
}

function fill(t: Tensor, sample: () => number): Tensor {
  const data = new Float32Array(t.numel());
  for (let i = 0; i < data.length; i++) data[i] = sample();
  t._take(tensor(data, { shape: t.shape, device: t.device }));
  return t;
}

export function uniform_(t: Tensor, a = 0, b = 1, generator: Generator = defaultGenerator): Tensor {
  return fill(t, () => a + (b - a) * generator.random());
}

export function normal_(t: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  return fill(t, () => mean + std * generator.normal());
}

export function constant_(t: Tensor, value: number): Tensor {
  return fill(t, () => value);
}

export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);

export interface KaimingOptions {
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: string;
  generator?: Generator;
}

export function kaimingUniform_(t: Tensor, o: KaimingOptions = {}): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const fan = (o.mode ?? 'fan_in') === 'fan_in' ? fanIn : fanOut;
  const gain = calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0);
  const bound = Math.sqrt(3) * (gain / Math.sqrt(fan));
  return uniform_(t, -bound, bound, o.generator);
}

export function kaimingNormal_(t: Tensor, o: KaimingOptions = {}): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const fan = (o.mode ?? 'fan_in') === 'fan_in' ? fanIn : fanOut;
  const std = calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0) / Math.sqrt(fan);
  return normal_(t, 0, std, o.generator);
}

export function xavierUniform_(t: Tensor, gain = 1, generator?: Generator): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -bound, bound, generator);
}

export function xavierNormal_(t: Tensor, gain = 1, generator?: Generator): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), generator);
}
