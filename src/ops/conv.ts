/**
 * conv2d (torch.nn.functional.conv2d): stride, padding (int, pair, 'same', 'valid'), dilation,
 * groups, optional bias. Backward: input gradient and weight gradient are ops of their own (each a
 * kernel of shaders/conv2d.wgsl), the bias gradient a reduction over N, H, W.
 */
import { ArgumentError, ShapeError, fmtShape, where } from '../errors.js';
import { currentLayer, engineFor } from '../graph/engine.js';
import type { OpDef } from '../graph/op.js';
import { conv2dForward, conv2dInputGrad, conv2dWeightGrad, type ConvGeometry } from '../kernels/conv2d.js';
import { col2im, colLayout, convGemmForward, convGemmInputGrad, convGemmWeightGrad, im2col } from '../kernels/im2col.js';
import { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import { pair } from '../util/shape.js';
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

export const conv2dOp: OpDef<ConvGeometry> = {
  name: 'conv2d',
  lower(ctx, node) {
    conv2dForward(ctx, node.attrs, ctx.input(0), ctx.input(1), node.inputs.length > 2 ? ctx.input(2) : null, ctx.output(0));
  },
  vjp(node, [g], needs) {
    if (!g) return [null, null, null];
    const geo = node.attrs;
    const x = node.inputs[0]!;
    const w = node.inputs[1]!;
    const dx = needs[0]
      ? apply1(conv2dInputGradOp, [g, Tensor.view(w)], geo, { shape: x.shape, dtype: 'float32' })
      : null;
    const dw = needs[1]
      ? apply1(conv2dWeightGradOp, [g, Tensor.view(x)], geo, { shape: w.shape, dtype: 'float32' })
      : null;
    const db = node.inputs.length > 2 && needs[2] ? sum(g, [0, 2, 3]) : null;
    return [dx, dw, db];
  },
};

export const conv2dInputGradOp: OpDef<ConvGeometry> = {
  name: 'conv2d_input_grad',
  lower(ctx, node) {
    conv2dInputGrad(ctx, node.attrs, ctx.input(0), ctx.input(1), ctx.output(0));
  },
};

export const conv2dWeightGradOp: OpDef<ConvGeometry> = {
  name: 'conv2d_weight_grad',
  lower(ctx, node) {
    conv2dWeightGrad(ctx, node.attrs, ctx.input(0), ctx.input(1), ctx.output(0));
  },
};

// ---- im2col path: col = im2col(x); y = W x col; dW = dy x col^T; dx = col2im(W^T x dy) -----------

/** x [N, C, H, W] -> col [N, KP, S4]. */
export const im2colOp: OpDef<ConvGeometry> = {
  name: 'im2col',
  lower(ctx, node) {
    im2col(ctx, node.attrs, ctx.input(0), ctx.output(0));
  },
  vjp(node, [g], needs) {
    if (!needs[0] || !g) return [null];
    return [apply1(col2imOp, [g], node.attrs, { shape: node.inputs[0]!.shape, dtype: 'float32' })];
  },
};

/** dcol [N, KP, S4] -> dx [N, C, H, W]. */
export const col2imOp: OpDef<ConvGeometry> = {
  name: 'col2im',
  lower(ctx, node) {
    col2im(ctx, node.attrs, ctx.input(0), ctx.output(0));
  },
};

/** Inputs: weight [O, C, KH, KW], col [N, KP, S4], [bias]. Output y [N, O, OH, OW]. */
export const convGemmOp: OpDef<ConvGeometry> = {
  name: 'conv2d',
  lower(ctx, node) {
    convGemmForward(ctx, node.attrs, ctx.input(0), ctx.input(1), node.inputs.length > 2 ? ctx.input(2) : null, ctx.output(0));
  },
  vjp(node, [g], needs) {
    if (!g) return [null, null, null];
    const geo = node.attrs;
    const w = Tensor.view(node.inputs[0]!);
    const col = Tensor.view(node.inputs[1]!);
    const dw = needs[0] ? apply1(convGemmWeightGradOp, [g, col], geo, { shape: w.shape, dtype: 'float32' }) : null;
    const dcol = needs[1] ? apply1(convGemmInputGradOp, [w, g], geo, { shape: col.shape, dtype: 'float32' }) : null;
    const db = node.inputs.length > 2 && needs[2] ? sum(g, [0, 2, 3]) : null;
    return [dw, dcol, db];
  },
};

export const convGemmWeightGradOp: OpDef<ConvGeometry> = {
  name: 'conv2d_weight_grad',
  lower(ctx, node) {
    convGemmWeightGrad(ctx, node.attrs, ctx.input(0), ctx.input(1), ctx.output(0));
  },
};

export const convGemmInputGradOp: OpDef<ConvGeometry> = {
  name: 'conv2d_input_grad',
  lower(ctx, node) {
    convGemmInputGrad(ctx, node.attrs, ctx.input(0), ctx.input(1), ctx.output(0));
  },
};

/** Largest im2col buffer the matrix-product path may use. */
const MAX_COL_BYTES = 64 * 2 ** 20;

export type ConvAlgorithm = 'auto' | 'direct' | 'gemm';

/**
 * Which kernels run a convolution. 'gemm' (im2col + vec4 matrix products) needs groups = 1 and an
 * output plane whose size is a multiple of 4 (its rows are read as vectors in backward), and an
 * im2col buffer under MAX_COL_BYTES; 'direct' (implicit GEMM, shaders/conv2d.wgsl) runs anything.
 * Measurements behind the choice: bench/NOTES.md.
 */
export function chooseConvAlgorithm(geo: ConvGeometry, preference: ConvAlgorithm): 'direct' | 'gemm' {
  const { kp, s, s4 } = colLayout(geo);
  const possible = geo.groups === 1 && s % 4 === 0 && geo.n * kp * s4 * 4 <= MAX_COL_BYTES;
  if (!possible || preference === 'direct') return 'direct';
  return 'gemm';
}

/** Output size of a convolution or pooling window along one dim (floor mode). */
export function convOutSize(size: number, k: number, s: number, pLeft: number, pRight: number, d: number): number {
  return Math.floor((size + pLeft + pRight - d * (k - 1) - 1) / s) + 1;
}

/**
 * 2-D convolution over a batch [N, C, H, W] (or one image [C, H, W]) with weight
 * [outChannels, C / groups, kH, kW] and optional bias [outChannels]:
 * out[n, o] = bias[o] + sum_c weight[o, c] (*) input[n, c], output [N, outChannels, OH, OW].
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
  if (!(input instanceof Tensor) || !(weight instanceof Tensor)) {
    throw new ArgumentError(`${where(op, layer)}: input and weight must be tensors`);
  }
  if (input.ndim !== 3 && input.ndim !== 4) {
    throw new ShapeError(`${where(op, layer)}: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got ${fmtShape(input.shape)}`);
  }
  if (input.ndim === 3) {
    const y = conv2d(reshape(input, [1, ...input.shape]), weight, bias, o);
    return reshape(y, y.shape.slice(1));
  }
  if (input.dtype !== 'float32' || weight.dtype !== 'float32') {
    throw new ShapeError(`${where(op, layer)}: input and weight must be float32, got ${input.dtype} and ${weight.dtype}`);
  }
  if (weight.ndim !== 4) {
    throw new ShapeError(`${where(op, layer)}: weight must be 4-D [outChannels, inChannels/groups, kH, kW], got ${fmtShape(weight.shape)}`);
  }
  const [n, c, h, w] = input.shape as [number, number, number, number];
  const [oc, cg, kh, kw] = weight.shape as [number, number, number, number];
  const groups = o.groups;
  if (!Number.isInteger(groups) || groups < 1) throw new ArgumentError(`${where(op, layer)}: groups must be a positive integer, got ${String(groups)}`);
  if (oc % groups !== 0) {
    throw new ShapeError(`${where(op, layer)}: out channels ${oc} (weight ${fmtShape(weight.shape)}) are not divisible by groups = ${groups}`);
  }
  if (c !== cg * groups) {
    throw new ShapeError(
      `${where(op, layer)}: input has ${c} channels (shape ${fmtShape(input.shape)}) but weight ${fmtShape(weight.shape)} with groups = ${groups} expects ${cg * groups}`,
    );
  }
  const [sh, sw] = pair(o.stride, 'stride', op, layer);
  const [dh, dw] = pair(o.dilation, 'dilation', op, layer);
  if (sh < 1 || sw < 1) throw new ArgumentError(`${where(op, layer)}: stride must be >= 1, got ${JSON.stringify(o.stride)}`);
  if (dh < 1 || dw < 1) throw new ArgumentError(`${where(op, layer)}: dilation must be >= 1, got ${JSON.stringify(o.dilation)}`);
  let ph: number, pw: number, phR: number, pwR: number;
  if (o.padding === 'same') {
    if (sh !== 1 || sw !== 1) throw new ArgumentError(`${where(op, layer)}: padding='same' is not supported for strided convolutions`);
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
    [ph, pw] = pair(o.padding, 'padding', op, layer);
    if (ph < 0 || pw < 0) throw new ArgumentError(`${where(op, layer)}: padding must be >= 0, got ${JSON.stringify(o.padding)}`);
    phR = ph;
    pwR = pw;
  }
  const effH = dh * (kh - 1) + 1;
  const effW = dw * (kw - 1) + 1;
  if (h + ph + phR < effH || w + pw + pwR < effW) {
    throw new ShapeError(
      `${where(op, layer)}: kernel ${kh}x${kw} (dilation ${dh}x${dw}) is larger than the padded input ${h + ph + phR}x${w + pw + pwR} (input ${fmtShape(input.shape)})`,
    );
  }
  if (bias !== null && bias !== undefined && (bias.ndim !== 1 || bias.shape[0] !== oc)) {
    throw new ShapeError(`${where(op, layer)}: bias must be [${oc}], got ${fmtShape(bias.shape)}`);
  }
  const oh = convOutSize(h, kh, sh, ph, phR, dh);
  const ow = convOutSize(w, kw, sw, pw, pwR, dw);
  const geo: ConvGeometry = { n, c, h, w, o: oc, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw, groups };
  const outShape = [n, oc, oh, ow];
  if (chooseConvAlgorithm(geo, engineFor(input.device).tuning.conv) === 'gemm') {
    const { kp, s4 } = colLayout(geo);
    const col = apply1(im2colOp, [input], geo, { shape: [n, kp, s4], dtype: 'float32' });
    return apply1(convGemmOp, bias ? [weight, col, bias] : [weight, col], geo, { shape: outShape, dtype: 'float32' });
  }
  const inputs = bias ? [input, weight, bias] : [input, weight];
  return apply1(conv2dOp, inputs, geo, { shape: outShape, dtype: 'float32' });
}
