/**
 * Tensor plumbing on the GPU against test/reference/plumbing.ts and PyTorch 1.13
 * (test/fixtures/plumbing.json from gen_plumbing.py): cat / stack / split / chunk / unbind,
 * slice / narrow / select, channelShuffle, reshape-like views, permutes through the block copy
 * (both of its lane layouts and its vec4 entry point), int32 and bool data, tensors past one
 * dispatch dimension's limit, and the errors of impossible shapes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/internal.js'; // ops and engineFor are internal
import fixtures from '../fixtures/plumbing.json';
import { compareFixture, fixtureCases, type FixtureCase } from '../fixture-cases.js';
import { checkOp, describeCase, expectClose, expectEqualValues, randomArray, readPoisoned, tensorOf } from '../helpers.js';
import { numel, permute as refPermute, reshape as refReshape, type NDArray } from '../reference/ndarray.js';
import * as ref from '../reference/plumbing.js';

beforeAll(async () => {
  await wt.init();
});

/** The pieces of a split flattened and concatenated, piece i scaled by i + 1 (distinct gradients). */
function joinPieces(pieces: readonly wt.Tensor[]): wt.Tensor {
  return wt.cat(pieces.map((p, i) => p.reshape(-1).mul(i + 1)));
}

function joinRefPieces(pieces: readonly NDArray[]): NDArray {
  const data = pieces.flatMap((p, i) => Array.from(p.data, (v) => v * (i + 1)));
  return { shape: [data.length], data: Float64Array.from(data) };
}

function splitSizes(size: number, s: number | readonly number[]): number[] {
  if (typeof s !== 'number') return [...s];
  return Array.from({ length: Math.max(1, Math.ceil(size / s)) }, (_, i) => Math.min(s, size - i * s));
}

describe('cat and stack', () => {
  const cases: [number[][], number][] = [
    [[[2, 3, 4], [2, 1, 4], [2, 5, 4]], 1],
    [[[1, 3, 5], [2, 3, 5]], 0],
    [[[3, 2, 7], [3, 2, 1], [3, 2, 3]], -1], // short rows: lanes across rows
    [[[2, 40, 2], [2, 24, 2]], 1], // runs of 80 and 48 words, 4-aligned: vec4 along the rows
    [[[5], [2], [11]], 0],
    [[[2, 3, 1, 1], [2, 5, 1, 1]], 1], // 1x1 spatial channels (a DenseNet / Inception join)
  ];
  for (const [k, [shapes, dim]] of cases.entries()) {
    it(`cat ${shapes.map((s) => `[${s}]`).join(' + ')} along ${dim}`, async () => {
      const inputs = shapes.map((s, j) => randomArray(s, 10 * k + j));
      await checkOp({
        what: `cat dim ${dim}`,
        inputs,
        gpu: (...ts) => wt.cat(ts, dim),
        ref: (...xs) => ref.cat(xs, dim),
        refGrad: (gy, ...xs) => {
          const d = dim < 0 ? dim + xs[0]!.shape.length : dim;
          return ref.split(gy, xs.map((x) => x.shape[d]!), d);
        },
      });
    });
  }

  it('cat: only the inputs that need a gradient get one; options form; a single tensor', async () => {
    const a = randomArray([3, 2], 1);
    const b = randomArray([3, 5], 2);
    await checkOp({
      what: 'cat({ dim: 1 }), b constant',
      inputs: [a, b],
      differentiable: [true, false],
      gpu: (x, y) => wt.cat([x, y], { dim: 1 }),
      ref: (x, y) => ref.cat([x, y], 1),
    });
    const t = tensorOf(a);
    expect(wt.cat([t], 0)).toBe(t);
    expect(wt.ops.concat([t, t]).shape).toEqual([6, 2]);
  });

  it('cat skips 1-D empty tensors (legacy PyTorch behaviour) and joins int32 and bool data exactly', async () => {
    const a = wt.tensor(Int32Array.from([1, -2, 3, 2147483647, -2147483648, 7]), { shape: [2, 3] });
    const e = wt.zeros([0], { dtype: 'int32' });
    const b = wt.tensor(Int32Array.from([9, 8]), { shape: [2, 1] });
    const c = wt.cat([a, e, b], 1);
    expect(c.dtype).toBe('int32');
    expectEqualValues((await readPoisoned(c))[0]!, [1, -2, 3, 9, 2147483647, -2147483648, 7, 8], 'int32 cat');
    const m = wt.cat([wt.tensor([true, false]), wt.tensor([false, false, true])]);
    expect(m.dtype).toBe('bool');
    expectEqualValues((await readPoisoned(m))[0]!, [1, 0, 0, 0, 1], 'bool cat');
  });

  for (const dim of [0, 1, -1]) {
    it(`stack along ${dim}`, async () => {
      const xs = [randomArray([3, 5], 20), randomArray([3, 5], 21), randomArray([3, 5], 22)];
      const d = dim < 0 ? dim + 3 : dim;
      const unsq = (x: NDArray): NDArray => refReshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
      await checkOp({
        what: `stack dim ${dim}`,
        inputs: xs,
        gpu: (...ts) => wt.stack(ts, dim),
        ref: (...as) => ref.cat(as.map(unsq), d),
      });
    });
  }
});

