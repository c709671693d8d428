/**
 * Losses, as torch.nn.functional: crossEntropy from logits with integer class targets (class
 * weights, ignoreIndex, labelSmoothing) or class probabilities, nllLoss, mseLoss and
 * binaryCrossEntropyWithLogits; reductions 'mean' | 'sum' | 'none', and PyTorch's deprecated
 * sizeAverage / reduce arguments in their positions, translated as PyTorch does.
 * Kernels: shaders/cross_entropy.wgsl through src/kernels/cross-entropy.ts for class-index targets;
 * probability targets, mseLoss and binaryCrossEntropyWithLogits are compositions of other ops.
 */
import { ShapeError, fmtShape, where } from '../errors.js';
import { crossEntropyBackward, crossEntropyForward, type CrossEntropyShape } from '../kernels/cross-entropy.js';
import { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import { currentLayer } from '../util/scope.js';
import { broadcastShapes, numel, sameShape } from '../util/shape.js';
import { add, div, mul, neg, sub, unary } from './elementwise.js';
import { full } from './fill.js';
import type { OpDef } from './op.js';
import { argumentError, integer, oneOf, unitInterval } from '../util/validate.js';
import { float32Arg, tensorArg } from './operands.js';
import { apply, apply1 } from './record.js';
import { expand, mean, sum } from './reduce.js';
import { reshape } from './shape.js';
import { logSoftmax } from './softmax.js';

export type Reduction = 'mean' | 'sum' | 'none';
const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];

/** Per-row losses: outputs [rowLoss, rowWeight (aux), logSumExp (aux)]. Inputs: logits, target, [weight]. */
export const crossEntropyRowsOp: OpDef<CrossEntropyShape> = {
  name: 'cross_entropy',
  lower(ctx, node) {
    const weight = node.inputs.length > 2 ? ctx.input(2) : null;
    const rowWeight = ctx.used(1) ? ctx.output(1) : ctx.temp(node.outputs[1]!.bytes);
    ctx.dispatch(crossEntropyForward(node.attrs, ctx.input(0), ctx.input(1), weight, ctx.output(0), rowWeight, ctx.output(2)));
  },
  vjp(node, [g], needs) {
    if (!needs[0] || !g) return [null, null, null];
    const inputs = [g, Tensor.view(node.outputs[2]!), Tensor.view(node.inputs[0]!), Tensor.view(node.inputs[1]!)];
    const w = node.inputs.length > 2 ? Tensor.view(node.inputs[2]!) : null;
    // The smoothing term of the gradient needs the summed class weights: C when there are none.
    if (node.attrs.labelSmoothing > 0) inputs.push(w ? sum(w, null, true) : full([1], node.attrs.classes, { device: g.device }));
    if (w) inputs.push(w);
    return [apply1(crossEntropyBackwardOp, inputs, node.attrs, { shape: node.inputs[0]!.shape, dtype: 'float32' }), null, null];
  },
};

/**
 * Inputs: rowGrad, logSumExp, logits, target, then with label smoothing the summed class weights
 * ([1]; C without class weights), then the class weights if there are any.
 */
export const crossEntropyBackwardOp: OpDef<CrossEntropyShape> = {
  name: 'cross_entropy_backward',
  lower(ctx, node) {
    const smoothing = node.attrs.labelSmoothing > 0;
    const weightIndex = smoothing ? 5 : 4;
    ctx.dispatch(
      crossEntropyBackward(
        node.attrs,
        ctx.input(2),
        ctx.input(3),
        node.inputs.length > weightIndex ? ctx.input(weightIndex) : null,
        ctx.input(0),
        ctx.input(1),
        smoothing ? ctx.input(4) : null,
        ctx.output(0),
      ),
    );
  },
};

/**
 * PyTorch's legacy size_average / reduce pair (torch.nn._reduction.legacy_get_string): when either
 * is given it decides the reduction (both default to true): 'mean' if both, 'sum' if only reduce,
 * 'none' if not reduce. Otherwise `reduction` stands.
 */
export function legacyReduction(op: string, sizeAverage: unknown, reduce: unknown, reduction: unknown): Reduction {
  for (const [name, v] of [['sizeAverage', sizeAverage], ['reduce', reduce]] as const) {
    if (v !== null && v !== undefined && typeof v !== 'boolean') {
      throw argumentError(op, `${name} must be a boolean or null, got ${String(v)}`);
    }
  }
  if ((sizeAverage === null || sizeAverage === undefined) && (reduce === null || reduce === undefined)) return oneOf(op, 'reduction', reduction, REDUCTIONS);
  const avg = sizeAverage ?? true;
  const red = reduce ?? true;
  return avg && red ? 'mean' : red ? 'sum' : 'none';
}

