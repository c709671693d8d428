/**
 * Argument validation shared by the functional ops and the nn modules. Each check returns the value
 * it was given, narrowed, or throws an ArgumentError that names the op or layer (`site`), the
 * argument, what was expected and what was received: "conv2d (features.0): stride must be >= 1,
 * got [0,1]". Modules call the same checks in their constructors, so a bad value fails early and
 * the rule has one implementation.
 */
import { ArgumentError } from '../errors.js';
import { site } from './args.js';

/** An ArgumentError "op (layer): message". */
export function argumentError(op: string, message: string): ArgumentError {
  return new ArgumentError(`${site(op)}: ${message}`);
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

export function integer(op: string, name: string, v: unknown): number {
  if (!isInt(v)) throw argumentError(op, `${name} must be an integer, got ${String(v)}`);
  return v;
}

export function positiveInt(op: string, name: string, v: unknown): number {
  if (!isInt(v) || v < 1) throw argumentError(op, `${name} must be a positive integer, got ${String(v)}`);
  return v;
}

export function nonNegativeInt(op: string, name: string, v: unknown): number {
  if (!isInt(v) || v < 0) throw argumentError(op, `${name} must be a non-negative integer, got ${String(v)}`);
  return v;
}

/** A finite number, at least `min` when one is given. */
export function finiteNumber(op: string, name: string, v: unknown, min = -Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    throw argumentError(op, `${name} must be a finite number${min > -Infinity ? ` >= ${min}` : ''}, got ${String(v)}`);
  }
  return v;
}

/** A number in [0, 1] (a probability or a mixing weight). */
export function unitInterval(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw argumentError(op, `${name} must be in [0, 1], got ${String(v)}`);
  return v;
}

/** Dropout's p, in [0, 1], with PyTorch's wording. */
export function dropoutProbability(op: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw argumentError(op, `dropout probability has to be between 0 and 1, but got ${String(v)}`);
  return v;
}

export function boolean(op: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw argumentError(op, `${name} must be a boolean, got ${String(v)}`);
  return v;
}

/** "'a', 'b' or 'c'". */
function choiceList(choices: readonly string[]): string {
  const quoted = choices.map((c) => `'${c}'`);
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}` : quoted.join('');
}

/** One of a fixed set of strings: "mode must be 'zeros', 'reflect' or 'circular', got 'x'". */
export function oneOf<T extends string>(op: string, name: string, v: unknown, choices: readonly T[]): T {
  if (!choices.includes(v as T)) throw argumentError(op, `${name} must be ${choiceList(choices)}, got '${String(v)}'`);
  return v as T;
}

/** An int or a pair of ints (kernel size, stride ...), as a pair. */
export function intPair(op: string, name: string, v: unknown): [number, number] {
  const p: readonly unknown[] = typeof v === 'number' ? [v, v] : Array.isArray(v) ? v : [];
  if (p.length !== 2 || !p.every(isInt)) throw argumentError(op, `${name} must be an integer or a pair of integers, got ${JSON.stringify(v)}`);
  return [p[0] as number, p[1] as number];
}

/** An int or a pair of ints, each at least `min`: "stride must be >= 1, got [0,1]". */
function boundedPair(op: string, name: string, v: unknown, min: number): [number, number] {
  const p = intPair(op, name, v);
  if (p[0] < min || p[1] < min) throw argumentError(op, `${name} must be >= ${min}, got ${JSON.stringify(v)}`);
  return p;
}

/** An int or [h, w], both >= 1 (kernel size, stride, dilation). */
export function positivePair(op: string, name: string, v: unknown): [number, number] {
  return boundedPair(op, name, v, 1);
}

/** An int or [h, w], both >= 0 (padding). */
export function nonNegativePair(op: string, name: string, v: unknown): [number, number] {
  return boundedPair(op, name, v, 0);
}

/** A positive int or a non-empty list of them (a normalized shape), as a list. */
export function positiveIntList(op: string, name: string, v: unknown): number[] {
  const list = isInt(v) ? [v] : Array.isArray(v) ? [...(v as unknown[])] : [];
  if (list.length === 0 || list.some((d) => !isInt(d) || d < 1)) {
    throw argumentError(op, `${name} must be a positive integer or a non-empty list of them, got ${JSON.stringify(v)}`);
  }
  return list as number[];
}