describe('split, chunk, unbind', () => {
  const splits: [number[], number | number[], number][] = [
    [[3, 7, 2], 2, 1],
    [[3, 7, 2], [1, 4, 2], 1],
    [[2, 9], 4, -1],
    [[6, 3], [0, 6], 0],
    [[64, 5], 20, 0], // pieces of 100 words: lanes along the rows, vec4
  ];
  for (const [k, [shape, s, dim]] of splits.entries()) {
    it(`split ${describeCase(shape, { s, dim })}`, async () => {
      const d = dim < 0 ? dim + shape.length : dim;
      const sizes = splitSizes(shape[d]!, s);
      const x = randomArray(shape, 30 + k);
      const pieces = wt.ops.split(tensorOf(x), s, dim);
      expect(pieces.map((p) => p.shape)).toEqual(sizes.map((n) => shape.map((v, i) => (i === d ? n : v))));
      await checkOp({
        what: `split ${JSON.stringify(s)} dim ${dim}`,
        inputs: [x],
        gpu: (t) => joinPieces(t.split(s, dim)),
        ref: (a) => joinRefPieces(ref.split(a, sizes, d)),
      });
    });
  }

  it('split: a gradient through one piece only (the others count as zeros)', async () => {
    const x = randomArray([4, 6], 40);
    await checkOp({
      what: 'split(x, 2, 1)[1]',
      inputs: [x],
      gpu: (t) => wt.split(t, 2, 1)[1]!,
      ref: (a) => ref.sliceAlong(a, 1, 2, 1, 2),
      refGrad: (gy) => [ref.unslice(gy, [4, 6], 1, 2, 1)],
    });
  });

  const chunks: [number[], number, number, number[]][] = [
    [[7, 3], 3, 0, [3, 3, 1]],
    [[2, 6], 4, 1, [2, 2, 2]], // 4 asked, 3 given (as torch.chunk)
    [[2, 6, 3, 3], 2, 1, [3, 3]],
    [[5], 5, 0, [1, 1, 1, 1, 1]],
  ];
  for (const [k, [shape, n, dim, sizes]] of chunks.entries()) {
    it(`chunk ${describeCase(shape, { chunks: n, dim })}`, async () => {
      const x = randomArray(shape, 50 + k);
      expect(wt.chunk(tensorOf(x), n, dim).map((p) => p.shape[dim])).toEqual(sizes);
      await checkOp({
        what: `chunk ${n} dim ${dim}`,
        inputs: [x],
        gpu: (t) => joinPieces(t.chunk(n, dim)),
        ref: (a) => joinRefPieces(ref.split(a, sizes, dim)),
      });
    });
  }

  it('unbind removes the dim', async () => {
    const x = randomArray([3, 2, 5], 60);
    const parts = wt.unbind(tensorOf(x), 1);
    expect(parts.map((p) => p.shape)).toEqual([
      [3, 5],
      [3, 5],
    ]);
    await checkOp({
      what: 'unbind(1)',
      inputs: [x],
      gpu: (t) => joinPieces(t.unbind(1)),
      ref: (a) => joinRefPieces(ref.split(a, [1, 1], 1)),
    });
    expect(wt.unbind(wt.zeros([0, 3]))).toEqual([]);
    expect(wt.chunk(wt.zeros([0, 3]), 3).map((p) => p.shape)).toEqual([
      [0, 3],
      [0, 3],
      [0, 3],
    ]);
  });
});

