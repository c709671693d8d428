/**
 * Arguments of optimizers and schedules: PyTorch's positional order with a trailing options object
 * (the keyword arguments), and validation of every hyper-parameter when it is given, so a wrong
 * value fails at the constructor, naming the class, the parameter, what is allowed and what came.
 */
import { ArgumentError } from '../errors.js';
import { kwargs } from '../util/args.js';

/** A prefix of the positional parameters P, then optionally the options object O. */
export type PositionalOrOptions<P extends unknown[], O> = WithOptions<Prefixes<P>, O>;
type Prefixes<T extends unknown[]> = T extends [...infer Init, unknown] ? T | Prefixes<Init> : [];
type WithOptions<Q, O> = Q extends unknown[] ? [...Q, O?] : never;

function isOptions(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/**
 * Resolves `rest` against `positional` names (PyTorch's order), then the `keywordOnly` ones (after
 * PyTorch's `*`, only in the options object), over `defaults`.
 */
export function resolveArgs<T extends object>(
  cls: string,
  rest: readonly unknown[],
  positional: readonly (keyof T & string)[],
  keywordOnly: readonly (keyof T & string)[],
  defaults: T,
): T {
  const n = isOptions(rest[rest.length - 1]) ? rest.length - 1 : rest.length;
  if (n > positional.length) {
    const kw = keywordOnly.length ? `; ${keywordOnly.join(', ')} only as options` : '';
    throw new ArgumentError(`${cls}: too many positional arguments (${n}; they are ${positional.join(', ')}${kw})`);
  }
  return kwargs<Record<string, unknown>>(cls, rest, [...positional, ...keywordOnly], defaults as Record<string, unknown>) as T;
}

function show(v: unknown): string {
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

/** Throws `${cls}: ${name} must be ${allowed}, got ${value}`. */
export function invalid(cls: string, name: string, allowed: string, got: unknown): never {
  throw new ArgumentError(`${cls}: ${name} must be ${allowed}, got ${show(got)}`);
}

export interface Range {
  /** Lower bound, inclusive unless `minExclusive`. */
  min?: number;
  minExclusive?: boolean;
  /** Upper bound, inclusive unless `maxExclusive`. */
  max?: number;
  maxExclusive?: boolean;
}

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

/** A finite number within `range`. */
export function checkNumber(cls: string, name: string, v: unknown, range: Range = {}): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !inRange(v, range)) {
    const r = describeRange(range);
    invalid(cls, name, `a finite number${r ? ' ' + r : ''}`, v);
  }
  return v;
}

/** An integer within `range`. */
export function checkInt(cls: string, name: string, v: unknown, range: Range = {}): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || !inRange(v, range)) {
    const r = describeRange(range);
    invalid(cls, name, `an integer${r ? ' ' + r : ''}`, v);
  }
  return v;
}

export function checkBool(cls: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') invalid(cls, name, 'true or false', v);
  return v;
}

/** One value of `allowed`. */
export function checkChoice<T extends string>(cls: string, name: string, v: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(v as T)) invalid(cls, name, allowed.map((a) => `'${a}'`).join(' or '), v);
  return v as T;
}

/** A number, or one per parameter group (PyTorch's float-or-list arguments such as max_lr). */
export function perGroup(cls: string, name: string, v: unknown, groups: number, range: Range): number[] {
  const list = Array.isArray(v) ? (v as unknown[]) : Array.from({ length: groups }, () => v);
  if (list.length !== groups) invalid(cls, name, `a number or ${groups} numbers (one per parameter group)`, v);
  return list.map((x, i) => checkNumber(cls, Array.isArray(v) ? `${name}[${i}]` : name, x, range));
}
