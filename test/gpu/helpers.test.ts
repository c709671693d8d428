/**
 * The GPU test helpers must be able to fail: an unwritten output reads as poison, a wrong gradient
 * fails the directional and the finite-difference checks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';
import { unaryKernel } from '../../src/kernels/elementwise.js';
import type { OpDef } from '../../src/ops/op.js';
import { apply1 } from '../../src/ops/record.js';
import { stridesOf } from '../../src/util/shape.js';
import * as ew from '../reference/elementwise.js';
import { checkDirectional, checkOp, expectClose, poisonPool, randomArray, readPoisoned, tensorOf } from '../helpers.js';

let device: wt.Device;
beforeAll(async () => {
  device = await wt.init();
});

/** An op whose kernel writes nothing: its output is whatever its buffer held. */
const writesNothing: OpDef<Record<string, never>> = { name: 'writes_nothing', lower() {} };

/** x * x with a deliberately wrong backward rule (g instead of 2 x g). */
const squareWithWrongGrad: OpDef<Record<string, never>> = {
  name: 'square_wrong_grad',
  lower(ctx, node) {
    const shape = node.outputs[0]!.shape;
    ctx.dispatch(unaryKernel('square', shape, stridesOf(shape), ctx.input(0), ctx.output(0)));
  },
  vjp(_node, [g], needs) {
    return [needs[0] && g ? g : null];
  },
};
const wrongSquare = (x: wt.Tensor): wt.Tensor => apply1(squareWithWrongGrad, [x], {}, { shape: x.shape, dtype: 'float32' });

describe('test helpers', () => {
  it('a poisoned pool hands out NaN-filled buffers', async () => {
    poisonPool(device, [4096]);
    const buffer = device.acquire(4096);
    const bytes = await device.read(buffer, 0, 4096, 'poisoned buffer');
    device.release(buffer);
    expect(new Float32Array(bytes).every(Number.isNaN)).toBe(true);
  });

  it('an output the kernel never writes fails expectClose', async () => {
    const x = wt.tensor(new Float32Array(300).fill(1));
    const y = apply1(writesNothing, [x], {}, { shape: [300], dtype: 'float32' });
    const [out] = await readPoisoned(y);
    expect(Number.isNaN(out![0]!)).toBe(true);
    expect(() => expectClose(out!, new Float32Array(300).fill(1), 1e-5, 'writes_nothing')).toThrow(/not finite/);
  });

  it('the directional check rejects a wrong backward rule and accepts a right one', async () => {
    const x = randomArray([5, 7], 3);
    await expect(checkDirectional({ what: 'wrong square', f: wrongSquare, at: [x] })).rejects.toThrow(/directional derivative/);
    await checkDirectional({ what: 'square', f: (t) => t.mul(t), at: [x] });
  });

  it('checkOp rejects a wrong backward rule', async () => {
    const x = randomArray([11], 4);
    await expect(
      checkOp({ what: 'wrong square', inputs: [x], gpu: wrongSquare, ref: (a) => ew.unary(ew.square, a) }),
    ).rejects.toThrow(/finite differences/);
  });

  it('checkOp rejects a wrong forward', async () => {
    const x = randomArray([11], 5);
    await expect(
      checkOp({ what: 'exp as tanh', inputs: [x], gpu: (t) => t.exp(), ref: (a) => ew.unary(ew.tanh, a), forwardOnly: true }),
    ).rejects.toThrow(/forward: relative error/);
  });

  it('tensorOf keeps the float32 values the reference sees', async () => {
    const x = randomArray([3, 4], 6);
    expect(Array.from(await tensorOf(x).data())).toEqual(Array.from(x.ref.data));
  });
});