describe('slice, narrow, select', () => {
  // [shape, dim, start, end, step] and the resolved [start, len].
  const slices: [number[], number, number | null, number | null, number, number, number][] = [
    [[3, 8, 2], 1, 1, 6, 2, 1, 3],
    [[2, 3, 10], 2, null, null, 3, 0, 4], // step along the last dim: no contiguous run
    [[2, 3, 10], -1, 1, 9, 1, 1, 8],
    [[7, 3], 0, -4, null, 1, 3, 4],
    [[2, 5], 1, 2, 100, 1, 2, 3],
    [[2, 5], 1, -100, -2, 1, 0, 3],
    [[3, 6], 1, 4, 2, 1, 0, 0],
    [[9, 2, 3], 0, 1, null, 4, 1, 2],
    [[4, 37], 1, 3, 35, 1, 3, 32], // 32-word runs: lanes along the rows
  ];
  for (const [k, [shape, dim, start, end, step, s0, len]] of slices.entries()) {
    it(`slice ${describeCase(shape, { dim, start, end, step })}`, async () => {
      const x = randomArray(shape, 70 + k);
      const d = dim < 0 ? dim + shape.length : dim;
      await checkOp({
        what: `slice(${dim}, ${start}, ${end}, ${step}) of [${shape}]`,
        inputs: [x],
        gpu: (t) => t.slice(dim, start, end, step),
        ref: (a) => ref.sliceAlong(a, d, s0, step, len),
        refGrad: (gy) => [ref.unslice(gy, shape, d, s0, step)],
      });
    });
  }

  it('narrow and select, with negative start and index', async () => {
    const x = randomArray([5, 6, 3], 80);
    await checkOp({ what: 'narrow(1, -4, 3)', inputs: [x], gpu: (t) => t.narrow(1, -4, 3), ref: (a) => ref.sliceAlong(a, 1, 2, 1, 3) });
    await checkOp({ what: 'wt.narrow(x, 2, 1, 2)', inputs: [x], gpu: (t) => wt.narrow(t, 2, 1, 2), ref: (a) => ref.sliceAlong(a, 2, 1, 1, 2) });
    await checkOp({
      what: 'select(1, -2)',
      inputs: [x],
      gpu: (t) => t.select(1, -2),
      ref: (a) => refReshape(ref.sliceAlong(a, 1, 4, 1, 1), [5, 3]),
    });
  });

  it('a slice of a slice, and slices of int32 data', async () => {
    const x = randomArray([6, 10], 81);
    await checkOp({
      what: 'x[1:5:2, ::3]',
      inputs: [x],
      gpu: (t) => t.slice(0, 1, 5, 2).slice(1, null, null, 3),
      ref: (a) => ref.sliceAlong(ref.sliceAlong(a, 0, 1, 2, 2), 1, 0, 3, 4),
    });
    const i = wt.tensor(Int32Array.from({ length: 12 }, (_, k) => k * 1000 - 5), { shape: [3, 4] });
    expectEqualValues((await readPoisoned(i.slice(1, 1, null, 2)))[0]!, [995, 2995, 4995, 6995, 8995, 10995], 'int32 slice');
  });
});

