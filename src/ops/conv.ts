/**
 * conv2d (torch.nn.functional.conv2d) and convTranspose2d (torch.nn.functional.conv_transpose2d):
 * stride, padding, dilation, groups, optional bias.
 *
 * A convolution is three passes: forward, input gradient and weight gradient, each a node of its
 * own (conv2dOp / conv2dInputGradOp / conv2dWeightGradOp) whose attributes carry the geometry and
 * the algorithm chosen for that pass by `chooseConvAlgorithm` (src/kernels/conv/choose.ts, which
 * lists the algorithms; measurements: bench/NOTES.md). The kernels, their geometry and split policy
 * are in src/kernels/conv/; this file has the shape rules, the recording and the backward rules.
 * For 'gemm' the forward's im2col matrix is a node of its own, so the weight gradient can reuse it
 * (`keepsCol`).
 *
 * A transposed convolution is a convolution's input gradient: convTranspose2d records a
 * conv2dInputGradOp, whose backward is a forward convolution and a weight gradient.
 */
import { ArgumentError, ShapeError, fmtShape, where } from '../errors.js';
import { engineFor } from '../graph/engine.js';
import type { EpilogueProducer, LowerContext } from '../graph/op.js';
import type { Node } from '../graph/value.js';
import { chooseConvAlgorithm, keepsCol, type ConvAlgorithm, type ConvPreference } from '../kernels/conv/choose.js';
import { depthwiseForward, depthwiseInputGrad, depthwiseWeightGrad } from '../kernels/conv/depthwise.js';
import { conv2dForward, conv2dInputGrad, conv2dWeightGrad } from '../kernels/conv/direct.js';
import { convOutSize, type ConvGeometry } from '../kernels/conv/geometry.js';
import { col2im, colLayout, convGemmForward, convGemmInputGrad, convGemmWeightGrad, im2col } from '../kernels/conv/im2col.js';
import { winogradForward, winogradInputGrad } from '../kernels/conv/winograd.js';
import type { BoundEpilogue } from '../kernels/epilogue.js';
import { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import { currentLayer } from '../util/scope.js';
import { add } from './elementwise.js';
import type { OpDef } from './op.js';
import { intPair, nonNegativePair, positiveInt, positivePair } from '../util/validate.js';
import { float32Arg, imageInput, optionalFloat32Arg } from './operands.js';
import { apply1 } from './record.js';
import { sum } from './reduce.js';
import { reshape } from './shape.js';

export type IntOrPair = number | readonly [number, number];
export type Conv2dPadding = IntOrPair | 'same' | 'valid';

export interface Conv2dOptions extends Record<string, unknown> {
  stride?: IntOrPair;
  padding?: Conv2dPadding;
  dilation?: IntOrPair;
  groups?: number;
}

export interface ConvTranspose2dOptions extends Record<string, unknown> {
  stride?: IntOrPair;
  padding?: IntOrPair;
  outputPadding?: IntOrPair;
  groups?: number;
  dilation?: IntOrPair;
}

// The algorithm choice is the kernels' (tests and benchmarks reach it through wt.ops).
export { canRunConv, chooseConvAlgorithm, keepsCol, RECOMPUTE_COL_RATIO, WINOGRAD_MIN_CHANNELS } from '../kernels/conv/choose.js';
export type { ConvAlgorithm, ConvPass, ConvPreference } from '../kernels/conv/choose.js';
export { convOutSize, type ConvGeometry } from '../kernels/conv/geometry.js';

/** A convolution node's attributes: its geometry and the algorithm of its pass. */
export interface ConvAttrs extends ConvGeometry {
  algorithm: ConvAlgorithm;
}

// ---- nodes -------------------------------------------------------------------------------------

/** Every forward kernel can end with a fused epilogue (graph/fuse.ts); output channels are dim 1. */
function convEpilogue(lower: (ctx: LowerContext, node: Node<ConvAttrs>, epi: BoundEpilogue | null) => void): EpilogueProducer<ConvAttrs> {
  return {
    channels: (node) => ({ channels: node.attrs.o, inner: node.attrs.oh * node.attrs.ow }),
    accepts: () => true,
    lower,
  };
}

function lowerForward(ctx: LowerContext, node: Node<ConvAttrs>, epi: BoundEpilogue | null): void {
  const a = node.attrs;
  const bias = node.inputs.length > 2 ? ctx.input(2) : null;
  const [x, w, y] = [ctx.input(0), ctx.input(1), ctx.output(0)];
  if (a.algorithm === 'matmul1x1') convGemmForward(ctx, a, w, x, bias, y, true, epi);
  else if (a.algorithm === 'depthwise') depthwiseForward(ctx, a, x, w, bias, y, epi);
  else if (a.algorithm === 'winograd') winogradForward(ctx, a, x, w, bias, y, epi);
  else conv2dForward(ctx, a, x, w, bias, y, epi);
}

/** Forward: inputs x, weight, [bias]; output y [N, O, OH, OW]. Every algorithm but 'gemm'. */
export const conv2dOp: OpDef<ConvAttrs> = {
  name: 'conv2d',
  lower: (ctx, node) => lowerForward(ctx, node, null),
  epilogue: convEpilogue(lowerForward),
  vjp(node, [g], needs) {
    if (!g) return [null, null, null];
    const [dx, dw] = convBackward(g, Tensor.view(node.inputs[0]!), Tensor.view(node.inputs[1]!), node.attrs, needs[0]!, needs[1]!, null);
    const db = node.inputs.length > 2 && needs[2] ? sum(g, [0, 2, 3]) : null;
    return [dx, dw, db];
  },
};

/** x [N, C, H, W] -> col [N, G, KPG, S4] (the 'gemm' forward's first half; its rows feed dW too). */
export const im2colOp: OpDef<ConvAttrs> = {
  name: 'im2col',
  lower(ctx, node) {
    im2col(ctx, node.attrs, ctx.input(0), ctx.output(0));
  },
};

/**
 * The 'gemm' forward's product: inputs x, weight, col, [bias]. x is not read (col holds it); it is
 * an input so that the backward can compute dx with its own algorithm and dW from col.
 */
function lowerGemmForward(ctx: LowerContext, node: Node<ConvAttrs>, epi: BoundEpilogue | null): void {
  const bias = node.inputs.length > 3 ? ctx.input(3) : null;
  convGemmForward(ctx, node.attrs, ctx.input(1), ctx.input(2), bias, ctx.output(0), false, epi);
}

export const convGemmOp: OpDef<ConvAttrs> = {
  name: 'conv2d',
  lower: (ctx, node) => lowerGemmForward(ctx, node, null),
  epilogue: convEpilogue(lowerGemmForward),
  vjp(node, [g], needs) {
    if (!g) return [null, null, null, null];
    const col = keepsCol(node.attrs) ? Tensor.view(node.inputs[2]!) : null;
    const [dx, dw] = convBackward(g, Tensor.view(node.inputs[0]!), Tensor.view(node.inputs[1]!), node.attrs, needs[0]!, needs[1]!, col);
    const db = node.inputs.length > 3 && needs[3] ? sum(g, [0, 2, 3]) : null;
    return [dx, dw, null, db];
  },
};

/**
 * Input gradient: inputs dy [N, O, OH, OW] and weight; output dx [N, C, H, W]. Also the forward of
 * convTranspose2d, so it has a backward of its own: a forward convolution for dy and a weight
 * gradient for the weight.
 */
export const conv2dInputGradOp: OpDef<ConvAttrs> = {
  name: 'conv2d_input_grad',
  lower(ctx, node) {
    const a = node.attrs;
    const dy = ctx.input(0);
    const w = ctx.input(1);
    if (a.algorithm === 'direct') {
      conv2dInputGrad(ctx, a, dy, w, ctx.output(0));
    } else if (a.algorithm === 'depthwise') {
      depthwiseInputGrad(ctx, a, dy, w, ctx.output(0));
    } else if (a.algorithm === 'winograd') {
      winogradInputGrad(ctx, a, dy, w, ctx.output(0));
    } else if (a.algorithm === 'matmul1x1') {
      convGemmInputGrad(ctx, a, w, dy, ctx.output(0), true);
    } else {
      const { kp, s4 } = colLayout(a);
      const dcol = ctx.temp(a.n * kp * s4 * 4);
      convGemmInputGrad(ctx, a, w, dy, dcol);
      col2im(ctx, a, dcol, ctx.output(0));
    }
  },
  vjp(node, [g], needs) {
    if (!g) return [null, null];
    const a = node.attrs;
    const dy = Tensor.view(node.inputs[0]!);
    const w = Tensor.view(node.inputs[1]!);
    // dx = convInputGrad(dy, w) is linear in dy and in w: d(dy) = conv(g, w), d(w) = weightGrad(dy, g).
    const ddy = needs[0] ? convForward(g, w, null, a) : null;
    const dw = needs[1] ? convWeightGradOf(dy, g, a, null) : null;
    return [ddy, dw];
  },
};

/** Weight gradient: inputs dy [N, O, OH, OW] and x (its col for 'gemm'); output dW. */
export const conv2dWeightGradOp: OpDef<ConvAttrs> = {
  name: 'conv2d_weight_grad',
  lower(ctx, node) {
    const a = node.attrs;
    if (a.algorithm === 'direct') conv2dWeightGrad(ctx, a, ctx.input(0), ctx.input(1), ctx.output(0));
    else if (a.algorithm === 'depthwise') depthwiseWeightGrad(ctx, a, ctx.input(0), ctx.input(1), ctx.output(0));
    else convGemmWeightGrad(ctx, a, ctx.input(0), ctx.input(1), ctx.output(0), a.algorithm === 'matmul1x1');
  },
};

// ---- algorithm choice ----------------------------------------------------------------------------

function preferenceOf(t: Tensor): ConvPreference {
  return engineFor(t.device).tuning.conv as ConvPreference;
}

// ---- recording the passes -----------------------------------------------------------------------

/** Records y = conv(x, w) + bias with the forward algorithm chosen for geo. */
function convForward(x: Tensor, w: Tensor, bias: Tensor | null, geo: ConvGeometry): Tensor {
  const algorithm = chooseConvAlgorithm(geo, preferenceOf(x), 'forward');
  const attrs: ConvAttrs = { ...geo, algorithm };
  const outShape = [geo.n, geo.o, geo.oh, geo.ow];
  if (algorithm === 'gemm') {
    const { kp, s4 } = colLayout(geo);
    const col = apply1(im2colOp, [x], attrs, { shape: [geo.n, kp, s4], dtype: 'float32' });
    return apply1(convGemmOp, bias ? [x, w, col, bias] : [x, w, col], attrs, { shape: outShape, dtype: 'float32' });
  }
  return apply1(conv2dOp, bias ? [x, w, bias] : [x, w], attrs, { shape: outShape, dtype: 'float32' });
}

/** Records dW for dy and x (or the forward's col, which makes it 'gemm'). */
function convWeightGradOf(dy: Tensor, x: Tensor, geo: ConvGeometry, col: Tensor | null): Tensor {
  const algorithm = col ? 'gemm' : chooseConvAlgorithm(geo, preferenceOf(dy), 'weightGrad');
  const attrs: ConvAttrs = { ...geo, algorithm };
  let second = x;
  if (algorithm === 'gemm') {
    const { kp, s4 } = colLayout(geo);
    second = col ?? apply1(im2colOp, [x], attrs, { shape: [geo.n, kp, s4], dtype: 'float32' });
  }
  return apply1(conv2dWeightGradOp, [dy, second], attrs, { shape: [geo.o, geo.c / geo.groups, geo.kh, geo.kw], dtype: 'float32' });
}

/** Records dx for dy with the input-gradient algorithm chosen for geo. */
function convInputGradOf(dy: Tensor, w: Tensor, geo: ConvGeometry): Tensor {
  const algorithm = chooseConvAlgorithm(geo, preferenceOf(dy), 'inputGrad');
  return apply1(conv2dInputGradOp, [dy, w], { ...geo, algorithm }, { shape: [geo.n, geo.c, geo.h, geo.w], dtype: 'float32' });
}

/**
 * Records the input and weight gradients of y = conv(x, w) for dy (`col`: the forward's im2col
 * output, or null). The weight gradient is recorded first: the plan runs nodes in recording order,
 * so the forward's im2col matrix (read by the weight gradient) is freed before the input gradient
 * allocates its own patch-matrix gradient, and the two can share memory.
 */
function convBackward(dy: Tensor, x: Tensor, w: Tensor, geo: ConvGeometry, needX: boolean, needW: boolean, col: Tensor | null): [Tensor | null, Tensor | null] {
  const dw = needW ? convWeightGradOf(dy, x, geo, col) : null;
  return [needX ? convInputGradOf(dy, w, geo) : null, dw];
}

// ---- shapes and checks --------------------------------------------------------------------------

/**
 * 2-D convolution (a cross-correlation, as PyTorch) over a batch [N, C, H, W] (or one image
 * [C, H, W]) with weight [outChannels, C / groups, kH, kW] and optional bias [outChannels]:
 * out[n, o] = bias[o] + sum_c weight[o, c] (*) input[n, c], output [N, outChannels, OH, OW] with
 * OH = floor((H + padTop + padBottom - dilation * (kH - 1) - 1) / stride) + 1 (likewise OW).
 *
 * stride, dilation: int or [h, w], >= 1. padding: int or [h, w] zeros on both sides, 'valid' (none)
 * or 'same' (output size = input size; stride 1 only; an odd total puts the extra row/column at the
 * bottom/right, as PyTorch). groups: input and output channels are split into `groups` independent
 * convolutions (depthwise when groups = C).
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options?: Conv2dOptions): Tensor;
export function conv2d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  stride?: IntOrPair,
  padding?: Conv2dPadding,
  dilation?: IntOrPair,
  groups?: number,
): Tensor;
export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, ...rest: unknown[]): Tensor {
  const op = 'conv2d';
  const layer = currentLayer();
  const o = kwargs<Required<Conv2dOptions>>(op, rest, ['stride', 'padding', 'dilation', 'groups'], {
    stride: 1,
    padding: 0,
    dilation: 1,
    groups: 1,
  });
  imageInput(op, input);
  float32Arg(op, 'weight', weight);
  optionalFloat32Arg(op, 'bias', bias);
  if (weight.ndim !== 4) {
    throw new ShapeError(`${where(op, layer)}: weight must be 4-D [outChannels, inChannels/groups, kH, kW], got ${fmtShape(weight.shape)}`);
  }
  if (input.ndim === 3) {
    const y = conv2d(reshape(input, [1, ...input.shape]), weight, bias, o);
    return reshape(y, y.shape.slice(1));
  }
  const [n, c, h, w] = input.shape as [number, number, number, number];
  const [oc, cg, kh, kw] = weight.shape as [number, number, number, number];
  const groups = positiveInt(op, 'groups', o.groups);
  if (oc % groups !== 0) {
    throw new ShapeError(`${where(op, layer)}: out channels ${oc} (weight ${fmtShape(weight.shape)}) are not divisible by groups = ${groups}`);
  }
  if (c % groups !== 0) {
    throw new ShapeError(`${where(op, layer)}: input channels ${c} (input ${fmtShape(input.shape)}) are not divisible by groups = ${groups}`);
  }
  if (c !== cg * groups) {
    throw new ShapeError(
      `${where(op, layer)}: input has ${c} channels (shape ${fmtShape(input.shape)}) but weight ${fmtShape(weight.shape)} with groups = ${groups} expects ${cg * groups}`,
    );
  }
  if (kh < 1 || kw < 1) throw new ShapeError(`${where(op, layer)}: kernel size must be >= 1, got weight ${fmtShape(weight.shape)}`);
  const [sh, sw] = positivePair(op, 'stride', o.stride);
  const [dh, dw] = positivePair(op, 'dilation', o.dilation);
  let ph: number, pw: number, phR: number, pwR: number;
  if (o.padding === 'same') {
    if (sh !== 1 || sw !== 1) {
      throw new ArgumentError(`${where(op, layer)}: padding='same' is not supported for strided convolutions (expected stride 1, got ${JSON.stringify(o.stride)})`);
    }
    const th = dh * (kh - 1);
    const tw = dw * (kw - 1);
    ph = Math.floor(th / 2);
    pw = Math.floor(tw / 2);
    phR = th - ph;
    pwR = tw - pw;
  } else if (o.padding === 'valid') {
    ph = pw = phR = pwR = 0;
  } else if (typeof o.padding === 'string') {
    throw new ArgumentError(`${where(op, layer)}: padding must be an int, a pair, 'same' or 'valid', got '${o.padding}'`);
  } else {
    [ph, pw] = nonNegativePair(op, 'padding', o.padding);
    phR = ph;
    pwR = pw;
  }
  const effH = dh * (kh - 1) + 1;
  const effW = dw * (kw - 1) + 1;
  if (h + ph + phR < effH || w + pw + pwR < effW) {
    throw new ShapeError(
      `${where(op, layer)}: kernel ${kh}x${kw} (dilation ${dh}x${dw}, extent ${effH}x${effW}) is larger than the padded input ${h + ph + phR}x${w + pw + pwR} (input ${fmtShape(input.shape)})`,
    );
  }
  if (bias !== null && bias !== undefined && (bias.ndim !== 1 || bias.shape[0] !== oc)) {
    throw new ShapeError(`${where(op, layer)}: bias must be [${oc}], got ${fmtShape(bias.shape)}`);
  }
  const oh = convOutSize(h, kh, sh, ph, phR, dh);
  const ow = convOutSize(w, kw, sw, pw, pwR, dw);
  const geo: ConvGeometry = { n, c, h, w, o: oc, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw, groups };
  return convForward(input, weight, bias ?? null, geo);
}

/**
 * 2-D transposed convolution (the gradient of conv2d with respect to its input; "deconvolution")
 * over [N, inChannels, H, W] (or [inChannels, H, W]) with weight [inChannels, outChannels / groups,
 * kH, kW] (PyTorch's layout) and optional bias [outChannels]. Output [N, outChannels, OH, OW] with
 * OH = (H - 1) * stride - 2 * padding + dilation * (kH - 1) + outputPadding + 1 (likewise OW).
 *
 * Arguments in PyTorch's order: stride, padding, outputPadding, groups, dilation (ints or [h, w]).
 * outputPadding adds rows/columns at the bottom/right and must be smaller than stride or dilation.
 */
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options?: ConvTranspose2dOptions): Tensor;
export function convTranspose2d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  stride?: IntOrPair,
  padding?: IntOrPair,
  outputPadding?: IntOrPair,
  groups?: number,
  dilation?: IntOrPair,
): Tensor;
export function convTranspose2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, ...rest: unknown[]): Tensor {
  const op = 'conv_transpose2d';
  const layer = currentLayer();
  const o = kwargs<Required<ConvTranspose2dOptions>>(op, rest, ['stride', 'padding', 'outputPadding', 'groups', 'dilation'], {
    stride: 1,
    padding: 0,
    outputPadding: 0,
    groups: 1,
    dilation: 1,
  });
  imageInput(op, input);
  float32Arg(op, 'weight', weight);
  optionalFloat32Arg(op, 'bias', bias);
  if (weight.ndim !== 4) {
    throw new ShapeError(`${where(op, layer)}: weight must be 4-D [inChannels, outChannels/groups, kH, kW], got ${fmtShape(weight.shape)}`);
  }
  if (input.ndim === 3) {
    const y = convTranspose2d(reshape(input, [1, ...input.shape]), weight, bias, o);
    return reshape(y, y.shape.slice(1));
  }
  const [n, cin, h, w] = input.shape as [number, number, number, number];
  const [wc, outPerGroup, kh, kw] = weight.shape as [number, number, number, number];
  const groups = positiveInt(op, 'groups', o.groups);
  if (cin % groups !== 0) {
    throw new ShapeError(`${where(op, layer)}: input channels ${cin} (input ${fmtShape(input.shape)}) are not divisible by groups = ${groups}`);
  }
  if (wc !== cin) {
    throw new ShapeError(
      `${where(op, layer)}: input has ${cin} channels (shape ${fmtShape(input.shape)}) but weight ${fmtShape(weight.shape)} expects ${wc} (weight is [inChannels, outChannels/groups, kH, kW])`,
    );
  }
  if (kh < 1 || kw < 1) throw new ShapeError(`${where(op, layer)}: kernel size must be >= 1, got weight ${fmtShape(weight.shape)}`);
  const [sh, sw] = positivePair(op, 'stride', o.stride);
  const [dh, dw] = positivePair(op, 'dilation', o.dilation);
  if (typeof o.padding === 'string') throw new ArgumentError(`${where(op, layer)}: padding must be an int or a pair, got '${o.padding}'`);
  const [ph, pw] = nonNegativePair(op, 'padding', o.padding);
  const [oph, opw] = intPair(op, 'outputPadding', o.outputPadding);
  if (oph < 0 || opw < 0 || (oph >= sh && oph >= dh) || (opw >= sw && opw >= dw)) {
    throw new ArgumentError(
      `${where(op, layer)}: outputPadding must be smaller than either stride or dilation, got outputPadding ${JSON.stringify(o.outputPadding)}, stride ${JSON.stringify(o.stride)}, dilation ${JSON.stringify(o.dilation)}`,
    );
  }
  const oc = outPerGroup * groups;
  if (bias !== null && bias !== undefined && (bias.ndim !== 1 || bias.shape[0] !== oc)) {
    throw new ShapeError(`${where(op, layer)}: bias must be [${oc}], got ${fmtShape(bias.shape)}`);
  }
  const outH = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1;
  const outW = (w - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1;
  if (outH < 1 || outW < 1) {
    throw new ShapeError(
      `${where(op, layer)}: output size ${outH}x${outW} is too small (input ${fmtShape(input.shape)}, kernel ${kh}x${kw}, stride ${sh}x${sw}, padding ${ph}x${pw}, dilation ${dh}x${dw})`,
    );
  }
  // The convolution this is the input gradient of: its input is our output, its output our input.
  const geo: ConvGeometry = { n, c: oc, h: outH, w: outW, o: cin, kh, kw, oh: h, ow: w, sh, sw, ph, pw, dh, dw, groups };
  const y = convInputGradOf(input, weight, geo);
  return bias ? add(y, reshape(bias, [oc, 1, 1])) : y;
}
