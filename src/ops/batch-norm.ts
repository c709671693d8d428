/**
 * Batch normalization (torch.nn.functional.batch_norm), through shaders/norm.wgsl and
 * src/kernels/norm.ts.
 *
 * Batch norm is the op `batch_norm`. Its inputs depend on the mode (see `batchNormInputs`):
 *  - eval (running statistics): (x, runningMean, runningVar, weight?, bias?), one output y;
 *  - training (batch statistics): (x, weight?, bias?), outputs y and the aux statistics [3, C]
 *    (batch mean, 1/sqrt(var + eps), biased var) that the gradient and the update read.
 * In training mode the running statistics are updated by a second node, `batch_norm_update`, in
 * place on their buffers within the same plan (the same GPU submission). It is a separate node so
 * that a batch_norm node can run again (when a later backward recomputes an activation that was
 * not kept) without reading running statistics that its own update has already overwritten, and
 * without updating them twice.
 */
import type { BufRef } from '../kernels/context.js';
import type { OpDef } from './op.js';
import type { Node, Value } from '../graph/value.js';
import { batchNormGrad, normApply, normStatistics } from '../kernels/norm.js';
import { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import { numel } from '../util/shape.js';
import { argumentError, boolean, finiteNumber } from '../util/validate.js';
import { optionalFloat32Arg } from './operands.js';
import { channelsOf, checkBatchStatistics, checkParam, gradTargets, normGrads, normInput, planes, updateRunning, wantedGrads, type NormGradAttrs } from './norm-common.js';
import { apply } from './record.js';

export { batchNormUpdateOp } from './norm-common.js';

export interface BatchNormAttrs {
  /** Normalize with the batch statistics (and output them) or with the running ones. */
  training: boolean;
  /** The momentum of the running-statistics update (null: cumulative average); informational here. */
  momentum: number | null;
  eps: number;
  hasWeight: boolean;
  hasBias: boolean;
}

/** Positions of batch_norm's optional inputs in a node's input list (-1 when absent). */
export function batchNormInputs(attrs: BatchNormAttrs): { runningMean: number; runningVar: number; weight: number; bias: number } {
  let k = 1;
  const runningMean = attrs.training ? -1 : k++;
  const runningVar = attrs.training ? -1 : k++;
  const weight = attrs.hasWeight ? k++ : -1;
  const bias = attrs.hasBias ? k++ : -1;
  return { runningMean, runningVar, weight, bias };
}

export const batchNormOp: OpDef<BatchNormAttrs> = {
  name: 'batch_norm',
  lower(ctx, node) {
    const a = node.attrs;
    const k = batchNormInputs(a);
    const v = planes(node.inputs[0]!.shape);
    const x = ctx.input(0);
    const w = k.weight >= 0 ? ctx.input(k.weight) : null;
    const b = k.bias >= 0 ? ctx.input(k.bias) : null;
    const group = { train: a.training, byChannel: true, planesPerGroup: 1, groups: v.c, eps: a.eps };
    if (a.training) {
      const stats = ctx.output(1);
      normStatistics(ctx, v, a.eps, x, stats);
      normApply(ctx, v, group, x, stats, w, b, ctx.output(0));
    } else {
      normApply(ctx, v, group, x, [ctx.input(k.runningMean), ctx.input(k.runningVar)], w, b, ctx.output(0));
    }
  },
  vjp(node, [g], needs) {
    const a = node.attrs;
    const k = batchNormInputs(a);
    const want = wantedGrads(needs, k);
    if (!g || !want) return node.inputs.map(() => null);
    const view = (i: number) => Tensor.view(node.inputs[i]!);
    const inputs = [g, view(0)];
    if (a.training) inputs.push(Tensor.view(node.outputs[1]!));
    else inputs.push(view(k.runningMean), view(k.runningVar));
    if (k.weight >= 0) inputs.push(view(k.weight));
    const c = node.inputs[0]!.shape[1]!;
    return normGrads(node, batchNormBackwardOp, inputs, { training: a.training, eps: a.eps, hasWeight: k.weight >= 0, ...want }, [c], k);
  },
  // In eval mode, a per-channel scale and shift over dim 1 that a conv / matmul before it can apply.
  epilogueLink(node, input) {
    const a = node.attrs;
    const shape = node.inputs[0]!.shape;
    if (a.training || input !== 0 || shape.length < 2) return null;
    const k = batchNormInputs(a);
    return {
      kind: 'affine',
      channels: shape[1]!,
      inner: numel(shape.slice(2)),
      eps: a.eps,
      mean: node.inputs[k.runningMean]!,
      variance: node.inputs[k.runningVar]!,
      weight: k.weight >= 0 ? node.inputs[k.weight]! : null,
      bias: k.bias >= 0 ? node.inputs[k.bias]! : null,
    };
  },
};

/** Inputs: dy, x, then stats [3, C] (training) or runningMean, runningVar (eval), then weight?. */
export const batchNormBackwardOp: OpDef<NormGradAttrs & { training: boolean }> = {
  name: 'batch_norm_backward',
  lower(ctx, node) {
    const a = node.attrs;
    const v = planes(node.inputs[0]!.shape);
    const x = ctx.input(1);
    const stats = a.training ? ctx.input(2) : ([ctx.input(2), ctx.input(3)] as [BufRef, BufRef]);
    const w = a.hasWeight ? ctx.input(a.training ? 3 : 4) : null;
    const group = { train: a.training, byChannel: true, planesPerGroup: 1, groups: v.c, eps: a.eps };
    batchNormGrad(ctx, v, group, x, ctx.input(0), stats, w, gradTargets(ctx, a));
  },
};

export interface BatchNormOptions extends Record<string, unknown> {
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}

/** What BatchNorm modules pass beyond the functional arguments. */
export interface BatchNormState {
  /** Tracked-batch counter (int32, one element): incremented by each training call. */
  numBatchesTracked: Tensor | null;
}

/**
 * Batch normalization over the channels (dim 1) of an [N, C, ...] input:
 * y = (x - mean) / sqrt(var + eps) * weight + bias.
 *
 * training: normalize with the batch's mean and biased variance over N and the spatial dims, and,
 * when runningMean / runningVar are given, update them in place: running = (1 - momentum) *
 * running + momentum * batch value, with the unbiased variance. Otherwise normalize with
 * runningMean / runningVar (required). weight and bias ([C], optional) are the affine parameters.
 *
 * batchNorm(input, runningMean, runningVar, weight?, bias?, training = false, momentum = 0.1, eps = 1e-5),
 * or with an options object after runningVar.
 */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options?: BatchNormOptions): Tensor;
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight?: Tensor | null,
  bias?: Tensor | null,
  training?: boolean,
  momentum?: number,
  eps?: number,
): Tensor;
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, ...rest: unknown[]): Tensor {
  const op = 'batch_norm';
  const o = kwargs<Required<BatchNormOptions>>(op, rest, ['weight', 'bias', 'training', 'momentum', 'eps'], {
    weight: null,
    bias: null,
    training: false,
    momentum: 0.1,
    eps: 1e-5,
  });
  if (typeof o.momentum !== 'number') {
    throw argumentError(op, `momentum must be a number, got ${String(o.momentum)} (a cumulative average is BatchNorm2d's momentum = null)`);
  }
  return batchNormWithState(input, runningMean, runningVar, o.weight, o.bias, o.training, o.momentum, o.eps, { numBatchesTracked: null });
}