describe('channelShuffle', () => {
  const cases: [number[], number][] = [
    [[2, 6, 3, 5], 3],
    [[1, 8, 1, 1], 2],
    [[2, 12, 5], 4],
    [[1, 10, 4, 4], 5], // rows of 16 words: vec4, looped inside each invocation
    [[3, 9, 7, 7], 3], // ShuffleNet-like 7x7 maps
  ];
  for (const [shape, groups] of cases) {
    it(describeCase(shape, { groups }), async () => {
      const x = randomArray(shape, numel(shape));
      await checkOp({
        what: `channelShuffle ${describeCase(shape, { groups })}`,
        inputs: [x],
        gpu: (t) => wt.nn.functional.channelShuffle(t, groups),
        ref: (a) => ref.channelShuffle(a, groups),
        // The inverse permutation is the shuffle with C / groups groups.
        refGrad: (gy) => [ref.channelShuffle(gy, shape[1]! / groups)],
      });
    });
  }

  it('nn.ChannelShuffle and wt.channelShuffle agree; groups 1 and C are the identity', async () => {
    const x = randomArray([2, 6, 2, 2], 90);
    const t = tensorOf(x);
    const m = new wt.nn.ChannelShuffle(2);
    const [a, b] = await readPoisoned(m.call(t), wt.channelShuffle(t, { groups: 2 }));
    expectClose(a!, ref.channelShuffle(x.ref, 2), 0, 'nn.ChannelShuffle(2)');
    expectClose(b!, ref.channelShuffle(x.ref, 2), 0, 'channelShuffle({ groups: 2 })');
    expect(wt.channelShuffle(t, 1)).toBe(t);
    expect(wt.channelShuffle(t, 6)).toBe(t);
    expect(m.toString()).toBe('ChannelShuffle(groups=2)');
  });
});

describe('views and permutes', () => {
  it('unsqueeze / squeeze keep the data and pass gradients', async () => {
    const x = randomArray([2, 1, 3], 91);
    const w = randomArray([2, 3, 1], 92);
    await checkOp({
      what: 'squeeze(1).unsqueeze(-1) * w',
      inputs: [x, w],
      differentiable: [true, false],
      gpu: (t, u) => t.squeeze(1).unsqueeze(-1).mul(u),
      ref: (a, b) => ({ shape: [2, 3, 1], data: a.data.map((v, i) => v * b.data[i]!) }),
    });
    const t = tensorOf(x);
    expect(t.squeeze().shape).toEqual([2, 3]);
    expect(t.squeeze(0).shape).toEqual([2, 1, 3]);
    expect(wt.unsqueeze(t, 0).shape).toEqual([1, 2, 1, 3]);
    expect(wt.squeeze(wt.zeros([1, 1])).shape).toEqual([]);
  });

  // Permutes that keep the last dim copy rows; the others gather with strides; rank 6 with
  // nothing to merge falls back to the elementwise kernel.
  const permutes: [number[], number[]][] = [
    [[2, 3, 4, 5], [0, 2, 1, 3]],
    [[2, 3, 4, 40], [2, 0, 1, 3]],
    [[2, 3, 4, 5], [0, 2, 3, 1]],
    [[7, 1, 3], [2, 1, 0]],
    [[2, 3, 2, 3, 2, 3], [1, 0, 3, 2, 5, 4]],
  ];
  for (const [shape, perm] of permutes) {
    it(`permute ${describeCase(shape, { perm })}`, async () => {
      const x = randomArray(shape, 93);
      await checkOp({
        what: `permute ${describeCase(shape, { perm })}`,
        inputs: [x],
        gpu: (t) => t.permute(perm),
        ref: (a) => refPermute(a, perm),
        refGrad: (gy) => [refPermute(gy, perm.map((_, i) => perm.indexOf(i)))],
      });
    });
  }

  it('expand / expandAs broadcast (gradient summed back); contiguous is the tensor itself', async () => {
    const x = randomArray([3, 1], 94);
    const zeros = { shape: [2, 3, 4], data: new Float64Array(24) };
    const expanded = (a: NDArray): NDArray => ({ shape: [2, 3, 4], data: zeros.data.map((_, i) => a.data[Math.floor(i / 4) % 3]!) });
    await checkOp({ what: 'expand(2, -1, 4)', inputs: [x], gpu: (t) => t.expand(2, -1, 4), ref: expanded });
    await checkOp({ what: 'expandAs', inputs: [x], gpu: (t) => t.expandAs(wt.zeros([2, 3, 4])), ref: expanded });
    const t = tensorOf(x);
    expect(t.contiguous()).toBe(t);
  });

  it('permutes int32 and bool data exactly (words are copied)', async () => {
    const data = Int32Array.from({ length: 24 }, (_, k) => (k * 7919) ^ 0x55aa55);
    const i = wt.tensor(data, { shape: [2, 3, 4] });
    const expected = refPermute({ shape: [2, 3, 4], data: Float64Array.from(data) }, [2, 0, 1]);
    expectEqualValues((await readPoisoned(i.permute(2, 0, 1)))[0]!, expected, 'int32 permute');
    const b = wt.tensor([[true, false, false], [true, true, false]]);
    expectEqualValues((await readPoisoned(b.transpose(0, 1)))[0]!, [1, 1, 0, 1, 0, 0], 'bool transpose');
  });
});

