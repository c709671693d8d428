/**
 * Autodiff mechanics (src/tensor/autograd.ts) beyond single ops: gradients accumulate over backward
 * calls and over branches, explicit upstream gradients, noGrad, and leaves only.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';
import * as ew from '../reference/elementwise.js';
import { expectClose, randomArray, readPoisoned, tensorOf } from '../helpers.js';

beforeAll(async () => {
  await wt.init();
});

describe('autodiff', () => {
  it('a second backward() adds to .grad (PyTorch accumulates until zeroGrad)', async () => {
    const x = randomArray([5], 1);
    const t = tensorOf(x, true);
    t.mul(t).sum().backward();
    const [first] = await readPoisoned(t.grad!);
    expectClose(first!, x.ref.data.map((v) => 2 * v), 0, 'first backward: 2x');
    t.mul(3).sum().backward();
    const [second] = await readPoisoned(t.grad!);
    expectClose(second!, x.ref.data.map((v) => Math.fround(2 * v) + 3), 1e-7, 'after a second backward: 2x + 3');
  });

  it('a value feeding several branches gets the sum of their gradients', async () => {
    const x = randomArray([3, 4], 2);
    const t = tensorOf(x, true);
    const h = t.tanh();
    // L = sum(h * h) + sum(exp(h)) + sum(h): dL/dh = 2h + exp(h) + 1, dh/dx = 1 - h^2.
    h.mul(h).sum().add(h.exp().sum()).add(h.sum()).backward();
    const expected = x.ref.data.map((v) => {
      const hv = Math.tanh(v);
      return (2 * hv + Math.exp(hv) + 1) * (1 - hv * hv);
    });
    const [grad] = await readPoisoned(t.grad!);
    expectClose(grad!, expected, 1e-6, 'gradient through three branches');
  });

  it('backward(gradient) uses the given upstream gradient; non-leaves keep no .grad', async () => {
    const x = randomArray([2, 3], 3);
    const gy = randomArray([2, 3], 4);
    const t = tensorOf(x, true);
    const y = t.sigmoid();
    y.backward(tensorOf(gy));
    expect(y.grad).toBeNull();
    const [grad] = await readPoisoned(t.grad!);
    expectClose(grad!, ew.unaryBackward(ew.sigmoid, x.ref, gy.ref), 1e-6, 'sigmoid backward with an explicit gradient');
  });

  it('noGrad records nothing for autograd', () => {
    const t = tensorOf(randomArray([3], 5), true);
    const y = wt.noGrad(() => t.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(() => y.sum().backward()).toThrow(/does not require grad/);
    expect(t.mul(2).requiresGrad).toBe(true);
  });

  it('gradients only reach the inputs that require them', async () => {
    const a = tensorOf(randomArray([4], 6), true);
    const b = tensorOf(randomArray([4], 7));
    a.mul(b).sum().backward();
    expect(b.grad).toBeNull();
    expectClose((await readPoisoned(a.grad!))[0]!, await b.data(), 0, 'd(a * b)/da = b');
  });
});
