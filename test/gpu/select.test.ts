/**
 * Selection ops on the GPU against test/reference/plumbing.ts: topk (values, indices and the
 * scatter of its gradient), max / min along a dim with indices, in all and elementwise, where with
 * three-way broadcasting, and clamp with one bound; NaN and tie conventions as PyTorch; int32
 * inputs; rows past one dispatch dimension; errors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';
import { checkDirectional, checkOp, describeCase, distinctArray, expectClose, expectEqualValues, randomArray, readPoisoned, tensorOf, testArray } from '../helpers.js';
import * as ew from '../reference/elementwise.js';
import * as ref from '../reference/plumbing.js';

beforeAll(async () => {
  await wt.init();
});

const messageOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(wt.WebtrainError);
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

describe('topk', () => {
  // [shape, k, dim, largest]: the lanes along outer or inner, k = 1, k = the whole dim, batch 1.
  const cases: [number[], number, number, boolean][] = [
    [[4, 9], 3, -1, true],
    [[5, 3], 2, 0, false],
    [[2, 7, 3], 4, 1, true],
    [[1, 1000], 5, 1, true],
    [[2, 4, 3], 4, 1, false],
    [[7], 1, 0, true],
    [[3, 1, 2], 1, 1, true],
  ];
  for (const [k0, [shape, k, dim, largest]] of cases.entries()) {
    it(describeCase(shape, { k, dim, largest }), async () => {
      const x = distinctArray(shape, 10 + k0, 0.01);
      const expected = ref.topk(x.ref, k, dim, largest);
      const sel = wt.topk(tensorOf(x), k, dim, largest);
      expect(sel.indices.dtype).toBe('int32');
      expectEqualValues((await readPoisoned(sel.indices))[0]!, expected.indices, 'topk indices');
      await checkOp({
        what: `topk values ${describeCase(shape, { k, dim, largest })}`,
        inputs: [x],
        gpu: (t) => t.topk(k, dim, largest).values,
        ref: (a) => ref.topk(a, k, dim, largest).values,
        refGrad: (gy, a) => [ref.scatterBack(gy, ref.topk(a, k, dim, largest).indices, a.shape, dim)],
        fd: { maxPoints: 100 },
      });
    });
  }

  it('options form, destructuring, k = 0, a 0-dim input, int32 input', async () => {
    const x = wt.tensor([[3, 1, 4, 1.5], [9, 2, 6, 5]]);
    const [v, i] = wt.topk(x, 2, { largest: false });
    expectEqualValues((await readPoisoned(v))[0]!, [1, 1.5, 2, 5], 'values');
    expectEqualValues((await readPoisoned(i))[0]!, [1, 3, 1, 3], 'indices');
    expect(wt.topk(x, 0, 1).values.shape).toEqual([2, 0]);
    const s = wt.topk(wt.tensor(5), 1);
    expect(s.values.shape).toEqual([]);
    expect(await s.indices.item()).toBe(0);
    const n = wt.topk(wt.tensor(Int32Array.from([7, -3, 100000, 2])), 2);
    expect(n.values.dtype).toBe('int32');
    expectEqualValues(await n.values.data(), [100000, 7], 'int32 topk values');
  });

  it('NaN counts as the largest; equal values come in index order', async () => {
    const x = wt.tensor([1, NaN, 0, 3, 3]);
    const big = wt.topk(x, 3);
    expect(Array.from(await big.values.data())).toEqual([NaN, 3, 3]);
    expectEqualValues(await big.indices.data(), [1, 3, 4], 'largest with NaN and a tie');
    const small = wt.topk(x, 5, 0, false);
    expect(Array.from(await small.values.data())).toEqual([0, 1, 3, 3, NaN]);
    expectEqualValues(await small.indices.data(), [2, 0, 3, 4, 1], 'smallest: NaN last');
  });

  it('k = 1 over 4.2M rows: values, indices and the scattered gradient (past one dispatch dimension)', async () => {
    const rows = 4194305;
    const x = randomArray([rows, 2], 30);
    const t = tensorOf(x, true);
    const { values, indices } = wt.topk(t, 1, 1);
    const gy = randomArray([rows, 1], 31);
    values.backward(tensorOf(gy));
    const [v, i, g] = await readPoisoned(values, indices, t.grad!);
    const ev = new Float32Array(rows);
    const ei = new Int32Array(rows);
    const eg = new Float32Array(2 * rows);
    for (let r = 0; r < rows; r++) {
      const j = x.data[2 * r + 1]! > x.data[2 * r]! ? 1 : 0;
      ev[r] = x.data[2 * r + j]!;
      ei[r] = j;
      eg[2 * r + j] = gy.data[r]!;
    }
    expectClose(v!, ev, 0, 'topk values');
    expectEqualValues(i!, ei, 'topk indices');
    expectClose(g!, eg, 0, 'topk gradient');
  });

  it('errors name the op and the values', () => {
    const x = wt.zeros([2, 3]);
    expect(messageOf(() => wt.topk(x, 4))).toMatch(/topk: selected index k out of range: k = 4 for dim 1 of size 3/);
    expect(messageOf(() => wt.topk(x, 1, 2))).toMatch(/topk: dim 2 is out of range/);
    expect(messageOf(() => wt.topk(x.gt(0), 1))).toMatch(/topk: expected a float32 or int32 tensor, got bool/);
  });
});

describe('max and min', () => {
  const cases: [number[], number, boolean][] = [
    [[3, 5], 1, false],
    [[2, 4, 3], 1, true],
    [[4, 3], 0, false],
    [[2, 3, 7], -1, true],
    [[6], 0, false],
    [[1, 1], 1, false],
  ];
  for (const op of ['max', 'min'] as const) {
    it(`${op}(x, dim, keepdim): values, indices, gradient to the selected element`, async () => {
      for (const [k, [shape, dim, keepdim]] of cases.entries()) {
        const x = distinctArray(shape, 40 + k);
        const expected = ref.maxMinDim(x.ref, dim, keepdim, op);
        const r = op === 'max' ? wt.max(tensorOf(x), dim, keepdim) : tensorOf(x).min(dim, keepdim);
        expect(r.indices.shape).toEqual(expected.indices.shape);
        expectEqualValues((await readPoisoned(r.indices))[0]!, expected.indices, `${op} indices ${describeCase(shape, { dim, keepdim })}`);
        const d = dim < 0 ? dim + shape.length : dim;
        await checkOp({
          what: `${op} values ${describeCase(shape, { dim, keepdim })}`,
          inputs: [x],
          gpu: (t) => (op === 'max' ? t.max({ dim, keepdim }) : wt.min(t, { dim, keepdim })).values,
          ref: (a) => ref.maxMinDim(a, dim, keepdim, op).values,
          refGrad: (gy, a) => {
            const sel = ref.maxMinDim(a, d, true, op);
            return [ref.scatterBack({ shape: sel.values.shape, data: gy.data }, sel.indices, a.shape, d)];
          },
        });
      }
    });
  }

  it('a NaN is the maximum and the minimum, with its index (as torch.max / torch.min)', async () => {
    const x = wt.tensor([[1, NaN, 0, 3], [2, 5, -1, 4]]);
    const mx = wt.max(x, 1);
    const mn = wt.min(x, 1);
    const [mv, mi, nv, ni] = await readPoisoned(mx.values, mx.indices, mn.values, mn.indices);
    expect(Array.from(mv!)).toEqual([NaN, 5]);
    expectEqualValues(mi!, [1, 1], 'max indices');
    expect(Array.from(nv!)).toEqual([NaN, -1]);
    expectEqualValues(ni!, [1, 2], 'min indices');
  });

  it('max(x) / min(x) of all elements split the gradient among ties; max(a, b) is elementwise', async () => {
    const x = wt.tensor([[0.5, 0.9, 0.9], [-0.2, 0.1, -0.7]], { requiresGrad: true });
    const m = wt.max(x);
    expect(m.shape).toEqual([]);
    m.backward();
    expectClose(await x.grad!.data(), [0, 0.5, 0.5, 0, 0, 0], 0, 'max gradient');
    expect(await x.min().item()).toBeCloseTo(-0.7, 6);
    const a = randomArray([3, 4], 50);
    const b = randomArray([4], 51);
    await checkOp({ what: 'max(a, b)', inputs: [a, b], gpu: (p, q) => wt.max(p, q), ref: (p, q) => ew.binary(ew.maximum, p, q), refGrad: (gy, p, q) => ew.binaryBackward(ew.maximum, p, q, gy) });
    await checkOp({ what: 'a.min(b)', inputs: [a, b], gpu: (p, q) => p.min(q), ref: (p, q) => ew.binary(ew.minimum, p, q), refGrad: (gy, p, q) => ew.binaryBackward(ew.minimum, p, q, gy) });
  });

  it('int32 input keeps its dtype; max over a 0-dim tensor', async () => {
    const i = wt.tensor(Int32Array.from([3, -7, 100000, 9, 9, -1]), { shape: [2, 3] });
    const r = wt.max(i, 1);
    expect(r.values.dtype).toBe('int32');
    expectEqualValues(await r.values.data(), [100000, 9], 'int32 max values');
    expectEqualValues(await r.indices.data(), [2, 0], 'int32 max indices (first of ties)');
    const s = wt.min(wt.tensor(4), 0);
    expect(s.values.shape).toEqual([]);
    expect(await s.indices.item()).toBe(0);
  });

  it('max along a dim of 4.2M rows, and its gradient', async () => {
    const rows = 4194305;
    const x = randomArray([rows, 3], 52);
    const t = tensorOf(x, true);
    const { values, indices } = wt.max(t, 1);
    values.sum().backward();
    const [v, i, g] = await readPoisoned(values, indices, t.grad!);
    const ev = new Float32Array(rows);
    const ei = new Int32Array(rows);
    const eg = new Float32Array(3 * rows);
    for (let r = 0; r < rows; r++) {
      let j = 0;
      for (let c = 1; c < 3; c++) if (x.data[3 * r + c]! > x.data[3 * r + j]!) j = c;
      ev[r] = x.data[3 * r + j]!;
      ei[r] = j;
      eg[3 * r + j] = 1;
    }
    expectClose(v!, ev, 0, 'max values');
    expectEqualValues(i!, ei, 'max indices');
    expectClose(g!, eg, 0, 'max gradient');
  });

  it('errors', () => {
    expect(messageOf(() => wt.max(wt.zeros([2, 0]), 1))).toMatch(/max: cannot compute max over dim 1 of size 0/);
    expect(messageOf(() => wt.min(wt.zeros([2, 3]), 2))).toMatch(/min: dim 2 is out of range/);
    expect(messageOf(() => (wt.max as (...args: unknown[]) => unknown)(wt.zeros([2]), wt.zeros([2]), 1))).toMatch(/max\(input, other\) takes no further arguments/);
  });
});

describe('where', () => {
  const cond = (shape: number[], seed: number): ReturnType<typeof testArray> => testArray(shape, randomArray(shape, seed).data.map((v) => (v > 0 ? 1 : 0)));
  const cases: [number[], number[], number[]][] = [
    [[3, 4], [3, 4], [3, 4]],
    [[3, 1, 5], [4, 5], [3, 4, 1]],
    [[5], [2, 5], [1]],
    [[2, 1, 3, 1], [1, 4, 1, 5], [2, 4, 3, 5]],
    [[], [3], [2, 3]],
  ];
  for (const [k, [sc, sa, sb]] of cases.entries()) {
    it(`condition [${sc}], input [${sa}], other [${sb}]`, async () => {
      const c = cond(sc, 60 + k);
      const condTensor = wt.tensor(Int32Array.from(c.data), { shape: sc, dtype: 'bool' });
      await checkOp({
        what: `where [${sc}] [${sa}] [${sb}]`,
        inputs: [randomArray(sa, 70 + k), randomArray(sb, 80 + k)],
        gpu: (a, b) => wt.where(condTensor, a, b),
        ref: (a, b) => ref.where(c.ref, a, b),
        refGrad: (gy, a, b) => ref.whereBackward(c.ref, a, b, gy),
      });
    });
  }

  it('numbers for input or other, Tensor.where, int32 and bool data', async () => {
    const c = wt.tensor([true, false, true]);
    const x = wt.tensor([1.5, -2, 3]);
    expectClose(await wt.where(c, x, 0).data(), [1.5, 0, 3], 0, 'where(c, x, 0)');
    expectClose(await wt.where(c, -1, x).data(), [-1, -2, -1], 0, 'where(c, -1, x)');
    expectClose(await wt.where(c, 2, 3).data(), [2, 3, 2], 0, 'where(c, 2, 3)');
    expectClose(await x.where(c, 7).data(), [1.5, 7, 3], 0, 'x.where(c, 7)');
    const i = wt.where(wt.tensor([[true], [false]]), wt.tensor(Int32Array.from([1, 2147483647, -5])), -7);
    expect(i.dtype).toBe('int32');
    expectEqualValues(await i.data(), [1, 2147483647, -5, -7, -7, -7], 'int32 where');
    const b = wt.where(c, wt.tensor([false, false, false]), wt.tensor([true, true, true]));
    expect(b.dtype).toBe('bool');
    expectEqualValues(await b.data(), [0, 1, 0], 'bool where');
  });

  it('directional derivative through where and broadcasting (GPU only)', async () => {
    const c = wt.tensor([[true, false, true, false, true]]);
    await checkDirectional({ what: 'where(c, a * b, b.exp())', f: (a, b) => wt.where(c, a.mul(b), b.exp()), at: [randomArray([3, 5], 90), randomArray([3, 1], 91)] });
  });

  it('errors', () => {
    const x = wt.zeros([2, 3]);
    expect(messageOf(() => wt.where(x.gt(0).int(), x, x))).toMatch(/where expected condition to be a boolean tensor, but got a tensor with dtype int32/);
    expect(messageOf(() => wt.where(x.gt(0), x, x.int()))).toMatch(/where: expected input and other to have the same dtype, got float32 .* and int32/);
    expect(messageOf(() => wt.where(x.gt(0), x, wt.zeros([4])))).toMatch(/where: shapes \[2, 3\] and \[4\] cannot be broadcast together/);
    expect(messageOf(() => wt.where(x.gt(0), x.int(), 0.5))).toMatch(/other 0.5 is not an integer but the other operand is int32/);
  });
});

describe('clamp', () => {
  const kinks = [-0.3, 0.4, 0.1, -0.2];
  for (const [name, lo, hi] of [
    ['clamp(min, max)', -0.3, 0.4],
    ['clamp(min only)', 0.1, null],
    ['clamp(max only)', null, -0.2],
  ] as const) {
    it(`${name}: gradient 1 on the closed range, as torch.clamp`, async () => {
      const x = randomArray([23], 95);
      await checkOp({
        what: name,
        inputs: [x],
        gpu: (t) => t.clamp(lo, hi),
        ref: (a) => ew.unary(ew.clamp(lo ?? -Infinity, hi ?? Infinity), a),
        refGrad: (gy, a) => [ew.unaryBackward(ew.clamp(lo ?? -Infinity, hi ?? Infinity), a, gy)],
      });
      const t = wt.tensor(kinks, { requiresGrad: true });
      wt.clamp(t, lo, hi).sum().backward();
      // The bounds are float32 numbers on the GPU, as in PyTorch's clamp of a float32 tensor.
      const f = Math.fround;
      const inside = (v: number): boolean => (lo === null || f(v) >= f(lo)) && (hi === null || f(v) <= f(hi));
      expectClose(await t.grad!.data(), kinks.map((v) => (inside(v) ? 1 : 0)), 0, `${name} gradient at the bounds`);
    });
  }

  it('clamp with neither bound is an error; clip is clamp', async () => {
    expect(messageOf(() => wt.clamp(wt.zeros([2])))).toMatch(/clamp: at least one of min and max must be given/);
    expectClose(await wt.tensor([-2, 0.5, 2]).clip(-1, 1).data(), [-1, 0.5, 1], 0, 'clip');
  });
});