function reduceLoss(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return loss;
  return reduction === 'sum' ? sum(loss) : mean(loss);
}

function checkWeight(op: string, weight: unknown, classes: number): Tensor | null {
  if (weight === null || weight === undefined) return null;
  if (!(weight instanceof Tensor) || weight.ndim !== 1 || weight.shape[0] !== classes || weight.dtype !== 'float32') {
    throw new ShapeError(`${where(op, currentLayer())}: weight must be a float32 tensor of shape [${classes}] (one weight per class), got ${weight instanceof Tensor ? weight.describe() : String(weight)}`);
  }
  return weight;
}

function checkLogits(op: string, input: Tensor): void {
  float32Arg(op, 'input', input);
  if (input.ndim === 0) throw new ShapeError(`${where(op, currentLayer())}: input must have a class dimension ([C], [N, C] or [N, C, d1, ...]), got a scalar`);
}

/** Per-row loss of class-index targets (cross-entropy from logits, or nll of log-probabilities). */
function classIndexLoss(
  op: string,
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  ignoreIndex: number,
  reduction: Reduction,
  labelSmoothing: number,
  nll: boolean,
): Tensor {
  const layer = currentLayer();
  integer(op, 'ignoreIndex', ignoreIndex);
  if (target.dtype !== 'int32') throw new ShapeError(`${where(op, layer)}: target must be int32 class indices, got ${target.dtype} ${target.describe()}`);
  const unbatched = input.ndim === 1;
  const classes = unbatched ? input.shape[0]! : input.shape[1]!;
  const expected = unbatched ? [] : [input.shape[0]!, ...input.shape.slice(2)];
  if (target.ndim !== expected.length || target.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(
      `${where(op, layer)}: target shape ${fmtShape(target.shape)} does not match input ${fmtShape(input.shape)}: expected ${fmtShape(expected)} (the input without its class dimension ${unbatched ? 0 : 1})`,
    );
  }
  const outer = unbatched ? 1 : input.shape[0]!;
  const inner = unbatched ? 1 : numel(input.shape.slice(2));
  const attrs: CrossEntropyShape = { outer, classes, inner, ignoreIndex, labelSmoothing, ...(nll ? { nll: true } : {}) };
  const inputs = weight ? [input, target, weight] : [input, target];
  const [rowLoss, rowWeight] = apply(crossEntropyRowsOp, inputs, attrs, [
    { shape: expected, dtype: 'float32' },
    { shape: expected, dtype: 'float32', aux: true },
    { shape: expected, dtype: 'float32', aux: true },
  ]);
  if (reduction === 'none') return rowLoss!;
  if (reduction === 'sum') return sum(rowLoss!);
  // PyTorch's weighted mean: divided by the summed weights of the targets not ignored.
  return div(sum(rowLoss!), sum(rowWeight!));
}

/** Cross-entropy with class-probability targets of the input's shape (PyTorch 1.13's definition). */
function probabilityLoss(op: string, input: Tensor, target: Tensor, weight: Tensor | null, reduction: Reduction, labelSmoothing: number): Tensor {
  const layer = currentLayer();
  if (!sameShape(target.shape, input.shape)) {
    throw new ShapeError(
      `${where(op, layer)}: class-probability targets must have the input's shape ${fmtShape(input.shape)}, got ${fmtShape(target.shape)} (class-index targets are int32 of shape ${fmtShape(input.ndim === 1 ? [] : [input.shape[0]!, ...input.shape.slice(2)])})`,
    );
  }
  const classDim = input.ndim === 1 ? 0 : 1;
  const classes = input.shape[classDim]!;
  const logp = logSoftmax(input, classDim);
  // Smoothing mixes the target with the uniform distribution: t (1 - eps) + eps / C.
  const t = labelSmoothing > 0 ? unary('affine', target, 1 - labelSmoothing, labelSmoothing / classes) : target;
  let terms = mul(logp, t);
  if (weight) terms = mul(terms, reshape(weight, [classes, ...input.shape.slice(classDim + 1).map(() => 1)]));
  const rowLoss = neg(sum(terms, classDim));
  if (reduction === 'none') return rowLoss;
  if (reduction === 'sum') return sum(rowLoss);
  // 'mean' divides by the number of rows (N * d1 * ...), not by the weights.
  return mean(rowLoss);
}

export interface CrossEntropyOptions extends Record<string, unknown> {
  weight?: Tensor | null;
  sizeAverage?: boolean | null;
  ignoreIndex?: number;
  reduce?: boolean | null;
  reduction?: Reduction;
  labelSmoothing?: number;
}

