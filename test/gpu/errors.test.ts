/**
 * Bad input fails early with a WebtrainError subclass whose message names the op, the layer path
 * (when called through a module) and the expected and received values.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';

const F = wt.nn.functional;
const nn = wt.nn;

beforeAll(async () => {
  await wt.init();
});

/** Runs fn, expects it to throw an instance of `type`, and returns the message. */
function messageOf(fn: () => unknown, type: new (...args: never[]) => Error): string {
  try {
    fn();
  } catch (e) {
    expect(e, `error type (got ${String(e)})`).toBeInstanceOf(type);
    expect(e).toBeInstanceOf(wt.WebtrainError);
    return (e as Error).message;
  }
  expect.fail('expected an error, none was thrown');
}

class Net extends nn.Module {
  features = new nn.Sequential(new nn.Conv2d(3, 8, 3), new nn.ReLU(), new nn.Conv2d(4, 16, 3), new nn.MaxPool2d(2));
  head = new nn.Linear(16, 10);

  forward(x: wt.Tensor): wt.Tensor {
    return this.head.call(this.features.call(x).flatten(1));
  }
}

describe('conv2d', () => {
  it('channel mismatch through a module names the op, the layer path and both shapes', () => {
    const model = new Net();
    // Right channels for features.0; features.2 expects 4 channels and gets 8.
    const msg = messageOf(() => model.call(wt.randn(2, 3, 8, 8)), wt.ShapeError);
    expect(msg).toContain('conv2d (features.2)');
    expect(msg).toContain('[2, 8, 6, 6]');
    expect(msg).toContain('[16, 4, 3, 3]');
    expect(msg).toMatch(/8 channels/);
    expect(msg).toMatch(/expects 4/);
  });

  it('channel mismatch at the first layer', () => {
    const model = new Net();
    const msg = messageOf(() => model.call(wt.randn(1, 5, 8, 8)), wt.ShapeError);
    expect(msg).toContain('conv2d (features.0)');
    expect(msg).toContain('[1, 5, 8, 8]');
    expect(msg).toContain('[8, 3, 3, 3]');
  });

  it('functional call without a module names the op only', () => {
    const msg = messageOf(() => F.conv2d(wt.randn(1, 2, 5, 5), wt.randn(4, 3, 3, 3)), wt.ShapeError);
    expect(msg).toMatch(/^conv2d: /);
    expect(msg).toContain('[1, 2, 5, 5]');
    expect(msg).toContain('[4, 3, 3, 3]');
  });

  it('other bad arguments', () => {
    const x = wt.randn(1, 4, 5, 5);
    const w = wt.randn(6, 2, 3, 3);
    expect(messageOf(() => F.conv2d(x, w, null, { groups: 4 }), wt.ShapeError)).toMatch(/groups = 4/);
    expect(messageOf(() => F.conv2d(x, w, null, { groups: 2, stride: 0 }), wt.ArgumentError)).toMatch(/stride must be >= 1/);
    expect(messageOf(() => F.conv2d(x, w, null, { groups: 2, padding: 'same', stride: 2 }), wt.ArgumentError)).toMatch(/'same'.*strided/);
    expect(messageOf(() => F.conv2d(x, w, wt.randn(5), { groups: 2 }), wt.ShapeError)).toMatch(/bias must be \[6\], got \[5\]/);
    expect(messageOf(() => F.conv2d(x, wt.randn(6, 4, 7, 7)), wt.ShapeError)).toMatch(/kernel 7x7.*larger than the padded input 5x5/);
    expect(messageOf(() => F.conv2d(x, w, null, { groups: 2, padding: -1 }), wt.ArgumentError)).toMatch(/padding must be >= 0/);
    expect(messageOf(() => F.conv2d(x, w, null, { group: 2 } as never), wt.ArgumentError)).toMatch(/unknown option 'group'/);
    expect(messageOf(() => F.conv2d(wt.randn(5, 5), w), wt.ShapeError)).toMatch(/3-D .* or 4-D/);
  });
});