// 65535 workgroups of 64 invocations is one grid dimension's limit; these copies are larger.
describe('tensors larger than one dispatch dimension (> 65535 * 64 elements)', () => {
  it('cat [2053, 1100] + [2053, 953] along 1 and its gradient (slices of a 4.2M-element tensor)', async () => {
    const a = randomArray([2053, 1100], 100);
    const b = randomArray([2053, 953], 101);
    expect(2053 * 2053).toBeGreaterThan(65535 * 64);
    const ta = tensorOf(a, true);
    const tb = tensorOf(b, true);
    const y = wt.cat([ta, tb], 1);
    const gy = randomArray([2053, 2053], 102);
    y.backward(tensorOf(gy));
    const [out, ga, gb] = await readPoisoned(y, ta.grad!, tb.grad!);
    expectClose(out!, ref.cat([a.ref, b.ref], 1), 0, 'cat forward');
    const [ra, rb] = ref.split(gy.ref, [1100, 953], 1);
    expectClose(ga!, ra!, 0, 'cat gradient of a');
    expectClose(gb!, rb!, 0, 'cat gradient of b');
  });

  it('split of 4.2M rows of 1 (lanes across rows, a grid-stride loop past 65535 workgroups)', async () => {
    const x = randomArray([4194305, 2], 103);
    const [p0, p1] = wt.split(tensorOf(x), 1, 1);
    const [o0, o1] = await readPoisoned(p0!, p1!);
    expectClose(o0!, ref.sliceAlong(x.ref, 1, 0, 1, 1), 0, 'split piece 0');
    expectClose(o1!, ref.sliceAlong(x.ref, 1, 1, 1, 1), 0, 'split piece 1');
  });

  it('slice with step 2 of a 4.2M-element vector, and its gradient', async () => {
    const x = randomArray([4200001], 104);
    const t = tensorOf(x, true);
    const y = t.slice(0, 1, null, 2);
    const gy = randomArray(y.shape, 105);
    y.backward(tensorOf(gy));
    const [out, g] = await readPoisoned(y, t.grad!);
    expectClose(out!, ref.sliceAlong(x.ref, 0, 1, 2, 2100000), 0, 'slice forward');
    expectClose(g!, ref.unslice(gy.ref, [4200001], 0, 1, 2), 0, 'slice gradient');
  });
});

