/**
 * Grad-CAM (Selvaraju et al. 2017): where in the input a class's evidence lies, as seen by one conv
 * stage. With A the stage's activations [K, h, w] and y_c the class score (logit), the weight of
 * channel k is the spatial mean of dy_c/dA_k and the map is relu(sum_k w_k A_k), scaled to [0, 1]
 * and resized to the input. The gradient comes from webtrain's autograd: A is cut from the graph
 * (detach) and made a leaf that requires grad, and the later stages are run from it.
 */
import { ArgumentError } from '../errors.js';
import { select } from '../ops/slice.js';
import { softmax } from '../ops/softmax.js';
import { sum } from '../ops/reduce.js';
import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../util/scope.js';
import { resizeBilinear } from './image.js';
import type { StagedModel } from './stages.js';

export interface GradCamOptions {
  /** The stage to explain, by name; default the last conv stage. */
  stage?: string;
  /** The class to explain; default the predicted one. */
  classIndex?: number;
}

export interface GradCam {
  stage: string;
  classIndex: number;
  /** Softmax probabilities of the image. */
  probs: Float32Array;
  /** The map at the stage's resolution, in [0, 1]. */
  cam: Float32Array;
  camHeight: number;
  camWidth: number;
  /** The map resized (bilinear) to the input's height x width, in [0, 1]. */
  heat: Float32Array;
  height: number;
  width: number;
  /** Channel weights (mean gradients), one per channel of the stage. */
  weights: Float32Array;
}

/** Grad-CAM of the first image of x [1, C, H, W]. The model's parameters get no gradients. */
export async function gradCam(m: StagedModel, x: Tensor, options: GradCamOptions = {}): Promise<GradCam> {
  if (x.ndim !== 4 || x.shape[0] !== 1) throw new ArgumentError(`gradCam: expected one image [1, C, H, W], got [${x.shape.join(', ')}]`);
  const convs = m.stages.map((s, i) => [s, i] as const).filter(([s]) => s.kind === 'conv');
  const chosen = options.stage === undefined ? convs[convs.length - 1] : convs.find(([s]) => s.name === options.stage);
  if (!chosen) {
    throw new ArgumentError(`gradCam: no conv stage '${options.stage ?? ''}' (conv stages: ${convs.map(([s]) => s.name).join(', ') || 'none'})`);
  }
  const [stage, at] = chosen;
  const model = m.model;
  const wasTraining = model.training;
  // Only the cut activation may collect a gradient: the parameters are frozen for the duration.
  const params = model.parameters().filter((p) => p.requiresGrad);
  model.eval();
  for (const p of params) p.requiresGrad = false;
  let a: Tensor;
  let logits: Tensor;
  let probsT: Tensor;
  let grad: Tensor;
  let classIndex: number;
  let probs: Float32Array;
  try {
    a = noGrad(() => {
      let h = x;
      for (let i = 0; i <= at; i++) h = m.stages[i]!.run(h);
      return h;
    })
      .detach()
      .requiresGrad_();
    let h = a;
    for (let i = at + 1; i < m.stages.length; i++) h = m.stages[i]!.run(h);
    logits = h;
    if (logits.ndim !== 2) throw new ArgumentError(`gradCam: the last stage must give logits [1, classes], got [${logits.shape.join(', ')}]`);
    probsT = noGrad(() => softmax(logits.detach(), 1));
    probs = ((await probsT.data()) as Float32Array).slice();
    classIndex = options.classIndex ?? probs.indexOf(Math.max(...probs));
    if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= probs.length) {
      throw new ArgumentError(`gradCam: classIndex must be an integer in [0, ${probs.length - 1}], got ${classIndex}`);
    }
    sum(select(select(logits, 0, 0), 0, classIndex)).backward();
    if (!a.grad) throw new ArgumentError(`gradCam: stage '${stage.name}' got no gradient from the class score`);
    grad = a.grad;
  } finally {
    for (const p of params) p.requiresGrad = true;
    model.train(wasTraining);
  }
  const [, k, h, w] = a.shape as [number, number, number, number];
  const [act, g] = (await Promise.all([a.data(), grad.data()])) as [Float32Array, Float32Array];
  a.dispose();
  logits.dispose();
  probsT.dispose();
  const weights = new Float32Array(k);
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let i = 0; i < h * w; i++) s += g[c * h * w + i]!;
    weights[c] = s / (h * w);
  }
  const cam = new Float32Array(h * w);
  let max = 0;
  for (let i = 0; i < h * w; i++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += weights[c]! * act[c * h * w + i]!;
    cam[i] = Math.max(0, s);
    max = Math.max(max, cam[i]!);
  }
  if (max > 0) for (let i = 0; i < cam.length; i++) cam[i]! /= max;
  const [height, width] = [x.shape[2]!, x.shape[3]!];
  const heat = resizeBilinear(cam, h, w, height, width);
  return { stage: stage.name, classIndex, probs, cam, camHeight: h, camWidth: w, heat, height, width, weights };
}
