/**
 * maxPool2d and avgPool2d (torch.nn.functional), with kernel, stride (defaults to the kernel),
 * padding, dilation (max), ceilMode, returnIndices (max), countIncludePad and divisorOverride (avg);
 * adaptiveAvgPool2d and adaptiveMaxPool2d (PyTorch's adaptive windows; global average pooling).
 * Kernels: shaders/pool2d.wgsl through src/kernels/pool2d.ts.
 */
import { ArgumentError, ShapeError, fmtShape, where } from '../errors.js';
import { adaptiveAsPlain, adaptiveAvgBackward, adaptiveAvgForward, adaptiveMaxBackward, adaptiveMaxForward, avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward, windowsDisjoint, type AdaptiveGeometry, type PoolGeometry } from '../kernels/pool2d.js';
import { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import { currentLayer } from '../util/scope.js';
import type { OpDef } from './op.js';
import { intPair, positiveInt, positivePair } from '../util/validate.js';
import { imageInput } from './operands.js';
import { apply, apply1 } from './record.js';
import { mean } from './reduce.js';
import { reshape } from './shape.js';
import type { IntOrPair } from './conv.js';

export const maxPool2dOp: OpDef<PoolGeometry> = {
  name: 'max_pool2d',
  lower(ctx, node) {
    const withIndices = ctx.used(1);
    const indices = withIndices ? ctx.output(1) : ctx.temp(4);
    ctx.dispatch(maxPoolForward(node.attrs, ctx.input(0), ctx.output(0), indices, withIndices));
  },
  vjp(node, [g], needs) {
    if (!needs[0] || !g) return [null];
    const indices = Tensor.view(node.outputs[1]!);
    return [apply1(maxPool2dBackwardOp, [g, indices], node.attrs, { shape: node.inputs[0]!.shape, dtype: 'float32' })];
  },
};

export const maxPool2dBackwardOp: OpDef<PoolGeometry> = {
  name: 'max_pool2d_backward',
  lower(ctx, node) {
    if (windowsDisjoint(node.attrs)) ctx.clear(ctx.output(0), node.outputs[0]!.bytes);
    ctx.dispatch(maxPoolBackward(node.attrs, ctx.input(0), ctx.input(1), ctx.output(0)));
  },
};

interface AvgAttrs extends PoolGeometry {
  countIncludePad: boolean;
  divisor: number;
}

export const avgPool2dOp: OpDef<AvgAttrs> = {
  name: 'avg_pool2d',
  lower(ctx, node) {
    ctx.dispatch(avgPoolForward(node.attrs, node.attrs, ctx.input(0), ctx.output(0)));
  },
  vjp(node, [g], needs) {
    if (!needs[0] || !g) return [null];
    return [apply1(avgPool2dBackwardOp, [g], node.attrs, { shape: node.inputs[0]!.shape, dtype: 'float32' })];
  },
};

export const avgPool2dBackwardOp: OpDef<AvgAttrs> = {
  name: 'avg_pool2d_backward',
  lower(ctx, node) {
    ctx.dispatch(avgPoolBackward(node.attrs, node.attrs, ctx.input(0), ctx.output(0)));
  },
};

/** PyTorch's pooling output size, including the ceil-mode rule that the last window starts inside. */
export function poolOutSize(size: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const span = size + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0);
  let out = Math.floor(span / s) + 1;
  if (ceil && (out - 1) * s >= size + p) out--;
  return out;
}

interface Geometry {
  input: Tensor;
  batched: boolean;
  geo: PoolGeometry;
}

function geometry(op: string, input: Tensor, kernelSize: IntOrPair, stride: IntOrPair | null, padding: IntOrPair, dilation: IntOrPair, ceilMode: boolean): Geometry {
  const layer = currentLayer();
  imageInput(op, input);
  const batched = input.ndim === 4;
  const x = batched ? input : reshape(input, [1, ...input.shape]);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [kh, kw] = positivePair(op, 'kernelSize', kernelSize);
  const [sh, sw] = stride === null || (Array.isArray(stride) && stride.length === 0) ? [kh, kw] : positivePair(op, 'stride', stride);
  const [ph, pw] = intPair(op, 'padding', padding);
  const [dh, dw] = positivePair(op, 'dilation', dilation);
  // PyTorch's rule: at most half the kernel size itself, whatever the dilation.
  if (ph < 0 || pw < 0 || ph > Math.floor(kh / 2) || pw > Math.floor(kw / 2)) {
    throw new ArgumentError(
      `${where(op, layer)}: padding must be >= 0 and at most half the kernel size, got padding ${JSON.stringify(padding)} for kernel ${kh}x${kw}`,
    );
  }
  const oh = poolOutSize(h, kh, sh, ph, dh, ceilMode);
  const ow = poolOutSize(w, kw, sw, pw, dw, ceilMode);
  if (oh < 1 || ow < 1) {
    throw new ShapeError(
      `${where(op, layer)}: output size would be ${oh}x${ow} for input ${fmtShape(input.shape)} with kernel ${kh}x${kw}, stride ${sh}x${sw}, padding ${ph}x${pw}; the input is too small`,
    );
  }
  return { input: x, batched, geo: { planes: n * c, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw } };
}