describe('errors before anything is dispatched', () => {
  const messageOf = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(wt.WebtrainError);
      return (e as Error).message;
    }
    throw new Error('expected an error');
  };
  it('name the op and the expected vs actual values', () => {
    const a = wt.zeros([2, 3]);
    expect(messageOf(() => wt.cat([a, wt.zeros([2, 4])], 0))).toMatch(/cat: sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor number 1/);
    expect(messageOf(() => wt.cat([a, wt.zeros([2, 3, 1])], 1))).toMatch(/same number of dimensions: got 2 and 3/);
    expect(messageOf(() => wt.cat([a, wt.zeros([2, 3], { dtype: 'int32' })]))).toMatch(/cat: expected all tensors to have dtype float32, but tensor number 1 is int32/);
    expect(messageOf(() => wt.cat([a], 2))).toMatch(/cat: dim 2 is out of range for a tensor of rank 2/);
    expect(messageOf(() => wt.cat([]))).toMatch(/non-empty list/);
    expect(messageOf(() => wt.stack([a, wt.zeros([3, 2])]))).toMatch(/stack expects each tensor to be equal size, but got \[2, 3\] at entry 0 and \[3, 2\] at entry 1/);
    expect(messageOf(() => wt.split(a, [1, 1], 1))).toMatch(/split_sizes to sum exactly to 3 .*got split_sizes=\[1, 1\]/);
    expect(messageOf(() => wt.chunk(a, 0))).toMatch(/chunk expects `chunks` to be greater than 0, got: 0/);
    expect(messageOf(() => a.narrow(1, 2, 2))).toMatch(/narrow: start \(2\) \+ length \(2\) exceeds dimension size \(3\)/);
    expect(messageOf(() => a.narrow(0, 5, 0))).toMatch(/start out of range \(expected to be in range of \[-2, 2\], but got 5\)/);
    expect(messageOf(() => a.select(1, 3))).toMatch(/select: index 3 out of range for tensor of size \[2, 3\] at dimension 1/);
    expect(messageOf(() => a.slice(1, 0, 2, 0))).toMatch(/slice: step must be positive, got 0/);
    expect(messageOf(() => wt.channelShuffle(wt.zeros([2, 6, 1]), 4))).toMatch(/channel_shuffle: number of channels must be divisible by groups. Got 6 channels and 4 groups/);
    expect(messageOf(() => wt.channelShuffle(a, 3))).toMatch(/channel_shuffle: expects input with > 2 dims/);
    expect(messageOf(() => wt.channelShuffle(wt.zeros([2, 6, 1]), 0))).toMatch(/positive integer, got 0/);
    expect(messageOf(() => new wt.nn.ChannelShuffle(-1))).toMatch(/ChannelShuffle: groups must be a positive integer/);
    expect(messageOf(() => a.unsqueeze(3))).toMatch(/unsqueeze: dim 3 is out of range for a tensor of rank 3/);
  });

  it('inside a module, errors name the layer path', () => {
    class Net extends wt.nn.Module {
      shuffle = new wt.nn.ChannelShuffle(4);
      forward(x: wt.Tensor): wt.Tensor {
        return this.shuffle.call(x);
      }
    }
    expect(messageOf(() => new Net().call(wt.zeros([1, 6, 2, 2])))).toMatch(/channel_shuffle \(shuffle\): number of channels must be divisible by groups/);
  });
});

// ---- PyTorch 1.13 fixtures ---------------------------------------------------------------------------

type Run = (t: Record<string, wt.Tensor>, a: Record<string, unknown>, c: FixtureCase) => wt.Tensor | readonly [wt.Tensor, wt.Tensor];

const listed = (t: Record<string, wt.Tensor>): wt.Tensor[] =>
  Object.keys(t)
    .sort((p, q) => Number(p.slice(1)) - Number(q.slice(1)))
    .map((k) => t[k]!);

const n = (v: unknown): number => v as number;