describe('pooling', () => {
  it('padding above half the kernel', () => {
    const x = wt.randn(1, 2, 8, 8);
    const msg = messageOf(() => F.maxPool2d(x, 2, { padding: 2 }), wt.ArgumentError);
    expect(msg).toMatch(/^max_pool2d: padding must be >= 0 and at most half the kernel size/);
    expect(msg).toContain('padding 2');
    expect(msg).toContain('kernel 2x2');
    expect(messageOf(() => F.avgPool2d(x, 3, { padding: 2 }), wt.ArgumentError)).toMatch(/^avg_pool2d: padding must be/);
    expect(messageOf(() => F.maxPool2d(x, 2, { padding: -1 }), wt.ArgumentError)).toMatch(/padding must be >= 0/);
    // PyTorch 1.13 compares the padding with the kernel size itself, whatever the dilation.
    expect(messageOf(() => F.maxPool2d(x, 2, { padding: 2, dilation: 3 }), wt.ArgumentError)).toMatch(/padding 2 for kernel 2x2/);
    expect(F.maxPool2d(x, 5, { padding: 2, dilation: 2 }).shape).toEqual([1, 2, 1, 1]);
  });

  it('through a module names the layer', () => {
    const model = new nn.Sequential(new nn.Conv2d(2, 2, 1), new nn.MaxPool2d(3, 1, 2));
    expect(messageOf(() => model.call(wt.randn(1, 2, 6, 6)), wt.ArgumentError)).toMatch(/^max_pool2d \(1\): padding/);
  });

  it('other bad arguments', () => {
    const x = wt.randn(1, 2, 4, 4);
    expect(messageOf(() => F.maxPool2d(x, 0), wt.ArgumentError)).toMatch(/kernelSize must be >= 1/);
    expect(messageOf(() => F.avgPool2d(x, 2, { stride: 0 }), wt.ArgumentError)).toMatch(/stride must be >= 1/);
    expect(messageOf(() => F.avgPool2d(x, 2, { divisorOverride: 0 }), wt.ArgumentError)).toMatch(/divisorOverride must be a positive integer/);
    expect(messageOf(() => F.maxPool2d(x, 5), wt.ShapeError)).toMatch(/output size would be 0x0/);
    expect(messageOf(() => F.maxPool2d(wt.randn(4, 4), 2), wt.ShapeError)).toMatch(/expected a 3-D/);
  });
});

