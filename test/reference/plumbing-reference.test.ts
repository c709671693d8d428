/**
 * The CPU references of tensor plumbing, softmax and the losses added with them, checked on their
 * own (no GPU): hand-computed values and PyTorch results, adjoint identities, and every reference
 * gradient against float64 finite differences of the reference forward.
 */
import { describe, expect, it } from 'vitest';
import { checkFiniteDifferences, expectClose, randomArray } from '../helpers.js';
import * as loss from './loss.js';
import { dot, ndarray, type NDArray } from './ndarray.js';
import * as ref from './plumbing.js';
import * as sm from './softmax.js';

function fdCheck(what: string, forward: (...xs: NDArray[]) => NDArray, inputs: NDArray[], grads: (gy: NDArray) => (NDArray | null)[]): void {
  const y = forward(...inputs);
  const gy = randomArray(y.shape, 99).ref;
  checkFiniteDifferences({ what, forward, at: inputs, upstream: gy, gradients: grads(gy).map((g) => g?.data ?? null), tol: 1e-7 });
}

describe('plumbing references', () => {
  it('cat, split and slices, hand-computed', () => {
    const a = ndarray([2, 2], [1, 2, 3, 4]);
    const b = ndarray([2, 1], [5, 6]);
    expect(Array.from(ref.cat([a, b], 1).data)).toEqual([1, 2, 5, 3, 4, 6]);
    expect(Array.from(ref.cat([a, ndarray([1, 2], [7, 8])], 0).data)).toEqual([1, 2, 3, 4, 7, 8]);
    const [p, q] = ref.split(ndarray([2, 3], [1, 2, 3, 4, 5, 6]), [1, 2], 1);
    expect(Array.from(p!.data)).toEqual([1, 4]);
    expect(Array.from(q!.data)).toEqual([2, 3, 5, 6]);
    expect(Array.from(ref.sliceAlong(ndarray([7], [0, 1, 2, 3, 4, 5, 6]), 0, 1, 3, 2).data)).toEqual([1, 4]);
  });

  it('unslice is the adjoint of slice: <slice(x), g> = <x, unslice(g)>', () => {
    const x = randomArray([3, 8, 2], 1).ref;
    const g = randomArray([3, 3, 2], 2).ref;
    const lhs = dot(ref.sliceAlong(x, 1, 1, 3, 3).data, g.data);
    const rhs = dot(x.data, ref.unslice(g, x.shape, 1, 1, 3).data);
    expect(lhs).toBeCloseTo(rhs, 12);
  });

  it('channelShuffle as torch.channel_shuffle([1, 6, 2], 3): channels 0, 2, 4, 1, 3, 5', () => {
    const x = ndarray([1, 6, 2], Array.from({ length: 12 }, (_, i) => i));
    expect(Array.from(ref.channelShuffle(x, 3).data)).toEqual([0, 1, 4, 5, 8, 9, 2, 3, 6, 7, 10, 11]);
    // Shuffling with C / groups groups undoes it.
    expect(Array.from(ref.channelShuffle(ref.channelShuffle(x, 3), 2).data)).toEqual(Array.from(x.data));
  });

  it('topk and max along a dim, as torch.topk / torch.max', () => {
    const x = ndarray([2, 4], [1, 3, 2, 5, 9, -1, 9, 0]);
    const t = ref.topk(x, 2, 1);
    expect(Array.from(t.values.data)).toEqual([5, 3, 9, 9]);
    expect(Array.from(t.indices.data)).toEqual([3, 1, 0, 2]);
    const s = ref.topk(ndarray([4], [1, NaN, 0, 3]), 4, 0, false);
    expect(Array.from(s.indices.data)).toEqual([2, 0, 3, 1]);
    const m = ref.maxMinDim(ndarray([2, 3], [1, NaN, 0, 4, -2, 7]), 1, false, 'min');
    expect(Array.from(m.values.data)).toEqual([NaN, -2]);
    expect(Array.from(m.indices.data)).toEqual([1, 1]);
    expect(Array.from(ref.scatterBack(ndarray([2, 1], [10, 20]), ndarray([2, 1], [2, 0]), [2, 3], 1).data)).toEqual([0, 0, 10, 20, 0, 0]);
  });

  it('where broadcasts three ways; its gradient sums over broadcast dims', () => {
    const c = ndarray([2, 1], [1, 0]);
    const a = ndarray([3], [1, 2, 3]);
    const b = ndarray([1], [9]);
    expect(Array.from(ref.where(c, a, b).data)).toEqual([1, 2, 3, 9, 9, 9]);
    const [ga, gb] = ref.whereBackward(c, a, b, ndarray([2, 3], [1, 1, 1, 2, 2, 2]));
    expect(Array.from(ga.data)).toEqual([1, 1, 1]);
    expect(Array.from(gb.data)).toEqual([6]);
  });
});