/**
 * Cross-entropy between logits and targets, as torch.nn.functional.cross_entropy:
 * crossEntropy(input, target, weight?, sizeAverage?, ignoreIndex?, reduce?, reduction?, labelSmoothing?)
 * or crossEntropy(input, target, { weight, ignoreIndex, reduction, labelSmoothing }).
 *
 * Shapes: input [N, C], [N, C, d1, ...] (class dim 1) or [C]. Targets are either
 *  - int32 class indices [N] / [N, d1, ...] / []: per row -w_y log softmax(x)_y, 0 where the target
 *    is ignoreIndex; 'mean' divides by the summed weights w_y of the rows not ignored; or
 *  - float32 class probabilities of the input's shape: per row -sum_c w_c t_c log softmax(x)_c
 *    ('mean' divides by the number of rows); ignoreIndex does not apply and must stay negative.
 * labelSmoothing eps in [0, 1] replaces the target distribution by (1 - eps) target + eps / C.
 * weight: float32 [C] or null. Output: a scalar, or the per-row losses for reduction 'none'.
 * sizeAverage / reduce are PyTorch's deprecated pair (see legacyReduction); leave them null.
 */
export function crossEntropy(input: Tensor, target: Tensor, options?: CrossEntropyOptions): Tensor;
export function crossEntropy(
  input: Tensor,
  target: Tensor,
  weight?: Tensor | null,
  sizeAverage?: boolean | null,
  ignoreIndex?: number,
  reduce?: boolean | null,
  reduction?: Reduction,
  labelSmoothing?: number,
): Tensor;
export function crossEntropy(input: Tensor, target: Tensor, ...rest: unknown[]): Tensor {
  const op = 'cross_entropy';
  const o = kwargs<Required<CrossEntropyOptions>>(op, rest, ['weight', 'sizeAverage', 'ignoreIndex', 'reduce', 'reduction', 'labelSmoothing'], {
    weight: null,
    sizeAverage: null,
    ignoreIndex: -100,
    reduce: null,
    reduction: 'mean',
    labelSmoothing: 0,
  });
  const reduction = legacyReduction(op, o.sizeAverage, o.reduce, o.reduction);
  const eps = unitInterval(op, 'labelSmoothing', o.labelSmoothing);
  checkLogits(op, input);
  tensorArg(op, 'target', target);
  const weight = checkWeight(op, o.weight, input.shape[input.ndim === 1 ? 0 : 1]!);
  if (target.dtype === 'float32') {
    if (o.ignoreIndex >= 0) {
      throw argumentError(op, `ignoreIndex is not supported for floating point target (class probabilities), got ignoreIndex ${o.ignoreIndex}`);
    }
    return probabilityLoss(op, input, target, weight, reduction, eps);
  }
  return classIndexLoss(op, input, target, weight, o.ignoreIndex, reduction, eps, false);
}

export interface NllLossOptions extends Record<string, unknown> {
  weight?: Tensor | null;
  sizeAverage?: boolean | null;
  ignoreIndex?: number;
  reduce?: boolean | null;
  reduction?: Reduction;
}

/**
 * Negative log-likelihood of log-probabilities, as torch.nn.functional.nll_loss:
 * nllLoss(input, target, weight?, sizeAverage?, ignoreIndex?, reduce?, reduction?) or with an
 * options object. input [N, C], [N, C, d1, ...] or [C] (log-probabilities, e.g. logSoftmax(x, 1));
 * target int32 [N] / [N, d1, ...] / []. Per row -w_y input_y (0 where target == ignoreIndex);
 * 'mean' divides by the summed w_y of the rows not ignored. A target outside [0, C) gives NaN.
 */
export function nllLoss(input: Tensor, target: Tensor, options?: NllLossOptions): Tensor;
export function nllLoss(
  input: Tensor,
  target: Tensor,
  weight?: Tensor | null,
  sizeAverage?: boolean | null,
  ignoreIndex?: number,
  reduce?: boolean | null,
  reduction?: Reduction,
): Tensor;
export function nllLoss(input: Tensor, target: Tensor, ...rest: unknown[]): Tensor {
  const op = 'nll_loss';
  const o = kwargs<Required<NllLossOptions>>(op, rest, ['weight', 'sizeAverage', 'ignoreIndex', 'reduce', 'reduction'], {
    weight: null,
    sizeAverage: null,
    ignoreIndex: -100,
    reduce: null,
    reduction: 'mean',
  });
  const reduction = legacyReduction(op, o.sizeAverage, o.reduce, o.reduction);
  checkLogits(op, input);
  tensorArg(op, 'target', target);
  const weight = checkWeight(op, o.weight, input.shape[input.ndim === 1 ? 0 : 1]!);
  return classIndexLoss(op, input, target, weight, o.ignoreIndex, reduction, 0, true);
}

