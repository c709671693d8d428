/**
 * Argument validation shared by the functional ops and the nn modules. Each check returns the value
 * it was given, narrowed, or throws an ArgumentError that names the op or layer (`site`), the
 * argument, what was expected and what was received: "conv2d (features.0): stride must be >= 1,
 * got [0,1]". Modules call the same checks in their constructors, so a bad value fails early and
 * the rule has one implementation. Optimizers and schedules use the same checks with ranges
 * (`numberIn`, `integerIn`, `perGroup`): "SGD: momentum must be a finite number >= 0, got -0.5".
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

/** A received value as a message shows it: strings quoted, arrays and objects as written. */
function show(v: unknown): string {
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

/** Throws "op (layer): name must be <allowed>, got <value>". */
export function invalid(op: string, name: string, allowed: string, got: unknown): never {
  throw argumentError(op, `${name} must be ${allowed}, got ${show(got)}`);
}

/** The values a numeric argument may take. */
export interface Range {
  /** Lower bound, inclusive unless `minExclusive`. */
  min?: number;
  minExclusive?: boolean;
  /** Upper bound, inclusive unless `maxExclusive`. */
  max?: number;
  maxExclusive?: boolean;
}

/** ">= 0", "> 0", "in [0, 1)" ... ('' for no bounds). */
function describeRange(r: Range): string {
  const lo = r.min === undefined ? '' : `${r.minExclusive ? '>' : '>='} ${r.min}`;
  const hi = r.max === undefined ? '' : `${r.maxExclusive ? '<' : '<='} ${r.max}`;
  return lo && hi ? `in ${r.minExclusive ? '(' : '['}${r.min}, ${r.max}${r.maxExclusive ? ')' : ']'}` : lo || hi;
}

function inRange(v: number, r: Range): boolean {
  if (r.min !== undefined && (r.minExclusive ? v <= r.min : v < r.min)) return false;
  if (r.max !== undefined && (r.maxExclusive ? v >= r.max : v > r.max)) return false;
  return true;
}

/** A finite number within `range`: "lr must be a finite number >= 0, got -0.1". */
export function numberIn(op: string, name: string, v: unknown, range: Range = {}): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !inRange(v, range)) {
    const r = describeRange(range);
    invalid(op, name, `a finite number${r ? ' ' + r : ''}`, v);
  }
  return v;
}

/** An integer within `range`: "stepSize must be an integer >= 1, got 0". */
export function integerIn(op: string, name: string, v: unknown, range: Range = {}): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || !inRange(v, range)) {
    const r = describeRange(range);
    invalid(op, name, `an integer${r ? ' ' + r : ''}`, v);
  }
  return v;
}

/** A number, or one per parameter group (PyTorch's float-or-list arguments such as max_lr). */
export function perGroup(op: string, name: string, v: unknown, groups: number, range: Range): number[] {
  const list = Array.isArray(v) ? (v as unknown[]) : Array.from({ length: groups }, () => v);
  if (list.length !== groups) invalid(op, name, `a number or ${groups} numbers (one per parameter group)`, v);
  return list.map((x, i) => numberIn(op, Array.isArray(v) ? `${name}[${i}]` : name, x, range));
}

/** A finite number, at least `min` when one is given. */
export function finiteNumber(op: string, name: string, v: unknown, min = -Infinity): number {
  return numberIn(op, name, v, min > -Infinity ? { min } : {});
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

/** A boolean; `allowed` words it ("a boolean"; optimizers say "true or false", as PyTorch's). */
export function boolean(op: string, name: string, v: unknown, allowed = 'a boolean'): boolean {
  if (typeof v !== 'boolean') invalid(op, name, allowed, v);
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