describe('softmax references', () => {
  it('softmax([1, 2, 3]) and logSoftmax, known values', () => {
    const x = ndarray([3], [1, 2, 3]);
    expectClose(sm.softmax(x, 0).data, [0.09003057317038046, 0.24472847105479764, 0.6652409557748219], 1e-14, 'softmax');
    expectClose(sm.logSoftmax(x, 0).data, [-2.4076059644443806, -1.4076059644443804, -0.4076059644443804], 1e-14, 'logSoftmax');
    // Shift invariance: large logits give the same result.
    expectClose(sm.softmax(ndarray([3], [1001, 1002, 1003]), 0).data, sm.softmax(x, 0).data, 1e-12, 'softmax of shifted logits');
  });

  it('gradients vs finite differences, over a middle dim', () => {
    const x = randomArray([2, 4, 3], 3).ref;
    fdCheck('softmax dim 1', (a) => sm.softmax(a, 1), [x], (gy) => [sm.softmaxBackward(x, 1, gy, false)]);
    fdCheck('logSoftmax dim 1', (a) => sm.logSoftmax(a, 1), [x], (gy) => [sm.softmaxBackward(x, 1, gy, true)]);
  });
});

describe('loss references', () => {
  it('probability targets: one-hot targets give the class-index loss; PyTorch value', () => {
    const x = ndarray([2, 3], [1, 2, 3, 0.5, -1, 2]);
    const onehot = ndarray([2, 3], [0, 0, 1, 1, 0, 0]);
    expect(loss.crossEntropyProbs(x, onehot, { reduction: 'sum' }).data[0]).toBeCloseTo(loss.crossEntropy(x, [2, 0], { reduction: 'sum' }).data[0]!, 14);
    // F.cross_entropy(x, p, weight=[1, 2, 3], label_smoothing=0.1) in PyTorch 1.13 (float64).
    const p = ndarray([2, 3], [0.2, 0.3, 0.5, 1, 0, 0]);
    expect(loss.crossEntropyProbs(x, p, { weight: [1, 2, 3], labelSmoothing: 0.1 }).data[0]).toBeCloseTo(1.912020649472475, 12);
  });

  it('nll_loss and bce_with_logits, PyTorch values', () => {
    const x = ndarray([2, 3], [1, 2, 3, 0.5, -1, 2]);
    // F.nll_loss(x, [2, 0], weight=[1, 2, 3]) = -(3 * 3 + 1 * 0.5) / (3 + 1).
    expect(loss.nllLoss(x, [2, 0], { weight: [1, 2, 3] }).data[0]).toBeCloseTo(-2.375, 14);
    const z = ndarray([2, 3], [1, -2, 3, 0.5, -1, 2]);
    const t = ndarray([2, 3], [1, 0, 0.3, 0, 1, 1]);
    // F.binary_cross_entropy_with_logits(z, t, pos_weight=[1, 2, 3]) in PyTorch 1.13 (float64).
    expect(loss.bceWithLogits(z, t, { posWeight: ndarray([3], [1, 2, 3]) }).data[0]).toBeCloseTo(1.0998856422374421, 12);
  });
});
