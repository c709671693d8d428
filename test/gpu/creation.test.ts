/**
 * Creation functions take sizes as PyTorch's `*size`: separate numbers or one array, then an optional
 * options object; 0-dim from [] (or no size). Values, shapes and dtypes of every form.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';

beforeAll(async () => {
  await wt.init();
});

describe('zeros, ones, empty, full', () => {
  const forms: [string, () => wt.Tensor, number[]][] = [
    ['zeros(2, 3)', () => wt.zeros(2, 3), [2, 3]],
    ['zeros([2, 3])', () => wt.zeros([2, 3]), [2, 3]],
    ['zeros(1)', () => wt.zeros(1), [1]],
    ['zeros([1])', () => wt.zeros([1]), [1]],
    ['zeros([]) (0-dim)', () => wt.zeros([]), []],
    ['zeros() (0-dim)', () => wt.zeros(), []],
    ['zeros(2, 0)', () => wt.zeros(2, 0), [2, 0]],
    ['empty(4, 5)', () => wt.empty(4, 5), [4, 5]],
    ['empty([3])', () => wt.empty([3]), [3]],
  ];
  for (const [name, make, shape] of forms) {
    it(name, async () => {
      const t = make();
      expect(t.shape).toEqual(shape);
      expect(t.dtype).toBe('float32');
      expect(Array.from(await t.data())).toEqual(new Array(shape.reduce((a, b) => a * b, 1)).fill(0));
    });
  }

  it('ones with every form and the options object', async () => {
    expect(Array.from(await wt.ones(2, 2).data())).toEqual([1, 1, 1, 1]);
    expect(Array.from(await wt.ones([3]).data())).toEqual([1, 1, 1]);
    expect(await wt.ones([]).item()).toBe(1);
    const i = wt.ones(2, 3, { dtype: 'int32' });
    expect([i.dtype, i.shape]).toEqual(['int32', [2, 3]]);
    const g = wt.ones([4], { requiresGrad: true });
    expect(g.requiresGrad).toBe(true);
    expect(wt.zeros(5, { dtype: 'int32' }).dtype).toBe('int32');
    expect(wt.zeros([2, 2], { requiresGrad: true }).requiresGrad).toBe(true);
  });

  it('full(size, fillValue, options)', async () => {
    expect(Array.from(await wt.full([2, 2], 7).data())).toEqual([7, 7, 7, 7]);
    expect(await wt.full([], -1.5).item()).toBe(-1.5);
    expect(wt.full([3], 2, { dtype: 'int32' }).dtype).toBe('int32');
    expect(() => wt.full(2 as never, 7)).toThrow(/full: size must be an array such as \[2, 3\]/);
  });

  it('bad sizes are errors that name the function', () => {
    expect(() => wt.zeros(-1)).toThrow(wt.WebtrainError);
    expect(() => wt.zeros(2.5)).toThrow(/zeros/);
    expect(() => wt.zeros([2], [3] as never)).toThrow(/zeros: size must be numbers \(zeros\(2, 3\)\) or one array/);
    expect(() => wt.ones(2, 'a' as never)).toThrow(/ones: size must be numbers/);
  });
});

describe('rand, randn, randint', () => {
  it('rand and randn: numbers or one array, then options', async () => {
    for (const f of [wt.rand, wt.randn]) {
      expect(f(2, 3).shape).toEqual([2, 3]);
      expect(f([2, 3]).shape).toEqual([2, 3]);
      expect(f(1).shape).toEqual([1]);
      expect(f([]).shape).toEqual([]);
      const a = await f(4, { generator: new wt.Generator().manualSeed(3) }).data();
      const b = await f([4], { generator: new wt.Generator().manualSeed(3) }).data();
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(f(2, { requiresGrad: true }).requiresGrad).toBe(true);
    }
    const u = await wt.rand(1000).data();
    expect(u.every((v) => v >= 0 && v < 1)).toBe(true);
  });

  it('randint(high, size) and randint(low, high, size, options)', async () => {
    const a = wt.randint(10, [3, 4]);
    expect([a.shape, a.dtype]).toEqual([[3, 4], 'int32']);
    expect((await a.data()).every((v) => v >= 0 && v < 10)).toBe(true);
    const b = await wt.randint(5, 8, [200], { generator: new wt.Generator().manualSeed(1) }).data();
    expect(b.every((v) => v >= 5 && v < 8)).toBe(true);
    expect(new Set(b).size).toBe(3);
    expect(wt.randint(3, []).shape).toEqual([]);
    expect(() => wt.randint(3, 2 as never)).toThrow(/randint: expected \(high, size\) or \(low, high, size\)/);
    expect(() => wt.randint(5, 5, [2])).toThrow(/need integers low < high, got 5, 5/);
  });
});
