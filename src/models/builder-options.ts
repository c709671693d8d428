/**
 * Keyword-option checks shared by the classic and efficient model builders (alexnet, vgg*, nin,
 * squeezenet*, mobilenetV2, shufflenetV2*, xception): an unknown option or a bad value is an
 * ArgumentError naming the builder and the option, as Python would raise a TypeError for an
 * unexpected keyword argument.
 */
import { ArgumentError } from '../errors.js';

/** `options` merged over `defaults`, every key of `options` one of the defaults' keys. */
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
  return out as Required<T>;
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