/** @internal batchNorm with the module's state: momentum null means a cumulative average. */
export function batchNormWithState(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null,
  bias: Tensor | null,
  training: boolean,
  momentum: number | null,
  eps: number,
  state: BatchNormState,
): Tensor {
  const op = 'batch_norm';
  const x = normInput(op, input, 2);
  const c = x.shape[1]!;
  const rm = optionalFloat32Arg(op, 'runningMean', runningMean);
  const rv = optionalFloat32Arg(op, 'runningVar', runningVar);
  const w = optionalFloat32Arg(op, 'weight', weight);
  const b = optionalFloat32Arg(op, 'bias', bias);
  for (const [name, t] of [['runningMean', rm], ['runningVar', rv], ['weight', w], ['bias', b]] as const) checkParam(op, name, t, [c], channelsOf(x));
  if ((rm === null) !== (rv === null)) throw argumentError(op, 'runningMean and runningVar must both be given or both be null');
  boolean(op, 'training', training);
  finiteNumber(op, 'eps', eps, 0);
  if (momentum !== null) finiteNumber(op, 'momentum', momentum);
  if (!training && !rm) throw argumentError(op, 'runningMean and runningVar must be defined in evaluation mode');
  const count = x.numel() / Math.max(1, c);
  if (training) checkBatchStatistics(op, x, count);
  const nbt = state.numBatchesTracked;
  if (momentum === null && training && rm && !nbt) {
    throw argumentError(op, 'momentum null (cumulative average) needs the numBatchesTracked counter');
  }

  const attrs: BatchNormAttrs = { training, momentum, eps, hasWeight: w !== null, hasBias: b !== null };
  const params = [w, b].filter((t): t is Tensor => t !== null);
  if (!training) {
    return apply(batchNormOp, [x, rm!, rv!, ...params], attrs, [{ shape: x.shape, dtype: 'float32' }])[0]!;
  }
  const [y, stats] = apply(batchNormOp, [x, ...params], attrs, [
    { shape: x.shape, dtype: 'float32' },
    { shape: [3, c], dtype: 'float32', aux: true },
  ]);
  if (rm && rv) updateRunning(rm, rv, stats!, nbt, { momentum, channels: c, groups: c, average: 1, elements: count });
  stats!._release();
  return y!;
}

/** @internal For tests and fusion: the node's batch_norm operands by name. */
export function batchNormOperands(node: Node<BatchNormAttrs>): { input: Value; runningMean: Value | null; runningVar: Value | null; weight: Value | null; bias: Value | null } {
  const k = batchNormInputs(node.attrs);
  const at = (i: number) => (i >= 0 ? node.inputs[i]! : null);
  return { input: node.inputs[0]!, runningMean: at(k.runningMean), runningVar: at(k.runningVar), weight: at(k.weight), bias: at(k.bias) };
}
