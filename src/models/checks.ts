/**
 * Option checks the model builders share: a builder's options are torchvision's keyword arguments
 * camelCased; an unknown one, or a bad value, is an ArgumentError naming the builder.
 */
import { ArgumentError } from '../errors.js';
import { kwargs } from '../util/args.js';

/** `options` resolved against `defaults` (an unknown option name is an error naming `builder`). */
export function builderOptions<T extends Record<string, unknown>>(builder: string, options: object | undefined, defaults: T): T {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new ArgumentError(`${builder}: options must be an object, got ${String(options)}`);
  }
  return kwargs<T>(builder, options === undefined ? [] : [options], Object.keys(defaults), defaults);
}

export function positiveInt(builder: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new ArgumentError(`${builder}: ${name} must be a positive integer, got ${String(v)}`);
  }
  return v;
}

export function probability(builder: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v) || v < 0 || v > 1) {
    throw new ArgumentError(`${builder}: ${name} must be a probability in [0, 1], got ${String(v)}`);
  }
  return v;
}

export function flag(builder: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new ArgumentError(`${builder}: ${name} must be a boolean, got ${String(v)}`);
  return v;
}
