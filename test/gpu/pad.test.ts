/**
 * pad on the GPU against test/reference/pad.ts (forward and gradient, with finite differences) and
 * against PyTorch 1.13 (test/fixtures/conv_pad.json from gen_conv.py): every mode, 1 to 3 padded
 * dims (every dim in constant mode), negative pads, pads as large as the mode allows, size-1 dims,
 * int32 and bool tensors in constant mode, a tensor whose dispatch needs more than 65535
 * workgroups, and the errors PyTorch raises.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/internal.js'; // ops and engineFor are internal
import fixtures from '../fixtures/conv_pad.json';
import * as ref from '../reference/pad.js';
import { checkOp, expectClose, expectEqualValues, randomArray, readPoisoned } from '../helpers.js';

const F = wt.nn.functional;

beforeAll(async () => {
  await wt.init();
});

interface PadCase {
  name: string;
  x: number[];
  pads: number[];
  mode: ref.PadMode;
  value?: number;
}

const cases: PadCase[] = [
  { name: 'constant, last dim', x: [2, 3, 5], pads: [1, 2], mode: 'constant' },
  { name: 'constant value 2.5, last two dims, crop', x: [2, 3, 4, 5], pads: [2, -1, -2, 3], mode: 'constant', value: 2.5 },
  { name: 'constant, every dim of a 4-D tensor', x: [2, 1, 3, 2], pads: [1, 1, 0, 2, 1, 0, 2, 1], mode: 'constant', value: -1 },
  { name: 'constant, 1-D, crop to nothing on one side', x: [7], pads: [-3, 2], mode: 'constant' },
  { name: 'reflect, 2-D, 1 dim, pads up to size - 1', x: [3, 6], pads: [5, 4], mode: 'reflect' },
  { name: 'reflect, 4-D, 2 dims, prime sizes', x: [2, 3, 7, 5], pads: [2, 1, 3, 6], mode: 'reflect' },
  { name: 'reflect, negative pads', x: [1, 2, 6, 7], pads: [-1, 3, 2, -2], mode: 'reflect' },
  { name: 'reflect, 5-D, 3 dims', x: [1, 2, 4, 3, 5], pads: [1, 2, 2, 0, 1, 3], mode: 'reflect' },
  { name: 'replicate, pads larger than the dim', x: [2, 3], pads: [5, 4], mode: 'replicate' },
  { name: 'replicate, size-1 dims', x: [2, 3, 1, 1], pads: [2, 3, 1, 2], mode: 'replicate' },
  { name: 'replicate, 5-D, 3 dims', x: [1, 2, 3, 4, 3], pads: [1, 1, 2, 0, 0, 2], mode: 'replicate' },
  { name: 'circular, 3-D, 1 dim', x: [2, 3, 5], pads: [2, 3], mode: 'circular' },
  { name: 'circular, 4-D, pads equal to the dims', x: [1, 2, 4, 3], pads: [3, 3, 4, 1], mode: 'circular' },
  { name: 'circular, negative pads crop first', x: [2, 2, 5, 6], pads: [-1, 3, 2, -2], mode: 'circular' },
  { name: 'circular, 5-D, 3 dims', x: [1, 2, 3, 4, 5], pads: [1, 2, 0, 3, 2, 1], mode: 'circular' },
  { name: 'reflect, rows longer than one 32-element segment', x: [2, 2, 3, 70], pads: [33, 34, 1, 2], mode: 'reflect' },
];

describe('pad: forward and gradient vs the float64 reference', () => {
  cases.forEach((c, k) => {
    it(c.name, async () => {
      await checkOp({
        what: `pad ${c.mode} [${c.x}] by ${JSON.stringify(c.pads)}`,
        inputs: [randomArray(c.x, 100 + k)],
        gpu: (x) => F.pad(x, c.pads, c.mode, c.value ?? null),
        ref: (x) => ref.pad(x, c.pads, c.mode, c.value ?? 0),
        refGrad: (gy) => [ref.padGrad(gy, c.x, c.pads, c.mode)],
        seed: 200 + k,
      });
    });
  });
});

describe('pad: dtypes and large tensors', () => {
  it('int32 and bool tensors in constant mode (the value converted as PyTorch: truncated / nonzero)', async () => {
    const xi = wt.tensor(Int32Array.from([1, -2, 3, 4, 5, 6]), { shape: [2, 3] });
    const [yi] = await readPoisoned(F.pad(xi, [1, 0, 0, 1], 'constant', 2.7));
    expectEqualValues(yi!, [2, 1, -2, 3, 2, 4, 5, 6, 2, 2, 2, 2], 'int32 pad');
    const xb = wt.tensor([true, false, true], { dtype: 'bool' });
    const yb = F.pad(xb, [2, 1], { value: 0.5 });
    expect(yb.dtype).toBe('bool');
    const [b] = await readPoisoned(yb);
    expectEqualValues(Array.from(b!, Number), [1, 1, 1, 0, 1, 1], 'bool pad');
  });

  it('more than 65535 workgroups: 4.3M rows, replicate forward and gradient', async () => {
    // One invocation per row segment: 4.3M one-element rows need a 2-D workgroup grid.
    const rows = 4_300_000;
    const data = new Float32Array(rows);
    for (let i = 0; i < rows; i++) data[i] = ((i * 7919) % 1000) / 1000 - 0.5;
    const x = wt.tensor(data, { shape: [1, rows, 1], requiresGrad: true });
    const y = F.pad(x, [2, 0], 'replicate');
    // Upstream 1 everywhere: each element is copied 3 times (itself and the 2 pads left of it).
    y.backward(wt.onesLike(y));
    const [out, grad] = await readPoisoned(y, x.grad!);
    const expected = new Float32Array(rows * 3);
    for (let r = 0; r < rows; r++) expected.fill(data[r]!, 3 * r, 3 * r + 3);
    expectClose(out!, expected, 0, 'replicate pad of 4.3M rows');
    expectClose(grad!, new Float32Array(rows).fill(3), 0, 'its gradient');
  });
});

describe('pad: PyTorch 1.13 fixtures', () => {
  interface Fixture {
    name: string;
    args: { pad: number[]; mode: ref.PadMode; value?: number };
    inputs: { input: { shape: number[]; data: number[] } };
    output: { shape: number[]; data: number[] };
    upstream: { shape: number[]; data: number[] };
    grads: { input: { data: number[] } };
  }
  for (const c of (fixtures as unknown as { cases: Fixture[] }).cases) {
    it(c.name, async () => {
      const x = wt.tensor(Float32Array.from(c.inputs.input.data), { shape: c.inputs.input.shape, requiresGrad: true });
      const y = F.pad(x, c.args.pad, { mode: c.args.mode, value: c.args.value ?? null });
      expect(y.shape).toEqual(c.output.shape);
      y.backward(wt.tensor(Float32Array.from(c.upstream.data), { shape: c.upstream.shape }));
      const [out, grad] = await readPoisoned(y, x.grad!);
      expectClose(out!, c.output.data, 1e-4, `${c.name}: output vs PyTorch`);
      expectClose(grad!, c.grads.input.data, 1e-4, `${c.name}: gradient vs PyTorch`);
    });
  }
});

describe('pad: errors before anything runs', () => {
  let x: wt.Tensor;
  let x2: wt.Tensor;
  beforeAll(() => {
    x = wt.zeros([1, 2, 3, 4]);
    x2 = wt.zeros([3, 4]);
  });
  const cases: [string, () => unknown, RegExp][] = [
    ['odd pad length', () => F.pad(x, [1, 1, 1]), /pad.*divisible by 2.*3 values/],
    ['too many pads', () => F.pad(x, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]), /pad.*too large.*10 values.*rank 4/],
    ['unknown mode', () => F.pad(x, [1, 1], 'mirror' as ref.PadMode), /pad.*mode must be.*'mirror'/],
    ['a value in reflect mode', () => F.pad(x, [1, 1, 1, 1], 'reflect', 1), /pad.*'reflect' doesn't take a value.*1/],
    ['reflect pads as large as the dim', () => F.pad(x, [4, 0, 0, 0], 'reflect'), /pad.*reflect.*smaller.*\(4, 0\) of dim 3 of size 4/],
    ['circular wrapping twice', () => F.pad(x, [0, 0, 4, 0], 'circular'), /pad.*circular.*\(4, 0\) of dim 2 of size 3.*more than once/],
    ['reflect with 2 pads on a 4-D input', () => F.pad(x, [1, 1], 'reflect'), /pad.*'reflect'.*2 values for a 2-D\/3-D.*\[1, 2, 3, 4\]/],
    ['circular on an unbatched 2-D input', () => F.pad(x2, [1, 1], 'circular'), /pad.*'circular'.*batch and a channel.*0 values/],
    ['cropping past nothing', () => F.pad(x, [-3, -2]), /pad.*\(-3, -2\) makes dim 3 of size 4 negative \(-1\)/],
  ];
  for (const [name, f, re] of cases) {
    it(name, () => {
      const before = wt.engineFor(wt.defaultDevice()).stats.recorded;
      expect(f).toThrow(re);
      expect(wt.engineFor(wt.defaultDevice()).stats.recorded - before, 'nodes recorded by the failing call').toBe(0);
    });
  }
});

describe('padding layers', () => {
  const layers: [string, () => wt.nn.Module, number[], number[], ref.PadMode, number][] = [
    ['ZeroPad2d(2)', () => new wt.nn.ZeroPad2d(2), [1, 2, 3, 4], [2, 2, 2, 2], 'constant', 0],
    ['ConstantPad1d([1, 3], 0.5)', () => new wt.nn.ConstantPad1d([1, 3], 0.5), [2, 3, 4], [1, 3], 'constant', 0.5],
    ['ConstantPad2d([1, 0, 2, 1], -2)', () => new wt.nn.ConstantPad2d([1, 0, 2, 1], -2), [1, 2, 3, 4], [1, 0, 2, 1], 'constant', -2],
    ['ConstantPad3d(1, 3)', () => new wt.nn.ConstantPad3d(1, 3), [1, 2, 3, 2], [1, 1, 1, 1, 1, 1], 'constant', 3],
    ['ReflectionPad1d(2)', () => new wt.nn.ReflectionPad1d(2), [2, 3, 5], [2, 2], 'reflect', 0],
    ['ReflectionPad2d([1, 2, 2, 0])', () => new wt.nn.ReflectionPad2d([1, 2, 2, 0]), [1, 2, 4, 5], [1, 2, 2, 0], 'reflect', 0],
    ['ReflectionPad3d(1)', () => new wt.nn.ReflectionPad3d(1), [1, 2, 3, 3, 4], [1, 1, 1, 1, 1, 1], 'reflect', 0],
    ['ReplicationPad1d([3, 1])', () => new wt.nn.ReplicationPad1d([3, 1]), [2, 2, 3], [3, 1], 'replicate', 0],
    ['ReplicationPad2d(2)', () => new wt.nn.ReplicationPad2d(2), [1, 2, 3, 3], [2, 2, 2, 2], 'replicate', 0],
    ['ReplicationPad3d([1, 0, 0, 1, 2, 0])', () => new wt.nn.ReplicationPad3d([1, 0, 0, 1, 2, 0]), [1, 1, 2, 3, 2], [1, 0, 0, 1, 2, 0], 'replicate', 0],
  ];
  layers.forEach(([name, make, shape, pads, mode, value], k) => {
    it(name, async () => {
      const x = randomArray(shape, 400 + k);
      await checkOp({
        what: name,
        inputs: [x],
        gpu: (xt) => make().call(xt),
        ref: (xa) => ref.pad(xa, pads, mode, value),
        refGrad: (gy) => [ref.padGrad(gy, shape, pads, mode)],
      });
    });
  });

  it('the padding must be an int or 2 * dims ints', () => {
    expect(() => new wt.nn.ReflectionPad2d([1, 2, 3])).toThrow(/ReflectionPad2d: padding must be an int or 4 ints, got \[1,2,3\]/);
  });
});