const runs: Record<string, Run> = {
  cat: (t, a) => wt.cat(listed(t), n(a['dim'])),
  stack: (t, a) => wt.stack(listed(t), n(a['dim'])),
  split: (t, a, c) => {
    const pieces = wt.split(t['input']!, a['splitSizeOrSections'] as number | number[], n(a['dim']));
    expect(pieces.map((p) => p.shape), `${c.name}: pieces`).toEqual(c['pieces']);
    return joinPieces(pieces);
  },
  chunk: (t, a, c) => {
    const pieces = wt.chunk(t['input']!, n(a['chunks']), n(a['dim']));
    expect(pieces.map((p) => p.shape), `${c.name}: pieces`).toEqual(c['pieces']);
    return joinPieces(pieces);
  },
  unbind: (t, a, c) => {
    const pieces = wt.unbind(t['input']!, n(a['dim']));
    expect(pieces.map((p) => p.shape), `${c.name}: pieces`).toEqual(c['pieces']);
    return joinPieces(pieces);
  },
  narrow: (t, a) => wt.narrow(t['input']!, n(a['dim']), n(a['start']), n(a['length'])),
  slice: (t, a) => (a['slices'] as [number, number | null, number | null, number][]).reduce((x, [d, s, e, st]) => x.slice(d, s, e, st), t['input']!),
  select: (t, a) => wt.select(t['input']!, n(a['dim']), n(a['index'])),
  channelShuffle: (t, a) => wt.nn.functional.channelShuffle(t['input']!, n(a['groups'])),
  reshape: (t, a) => wt.reshape(t['input']!, a['shape'] as number[]),
  view: (t, a) => t['input']!.view(a['shape'] as number[]),
  flatten: (t, a) => wt.flatten(t['input']!, n(a['startDim']), n(a['endDim'])),
  squeeze: (t, a) => t['input']!.squeeze(a['dim'] as number | undefined),
  unsqueeze: (t, a) => t['input']!.unsqueeze(n(a['dim'])),
  transpose: (t, a) => wt.transpose(t['input']!, n(a['dim0']), n(a['dim1'])),
  permute: (t, a) => wt.permute(t['input']!, a['dims'] as number[]),
  binary: (t, a) => {
    const [x, y] = [t['a']!, t['b']!];
    const alpha = a['alpha'] as number | undefined;
    switch (a['fn']) {
      case 'add':
        return x.add(y, alpha);
      case 'sub':
        return x.sub(y, alpha);
      case 'mul':
        return x.mul(y);
      default:
        return x.div(y);
    }
  },
  where: (t, a) => wt.where(t['condition']!, t['input']!, t['other'] ?? n(a['other'])),
  clamp: (t, a) => wt.clamp(t['input']!, (a['min'] as number | undefined) ?? null, (a['max'] as number | undefined) ?? null),
  maxDim: (t, a) => wt.max(t['input']!, n(a['dim']), a['keepdim'] as boolean),
  minDim: (t, a) => t['input']!.min({ dim: n(a['dim']), keepdim: a['keepdim'] as boolean }),
  maxAll: (t) => wt.max(t['input']!),
  minAll: (t) => t['input']!.min(),
  maxElementwise: (t) => wt.max(t['a']!, t['b']!),
  minElementwise: (t) => t['a']!.min(t['b']!),
  topk: (t, a) => wt.topk(t['input']!, n(a['k']), n(a['dim']), a['largest'] as boolean),
  sum: (t, a) => wt.sum(t['input']!, a['dim'] as number | number[] | null, a['keepdim'] as boolean),
  mean: (t, a) => t['input']!.mean(a['dim'] as number | number[] | null, a['keepdim'] as boolean),
  amax: (t, a) => wt.amax(t['input']!, a['dim'] as number | number[] | null, a['keepdim'] as boolean),
  amin: (t, a) => t['input']!.amin(a['dim'] as number | number[] | null, a['keepdim'] as boolean),
  argmax: (t, a) => wt.argmax(t['input']!, a['dim'] as number | null, a['keepdim'] as boolean),
  argmin: (t, a) => t['input']!.argmin(a['dim'] as number | null, a['keepdim'] as boolean),
  matmul: (t) => wt.ops.matmul(t['a']!, t['b']!),
};

describe('PyTorch 1.13 fixtures (gen_plumbing.py)', () => {
  for (const c of fixtureCases(fixtures)) {
    it(`${c.args['op']}: ${c.name}`, async () => {
      const run = runs[c.args['op'] as string];
      expect(run, `no runner for op ${String(c.args['op'])}`).toBeDefined();
      await compareFixture(c, (t) => run!(t, c.args, c));
    });
  }
});
