/**
 * Train / validation splits: randomSplit(dataset, [0.9, 0.1], { generator }) as
 * torch.utils.data.random_split (fractions or counts; fractions are floored and the remainder
 * handed out one by one from the first split), and a stratified option that splits each class in
 * the same proportions so every split keeps the class balance.
 */
import { ArgumentError } from '../errors.js';
import { Generator, defaultGenerator } from '../util/random.js';
import { subset, type ImageDataset } from './dataset.js';

export interface RandomSplitOptions {
  /** Draws the permutation (the default generator if not given). */
  generator?: Generator;
  /** Split every class in the given proportions (default false). */
  stratify?: boolean;
}

/** Counts for `n` items from fractions summing to 1 or counts summing to n (torch's rule). */
export function splitLengths(n: number, lengths: readonly number[]): number[] {
  if (lengths.length === 0 || lengths.some((l) => !(l >= 0) || !Number.isFinite(l))) {
    throw new ArgumentError(`randomSplit: lengths must be non-negative numbers, got [${lengths.join(', ')}]`);
  }
  const sum = lengths.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) < 1e-9 && lengths.some((l) => !Number.isInteger(l) || l === 0 || l === 1)) {
    const counts = lengths.map((f) => Math.floor(n * f));
    let rest = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; rest > 0; i = (i + 1) % counts.length, rest--) counts[i]!++;
    return counts;
  }
  if (lengths.some((l) => !Number.isInteger(l)) || sum !== n) {
    throw new ArgumentError(`randomSplit: lengths [${lengths.join(', ')}] are neither fractions summing to 1 nor counts summing to the dataset's ${n} items`);
  }
  return [...lengths];
}

/** The indices of each split. */
export function randomSplitIndices(labels: ArrayLike<number>, lengths: readonly number[], options: RandomSplitOptions = {}): Int32Array[] {
  const g = options.generator ?? defaultGenerator;
  const n = labels.length;
  const counts = splitLengths(n, lengths);
  if (!options.stratify) {
    const perm = g.permutation(n);
    const out: Int32Array[] = [];
    let at = 0;
    for (const c of counts) {
      out.push(perm.slice(at, at + c));
      at += c;
    }
    return out;
  }
  const fractions = counts.map((c) => (n === 0 ? 0 : c / n));
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    let list = byClass.get(l);
    if (!list) byClass.set(l, (list = []));
    list.push(i);
  }
  const parts: number[][] = counts.map(() => []);
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = byClass.get(cls)!;
    const perm = g.permutation(members.length);
    const cc = splitLengths(members.length, fractions.every((f) => f === 0) ? counts : fractions);
    let at = 0;
    cc.forEach((c, s) => {
      for (let k = at; k < at + c; k++) parts[s]!.push(members[perm[k]!]!);
      at += c;
    });
  }
  // Mix the classes within each split.
  return parts.map((p) => {
    const perm = g.permutation(p.length);
    return Int32Array.from(perm, (k) => p[k]!);
  });
}

/** Splits a dataset into non-overlapping datasets of the given fractions or counts. */
export function randomSplit(dataset: ImageDataset, lengths: readonly number[], options: RandomSplitOptions = {}): ImageDataset[] {
  return randomSplitIndices(dataset.labels, lengths, options).map((idx) => subset(dataset, idx));
}
