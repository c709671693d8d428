/**
 * Losses: crossEntropy from logits with integer class targets (class weights, ignoreIndex,
 * labelSmoothing, reductions 'mean' | 'sum' | 'none'), and mseLoss.
 * Kernels: shaders/cross_entropy.wgsl through src/kernels/cross-entropy.ts.
 */
import { ArgumentError, ShapeError, fmtShape, where } from '../errors.js';
import { currentLayer } from '../graph/engine.js';
import type { OpDef } from '../graph/op.js';
import { crossEntropyBackward, crossEntropyForward, type CrossEntropyShape } from '../kernels/cross-entropy.js';
import { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import { numel } from '../util/shape.js';
import { div, mul, sub } from './elementwise.js';
import { full } from './fill.js';
import { apply, apply1 } from './record.js';
import { mean, sum } from './reduce.js';

export type Reduction = 'mean' | 'sum' | 'none';

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

export interface CrossEntropyOptions extends Record<string, unknown> {
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
  labelSmoothing?: number;
}

function checkReduction(op: string, r: unknown): Reduction {
  if (r !== 'mean' && r !== 'sum' && r !== 'none') {
    throw new ArgumentError(`${where(op, currentLayer())}: reduction must be 'mean', 'sum' or 'none', got '${String(r)}'`);
  }
  return r;
}

/**
 * Cross-entropy between logits [N, C] (or [N, C, d1, ...], or [C]) and int32 class targets
 * [N] (or [N, d1, ...], or []): log-softmax over dim 1 followed by the negative log-likelihood,
 * as torch.nn.functional.cross_entropy. 'mean' divides by the summed weights of the counted targets.
 */
export function crossEntropy(input: Tensor, target: Tensor, options?: CrossEntropyOptions): Tensor;
export function crossEntropy(
  input: Tensor,
  target: Tensor,
  weight?: Tensor | null,
  ignoreIndex?: number,
  reduction?: Reduction,
  labelSmoothing?: number,
): Tensor;
export function crossEntropy(input: Tensor, target: Tensor, ...rest: unknown[]): Tensor {
  const op = 'cross_entropy';
  const layer = currentLayer();
  // PyTorch's size_average / reduce arguments are deprecated and not accepted.
  const o = kwargs<Required<CrossEntropyOptions>>(op, rest, ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing'], {
    weight: null,
    ignoreIndex: -100,
    reduction: 'mean',
    labelSmoothing: 0,
  });
  const reduction = checkReduction(op, o.reduction);
  const eps = o.labelSmoothing;
  if (typeof eps !== 'number' || !(eps >= 0 && eps <= 1)) {
    throw new ArgumentError(`${where(op, layer)}: labelSmoothing must be in [0, 1], got ${String(eps)}`);
  }
  if (!Number.isInteger(o.ignoreIndex)) throw new ArgumentError(`${where(op, layer)}: ignoreIndex must be an integer, got ${String(o.ignoreIndex)}`);
  if (input.dtype !== 'float32') throw new ShapeError(`${where(op, layer)}: input (logits) must be float32, got ${input.dtype}`);
  if (input.ndim === 0) throw new ShapeError(`${where(op, layer)}: input must have a class dimension, got a scalar`);

  if (target.dtype === 'float32') {
    throw new ShapeError(
      `${where(op, layer)}: class-probability targets are not supported yet; pass int32 class indices ${fmtShape(input.ndim === 1 ? [] : [input.shape[0]!, ...input.shape.slice(2)])}`,
    );
  }
  if (target.dtype !== 'int32') throw new ShapeError(`${where(op, layer)}: target must be int32 class indices, got ${target.dtype}`);
  const unbatched = input.ndim === 1;
  const classes = unbatched ? input.shape[0]! : input.shape[1]!;
  const expected = unbatched ? [] : [input.shape[0]!, ...input.shape.slice(2)];
  if (target.ndim !== expected.length || target.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(
      `${where(op, layer)}: target shape ${fmtShape(target.shape)} does not match input ${fmtShape(input.shape)}: expected ${fmtShape(expected)} (the input without its class dimension 1)`,
    );
  }
  const weight = o.weight;
  if (weight !== null) {
    if (!(weight instanceof Tensor) || weight.ndim !== 1 || weight.shape[0] !== classes || weight.dtype !== 'float32') {
      throw new ShapeError(`${where(op, layer)}: weight must be a float32 tensor of shape [${classes}], got ${weight instanceof Tensor ? weight.describe() : String(weight)}`);
    }
  }
  const outer = unbatched ? 1 : input.shape[0]!;
  const inner = unbatched ? 1 : numel(input.shape.slice(2));
  const attrs: CrossEntropyShape = { outer, classes, inner, ignoreIndex: o.ignoreIndex, labelSmoothing: eps };
  const inputs = weight ? [input, target, weight] : [input, target];
  const [rowLoss, rowWeight] = apply(crossEntropyRowsOp, inputs, attrs, [
    { shape: expected, dtype: 'float32' },
    { shape: expected, dtype: 'float32', aux: true },
    { shape: expected, dtype: 'float32', aux: true },
  ]);
  if (reduction === 'none') return rowLoss!;
  if (reduction === 'sum') return sum(rowLoss!);
  return div(sum(rowLoss!), sum(rowWeight!));
}

export interface MseLossOptions extends Record<string, unknown> {
  reduction?: Reduction;
}

/** Mean squared error (input - target)^2, reduced as asked. */
export function mseLoss(input: Tensor, target: Tensor, options?: MseLossOptions): Tensor;
export function mseLoss(input: Tensor, target: Tensor, reduction?: Reduction): Tensor;
export function mseLoss(input: Tensor, target: Tensor, ...rest: unknown[]): Tensor {
  const o = kwargs<Required<MseLossOptions>>('mse_loss', rest, ['reduction'], { reduction: 'mean' });
  const reduction = checkReduction('mse_loss', o.reduction);
  const d = sub(input, target);
  const sq = mul(d, d);
  if (reduction === 'none') return sq;
  return reduction === 'sum' ? sum(sq) : mean(sq);
}
