/**
 * A model seen as a chain of named stages (conv + activation, pooling, the classifier head), so
 * views can stop at any stage: feature maps are the outputs of the conv stages, Grad-CAM cuts the
 * chain at a stage and differentiates the rest. A model's stages are plain functions over its
 * public modules; running all of them in order must equal the model's forward.
 */
import { ArgumentError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { softmax } from '../ops/softmax.js';
import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../util/scope.js';
import type { SlidingWindow } from './receptive.js';

export interface Stage {
  /** Shown in views: 'conv1', 'pool1', 'classifier'. */
  name: string;
  /** 'conv' stages produce feature maps [N, C, H, W] worth showing (after their activation). */
  kind: 'conv' | 'pool' | 'head';
  run(x: Tensor): Tensor;
  /**
   * The sliding windows (convolutions, poolings) the stage applies, in order; [] for an element-wise
   * stage. Lets stageWindow() place a unit's receptive field on the input.
   */
  windows?: readonly SlidingWindow[];
}

export interface StagedModel {
  model: Module;
  stages: readonly Stage[];
}

export interface FeatureMap {
  stage: string;
  /** [C, H, W] of the first image of the batch. */
  channels: number;
  height: number;
  width: number;
  /** channels * height * width values, channel-major. */
  data: Float32Array;
}

function runEval<T>(model: Module, fn: () => T): T {
  const wasTraining = model.training;
  model.eval();
  try {
    return fn();
  } finally {
    model.train(wasTraining);
  }
}

export interface Prediction {
  /** Softmax probabilities of the first image, one per class. */
  probs: Float32Array;
  /** The most probable class. */
  label: number;
}

function argmaxOf(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * The feature maps of every conv stage for the first image of x [N, C, H, W], and the prediction,
 * in eval mode without autograd. Everything is recorded first and read in one flush.
 */
export async function featureMaps(m: StagedModel, x: Tensor): Promise<{ maps: FeatureMap[]; prediction: Prediction }> {
  const [outs, probs] = runEval(m.model, () =>
    noGrad(() => {
      const outs: [Stage, Tensor][] = [];
      let h = x;
      for (const s of m.stages) {
        h = s.run(h);
        if (s.kind === 'conv') outs.push([s, h]);
      }
      return [outs, softmax(h, 1)] as const;
    }),
  );
  const datas = await Promise.all([...outs.map(([, t]) => t.data()), probs.data()]);
  const maps = outs.map(([s, t], i): FeatureMap => {
    if (t.ndim !== 4) throw new ArgumentError(`featureMaps: stage '${s.name}' gave ${t.ndim} dimensions, a conv stage must give [N, C, H, W]`);
    const [, c, hh, ww] = t.shape as [number, number, number, number];
    return { stage: s.name, channels: c, height: hh, width: ww, data: (datas[i] as Float32Array).slice(0, c * hh * ww) };
  });
  const p = (datas[datas.length - 1] as Float32Array).slice(0, probs.shape[1]!);
  for (const [, t] of outs) t.dispose();
  probs.dispose();
  return { maps, prediction: { probs: p, label: argmaxOf(p) } };
}

/** Class probabilities of the first image of x, in eval mode without autograd. */
export async function predict(m: StagedModel, x: Tensor): Promise<Prediction> {
  const probs = runEval(m.model, () => noGrad(() => softmax(m.model.call(x) as Tensor, 1)));
  const p = ((await probs.data()) as Float32Array).slice(0, probs.shape[1]!);
  probs.dispose();
  return { probs: p, label: argmaxOf(p) };
}
