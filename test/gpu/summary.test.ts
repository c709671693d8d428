/**
 * wt.summary: per-layer output shapes, parameters, multiply-adds and receptive fields, worked out by
 * hand for LeNet-5 and a branching block; the trace runs nothing on the GPU and leaves nothing
 * pending.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';
import { engineFor } from '../../src/graph/engine.js';

beforeAll(async () => {
  await wt.init();
});

describe('wt.summary', () => {
  it('LeNet-5: shapes, parameters, multiply-adds and receptive fields by layer', () => {
    const s = wt.summary(new wt.LeNet5(), [2, 1, 28, 28]);
    const byPath = Object.fromEntries(s.rows.map((r) => [r.path, r]));
    expect(s.totalParams).toBe(61706);
    expect(s.trainableParams).toBe(61706);
    expect(byPath['conv1']!.outputShape).toEqual([[2, 6, 28, 28]]);
    expect(byPath['conv1']!.params).toBe(6 * 25 + 6);
    // Multiply-adds per image: conv1 28*28*6*25, conv2 10*10*16*150, fc 400*120 + 120*84 + 84*10.
    expect(byPath['conv1']!.macs).toBe(2 * 117600);
    expect(byPath['conv2']!.macs).toBe(2 * 240000);
    expect(s.totalMacs).toBe(2 * (117600 + 240000 + 48000 + 10080 + 840));
    expect(byPath['conv1']!.receptiveField).toEqual({ size: [5, 5], jump: [1, 1] });
    // After the 2x2 pool (functional in LeNet5.forward): 6 /2; conv2 adds 4 * 2.
    expect(byPath['conv2']!.receptiveField).toEqual({ size: [14, 14], jump: [2, 2] });
    expect(byPath['fc1']!.receptiveField!.size[0]).toBe(Infinity);
    const text = s.toString();
    expect(text).toContain('Total params: 61,706');
    expect(text).toMatch(/conv2 \(Conv2d\)\s+\[2, 16, 10, 10\]\s+2,416\s+480,000\s+14 \/2/);
  });

  it('a branching block: the sum of two paths sees the larger window; strided and dilated convs; adaptive pooling is global', () => {
    class Block extends wt.nn.Module {
      a = new wt.nn.Conv2d(3, 4, 3, { padding: 1 });
      b = new wt.nn.Conv2d(3, 4, 3, { stride: 2, padding: 2, dilation: 2 });
      pool = new wt.nn.MaxPool2d(3, 2, 1);
      gap = new wt.nn.AdaptiveAvgPool2d(1);
      forward(x: wt.Tensor): wt.Tensor {
        const y = this.pool.call(this.a.call(x)).add(this.b.call(x));
        return this.gap.call(y);
      }
    }
    const s = wt.summary(new Block(), [1, 3, 16, 16]);
    const byPath = Object.fromEntries(s.rows.map((r) => [r.path, r]));
    expect(byPath['a']!.receptiveField).toEqual({ size: [3, 3], jump: [1, 1] });
    expect(byPath['b']!.receptiveField).toEqual({ size: [5, 5], jump: [2, 2] });
    expect(byPath['pool']!.receptiveField).toEqual({ size: [5, 5], jump: [2, 2] });
    expect(byPath['gap']!.receptiveField!.size[0]).toBe(Infinity);
    expect(byPath['b']!.macs).toBe(8 * 8 * 4 * 27);
    expect(s.rows[0]!.macs).toBe(16 * 16 * 4 * 27 + 8 * 8 * 4 * 27);
  });

  it('runs nothing on the GPU and leaves nothing pending', async () => {
    const engine = engineFor(wt.defaultDevice());
    const before = { ...engine.stats };
    wt.summary(new wt.LeNet5(), [64, 1, 28, 28]);
    expect(engine.stats.flushes).toBe(before.flushes);
    expect(await wt.ones([3]).sum().item()).toBe(3);
    // The next flush runs only the sum: the trace's nodes were discarded.
    expect(engine.lastPlan!.kernels.length).toBeLessThanOrEqual(2);
  });

  it('rejects a bad input shape and a non-module', () => {
    expect(() => wt.summary(new wt.LeNet5(), [1, 0, 28])).toThrow(/inputShape must be a list of positive integers/);
    expect(() => wt.summary({} as wt.nn.Module, [1])).toThrow(/expected an nn.Module/);
  });
});