export interface MaxPool2dOptions extends Record<string, unknown> {
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  dilation?: IntOrPair;
  ceilMode?: boolean;
  returnIndices?: boolean;
}

/**
 * Max pooling over [N, C, H, W] (or [C, H, W]). With returnIndices, returns [output, indices],
 * indices being flat positions h * W + w within each input plane (int32).
 */
export function maxPool2d(input: Tensor, kernelSize: IntOrPair, options?: MaxPool2dOptions & { returnIndices?: false }): Tensor;
export function maxPool2d(input: Tensor, kernelSize: IntOrPair, options: MaxPool2dOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(
  input: Tensor,
  kernelSize: IntOrPair,
  stride?: IntOrPair | null,
  padding?: IntOrPair,
  dilation?: IntOrPair,
  ceilMode?: boolean,
  returnIndices?: boolean,
): Tensor | [Tensor, Tensor];
export function maxPool2d(input: Tensor, kernelSize: IntOrPair, ...rest: unknown[]): Tensor | [Tensor, Tensor] {
  const o = kwargs<Required<MaxPool2dOptions>>('max_pool2d', rest, ['stride', 'padding', 'dilation', 'ceilMode', 'returnIndices'], {
    stride: null,
    padding: 0,
    dilation: 1,
    ceilMode: false,
    returnIndices: false,
  });
  const { input: x, batched, geo } = geometry('max_pool2d', input, kernelSize, o.stride, o.padding, o.dilation, o.ceilMode);
  const [n, c] = x.shape as [number, number];
  const shape = [n, c, geo.oh, geo.ow];
  const [y, idx] = apply(maxPool2dOp, [x], geo, [
    { shape, dtype: 'float32' },
    { shape, dtype: 'int32', aux: true },
  ]);
  const out = batched ? y! : reshape(y!, shape.slice(1));
  if (!o.returnIndices) return out;
  return [out, batched ? idx! : reshape(idx!, shape.slice(1))];
}

export interface AvgPool2dOptions extends Record<string, unknown> {
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

/** Average pooling over [N, C, H, W] (or [C, H, W]). */
export function avgPool2d(input: Tensor, kernelSize: IntOrPair, options?: AvgPool2dOptions): Tensor;
export function avgPool2d(
  input: Tensor,
  kernelSize: IntOrPair,
  stride?: IntOrPair | null,
  padding?: IntOrPair,
  ceilMode?: boolean,
  countIncludePad?: boolean,
  divisorOverride?: number | null,
): Tensor;
export function avgPool2d(input: Tensor, kernelSize: IntOrPair, ...rest: unknown[]): Tensor {
  const o = kwargs<Required<AvgPool2dOptions>>('avg_pool2d', rest, ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'], {
    stride: null,
    padding: 0,
    ceilMode: false,
    countIncludePad: true,
    divisorOverride: null,
  });
  const div = o.divisorOverride;
  if (div !== null) positiveInt('avg_pool2d', 'divisorOverride', div);
  const { input: x, batched, geo } = geometry('avg_pool2d', input, kernelSize, o.stride, o.padding, 1, o.ceilMode);
  const [n, c] = x.shape as [number, number];
  const shape = [n, c, geo.oh, geo.ow];
  const attrs: AvgAttrs = { ...geo, countIncludePad: o.countIncludePad, divisor: div ?? 0 };
  const y = apply1(avgPool2dOp, [x], attrs, { shape, dtype: 'float32' });
  return batched ? y : reshape(y, shape.slice(1));
}

// ---- adaptive pooling ----------------------------------------------------------------------------------

/** An adaptive output size: an int for both dims, or [oh, ow] where null keeps the input's size. */
export type AdaptiveSize = number | readonly (number | null)[];

export const adaptiveMaxPool2dOp: OpDef<AdaptiveGeometry> = {
  name: 'adaptive_max_pool2d',
  lower(ctx, node) {
    const withIndices = ctx.used(1);
    const indices = withIndices ? ctx.output(1) : ctx.temp(4);
    ctx.dispatch(adaptiveMaxForward(node.attrs, ctx.input(0), ctx.output(0), indices, withIndices));
  },
  vjp(node, [g], needs) {
    if (!needs[0] || !g) return [null];
    const indices = Tensor.view(node.outputs[1]!);
    return [apply1(adaptiveMaxPool2dBackwardOp, [g, indices], node.attrs, { shape: node.inputs[0]!.shape, dtype: 'float32' })];
  },
};

export const adaptiveMaxPool2dBackwardOp: OpDef<AdaptiveGeometry> = {
  name: 'adaptive_max_pool2d_backward',
  lower(ctx, node) {
    ctx.dispatch(adaptiveMaxBackward(node.attrs, ctx.input(0), ctx.input(1), ctx.output(0)));
  },
};

export const adaptiveAvgPool2dOp: OpDef<AdaptiveGeometry> = {
  name: 'adaptive_avg_pool2d',
  lower(ctx, node) {
    ctx.dispatch(adaptiveAvgForward(node.attrs, ctx.input(0), ctx.output(0)));
  },
  vjp(node, [g], needs) {
    if (!needs[0] || !g) return [null];
    return [apply1(adaptiveAvgPool2dBackwardOp, [g], node.attrs, { shape: node.inputs[0]!.shape, dtype: 'float32' })];
  },
};

export const adaptiveAvgPool2dBackwardOp: OpDef<AdaptiveGeometry> = {
  name: 'adaptive_avg_pool2d_backward',
  lower(ctx, node) {
    const scaled = ctx.temp(node.inputs[0]!.bytes);
    for (const call of adaptiveAvgBackward(node.attrs, ctx.input(0), scaled, ctx.output(0))) ctx.dispatch(call);
  },
};

interface AdaptiveSetup {
  x: Tensor;
  batched: boolean;
  geo: AdaptiveGeometry;
}

function adaptiveSetup(op: string, input: Tensor, outputSize: AdaptiveSize): AdaptiveSetup {
  const layer = currentLayer();
  imageInput(op, input);
  const batched = input.ndim === 4;
  const x = batched ? input : reshape(input, [1, ...input.shape]);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  if (c === 0 || h === 0 || w === 0) {
    throw new ShapeError(`${where(op, layer)}: expected an input with non-zero sizes for the non-batch dims, got ${fmtShape(input.shape)}`);
  }
  const sizes = typeof outputSize === 'number' ? [outputSize, outputSize] : Array.isArray(outputSize) ? [...outputSize] : null;
  if (!sizes || sizes.length !== 2 || sizes.some((s) => s !== null && (typeof s !== 'number' || !Number.isInteger(s) || s < 0))) {
    throw new ArgumentError(
      `${where(op, layer)}: outputSize must be a non-negative integer or a pair of them (null keeps the input's size), got ${JSON.stringify(outputSize)}`,
    );
  }
  const oh = sizes[0] ?? h;
  const ow = sizes[1] ?? w;
  return { x, batched, geo: { planes: n * c, h, w, oh, ow } };
}

function unbatch(t: Tensor, batched: boolean): Tensor {
  return batched ? t : reshape(t, t.shape.slice(1));
}

/**
 * Adaptive average pooling of [N, C, H, W] (or [C, H, W]) to [N, C, oh, ow]: output (i, j) averages
 * input rows floor(i H / oh) .. ceil((i + 1) H / oh) - 1 and the columns likewise (PyTorch's
 * windows). outputSize is an int, or [oh, ow] with null meaning the input's size.
 * Output size 1 is global average pooling (a split mean over H, W); sizes that divide the input
 * are plain average pooling; equal sizes return the input itself.
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  const { x, batched, geo } = adaptiveSetup('adaptive_avg_pool2d', input, outputSize);
  if (geo.oh === geo.h && geo.ow === geo.w) return input;
  if (geo.oh === 1 && geo.ow === 1) return unbatch(mean(x, [2, 3], true), batched);
  const plain = adaptiveAsPlain(geo);
  if (plain) return unbatch(avgPool2d(x, [plain.kh, plain.kw], { stride: [plain.sh, plain.sw] }), batched);
  const [n, c] = x.shape as [number, number];
  const y = apply1(adaptiveAvgPool2dOp, [x], geo, { shape: [n, c, geo.oh, geo.ow], dtype: 'float32' });
  return unbatch(y, batched);
}

export interface AdaptiveMaxPool2dOptions extends Record<string, unknown> {
  returnIndices?: boolean;
}

/**
 * Adaptive max pooling of [N, C, H, W] (or [C, H, W]) to [N, C, oh, ow] over PyTorch's adaptive
 * windows (see adaptiveAvgPool2d). With returnIndices, returns [output, indices], indices being
 * flat positions h * W + w within each input plane (int32).
 */
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, returnIndices?: false | { returnIndices?: false }): Tensor;
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, returnIndices: true | { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, returnIndices?: boolean | AdaptiveMaxPool2dOptions): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, ...rest: unknown[]): Tensor | [Tensor, Tensor] {
  const o = kwargs<Required<AdaptiveMaxPool2dOptions>>('adaptive_max_pool2d', rest, ['returnIndices'], { returnIndices: false });
  const { x, batched, geo } = adaptiveSetup('adaptive_max_pool2d', input, outputSize);
  const plain = adaptiveAsPlain(geo);
  let y: Tensor;
  let idx: Tensor;
  if (plain) {
    [y, idx] = maxPool2d(x, [plain.kh, plain.kw], { stride: [plain.sh, plain.sw], returnIndices: true });
  } else {
    const [n, c] = x.shape as [number, number];
    const shape = [n, c, geo.oh, geo.ow];
    [y, idx] = apply(adaptiveMaxPool2dOp, [x], geo, [
      { shape, dtype: 'float32' },
      { shape, dtype: 'int32', aux: true },
    ]) as [Tensor, Tensor];
  }
  if (!o.returnIndices) {
    idx._release();
    return unbatch(y, batched);
  }
  return [unbatch(y, batched), unbatch(idx, batched)];
}
