/**
 * PyTorch-style arguments in TypeScript: trailing parameters may be passed positionally, as in
 * `F.conv2d(x, w, b, 1, 1)`, or as one options object, as Python keyword arguments:
 * `F.conv2d(x, w, b, { padding: 1 })`, or both (`F.conv2d(x, w, b, 2, { padding: 1 })`). Unknown option names are an error, not silently ignored.
 */
import { ArgumentError, where } from '../errors.js';
import { currentLayer } from './scope.js';

function isOptions(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/**
 * Resolves `rest` (positional values or a single options object) against parameter `names` and
 * their `defaults`.
 */
export function kwargs<T extends Record<string, unknown>>(op: string, rest: readonly unknown[], names: readonly (keyof T & string)[], defaults: T): T {
  const out: Record<string, unknown> = { ...defaults };
  const last = rest[rest.length - 1];
  const positional = isOptions(last) ? rest.slice(0, -1) : rest;
  if (positional.length > names.length) {
    throw new ArgumentError(`${where(op, currentLayer())}: too many arguments (${positional.length} after the tensors; parameters are ${names.join(', ')})`);
  }
  positional.forEach((v, i) => {
    if (isOptions(v)) {
      throw new ArgumentError(`${where(op, currentLayer())}: an options object must come last`);
    }
    if (v !== undefined) out[names[i]!] = v;
  });
  if (isOptions(last)) {
    for (const [k, v] of Object.entries(last)) {
      const i = names.indexOf(k as keyof T & string);
      if (i < 0) {
        throw new ArgumentError(`${where(op, currentLayer())}: unknown option '${k}' (expected one of ${names.join(', ')})`);
      }
      if (i < positional.length && positional[i] !== undefined) {
        throw new ArgumentError(`${where(op, currentLayer())}: '${k}' was given both positionally and as an option`);
      }
      if (v !== undefined) out[k] = v;
    }
  }
  return out as T;
}

/** A prefix of the positional parameters P, then optionally the options object O. */
export type PositionalOrOptions<P extends unknown[], O> = WithOptions<Prefixes<P>, O>;
type Prefixes<T extends unknown[]> = T extends [...infer Init, unknown] ? T | Prefixes<Init> : [];
type WithOptions<Q, O> = Q extends unknown[] ? [...Q, O?] : never;

/**
 * Resolves `rest` against `positional` names (PyTorch's order), then the `keywordOnly` ones (after
 * PyTorch's `*`, only in the options object), over `defaults` (optimizers and schedules).
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

/** The start of an error message: the op, and the layer path when inside a module's forward. */
export function site(op: string): string {
  return where(op, currentLayer());
}
