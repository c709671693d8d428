/**
 * Seeded mutations of a file's bytes for the parsers' fuzz tests (Node and browser): bit flips,
 * byte overwrites, huge 32-bit values, truncation, insertion, deletion.
 */
import { Rng } from './helpers.js';

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One seeded mutation of `src`: bit flips, byte overwrites, 32-bit big/little-endian huge values, truncation, insertion, deletion. */
export function mutate(src: Uint8Array, rng: Rng, hotBytes = 32): Uint8Array {
  let b: Uint8Array = src.slice();
  const pos = (): number => (rng.next() < 0.6 ? rng.int(0, Math.min(hotBytes, b.length)) : rng.int(0, b.length));
  const kind = rng.int(0, 7);
  if (b.length === 0) return Uint8Array.from([rng.int(0, 256)]);
  if (kind === 0) {
    for (let k = rng.int(1, 4); k > 0; k--) {
      const i = pos();
      b[i] = b[i]! ^ (1 << rng.int(0, 8));
    }
  } else if (kind === 1) b[pos()] = rng.int(0, 256);
  else if (kind === 2) {
    const i = Math.min(pos(), Math.max(0, b.length - 4));
    const big = [0xffffffff, 0x7fffffff, 0x80000000, 0x00100000, 0x10000, 0][rng.int(0, 6)]!;
    new DataView(b.buffer).setUint32(i, big, rng.next() < 0.5);
  } else if (kind === 3) b = b.slice(0, rng.int(0, b.length));
  else if (kind === 4) {
    const i = pos();
    const extra = Uint8Array.from({ length: rng.int(1, 9) }, () => rng.int(0, 256));
    b = concat([b.subarray(0, i), extra, b.subarray(i)]);
  } else if (kind === 5) {
    const i = pos();
    b = concat([b.subarray(0, i), b.subarray(Math.min(b.length, i + rng.int(1, 9)))]);
  } else b = b.slice(0, Math.max(0, b.length - rng.int(1, 5)));
  return b;
}