export interface MseLossOptions extends Record<string, unknown> {
  sizeAverage?: boolean | null;
  reduce?: boolean | null;
  reduction?: Reduction;
}

/**
 * Mean squared error (input - target)^2, as torch.nn.functional.mse_loss:
 * mseLoss(input, target, sizeAverage?, reduce?, reduction?) or mseLoss(input, target, { reduction }).
 * input and target broadcast together (PyTorch warns when their shapes differ); 'mean' averages
 * over every element, 'none' returns the squared errors.
 */
export function mseLoss(input: Tensor, target: Tensor, options?: MseLossOptions): Tensor;
export function mseLoss(input: Tensor, target: Tensor, sizeAverage?: boolean | null, reduce?: boolean | null, reduction?: Reduction): Tensor;
export function mseLoss(input: Tensor, target: Tensor, ...rest: unknown[]): Tensor {
  const op = 'mse_loss';
  const o = kwargs<Required<MseLossOptions>>(op, rest, ['sizeAverage', 'reduce', 'reduction'], { sizeAverage: null, reduce: null, reduction: 'mean' });
  const reduction = legacyReduction(op, o.sizeAverage, o.reduce, o.reduction);
  const d = sub(input, target);
  return reduceLoss(mul(d, d), reduction);
}

export interface BceWithLogitsOptions extends Record<string, unknown> {
  weight?: Tensor | null;
  sizeAverage?: boolean | null;
  reduce?: boolean | null;
  reduction?: Reduction;
  posWeight?: Tensor | null;
}

/**
 * Binary cross-entropy from logits, as torch.nn.functional.binary_cross_entropy_with_logits:
 * binaryCrossEntropyWithLogits(input, target, weight?, sizeAverage?, reduce?, reduction?, posWeight?)
 * or with an options object. Per element, with p = posWeight (1 when null) and w = weight:
 *   w * ((1 - t) x + (1 + (p - 1) t) log(1 + exp(-x)))
 * with log(1 + exp(-x)) computed stably (softplus of -x). target has the input's shape; weight and
 * posWeight broadcast to it (posWeight [C] applies per class along the last dim).
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options?: BceWithLogitsOptions): Tensor;
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  weight?: Tensor | null,
  sizeAverage?: boolean | null,
  reduce?: boolean | null,
  reduction?: Reduction,
  posWeight?: Tensor | null,
): Tensor;
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, ...rest: unknown[]): Tensor {
  const op = 'binary_cross_entropy_with_logits';
  const layer = currentLayer();
  const o = kwargs<Required<BceWithLogitsOptions>>(op, rest, ['weight', 'sizeAverage', 'reduce', 'reduction', 'posWeight'], {
    weight: null,
    sizeAverage: null,
    reduce: null,
    reduction: 'mean',
    posWeight: null,
  });
  const reduction = legacyReduction(op, o.sizeAverage, o.reduce, o.reduction);
  float32Arg(op, 'input', input);
  float32Arg(op, 'target', target);
  if (!sameShape(input.shape, target.shape)) {
    throw new ShapeError(`${where(op, layer)}: target size ${fmtShape(target.shape)} must be the same as input size ${fmtShape(input.shape)}`);
  }
  const broadcastable = (name: string, t: unknown): Tensor | null => {
    if (t === null || t === undefined) return null;
    if (!(t instanceof Tensor) || t.dtype !== 'float32') throw new ShapeError(`${where(op, layer)}: ${name} must be a float32 tensor or null, got ${String(t)}`);
    const b = broadcastShapes(t.shape, input.shape, op, layer);
    if (!sameShape(b, input.shape)) {
      throw new ShapeError(`${where(op, layer)}: ${name} of shape ${fmtShape(t.shape)} must broadcast to the input's shape ${fmtShape(input.shape)}`);
    }
    return t;
  };
  const weight = broadcastable('weight', o.weight);
  const posWeight = broadcastable('posWeight', o.posWeight);
  // log(1 + exp(-x)), stable for either sign: softplus(-x).
  const softplusNeg = unary('softplus', neg(input), 1, 20);
  const lw = posWeight ? add(mul(sub(posWeight, 1), target), 1) : null;
  let loss = add(mul(unary('affine', target, -1, 1), input), lw ? mul(lw, softplusNeg) : softplusNeg);
  if (weight) loss = mul(loss, weight);
  if (!sameShape(loss.shape, input.shape)) loss = expand(loss, input.shape);
  return reduceLoss(loss, reduction);
}
