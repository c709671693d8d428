/**
 * Classification metrics on the GPU: correctCount, topkCorrect, topkAccuracy and accuracy against
 * a CPU count over the same logits, ties in class-index order, and PyTorch 1.13 (the ImageNet
 * example's accuracy() in test/fixtures/losses.json, gen_losses.py).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';
import fixtures from '../fixtures/losses.json';
import { fixtureCases, fixtureInputs } from '../fixture-cases.js';
import { distinctArray, expectClose, randomClasses, readPoisoned, tensorOf } from '../helpers.js';

beforeAll(async () => {
  await wt.init();
});

/** How many rows have their target among the k largest logits (distinct logits). */
function countTopk(logits: Float32Array, n: number, c: number, target: Int32Array, k: number): number {
  let hits = 0;
  for (let r = 0; r < n; r++) {
    const v = logits[r * c + target[r]!]!;
    let above = 0;
    for (let j = 0; j < c; j++) if (logits[r * c + j]! > v) above++;
    if (above < k) hits++;
  }
  return hits;
}

describe('top-k metrics', () => {
  const cases: [number, number, number[]][] = [
    [64, 10, [1, 3, 5]],
    [7, 1000, [1, 5]],
    [1, 5, [1, 5]],
    [33, 7, [2, 7]],
  ];
  for (const [n, c, ks] of cases) {
    it(`${n} rows of ${c} classes, k = ${ks}`, async () => {
      const x = distinctArray([n, c], n + c, 0.01);
      const target = randomClasses(n, c, n * c);
      const logits = tensorOf(x);
      const y = wt.tensor(target);
      const counts = ks.map((k) => wt.topkCorrect(logits, y, k));
      const fractions = ks.map((k) => wt.topkAccuracy(logits, y, k));
      const percents = wt.accuracy(logits, y, ks);
      const read = await readPoisoned(wt.correctCount(logits, y), ...counts, ...fractions, ...percents);
      const expected = ks.map((k) => countTopk(x.data, n, c, target, k));
      expect(read[0]![0], 'correctCount').toBe(countTopk(x.data, n, c, target, 1));
      ks.forEach((k, i) => {
        expect(counts[i]!.dtype).toBe('int32');
        expect(read[1 + i]![0], `top-${k} count`).toBe(expected[i]);
        expectClose(read[1 + ks.length + i]!, [expected[i]! / n], 1e-7, `top-${k} accuracy`);
        expectClose(read[1 + 2 * ks.length + i]!, [(100 * expected[i]!) / n], 1e-6, `acc@${k} in percent`);
      });
    });
  }

  it('ties are ordered by class index, as topk; k = C counts every row', async () => {
    const logits = wt.tensor([[1, 2, 2, 0], [3, 3, 3, 3]]);
    const y = wt.tensor(Int32Array.from([2, 3]));
    const [top1, top2, top4] = await readPoisoned(wt.topkCorrect(logits, y, 1), wt.topkCorrect(logits, y, 2), wt.topkCorrect(logits, y, 4));
    expect(top1![0]).toBe(0); // row 0's first maximum is class 1; row 1's is class 0
    expect(top2![0]).toBe(1);
    expect(top4![0]).toBe(2);
  });

  it('errors', () => {
    const logits = wt.zeros([4, 3]);
    const y = wt.zeros([4], { dtype: 'int32' });
    expect(() => wt.topkCorrect(logits, y, 4)).toThrow(/topkCorrect: k must be an integer in \[1, 3\]/);
    expect(() => wt.accuracy(logits, y, [1, 5])).toThrow(/accuracy: k must be an integer in \[1, 3\] .* got 5/);
    expect(() => wt.topkAccuracy(logits, wt.zeros([4]), 1)).toThrow(/targets must be int32/);
    expect(() => wt.topkCorrect(wt.zeros([4, 3, 1]), y)).toThrow(/expected logits \[N, C\] and targets \[N\]/);
  });
});

describe('PyTorch 1.13 fixtures: the ImageNet example accuracy()', () => {
  for (const c of fixtureCases(fixtures).filter((f) => f.args['op'] === 'accuracy')) {
    it(c.name, async () => {
      const t = fixtureInputs(c);
      const res = wt.accuracy(t['output']!, t['target']!, c.args['topk'] as number[]);
      const read = await readPoisoned(...res);
      expectClose(read.map((r) => r[0]!), c.output.data, 1e-6, `${c.name}: accuracy vs PyTorch`);
    });
  }
});
