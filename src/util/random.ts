/**
 * Seeded random numbers on the CPU: xoshiro128** seeded through splitmix32. Used for weight
 * initialization, shuffling and augmentation, so a run is reproducible from its seed. (PyTorch's
 * Mersenne Twister streams are not reproduced; the same seed gives the same run here, not the same
 * numbers as torch.)
 */
import { ArgumentError } from '../errors.js';

/** A Generator's state: its seed, the 128-bit xoshiro state and the cached second normal. */
export interface GeneratorState {
  seed: number;
  s: number[];
  spare: number | null;
}

export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;
  private seedValue = 0;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  manualSeed(seed: number): this {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
    this.seedValue = seed;
    // splitmix32 expands the seed into the 128-bit state.
    let x = (Math.floor(seed) ^ Math.floor(seed / 2 ** 32)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    this.spare = null;
    return this;
  }

  initialSeed(): number {
    return this.seedValue;
  }

  /** The whole state (torch's get_state), JSON-safe: a checkpoint stores it to resume the same stream. */
  getState(): GeneratorState {
    return { seed: this.seedValue, s: [this.s0, this.s1, this.s2, this.s3], spare: this.spare };
  }

  /** Restores a getState() (torch's set_state): the stream continues where that state was taken. */
  setState(state: GeneratorState): this {
    const ok =
      typeof state === 'object' && state !== null && Array.isArray(state.s) && state.s.length === 4 &&
      state.s.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff) && (state.spare === null || Number.isFinite(state.spare)) && Number.isFinite(state.seed);
    if (!ok) throw new ArgumentError(`Generator.setState: expected { seed, s: [4 uint32], spare } from getState(), got ${JSON.stringify(state)}`);
    [this.s0, this.s1, this.s2, this.s3] = state.s as [number, number, number, number];
    this.spare = state.spare;
    this.seedValue = state.seed;
    return this;
  }

  /** Next 32 random bits. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    return result;
  }

  /** Uniform in [0, 1). */
  random(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [low, high). */
  randint(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low));
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The default generator (torch.manual_seed sets it). */
export const defaultGenerator = new Generator(0);

/** Seeds the default generator. */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
