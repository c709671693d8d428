/**
 * Group, instance and layer normalization (torch.nn.functional.group_norm, instance_norm,
 * layer_norm), through shaders/norm.wgsl and src/kernels/norm.ts. Instance norm is group norm with
 * one group per channel, plus batch norm's running statistics; layer norm normalizes trailing dims.
 */
import { ShapeError, fmtShape } from '../errors.js';
import type { OpDef } from './op.js';
import type { Node } from '../graph/value.js';
import { groupNormGrad, layerNormApply, layerNormGrad, layerNormParamGrad, normApply, normStatistics } from '../kernels/norm.js';
import { Tensor } from '../tensor/tensor.js';
import { kwargs, site } from '../util/args.js';
import { numel } from '../util/shape.js';
import { argumentError, finiteNumber, positiveInt, positiveIntList } from '../util/validate.js';
import { batchNormWithState } from './batch-norm.js';
import { optionalFloat32Arg } from './operands.js';
import { channelsOf, checkBatchStatistics, checkParam, gradTargets, normGrads, normInput, planes, updateRunning, wantedGrads, type GradWanted, type NormGradAttrs, type ParamSlots } from './norm-common.js';
import { apply } from './record.js';

/** Positions of weight and bias in the inputs (x, weight?, bias?) of group, instance and layer norm. */
function affineSlots(a: { hasWeight: boolean; hasBias: boolean }): ParamSlots {
  return { weight: a.hasWeight ? 1 : -1, bias: a.hasBias ? (a.hasWeight ? 2 : 1) : -1 };
}

/** The inputs of their gradient nodes: dy, x, the statistics (output 1), weight?. */
function statsGradInputs(node: Node<unknown>, g: Tensor, slots: ParamSlots): Tensor[] {
  const inputs = [g, Tensor.view(node.inputs[0]!), Tensor.view(node.outputs[1]!)];
  if (slots.weight >= 0) inputs.push(Tensor.view(node.inputs[slots.weight]!));
  return inputs;
}

// ---- group and instance norm ---------------------------------------------------------------------

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
      const k = affineSlots(a);
      const want = wantedGrads(needs, k);
      if (!g || !want) return node.inputs.map(() => null);
      const c = node.inputs[0]!.shape[1]!;
      return normGrads(node, groupNormBackwardOp, statsGradInputs(node, g, k), { groups: a.groups, eps: a.eps, hasWeight: a.hasWeight, ...want }, [c], k);
    },
  };
}

/** Inputs: x, weight?, bias?. Outputs: y and the aux statistics [3, N * groups]. */
export const groupNormOp = groupNormDef('group_norm');
/** Instance norm with the input's statistics: group norm with one group per channel. */
export const instanceNormOp = groupNormDef('instance_norm');

/** Inputs: dy, x, stats [3, N * groups], weight?. Outputs: dx?, dw?, db?. */
export const groupNormBackwardOp: OpDef<NormGradAttrs & { groups: number }> = {
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
  const o = kwargs<Required<GroupNormOptions>>(op, rest, ['weight', 'bias', 'eps'], { weight: null, bias: null, eps: 1e-5 });
  const x = normInput(op, input, 2);
  const [n, c] = x.shape as [number, number];
  positiveInt(op, 'numGroups', numGroups);
  if (c % numGroups !== 0) {
    throw new ShapeError(`${site(op)}: expected the number of channels to be divisible by numGroups, got input of shape ${fmtShape(x.shape)} and numGroups = ${numGroups}`);
  }
  const w = optionalFloat32Arg(op, 'weight', o.weight);
  const b = optionalFloat32Arg(op, 'bias', o.bias);
  checkParam(op, 'weight', w, [c], channelsOf(x));
  checkParam(op, 'bias', b, [c], channelsOf(x));
  const eps = finiteNumber(op, 'eps', o.eps, 0);
  // PyTorch checks the batch-norm rule on the [N * C / G, G, ...] view.
  checkBatchStatistics(op, x, ((n * c) / numGroups) * numel(x.shape.slice(2)));
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
  const o = kwargs<Required<InstanceNormOptions>>(op, rest, ['runningMean', 'runningVar', 'weight', 'bias', 'useInputStats', 'momentum', 'eps'], {
    runningMean: null,
    runningVar: null,
    weight: null,
    bias: null,
    useInputStats: true,
    momentum: 0.1,
    eps: 1e-5,
  });
  const x = normInput(op, input, 2);
  const [n, c] = x.shape as [number, number];
  const rm = optionalFloat32Arg(op, 'runningMean', o.runningMean);
  const rv = optionalFloat32Arg(op, 'runningVar', o.runningVar);
  const w = optionalFloat32Arg(op, 'weight', o.weight);
  const b = optionalFloat32Arg(op, 'bias', o.bias);
  for (const [name, t] of [['runningMean', rm], ['runningVar', rv], ['weight', w], ['bias', b]] as const) checkParam(op, name, t, [c], channelsOf(x));
  if ((rm === null) !== (rv === null)) throw argumentError(op, `runningMean and runningVar must both be given or both be null`);
  const eps = finiteNumber(op, 'eps', o.eps, 0);
  const momentum = finiteNumber(op, 'momentum', o.momentum);
  if (!o.useInputStats) {
    if (!rm || !rv) throw argumentError(op, `useInputStats = false needs runningMean and runningVar`);
    return batchNormWithState(x, rm, rv, w, b, false, momentum, eps, { numBatchesTracked: null });
  }
  const s = numel(x.shape.slice(2));
  if (s <= 1) throw new ShapeError(`${site(op)}: expected more than 1 spatial element when training, got input size ${fmtShape(x.shape)}`);
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
    const k = affineSlots(a);
    const want = wantedGrads(needs, k);
    if (!g || !want) return node.inputs.map(() => null);
    const param = k.weight >= 0 ? k.weight : k.bias;
    const paramShape = param >= 0 ? node.inputs[param]!.shape : [a.size];
    return normGrads(node, layerNormBackwardOp, statsGradInputs(node, g, k), { ...a, ...want }, paramShape, k);
  },
};

/** Inputs: dy, x, stats [3, rows], weight?. Outputs: dx?, dw?, db?. */
export const layerNormBackwardOp: OpDef<LayerNormAttrs & GradWanted> = {
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
  const o = kwargs<Required<LayerNormOptions>>(op, rest, ['weight', 'bias', 'eps'], { weight: null, bias: null, eps: 1e-5 });
  const x = normInput(op, input, 1);
  const shape = positiveIntList(op, 'normalizedShape', normalizedShape);
  const tail = x.shape.slice(x.ndim - shape.length);
  if (x.ndim < shape.length || tail.some((d, i) => d !== shape[i])) {
    throw new ShapeError(
      `${site(op)}: given normalizedShape ${fmtShape(shape)}, expected an input of shape [*, ${shape.join(', ')}], got ${fmtShape(x.shape)}`,
    );
  }
  const w = optionalFloat32Arg(op, 'weight', o.weight);
  const b = optionalFloat32Arg(op, 'bias', o.bias);
  checkParam(op, 'weight', w, shape, 'the normalized shape');
  checkParam(op, 'bias', b, shape, 'the normalized shape');
  const eps = finiteNumber(op, 'eps', o.eps, 0);
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