describe('crossEntropy', () => {
  it('wrong target shape names both shapes and the expected one', () => {
    const msg = messageOf(() => F.crossEntropy(wt.randn(4, 10), wt.randint(0, 10, [5])), wt.ShapeError);
    expect(msg).toMatch(/^cross_entropy: target shape \[5\] does not match input \[4, 10\]: expected \[4\]/);
    const dense = messageOf(() => F.crossEntropy(wt.randn(2, 3, 4, 4), wt.randint(0, 3, [2, 4])), wt.ShapeError);
    expect(dense).toContain('expected [2, 4, 4]');
    expect(dense).toContain('target shape [2, 4]');
  });

  it('wrong target dtype, weight shape and options', () => {
    const x = wt.randn(4, 3);
    const t = wt.randint(0, 3, [4]);
    // Float targets are class probabilities: they must have the input's shape.
    expect(messageOf(() => F.crossEntropy(x, wt.randn(4)), wt.ShapeError)).toMatch(/class-probability targets must have the input's shape \[4, 3\], got \[4\] \(class-index targets are int32 of shape \[4\]\)/);
    expect(messageOf(() => F.crossEntropy(x, t.gt(0)), wt.ShapeError)).toMatch(/target must be int32 class indices, got bool/);
    expect(messageOf(() => F.crossEntropy(x, t, { weight: wt.randn(4) }), wt.ShapeError)).toMatch(/weight must be a float32 tensor of shape \[3\]/);
    expect(messageOf(() => F.crossEntropy(x, t, { reduction: 'avg' as never }), wt.ArgumentError)).toMatch(/reduction must be 'mean', 'sum' or 'none', got 'avg'/);
    expect(messageOf(() => F.crossEntropy(x, t, { labelSmoothing: 1.5 }), wt.ArgumentError)).toMatch(/labelSmoothing must be in \[0, 1\], got 1.5/);
  });

  it('through a module names the layer', () => {
    class Loss extends nn.Module {
      forward(x: wt.Tensor): wt.Tensor {
        return F.crossEntropy(x, wt.randint(0, 3, [2]));
      }
    }
    class Model extends nn.Module {
      criterion = new Loss();
      forward(x: wt.Tensor): wt.Tensor {
        return this.criterion.call(x);
      }
    }
    expect(messageOf(() => new Model().call(wt.randn(3, 3)), wt.ShapeError)).toMatch(/^cross_entropy \(criterion\): target shape \[2\]/);
  });
});

describe('optimizer hyper-parameters', () => {
  const param = (): wt.Tensor => wt.randn([3], { requiresGrad: true });

  it('SGD', () => {
    expect(messageOf(() => new wt.optim.SGD([param()], { lr: -0.1 }), wt.ArgumentError)).toBe('SGD: lr must be a finite number >= 0, got -0.1');
    expect(messageOf(() => new wt.optim.SGD([param()], -0.1), wt.ArgumentError)).toBe('SGD: lr must be a finite number >= 0, got -0.1');
    expect(messageOf(() => new wt.optim.SGD([param()], { lr: NaN }), wt.ArgumentError)).toMatch(/SGD: lr must be a finite number >= 0, got NaN/);
    expect(messageOf(() => new wt.optim.SGD([param()]), wt.ArgumentError)).toMatch(/SGD: lr must be a finite number >= 0, got undefined/);
    expect(messageOf(() => new wt.optim.SGD([param()], { lr: 0.1, momentum: -0.5 }), wt.ArgumentError)).toMatch(/SGD: momentum must be a finite number >= 0, got -0.5/);
    expect(messageOf(() => new wt.optim.SGD([param()], 0.1, -0.5), wt.ArgumentError)).toMatch(/SGD: momentum must be a finite number >= 0, got -0.5/);
    expect(messageOf(() => new wt.optim.SGD([param()], { lr: 0.1, weightDecay: -1 }), wt.ArgumentError)).toMatch(/SGD: weightDecay must be a finite number >= 0/);
    expect(messageOf(() => new wt.optim.SGD([param()], { lr: 0.1, nesterov: true }), wt.ArgumentError)).toMatch(/nesterov momentum needs momentum > 0 and dampening = 0/);
    expect(messageOf(() => new wt.optim.SGD([param()], { lr: 0.1, nesterov: true, momentum: 0.9, dampening: 0.1 }), wt.ArgumentError)).toMatch(/dampening = 0/);
    expect(messageOf(() => new wt.optim.SGD([param()], 0.1, { momentom: 0.9 } as never), wt.ArgumentError)).toMatch(/SGD: unknown option 'momentom' \(expected one of lr, momentum, dampening, weightDecay, nesterov, maximize\)/);
    expect(messageOf(() => new wt.optim.SGD([param()], 0.1, 0.9, 0, 0, false, true as never), wt.ArgumentError)).toMatch(/SGD: too many positional arguments \(6; .*maximize only as options/);
    expect(messageOf(() => new wt.optim.SGD([param()], 0.1, 0.9, 0, 0, 'yes' as never), wt.ArgumentError)).toMatch(/SGD: nesterov must be true or false, got 'yes'/);
    expect(messageOf(() => new wt.optim.SGD([{ params: [param()], lr: 0.1, gamma: 1 } as never]), wt.ArgumentError)).toMatch(/SGD: unknown option 'gamma' in a parameter group/);
  });

  it('Adam and AdamW', () => {
    const betas = /Adam: betas must be a pair \[beta1, beta2\] of numbers in \[0, 1\)/;
    expect(messageOf(() => new wt.optim.Adam([param()], { betas: [1, 0.999] }), wt.ArgumentError)).toMatch(/Adam: betas must be a pair \[beta1, beta2\] of numbers in \[0, 1\), got \[1, 0.999\]/);
    expect(messageOf(() => new wt.optim.Adam([param()], { betas: [0.9, -0.1] }), wt.ArgumentError)).toMatch(betas);
    expect(messageOf(() => new wt.optim.Adam([param()], 1e-3, [0.9, 1.5]), wt.ArgumentError)).toMatch(betas);
    expect(messageOf(() => new wt.optim.Adam([param()], { eps: -1e-8 }), wt.ArgumentError)).toMatch(/Adam: eps must be a finite number > 0, got -1e-8/);
    expect(messageOf(() => new wt.optim.Adam([param()], { eps: 0 }), wt.ArgumentError)).toMatch(/Adam: eps must be a finite number > 0, got 0/);
    expect(messageOf(() => new wt.optim.Adam([param()], { lr: Infinity }), wt.ArgumentError)).toMatch(/Adam: lr must be a finite number >= 0, got Infinity/);
    expect(messageOf(() => new wt.optim.AdamW([param()], { weightDecay: -0.01 }), wt.ArgumentError)).toMatch(/AdamW: weightDecay must be a finite number >= 0/);
    expect(messageOf(() => new wt.optim.Adam([param()], { betas: [0.9] as never }), wt.ArgumentError)).toMatch(betas);
    expect(messageOf(() => new wt.optim.Adam([param()], { lr: 0.1, amsGrad: true } as never), wt.ArgumentError)).toMatch(/Adam: unknown option 'amsGrad'/);
  });

  it('hyper-parameters changed after construction are checked at step()', () => {
    const p = param();
    const opt = new wt.optim.SGD([p], { lr: 0.1 });
    p.grad = wt.randn(3);
    opt.paramGroups[0]!.lr = -1;
    expect(messageOf(() => opt.step(), wt.ArgumentError)).toMatch(/lr must be a finite number >= 0, got -1/);
  });

  it('bad parameter lists', () => {
    expect(messageOf(() => new wt.optim.SGD([], 0.1), wt.ArgumentError)).toMatch(/empty parameter list/);
    expect(messageOf(() => new wt.optim.Adam([wt.randn(2)]), wt.ArgumentError)).toMatch(/does not require grad/);
    const p = param();
    expect(messageOf(() => new wt.optim.SGD([{ params: [p] }, { params: [p] }], 0.1), wt.ArgumentError)).toMatch(/more than one group/);
  });

  it('schedules', () => {
    const opt = new wt.optim.SGD([param()], { lr: 0.1, momentum: 0.9 });
    expect(messageOf(() => new wt.optim.OneCycleLR(opt, 0.1, { totalSteps: 0 }), wt.ArgumentError)).toMatch(/OneCycleLR: totalSteps must be an integer >= 1, got 0/);
    expect(messageOf(() => new wt.optim.OneCycleLR(opt, 0.1, {}), wt.ArgumentError)).toMatch(/give totalSteps, or epochs and stepsPerEpoch/);
    expect(messageOf(() => new wt.optim.OneCycleLR(opt, 0.1, { totalSteps: 5, pctStart: 1.5 }), wt.ArgumentError)).toMatch(/pctStart must be a finite number in \[0, 1\], got 1.5/);
    expect(messageOf(() => new wt.optim.OneCycleLR(opt, 0.1, { totalSteps: 5, annealStrategy: 'exp' as never }), wt.ArgumentError)).toMatch(/annealStrategy must be 'cos' or 'linear', got 'exp'/);
    expect(messageOf(() => new wt.optim.OneCycleLR(opt, { totalSteps: 5 }), wt.ArgumentError)).toMatch(/OneCycleLR: maxLr must be a finite number > 0, got undefined/);
    expect(messageOf(() => new wt.optim.OneCycleLR(opt, 0.1, { totalSteps: 5, totalStep: 5 } as never), wt.ArgumentError)).toMatch(/OneCycleLR: unknown option 'totalStep'/);
    expect(messageOf(() => new wt.optim.OneCycleLR(opt, [0.1, 0.2], 5), wt.ArgumentError)).toMatch(/maxLr must be a number or 1 numbers \(one per parameter group\)/);
    expect(messageOf(() => new wt.optim.StepLR(opt, 0), wt.ArgumentError)).toMatch(/StepLR: stepSize must be an integer >= 1, got 0/);
    expect(messageOf(() => new wt.optim.StepLR(opt, 2.5), wt.ArgumentError)).toMatch(/StepLR: stepSize must be an integer >= 1, got 2.5/);
    expect(messageOf(() => new wt.optim.StepLR(opt, 2, -0.5), wt.ArgumentError)).toMatch(/StepLR: gamma must be a finite number > 0, got -0.5/);
    // The options object where PyTorch has a number: an error at once, not a NaN lr at the next step.
    expect(messageOf(() => new wt.optim.StepLR(opt, { stepSize: 2, gama: 0.5 } as never), wt.ArgumentError)).toMatch(/StepLR: unknown option 'gama'/);
    expect(messageOf(() => new wt.optim.StepLR(opt, { gamma: 0.5 }), wt.ArgumentError)).toMatch(/StepLR: stepSize must be an integer >= 1, got undefined/);
    expect(messageOf(() => new wt.optim.ExponentialLR(opt, { gama: 0.5 } as never), wt.ArgumentError)).toMatch(/ExponentialLR: unknown option 'gama'/);
    expect(messageOf(() => new wt.optim.ExponentialLR(opt, NaN), wt.ArgumentError)).toMatch(/ExponentialLR: gamma must be a finite number > 0, got NaN/);
    expect(messageOf(() => new wt.optim.CosineAnnealingLR(opt, 0), wt.ArgumentError)).toMatch(/CosineAnnealingLR: tMax must be an integer >= 1, got 0/);
    expect(messageOf(() => new wt.optim.CosineAnnealingLR(opt, 10, -1), wt.ArgumentError)).toMatch(/CosineAnnealingLR: etaMin must be a finite number >= 0, got -1/);
    expect(messageOf(() => new wt.optim.LambdaLR(opt, 0.5 as never), wt.ArgumentError)).toMatch(/LambdaLR: lrLambda must be a function of the step, or 1 of them/);
    expect(messageOf(() => new wt.optim.LambdaLR(opt, () => NaN), wt.ArgumentError)).toMatch(/LambdaLR: lrLambda\(0\) must be a finite number, got NaN/);
    expect(messageOf(() => new wt.optim.MultiStepLR(opt, [3, 2]), wt.ArgumentError)).toMatch(/MultiStepLR: milestones must be a list of increasing integers >= 0, got \[3, 2\]/);
    expect(messageOf(() => new wt.optim.StepLR(opt, 2, 0.5, -2), wt.ArgumentError)).toMatch(/StepLR: lastEpoch must be an integer >= -1, got -2/);
    const fresh = new wt.optim.SGD([param()], 0.1);
    expect(messageOf(() => new wt.optim.StepLR(fresh, 2, 0.5, 3), wt.ArgumentError)).toMatch(/StepLR: lastEpoch 3 resumes a schedule, which needs paramGroups\[0\].initialLr/);
    const sched = new wt.optim.OneCycleLR(opt, 0.1, { totalSteps: 2 });
    sched.step();
    sched.step();
    expect(messageOf(() => sched.step(), wt.ArgumentError)).toMatch(/more than totalSteps = 2/);
  });
});

describe('other ops', () => {
  it('matmul, linear, broadcasting and reshape name the shapes', () => {
    expect(messageOf(() => wt.randn(2, 3).matmul(wt.randn(4, 5)), wt.ShapeError)).toMatch(/^matmul: shapes \[2, 3\] and \[4, 5\] cannot be multiplied \(3 vs 4/);
    expect(messageOf(() => F.linear(wt.randn(2, 3), wt.randn(4, 5)), wt.ShapeError)).toMatch(/linear: input \[2, 3\] does not end in inFeatures = 5/);
    expect(messageOf(() => wt.randn(2, 3).add(wt.randn(4, 3)), wt.ShapeError)).toMatch(/shapes \[2, 3\] and \[4, 3\] cannot be broadcast/);
    expect(messageOf(() => wt.randn(2, 3).reshape(4, 2), wt.ShapeError)).toMatch(/shape \[4, 2\] is invalid/);
    expect(messageOf(() => wt.randn(2, 3).sum(2), wt.ArgumentError)).toMatch(/dim 2 is out of range/);
  });

  it('through a module: Linear with the wrong input size', () => {
    const model = new nn.Sequential(new nn.Linear(4, 3), new nn.Linear(5, 2));
    expect(messageOf(() => model.call(wt.randn(2, 4)), wt.ShapeError)).toMatch(/^linear \(1\): input \[2, 3\] does not end in inFeatures = 5/);
  });
});
