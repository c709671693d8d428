/**
 * What the normalization op files (batch-norm.ts, group-norm.ts, lrn.ts) share: the [N, C, S] view
 * of an input, the gradient nodes' outputs, the in-place running-statistics update (batch norm and
 * instance norm), and the checks of their operands.
 */
import { ShapeError, fmtShape } from '../errors.js';
import type { BufRef } from '../kernels/context.js';
import type { OpDef } from './op.js';
import type { Node } from '../graph/value.js';
import { runningUpdate, type GradOutputs, type NormView } from '../kernels/norm.js';
import type { Tensor } from '../tensor/tensor.js';
import { site } from '../util/args.js';
import { numel } from '../util/shape.js';
import { float32Arg, tensorArg } from './operands.js';
import { apply } from './record.js';

/** [N, C, S] with S the product of the dims after the channels. */
export function planes(shape: readonly number[]): NormView {
  return { n: shape[0]!, c: shape[1]!, s: numel(shape.slice(2)) };
}

/** Which of dx, dw, db a gradient node computes (its outputs, in that order). */
export interface GradWanted {
  dx: boolean;
  dw: boolean;
  db: boolean;
}

/** The attributes every norm gradient node has. */
export interface NormGradAttrs extends GradWanted {
  eps: number;
  hasWeight: boolean;
}

/** Positions of a norm node's weight and bias among its inputs (-1 when absent). */
export interface ParamSlots {
  weight: number;
  bias: number;
}

/** The gradients a norm's vjp is asked for (x is input 0), or null when none is. */
export function wantedGrads(needs: readonly boolean[], slots: ParamSlots): GradWanted | null {
  const want = { dx: needs[0]!, dw: slots.weight >= 0 && needs[slots.weight]!, db: slots.bias >= 0 && needs[slots.bias]! };
  return want.dx || want.dw || want.db ? want : null;
}

/** Records a norm's gradient node and puts its outputs at the positions of the inputs they belong to. */
export function normGrads<A extends GradWanted>(
  node: Node<unknown>,
  backward: OpDef<A>,
  inputs: Tensor[],
  attrs: A,
  paramShape: readonly number[],
  slots: ParamSlots,
): (Tensor | null)[] {
  const outs = apply(backward, inputs, attrs, gradOutputs(node.inputs[0]!.shape, paramShape, attrs));
  const grads: (Tensor | null)[] = node.inputs.map(() => null);
  let o = 0;
  if (attrs.dx) grads[0] = outs[o++]!;
  if (attrs.dw) grads[slots.weight] = outs[o++]!;
  if (attrs.db) grads[slots.bias] = outs[o++]!;
  return grads;
}

function gradOutputs(xShape: readonly number[], paramShape: readonly number[], want: GradWanted) {
  const outs = [];
  if (want.dx) outs.push({ shape: xShape, dtype: 'float32' as const });
  if (want.dw) outs.push({ shape: paramShape, dtype: 'float32' as const });
  if (want.db) outs.push({ shape: paramShape, dtype: 'float32' as const });
  return outs;
}

/** The outputs a gradient node was asked for, in order dx, dw, db. */
export function gradTargets(ctx: { output(i: number): BufRef }, a: GradWanted): GradOutputs {
  let o = 0;
  return { dx: a.dx ? ctx.output(o++) : null, dw: a.dw ? ctx.output(o++) : null, db: a.db ? ctx.output(o++) : null };
}

export interface UpdateAttrs {
  /** null: cumulative average with the tracked-batch count (input 3). */
  momentum: number | null;
  channels: number;
  /** Groups in the statistics (channels; N * channels for instance norm, averaged over N). */
  groups: number;
  average: number;
  /** Elements behind each group's variance (unbiased by n / (n - 1)). */
  elements: number;
}

/**
 * Running statistics update, in place. Inputs: runningMean, runningVar, stats [3, groups],
 * count? (int32, one element). Outputs: runningMean', runningVar', count'?.
 */
export const batchNormUpdateOp: OpDef<UpdateAttrs> = {
  name: 'batch_norm_update',
  inPlace: [
    [0, 0],
    [1, 1],
    [2, 3],
  ],
  lower(ctx, node) {
    const a = node.attrs;
    const u = { momentum: a.momentum, channels: a.channels, groups: a.groups, average: a.average, elements: a.elements };
    runningUpdate(ctx, u, ctx.input(2), ctx.output(0), ctx.output(1), node.inputs.length > 3 ? ctx.output(2) : null);
  },
};

/** Records the running-statistics update and rebinds the running tensors (and counter) to its outputs. */
export function updateRunning(rm: Tensor, rv: Tensor, stats: Tensor, count: Tensor | null, attrs: UpdateAttrs): void {
  const inputs = count ? [rm, rv, stats, count] : [rm, rv, stats];
  const outs: { shape: number[]; dtype: 'float32' | 'int32' }[] = [
    { shape: rm.shape, dtype: 'float32' },
    { shape: rv.shape, dtype: 'float32' },
  ];
  if (count) outs.push({ shape: count.shape, dtype: 'int32' });
  const updated = apply(batchNormUpdateOp, inputs, attrs, outs);
  rm._take(updated[0]!);
  rv._take(updated[1]!);
  if (count) count._take(updated[2]!);
}

/** Checks a per-channel (or normalized-shape) operand's shape. */
export function checkParam(op: string, name: string, t: Tensor | null, shape: readonly number[], why: string): void {
  if (!t) return;
  if (t.ndim !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(`${site(op)}: expected ${name} of shape ${fmtShape(shape)} (${why}), got ${fmtShape(t.shape)}`);
  }
}

export function channelsOf(x: Tensor): string {
  return `the input ${fmtShape(x.shape)} has ${x.shape[1]} channels`;
}

/** A float32 input of at least `minRank` dims. */
export function normInput(op: string, input: unknown, minRank: number): Tensor {
  const x = tensorArg(op, 'input', input);
  if (x.ndim < minRank) {
    throw new ShapeError(`${site(op)}: expected an input of at least ${minRank} dims${minRank === 2 ? ' [N, C, ...]' : ''}, got ${fmtShape(x.shape)}`);
  }
  return float32Arg(op, 'input', x);
}

/** PyTorch's "more than 1 value per channel" rule for batch statistics. */
export function checkBatchStatistics(op: string, input: Tensor, count: number): void {
  if (count <= 1) {
    throw new ShapeError(`${site(op)}: expected more than 1 value per channel when training, got input size ${fmtShape(input.shape)}`);
  }
}
