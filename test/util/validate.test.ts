/**
 * The shared argument checks (src/util/validate.ts): what they accept, and messages that name the
 * op, the argument, the expected and the received value. nn constructors use the same checks, so
 * a bad value fails when the layer is built, with the layer's name.
 */
import { describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';
import * as v from '../../src/util/validate.js';

/** f throws an ArgumentError with exactly this message. */
function expectArgumentError(f: () => unknown, message: string): void {
  expect(f).toThrow(wt.ArgumentError);
  expect(f).toThrow(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
}

describe('validate', () => {
  it('returns accepted values', () => {
    expect(v.positiveInt('op', 'n', 3)).toBe(3);
    expect(v.nonNegativeInt('op', 'n', 0)).toBe(0);
    expect(v.integer('op', 'n', -2)).toBe(-2);
    expect(v.finiteNumber('op', 'eps', 0, 0)).toBe(0);
    expect(v.unitInterval('op', 'p', 1)).toBe(1);
    expect(v.dropoutProbability('op', 0)).toBe(0);
    expect(v.boolean('op', 'b', false)).toBe(false);
    expect(v.oneOf('op', 'mode', 'b', ['a', 'b'] as const)).toBe('b');
    expect(v.intPair('op', 'k', 3)).toEqual([3, 3]);
    expect(v.positivePair('op', 'k', [1, 2])).toEqual([1, 2]);
    expect(v.nonNegativePair('op', 'p', [0, 2])).toEqual([0, 2]);
    expect(v.positiveIntList('op', 's', 4)).toEqual([4]);
    expect(v.positiveIntList('op', 's', [2, 3])).toEqual([2, 3]);
  });

  it('names the op, the argument, what it expected and what it got', () => {
    expectArgumentError(() => v.positiveInt('op', 'n', 0), 'op: n must be a positive integer, got 0');
    expectArgumentError(() => v.nonNegativeInt('op', 'n', 1.5), 'op: n must be a non-negative integer, got 1.5');
    expectArgumentError(() => v.integer('op', 'n', '1'), 'op: n must be an integer, got 1');
    expectArgumentError(() => v.finiteNumber('op', 'eps', -1, 0), 'op: eps must be a finite number >= 0, got -1');
    expectArgumentError(() => v.finiteNumber('op', 'alpha', NaN), 'op: alpha must be a finite number, got NaN');
    expectArgumentError(() => v.unitInterval('op', 'p', 1.5), 'op: p must be in [0, 1], got 1.5');
    expectArgumentError(() => v.dropoutProbability('op', -0.1), 'op: dropout probability has to be between 0 and 1, but got -0.1');
    expectArgumentError(() => v.boolean('op', 'training', 1), 'op: training must be a boolean, got 1');
    expectArgumentError(() => v.oneOf('op', 'mode', 'c', ['a', 'b', 'x'] as const), "op: mode must be 'a', 'b' or 'x', got 'c'");
    expectArgumentError(() => v.intPair('op', 'k', [1, 2, 3]), 'op: k must be an integer or a pair of integers, got [1,2,3]');
    expectArgumentError(() => v.positivePair('op', 'stride', [0, 1]), 'op: stride must be >= 1, got [0,1]');
    expectArgumentError(() => v.nonNegativePair('op', 'padding', -1), 'op: padding must be >= 0, got -1');
    expectArgumentError(() => v.positiveIntList('op', 's', []), 'op: s must be a positive integer or a non-empty list of them, got []');
  });

  it('nn constructors check their arguments with the ops\' checks, naming the layer', () => {
    const { nn } = wt;
    expectArgumentError(() => new nn.Linear(0, 2), 'Linear: inFeatures must be a positive integer, got 0');
    expectArgumentError(() => new nn.Conv2d(4, 6, 3, { dilation: [1, 0] }), 'Conv2d: dilation must be >= 1, got [1,0]');
    expectArgumentError(() => new nn.MaxPool2d(0), 'MaxPool2d: kernelSize must be >= 1, got 0');
    expectArgumentError(() => new nn.AvgPool2d(2, { divisorOverride: 0 }), 'AvgPool2d: divisorOverride must be a positive integer, got 0');
    expectArgumentError(() => new nn.LeakyReLU(NaN), 'LeakyReLU: negativeSlope must be a finite number, got NaN');
    expectArgumentError(() => new nn.GELU('erf' as 'none'), "GELU: approximate must be 'none' or 'tanh', got 'erf'");
    expectArgumentError(() => new nn.GroupNorm(2, 4, -1), 'GroupNorm: eps must be a finite number >= 0, got -1');
    expectArgumentError(() => new nn.LocalResponseNorm(0), 'LocalResponseNorm: size must be a positive integer, got 0');
    expectArgumentError(() => new nn.Dropout(2), 'Dropout: dropout probability has to be between 0 and 1, but got 2');
    expectArgumentError(() => new nn.ReflectionPad2d([1, 2, 3]), 'ReflectionPad2d: padding must be an int or 4 ints, got [1,2,3]');
  });
});
