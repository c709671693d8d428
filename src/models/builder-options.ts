/**
 * Keyword-option checks and torchvision's weight initialization shared by the classic and efficient model builders (alexnet, vgg*, nin,
 * squeezenet*, mobilenetV2, shufflenetV2*, xception): an unknown option or a bad value is an
 * ArgumentError naming the builder and the option, as Python would raise a TypeError for an
 * unexpected keyword argument.
 */
import { ArgumentError } from '../errors.js';
import { BatchNorm2d, Conv2d, Linear, type Module, init } from '../nn/index.js';

/**
 * `options` merged over `defaults`, every key of `options` one of the defaults' keys, and the
 * options every builder shares checked by name (numClasses, dropout, widthMult, ...: see VALUE_CHECKS).
 */
export function builderOptions<T extends object>(builder: string, options: Partial<T> | undefined, defaults: Required<T>): Required<T> {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new ArgumentError(`${builder}: options must be an object, got ${String(options)}`);
  }
  const known = Object.keys(defaults);
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(options ?? {})) {
    if (!known.includes(k)) throw new ArgumentError(`${builder}: unknown option '${k}' (expected one of ${known.join(', ')})`);
    if (v !== undefined) out[k] = v;
  }
  for (const [k, v] of Object.entries(out)) VALUE_CHECKS[k]?.(builder, k, v);
  return out as Required<T>;
}

export function nonNegativeIntOption(builder: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new ArgumentError(`${builder}: ${name} must be a non-negative integer, got ${String(v)}`);
  }
  return v;
}

export function positiveIntOption(builder: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new ArgumentError(`${builder}: ${name} must be a positive integer, got ${String(v)}`);
  }
  return v;
}

export function probabilityOption(builder: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v) || v < 0 || v > 1) {
    throw new ArgumentError(`${builder}: ${name} must be a probability in [0, 1], got ${String(v)}`);
  }
  return v;
}

export function positiveNumberOption(builder: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new ArgumentError(`${builder}: ${name} must be a positive number, got ${String(v)}`);
  }
  return v;
}

/** The checks of the options shared by the builders, by name. */
const VALUE_CHECKS: Record<string, (builder: string, name: string, v: unknown) => unknown> = {
  numClasses: positiveIntOption,
  dropout: probabilityOption,
  widthMult: positiveNumberOption,
  roundNearest: positiveIntOption,
  hiddenFeatures: positiveIntOption,
  avgpoolSize: positiveIntOption,
  middleFlowRepeats: nonNegativeIntOption,
  inChannels: positiveIntOption,
};

/**
 * torchvision's usual init (VGG, MobileNet v2, ...): kaiming-normal (fan_out, ReLU gain) conv
 * weights, zero biases, batch norms 1 and 0, and with `linear` N(0, 0.01) linear weights.
 */
export function initKaimingFanOut(model: Module, options: { linear?: boolean } = {}): void {
  for (const m of model.modules()) {
    if (m instanceof Conv2d) {
      init.kaimingNormal_(m.weight, { mode: 'fan_out', nonlinearity: 'relu' });
      if (m.bias) init.zeros_(m.bias);
    } else if (m instanceof BatchNorm2d) {
      if (m.weight) init.ones_(m.weight);
      if (m.bias) init.zeros_(m.bias);
    } else if (m instanceof Linear && options.linear) {
      init.normal_(m.weight, 0, 0.01);
      if (m.bias) init.zeros_(m.bias);
    }
  }
}
