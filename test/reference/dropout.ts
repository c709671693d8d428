/**
 * Dropout's random bits: Philox4x32-10 (Salmon et al., SC 2011) in plain TypeScript, and the
 * multiplier each element gets from it, as shaders/dropout.wgsl defines them: element 4i + j uses
 * word j of Philox((i, 0, 0, 0), seed); plane q of feature dropout uses word q % 4 of
 * Philox((q / 4, 1, 0, 0), seed). An element is kept when its word >= round(p * 2^32).
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** [high, low] 32-bit halves of the 64-bit product of two u32, exactly (BigInt for clarity). */
export function mulhilo(a: number, b: number): [number, number] {
  const p = BigInt(a >>> 0) * BigInt(b >>> 0);
  return [Number(p >> 32n), Number(p & 0xffffffffn)];
}

/** Philox4x32 with `rounds` rounds (10 is the standard). */
export function philox4x32(counter: readonly number[], key: readonly number[], rounds = 10): number[] {
  let c = counter.map((v) => v >>> 0);
  let k0 = key[0]! >>> 0;
  let k1 = key[1]! >>> 0;
  for (let r = 0; r < rounds; r++) {
    if (r > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const [hi0, lo0] = mulhilo(M0, c[0]!);
    const [hi1, lo1] = mulhilo(M1, c[2]!);
    c = [(hi1 ^ c[1]! ^ k0) >>> 0, lo1, (hi0 ^ c[3]! ^ k1) >>> 0, lo0];
  }
  return c;
}

function keep(word: number, p: number): boolean {
  if (p >= 1) return false;
  return word >= Math.min(2 ** 32 - 1, Math.round(p * 2 ** 32));
}

/** Per element, whether elementwise dropout keeps it. */
export function elementMask(count: number, p: number, seed: readonly number[]): Uint8Array {
  const mask = new Uint8Array(count);
  for (let i = 0; i * 4 < count; i++) {
    const words = philox4x32([i, 0, 0, 0], seed);
    for (let j = 0; j < 4 && 4 * i + j < count; j++) mask[4 * i + j] = keep(words[j]!, p) ? 1 : 0;
  }
  return mask;
}

/** Per plane, whether feature dropout keeps it. */
export function planeMask(planes: number, p: number, seed: readonly number[]): Uint8Array {
  const mask = new Uint8Array(planes);
  for (let q = 0; q < planes; q++) mask[q] = keep(philox4x32([q >>> 2, 1, 0, 0], seed)[q & 3]!, p) ? 1 : 0;
  return mask;
}
