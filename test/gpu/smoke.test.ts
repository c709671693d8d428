import { describe, expect, it, beforeAll } from 'vitest';
import * as wt from '../../src/index.js';

describe('smoke', () => {
  beforeAll(async () => {
    await wt.init();
  });
  it('adds', async () => {
    const a = wt.tensor([1, 2, 3]);
    const b = wt.tensor([10, 20, 30]);
    const c = a.add(b).mul(2);
    expect(Array.from(await c.data())).toEqual([22, 44, 66]);
  });
  it('matmul + grad', async () => {
    const a = wt.tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const b = wt.tensor([[5, 6], [7, 8]]);
    const c = a.matmul(b).sum();
    c.backward();
    expect(await c.item()).toBe(1*5+2*7+1*6+2*8+3*5+4*7+3*6+4*8);
    expect(Array.from(await a.grad!.data())).toEqual([11, 15, 11, 15]);
  });
});
