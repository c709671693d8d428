/**
 * The shared argument checks (src/util/validate.ts): what they accept, and messages that name the
 * op, the argument, the expected and the received value. nn constructors use the same checks, so
 * a bad value fails when the layer is built, with the layer's name.
 */
import { describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';
import * as v from '../../src/util/validate.js';

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(wt.ArgumentError);
    return (e as Error).message;
  }
  throw new Error('expected an ArgumentError');
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
    expect(messageOf(() => v.positiveInt('op', 'n', 0))).toBe('op: n must be a positive integer, got 0');
    expect(messageOf(() => v.nonNegativeInt('op', 'n', 1.5))).toBe('op: n must be a non-negative integer, got 1.5');
    expect(messageOf(() => v.integer('op', 'n', '1'))).toBe('op: n must be an integer, got 1');
    expect(messageOf(() => v.finiteNumber('op', 'eps', -1, 0))).toBe('op: eps must be a finite number >= 0, got -1');
    expect(messageOf(() => v.finiteNumber('op', 'alpha', NaN))).toBe('op: alpha must be a finite number, got NaN');
    expect(messageOf(() => v.unitInterval('op', 'p', 1.5))).toBe('op: p must be in [0, 1], got 1.5');
    expect(messageOf(() => v.dropoutProbability('op', -0.1))).toBe('op: dropout probability has to be between 0 and 1, but got -0.1');
    expect(messageOf(() => v.boolean('op', 'training', 1))).toBe('op: training must be a boolean, got 1');
    expect(messageOf(() => v.oneOf('op', 'mode', 'c', ['a', 'b', 'x'] as const))).toBe("op: mode must be 'a', 'b' or 'x', got 'c'");
    expect(messageOf(() => v.intPair('op', 'k', [1, 2, 3]))).toBe('op: k must be an integer or a pair of integers, got [1,2,3]');
    expect(messageOf(() => v.positivePair('op', 'stride', [0, 1]))).toBe('op: stride must be >= 1, got [0,1]');
    expect(messageOf(() => v.nonNegativePair('op', 'padding', -1))).toBe('op: padding must be >= 0, got -1');
    expect(messageOf(() => v.positiveIntList('op', 's', []))).toBe('op: s must be a positive integer or a non-empty list of them, got []');
  });

  it('nn constructors check their arguments with the ops\' checks, naming the layer', () => {
    const { nn } = wt;
    expect(messageOf(() => new nn.Linear(0, 2))).toBe('Linear: inFeatures must be a positive integer, got 0');
    expect(messageOf(() => new nn.Conv2d(4, 6, 3, { dilation: [1, 0] }))).toBe('Conv2d: dilation must be >= 1, got [1,0]');
    expect(messageOf(() => new nn.MaxPool2d(0))).toBe('MaxPool2d: kernelSize must be >= 1, got 0');
    expect(messageOf(() => new nn.AvgPool2d(2, { divisorOverride: 0 }))).toBe('AvgPool2d: divisorOverride must be a positive integer, got 0');
    expect(messageOf(() => new nn.LeakyReLU(NaN))).toBe('LeakyReLU: negativeSlope must be a finite number, got NaN');
    expect(messageOf(() => new nn.GELU('erf' as 'none'))).toBe("GELU: approximate must be 'none' or 'tanh', got 'erf'");
    expect(messageOf(() => new nn.GroupNorm(2, 4, -1))).toBe('GroupNorm: eps must be a finite number >= 0, got -1');
    expect(messageOf(() => new nn.LocalResponseNorm(0))).toBe('LocalResponseNorm: size must be a positive integer, got 0');
    expect(messageOf(() => new nn.Dropout(2))).toBe('Dropout: dropout probability has to be between 0 and 1, but got 2');
    expect(messageOf(() => new nn.ReflectionPad2d([1, 2, 3]))).toBe('ReflectionPad2d: padding must be an int or 4 ints, got [1,2,3]');
  });
});
