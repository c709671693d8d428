/**
 * Normalization ops (torch.nn.functional): batchNorm, instanceNorm, groupNorm, layerNorm
 * (shaders/norm.wgsl through src/kernels/norm.ts) and localResponseNorm (shaders/lrn.wgsl through
 * src/kernels/lrn.ts).
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
import { ArgumentError, ShapeError, fmtShape, where } from '../errors.js';
import type { Node, Value } from '../graph/value.js';
import type { BufRef } from '../kernels/context.js';
import {
  batchNormGrad,
  groupNormGrad,
  layerNormApply,
  layerNormGrad,
  layerNormParamGrad,
  normApply,
  normStatistics,
  runningUpdate,
  type GradOutputs,
  type NormView,
} from '../kernels/norm.js';
import { lrnBackwardDx, lrnBackwardT, lrnForward, type LrnGeometry } from '../kernels/lrn.js';
import { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import { currentLayer } from '../util/scope.js';
import { numel } from '../util/shape.js';
import type { OpDef } from './op.js';
import { apply } from './record.js';

// ---- batch norm ------------------------------------------------------------------------------------

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

/** [N, C, S] with S the product of the dims after the channels. */
function planes(shape: readonly number[]): NormView {
  return { n: shape[0]!, c: shape[1]!, s: numel(shape.slice(2)) };
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
    const grads: (Tensor | null)[] = node.inputs.map(() => null);
    const want = { dx: needs[0]!, dw: k.weight >= 0 && needs[k.weight]!, db: k.bias >= 0 && needs[k.bias]! };
    if (!g || (!want.dx && !want.dw && !want.db)) return grads;
    const view = (i: number) => Tensor.view(node.inputs[i]!);
    const inputs = [g, view(0)];
    if (a.training) inputs.push(Tensor.view(node.outputs[1]!));
    else inputs.push(view(k.runningMean), view(k.runningVar));
    if (k.weight >= 0) inputs.push(view(k.weight));
    const c = node.inputs[0]!.shape[1]!;
    const attrs: NormGradAttrs = { training: a.training, eps: a.eps, hasWeight: k.weight >= 0, ...want };
    const outs = apply(batchNormBackwardOp, inputs, attrs, gradOutputs(node.inputs[0]!.shape, [c], want));
    let o = 0;
    if (want.dx) grads[0] = outs[o++]!;
    if (want.dw) grads[k.weight] = outs[o++]!;
    if (want.db) grads[k.bias] = outs[o++]!;
    return grads;
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

interface NormGradAttrs {
  training: boolean;
  eps: number;
  hasWeight: boolean;
  dx: boolean;
  dw: boolean;
  db: boolean;
}

function gradOutputs(xShape: readonly number[], paramShape: readonly number[], want: { dx: boolean; dw: boolean; db: boolean }) {
  const outs = [];
  if (want.dx) outs.push({ shape: xShape, dtype: 'float32' as const });
  if (want.dw) outs.push({ shape: paramShape, dtype: 'float32' as const });
  if (want.db) outs.push({ shape: paramShape, dtype: 'float32' as const });
  return outs;
}

/** The outputs a gradient node was asked for, in order dx, dw, db. */
function gradTargets(ctx: { output(i: number): BufRef }, a: { dx: boolean; dw: boolean; db: boolean }): GradOutputs {
  let o = 0;
  return { dx: a.dx ? ctx.output(o++) : null, dw: a.dw ? ctx.output(o++) : null, db: a.db ? ctx.output(o++) : null };
}

/** Inputs: dy, x, then stats [3, C] (training) or runningMean, runningVar (eval), then weight?. */
export const batchNormBackwardOp: OpDef<NormGradAttrs> = {
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

interface UpdateAttrs {
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

function isTensor(t: unknown): t is Tensor {
  return t instanceof Tensor;
}

function checkTensor(op: string, name: string, t: unknown, layer: string | undefined): Tensor | null {
  if (t === null || t === undefined) return null;
  if (!isTensor(t)) throw new ArgumentError(`${where(op, layer)}: ${name} must be a tensor or null, got ${typeof t}`);
  if (t.dtype !== 'float32') throw new ShapeError(`${where(op, layer)}: ${name} must be float32, got ${t.dtype}`);
  return t;
}

/** Checks a per-channel (or normalized-shape) operand's shape. */
function checkParam(op: string, name: string, t: Tensor | null, shape: readonly number[], layer: string | undefined, why: string): void {
  if (!t) return;
  if (t.ndim !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(`${where(op, layer)}: expected ${name} of shape ${fmtShape(shape)} (${why}), got ${fmtShape(t.shape)}`);
  }
}

function channelsOf(x: Tensor): string {
  return `the input ${fmtShape(x.shape)} has ${x.shape[1]} channels`;
}

function checkNumber(op: string, name: string, v: unknown, layer: string | undefined, min = -Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    throw new ArgumentError(`${where(op, layer)}: ${name} must be a finite number${min > -Infinity ? ` >= ${min}` : ''}, got ${String(v)}`);
  }
  return v;
}

function checkInput(op: string, input: unknown, minRank: number, layer: string | undefined): Tensor {
  if (!isTensor(input)) throw new ArgumentError(`${where(op, layer)}: input must be a tensor`);
  if (input.ndim < minRank) {
    throw new ShapeError(`${where(op, layer)}: expected an input of at least ${minRank} dims${minRank === 2 ? ' [N, C, ...]' : ''}, got ${fmtShape(input.shape)}`);
  }
  if (input.dtype !== 'float32') throw new ShapeError(`${where(op, layer)}: input must be float32, got ${input.dtype}`);
  return input;
}

/** PyTorch's "more than 1 value per channel" rule for batch statistics. */
function checkBatchStatistics(op: string, input: Tensor, count: number, layer: string | undefined): void {
  if (count <= 1) {
    throw new ShapeError(`${where(op, layer)}: expected more than 1 value per channel when training, got input size ${fmtShape(input.shape)}`);
  }
}

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
  const layer = currentLayer();
  if (typeof o.momentum !== 'number') {
    throw new ArgumentError(`${where(op, layer)}: momentum must be a number, got ${String(o.momentum)} (a cumulative average is BatchNorm2d's momentum = null)`);
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
  const layer = currentLayer();
  const x = checkInput(op, input, 2, layer);
  const c = x.shape[1]!;
  const rm = checkTensor(op, 'runningMean', runningMean, layer);
  const rv = checkTensor(op, 'runningVar', runningVar, layer);
  const w = checkTensor(op, 'weight', weight, layer);
  const b = checkTensor(op, 'bias', bias, layer);
  for (const [name, t] of [['runningMean', rm], ['runningVar', rv], ['weight', w], ['bias', b]] as const) checkParam(op, name, t, [c], layer, channelsOf(x));
  if ((rm === null) !== (rv === null)) {
    throw new ArgumentError(`${where(op, layer)}: runningMean and runningVar must both be given or both be null`);
  }
  if (typeof training !== 'boolean') throw new ArgumentError(`${where(op, layer)}: training must be a boolean, got ${String(training)}`);
  checkNumber(op, 'eps', eps, layer, 0);
  if (momentum !== null) checkNumber(op, 'momentum', momentum, layer);
  if (!training && !rm) throw new ArgumentError(`${where(op, layer)}: runningMean and runningVar must be defined in evaluation mode`);
  const count = x.numel() / Math.max(1, c);
  if (training) checkBatchStatistics(op, x, count, layer);
  const nbt = state.numBatchesTracked;
  if (momentum === null && training && rm && !nbt) {
    throw new ArgumentError(`${where(op, layer)}: momentum null (cumulative average) needs the numBatchesTracked counter`);
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

function updateRunning(rm: Tensor, rv: Tensor, stats: Tensor, count: Tensor | null, attrs: UpdateAttrs): void {
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

// ---- instance and group norm -------------------------------------------------------------------------

interface GroupNormAttrs {
  /** Groups per sample (channels for instance norm). */
  groups: number;
  eps: number;
  hasWeight: boolean;
  hasBias: boolean;
}

function groupNormDef(name: string): OpDef<GroupNormAttrs> {
  return {
    name,
    lower(ctx, node) {
      const a = node.attrs;
      const v = planes(node.inputs[0]!.shape);
      const cg = v.c / a.groups;
      const stats = ctx.output(1);
      normStatistics(ctx, { n: 1, c: v.n * a.groups, s: cg * v.s }, a.eps, ctx.input(0), stats);
      const w = a.hasWeight ? ctx.input(1) : null;
      const b = a.hasBias ? ctx.input(a.hasWeight ? 2 : 1) : null;
      normApply(ctx, v, { train: true, byChannel: false, planesPerGroup: cg, groups: v.n * a.groups, eps: a.eps }, ctx.input(0), stats, w, b, ctx.output(0));
    },
    vjp(node, [g], needs) {
      const a = node.attrs;
      const grads: (Tensor | null)[] = node.inputs.map(() => null);
      const wi = a.hasWeight ? 1 : -1;
      const bi = a.hasBias ? (a.hasWeight ? 2 : 1) : -1;
      const want = { dx: needs[0]!, dw: wi >= 0 && needs[wi]!, db: bi >= 0 && needs[bi]! };
      if (!g || (!want.dx && !want.dw && !want.db)) return grads;
      const inputs = [g, Tensor.view(node.inputs[0]!), Tensor.view(node.outputs[1]!)];
      if (wi >= 0) inputs.push(Tensor.view(node.inputs[wi]!));
      const c = node.inputs[0]!.shape[1]!;
      const outs = apply(groupNormBackwardOp, inputs, { groups: a.groups, eps: a.eps, hasWeight: wi >= 0, ...want }, gradOutputs(node.inputs[0]!.shape, [c], want));
      let o = 0;
      if (want.dx) grads[0] = outs[o++]!;
      if (want.dw) grads[wi] = outs[o++]!;
      if (want.db) grads[bi] = outs[o++]!;
      return grads;
    },
  };
}

/** Inputs: x, weight?, bias?. Outputs: y and the aux statistics [3, N * groups]. */
export const groupNormOp = groupNormDef('group_norm');
/** Instance norm with the input's statistics: group norm with one group per channel. */
export const instanceNormOp = groupNormDef('instance_norm');

interface GroupNormGradAttrs {
  groups: number;
  eps: number;
  hasWeight: boolean;
  dx: boolean;
  dw: boolean;
  db: boolean;
}

/** Inputs: dy, x, stats [3, N * groups], weight?. Outputs: dx?, dw?, db?. */
export const groupNormBackwardOp: OpDef<GroupNormGradAttrs> = {
  name: 'group_norm_backward',
  lower(ctx, node) {
    const a = node.attrs;
    const v = planes(node.inputs[0]!.shape);
    const w = a.hasWeight ? ctx.input(3) : null;
    const layout = { groupsPerSample: a.groups, channelsPerGroup: v.c / a.groups };
    groupNormGrad(ctx, v, layout, a.eps, ctx.input(1), ctx.input(0), ctx.input(2), w, gradTargets(ctx, a));
  },
};

function groupNormNode(op: OpDef<GroupNormAttrs>, x: Tensor, groups: number, w: Tensor | null, b: Tensor | null, eps: number): [Tensor, Tensor] {
  const attrs: GroupNormAttrs = { groups, eps, hasWeight: w !== null, hasBias: b !== null };
  const params = [w, b].filter((t): t is Tensor => t !== null);
  const [y, stats] = apply(op, [x, ...params], attrs, [
    { shape: x.shape, dtype: 'float32' },
    { shape: [3, x.shape[0]! * groups], dtype: 'float32', aux: true },
  ]);
  return [y!, stats!];
}

export interface GroupNormOptions extends Record<string, unknown> {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

/**
 * Group normalization: the C channels of an [N, C, ...] input are split into numGroups groups of
 * C / numGroups consecutive channels; each sample's group is normalized by its own mean and biased
 * variance, then scaled by weight [C] and shifted by bias [C] (both optional).
 * groupNorm(input, numGroups, weight?, bias?, eps = 1e-5).
 */
export function groupNorm(input: Tensor, numGroups: number, options?: GroupNormOptions): Tensor;
export function groupNorm(input: Tensor, numGroups: number, weight?: Tensor | null, bias?: Tensor | null, eps?: number): Tensor;
export function groupNorm(input: Tensor, numGroups: number, ...rest: unknown[]): Tensor {
  const op = 'group_norm';
  const layer = currentLayer();
  const o = kwargs<Required<GroupNormOptions>>(op, rest, ['weight', 'bias', 'eps'], { weight: null, bias: null, eps: 1e-5 });
  const x = checkInput(op, input, 2, layer);
  const [n, c] = x.shape as [number, number];
  if (typeof numGroups !== 'number' || !Number.isInteger(numGroups) || numGroups < 1) {
    throw new ArgumentError(`${where(op, layer)}: numGroups must be a positive integer, got ${String(numGroups)}`);
  }
  if (c % numGroups !== 0) {
    throw new ShapeError(`${where(op, layer)}: expected the number of channels to be divisible by numGroups, got input of shape ${fmtShape(x.shape)} and numGroups = ${numGroups}`);
  }
  const w = checkTensor(op, 'weight', o.weight, layer);
  const b = checkTensor(op, 'bias', o.bias, layer);
  checkParam(op, 'weight', w, [c], layer, channelsOf(x));
  checkParam(op, 'bias', b, [c], layer, channelsOf(x));
  const eps = checkNumber(op, 'eps', o.eps, layer, 0);
  // PyTorch checks the batch-norm rule on the [N * C / G, G, ...] view.
  checkBatchStatistics(op, x, ((n * c) / numGroups) * numel(x.shape.slice(2)), layer);
  const [y, stats] = groupNormNode(groupNormOp, x, numGroups, w, b, eps);
  stats._release();
  return y;
}

export interface InstanceNormOptions extends Record<string, unknown> {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  useInputStats?: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * Instance normalization: each channel of each sample of an [N, C, ...] input is normalized by its
 * own mean and biased variance over the spatial dims (useInputStats), then scaled by weight [C]
 * and shifted by bias [C]. With runningMean / runningVar, these are updated in place with the
 * batch average of the instance statistics (unbiased variance), as batch norm's. With
 * useInputStats = false the running statistics normalize instead.
 * instanceNorm(input, runningMean?, runningVar?, weight?, bias?, useInputStats = true, momentum = 0.1, eps = 1e-5).
 */
export function instanceNorm(input: Tensor, options?: InstanceNormOptions): Tensor;
export function instanceNorm(
  input: Tensor,
  runningMean?: Tensor | null,
  runningVar?: Tensor | null,
  weight?: Tensor | null,
  bias?: Tensor | null,
  useInputStats?: boolean,
  momentum?: number,
  eps?: number,
): Tensor;
export function instanceNorm(input: Tensor, ...rest: unknown[]): Tensor {
  const op = 'instance_norm';
  const layer = currentLayer();
  const o = kwargs<Required<InstanceNormOptions>>(op, rest, ['runningMean', 'runningVar', 'weight', 'bias', 'useInputStats', 'momentum', 'eps'], {
    runningMean: null,
    runningVar: null,
    weight: null,
    bias: null,
    useInputStats: true,
    momentum: 0.1,
    eps: 1e-5,
  });
  const x = checkInput(op, input, 2, layer);
  const [n, c] = x.shape as [number, number];
  const rm = checkTensor(op, 'runningMean', o.runningMean, layer);
  const rv = checkTensor(op, 'runningVar', o.runningVar, layer);
  const w = checkTensor(op, 'weight', o.weight, layer);
  const b = checkTensor(op, 'bias', o.bias, layer);
  for (const [name, t] of [['runningMean', rm], ['runningVar', rv], ['weight', w], ['bias', b]] as const) checkParam(op, name, t, [c], layer, channelsOf(x));
  if ((rm === null) !== (rv === null)) throw new ArgumentError(`${where(op, layer)}: runningMean and runningVar must both be given or both be null`);
  const eps = checkNumber(op, 'eps', o.eps, layer, 0);
  const momentum = checkNumber(op, 'momentum', o.momentum, layer);
  if (!o.useInputStats) {
    if (!rm || !rv) throw new ArgumentError(`${where(op, layer)}: useInputStats = false needs runningMean and runningVar`);
    return batchNormWithState(x, rm, rv, w, b, false, momentum, eps, { numBatchesTracked: null });
  }
  const s = numel(x.shape.slice(2));
  if (s <= 1) throw new ShapeError(`${where(op, layer)}: expected more than 1 spatial element when training, got input size ${fmtShape(x.shape)}`);
  const [y, stats] = groupNormNode(instanceNormOp, x, c, w, b, eps);
  if (rm && rv) updateRunning(rm, rv, stats, null, { momentum, channels: c, groups: n * c, average: n, elements: s });
  stats._release();
  return y;
}

// ---- layer norm ------------------------------------------------------------------------------------

interface LayerNormAttrs {
  /** Elements normalized together (the product of normalizedShape). */
  size: number;
  eps: number;
  hasWeight: boolean;
  hasBias: boolean;
}

/** Inputs: x, weight?, bias?. Outputs: y and the aux statistics [3, rows]. */
export const layerNormOp: OpDef<LayerNormAttrs> = {
  name: 'layer_norm',
  lower(ctx, node) {
    const a = node.attrs;
    const rows = node.inputs[0]!.numel / a.size;
    const stats = ctx.output(1);
    const x = ctx.input(0);
    normStatistics(ctx, { n: 1, c: rows, s: a.size }, a.eps, x, stats);
    const w = a.hasWeight ? ctx.input(1) : null;
    const b = a.hasBias ? ctx.input(a.hasWeight ? 2 : 1) : null;
    if (w || b) layerNormApply(ctx, rows, a.size, a.eps, x, stats, w, b, ctx.output(0));
    else normApply(ctx, { n: 1, c: rows, s: a.size }, { train: true, byChannel: true, planesPerGroup: 1, groups: rows, eps: a.eps }, x, stats, null, null, ctx.output(0));
  },
  vjp(node, [g], needs) {
    const a = node.attrs;
    const grads: (Tensor | null)[] = node.inputs.map(() => null);
    const wi = a.hasWeight ? 1 : -1;
    const bi = a.hasBias ? (a.hasWeight ? 2 : 1) : -1;
    const want = { dx: needs[0]!, dw: wi >= 0 && needs[wi]!, db: bi >= 0 && needs[bi]! };
    if (!g || (!want.dx && !want.dw && !want.db)) return grads;
    const inputs = [g, Tensor.view(node.inputs[0]!), Tensor.view(node.outputs[1]!)];
    if (wi >= 0) inputs.push(Tensor.view(node.inputs[wi]!));
    const paramShape = wi >= 0 ? node.inputs[wi]!.shape : bi >= 0 ? node.inputs[bi]!.shape : [a.size];
    const outs = apply(layerNormBackwardOp, inputs, { ...a, ...want }, gradOutputs(node.inputs[0]!.shape, paramShape, want));
    let o = 0;
    if (want.dx) grads[0] = outs[o++]!;
    if (want.dw) grads[wi] = outs[o++]!;
    if (want.db) grads[bi] = outs[o++]!;
    return grads;
  },
};

/** Inputs: dy, x, stats [3, rows], weight?. Outputs: dx?, dw?, db?. */
export const layerNormBackwardOp: OpDef<LayerNormAttrs & { dx: boolean; dw: boolean; db: boolean }> = {
  name: 'layer_norm_backward',
  lower(ctx, node) {
    const a = node.attrs;
    const rows = node.inputs[0]!.numel / a.size;
    const [x, dy, stats] = [ctx.input(1), ctx.input(0), ctx.input(2)];
    const out = gradTargets(ctx, a);
    if (a.hasWeight) {
      layerNormGrad(ctx, rows, a.size, a.eps, x, dy, stats, ctx.input(3), out);
      return;
    }
    if (out.dx) {
      const layout = { groupsPerSample: 1, channelsPerGroup: 1 };
      groupNormGrad(ctx, { n: rows, c: 1, s: a.size }, layout, a.eps, x, dy, stats, null, { dx: out.dx, dw: null, db: null });
    }
    if (out.db) layerNormParamGrad(ctx, rows, a.size, x, dy, stats, { dx: null, dw: null, db: out.db });
  },
};

export interface LayerNormOptions extends Record<string, unknown> {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

/**
 * Layer normalization over the trailing dims given by normalizedShape (an int or a list equal to
 * the input's last dims): each is normalized by its mean and biased variance, then multiplied
 * elementwise by weight and shifted by bias (both of normalizedShape, optional).
 * layerNorm(input, normalizedShape, weight?, bias?, eps = 1e-5).
 */
export function layerNorm(input: Tensor, normalizedShape: number | readonly number[], options?: LayerNormOptions): Tensor;
export function layerNorm(input: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps?: number): Tensor;
export function layerNorm(input: Tensor, normalizedShape: number | readonly number[], ...rest: unknown[]): Tensor {
  const op = 'layer_norm';
  const layer = currentLayer();
  const o = kwargs<Required<LayerNormOptions>>(op, rest, ['weight', 'bias', 'eps'], { weight: null, bias: null, eps: 1e-5 });
  const x = checkInput(op, input, 1, layer);
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  if (shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ArgumentError(`${where(op, layer)}: normalizedShape must be a positive integer or a non-empty list of them, got ${JSON.stringify(normalizedShape)}`);
  }
  const tail = x.shape.slice(x.ndim - shape.length);
  if (x.ndim < shape.length || tail.some((d, i) => d !== shape[i])) {
    throw new ShapeError(
      `${where(op, layer)}: given normalizedShape ${fmtShape(shape)}, expected an input of shape [*, ${shape.join(', ')}], got ${fmtShape(x.shape)}`,
    );
  }
  const w = checkTensor(op, 'weight', o.weight, layer);
  const b = checkTensor(op, 'bias', o.bias, layer);
  checkParam(op, 'weight', w, shape, layer, 'the normalized shape');
  checkParam(op, 'bias', b, shape, layer, 'the normalized shape');
  const eps = checkNumber(op, 'eps', o.eps, layer, 0);
  const attrs: LayerNormAttrs = { size: numel(shape), eps, hasWeight: w !== null, hasBias: b !== null };
  const params = [w, b].filter((t): t is Tensor => t !== null);
  const rows = x.numel() / attrs.size;
  const [y, stats] = apply(layerNormOp, [x, ...params], attrs, [
    { shape: x.shape, dtype: 'float32' },
    { shape: [3, rows], dtype: 'float32', aux: true },
  ]);
  stats!._release();
  return y!;
}

/** @internal For tests and fusion: the node's batch_norm operands by name. */
export function batchNormOperands(node: Node<BatchNormAttrs>): { input: Value; runningMean: Value | null; runningVar: Value | null; weight: Value | null; bias: Value | null } {
  const k = batchNormInputs(node.attrs);
  const at = (i: number) => (i >= 0 ? node.inputs[i]! : null);
  return { input: node.inputs[0]!, runningMean: at(k.runningMean), runningVar: at(k.runningVar), weight: at(k.weight), bias: at(k.bias) };
}

// ---- local response norm ------------------------------------------------------------------------------

/** Inputs: x. Outputs: y and the aux scale d = k + alpha / size * (window sum of x^2). */
export const localResponseNormOp: OpDef<LrnGeometry> = {
  name: 'local_response_norm',
  lower(ctx, node) {
    const withScale = ctx.used(1);
    ctx.dispatch(lrnForward(node.attrs, ctx.input(0), ctx.output(0), withScale ? ctx.output(1) : ctx.temp(16), withScale));
  },
  vjp(node, [g], needs) {
    if (!needs[0] || !g) return [null];
    const inputs = [g, Tensor.view(node.inputs[0]!), Tensor.view(node.outputs[1]!)];
    return apply(localResponseNormBackwardOp, inputs, node.attrs, [{ shape: node.inputs[0]!.shape, dtype: 'float32' }]);
  },
};

/** Inputs: dy, x, scale. Output: dx. */
export const localResponseNormBackwardOp: OpDef<LrnGeometry> = {
  name: 'local_response_norm_backward',
  lower(ctx, node) {
    const t = ctx.temp(node.inputs[0]!.bytes);
    const [dy, x, scale] = [ctx.input(0), ctx.input(1), ctx.input(2)];
    ctx.dispatch(lrnBackwardT(node.attrs, x, dy, scale, t));
    ctx.dispatch(lrnBackwardDx(node.attrs, x, dy, scale, t, ctx.output(0)));
  },
};

export interface LocalResponseNormOptions extends Record<string, unknown> {
  alpha?: number;
  beta?: number;
  k?: number;
}

/**
 * Local response normalization across channels (AlexNet's LRN; there size 5, alpha 1e-4, beta
 * 0.75, k 2) of an [N, C, ...] input with at least 3 dims:
 * y_c = x_c / (k + alpha / size * sum of x^2 over channels c - size/2 .. c + (size-1)/2)^beta,
 * channels outside 0..C-1 counting as zeros (PyTorch's convention: alpha is divided by size).
 * localResponseNorm(input, size, alpha = 1e-4, beta = 0.75, k = 1).
 */
export function localResponseNorm(input: Tensor, size: number, options?: LocalResponseNormOptions): Tensor;
export function localResponseNorm(input: Tensor, size: number, alpha?: number, beta?: number, k?: number): Tensor;
export function localResponseNorm(input: Tensor, size: number, ...rest: unknown[]): Tensor {
  const op = 'local_response_norm';
  const layer = currentLayer();
  const o = kwargs<Required<LocalResponseNormOptions>>(op, rest, ['alpha', 'beta', 'k'], { alpha: 1e-4, beta: 0.75, k: 1 });
  if (!isTensor(input)) throw new ArgumentError(`${where(op, layer)}: input must be a tensor`);
  if (input.ndim < 3) {
    throw new ShapeError(`${where(op, layer)}: expected 3D or higher dimensionality input [N, C, ...], got ${input.ndim}D input ${fmtShape(input.shape)}`);
  }
  if (input.dtype !== 'float32') throw new ShapeError(`${where(op, layer)}: input must be float32, got ${input.dtype}`);
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
    throw new ArgumentError(`${where(op, layer)}: size must be a positive integer, got ${String(size)}`);
  }
  const g: LrnGeometry = {
    n: input.shape[0]!,
    c: input.shape[1]!,
    s: numel(input.shape.slice(2)),
    size,
    alpha: checkNumber(op, 'alpha', o.alpha, layer),
    beta: checkNumber(op, 'beta', o.beta, layer),
    k: checkNumber(op, 'k', o.k, layer),
  };
  const [y, scale] = apply(localResponseNormOp, [input], g, [
    { shape: input.shape, dtype: 'float32' },
    { shape: input.shape, dtype: 'float32', aux: true },
  ]);
  scale!._release();
  return y!;
}
