/**
 * pad (torch.nn.functional.pad): constant, reflect, replicate and circular padding with PyTorch's
 * pad list (last dim first: [left, right, top, bottom, ...]); negative pads crop. The constant
 * mode's gradient crops (a pad with the pads negated); the other modes' gradient adds each output
 * gradient back to the input element it copied (padBackwardOp). Kernels: shaders/pad.wgsl through
 * src/kernels/pad.ts.
 */
import { ArgumentError, ShapeError, fmtShape, where } from '../errors.js';
import { PAD_MAX_DIMS, padBackward, padForward, padLayout, type PadMode } from '../kernels/pad.js';
import { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import type { DType } from '../util/dtype.js';
import { currentLayer } from '../util/scope.js';
import type { OpDef } from './op.js';
import { oneOf } from '../util/validate.js';
import { tensorArg } from './operands.js';
import { apply1 } from './record.js';

const PAD_MODES: readonly PadMode[] = ['constant', 'reflect', 'replicate', 'circular'];

export type { PadMode } from '../kernels/pad.js';

interface PadAttrs {
  pads: number[];
  mode: PadMode;
  /** Bit pattern of the fill value in the tensor's dtype (constant mode). */
  valueBits: number;
}

export const padOp: OpDef<PadAttrs> = {
  name: 'pad',
  lower(ctx, node) {
    const { pads, mode, valueBits } = node.attrs;
    padForward(ctx, node.inputs[0]!.shape, pads, mode, valueBits, ctx.input(0), ctx.output(0));
  },
  vjp(node, [g], needs) {
    if (!needs[0] || !g) return [null];
    const { pads, mode } = node.attrs;
    const x = node.inputs[0]!;
    if (mode === 'constant') {
      return [apply1(padOp, [g], { pads: pads.map((p) => -p), mode, valueBits: 0 }, { shape: x.shape, dtype: 'float32' })];
    }
    return [apply1(padBackwardOp, [g], { pads, mode, valueBits: 0 }, { shape: x.shape, dtype: 'float32' })];
  },
};

/** The gradient of a reflect / replicate / circular pad (its input: the output gradient). */
export const padBackwardOp: OpDef<PadAttrs> = {
  name: 'pad_backward',
  lower(ctx, node) {
    const { pads, mode } = node.attrs;
    padBackward(ctx, node.outputs[0]!.shape, pads, mode, ctx.input(0), ctx.output(0));
  },
};

function valueBits(value: number, dtype: DType): number {
  if (dtype === 'float32') return new Uint32Array(Float32Array.of(value).buffer)[0]!;
  if (dtype === 'bool') return value !== 0 ? 1 : 0;
  return Math.trunc(value) | 0;
}

/** How many trailing dims a non-constant pad list of this length may pad, by input rank (PyTorch 1.13). */
const NON_CONSTANT_RANKS: Record<number, readonly number[]> = { 2: [2, 3], 4: [3, 4], 6: [4, 5] };

export interface PadOptions extends Record<string, unknown> {
  mode?: PadMode;
  value?: number | null;
}

/**
 * Pads `input` (torch.nn.functional.pad). `pad` lists (before, after) pairs from the last dim
 * backwards: [left, right] pads the last dim, [left, right, top, bottom] the last two, and so on;
 * negative values crop. Output dim d has size input.shape[d] + before + after.
 *
 * Modes: 'constant' fills with `value` (default 0) and pads any number of dims of any dtype;
 * 'reflect' mirrors without repeating the edge (pads smaller than the dim), 'replicate' repeats
 * the edge, 'circular' wraps around (pads at most the dim). As PyTorch 1.13, the non-constant modes
 * pad the last dim of 2-D/3-D inputs, the last 2 of 3-D/4-D or the last 3 of 4-D/5-D inputs, and
 * circular needs a batch and a channel dim (2, 4 or 6 pads for 3-D, 4-D, 5-D inputs). Gradients
 * flow to float32 inputs in every mode.
 *
 * pad(x, [1, 1, 2, 2]), pad(x, [1, 1], 'reflect'), pad(x, [1, 1], { mode: 'constant', value: -1 }).
 */
export function pad(input: Tensor, pad: readonly number[], mode?: PadMode, value?: number | null): Tensor;
export function pad(input: Tensor, pad: readonly number[], options: PadOptions): Tensor;
export function pad(input: Tensor, pads: readonly number[], ...rest: unknown[]): Tensor {
  const op = 'pad';
  const layer = currentLayer();
  const o = kwargs<{ mode: PadMode; value: number | null }>(op, rest, ['mode', 'value'], { mode: 'constant', value: null });
  tensorArg(op, 'input', input);
  if (!Array.isArray(pads) || pads.some((p) => typeof p !== 'number' || !Number.isInteger(p))) {
    throw new ArgumentError(`${where(op, layer)}: pad must be a list of integers, got ${JSON.stringify(pads)}`);
  }
  if (pads.length % 2 !== 0) throw new ArgumentError(`${where(op, layer)}: padding length must be divisible by 2, got ${pads.length} values ${JSON.stringify(pads)}`);
  const k = pads.length / 2;
  const shape = input.shape;
  if (k > shape.length) {
    throw new ArgumentError(`${where(op, layer)}: padding length too large: ${pads.length} values pad ${k} dims of ${input.describe()} (rank ${shape.length})`);
  }
  const mode = oneOf(op, 'mode', o.mode, PAD_MODES);
  if (mode !== 'constant') {
    if (o.value !== null && o.value !== 0) {
      throw new ArgumentError(`${where(op, layer)}: padding mode '${mode}' doesn't take a value argument (got ${String(o.value)})`);
    }
    const ranks = NON_CONSTANT_RANKS[pads.length];
    if (!ranks || !ranks.includes(shape.length)) {
      throw new ShapeError(
        `${where(op, layer)}: '${mode}' padding takes 2 values for a 2-D/3-D input, 4 for 3-D/4-D, 6 for 4-D/5-D; got ${pads.length} values for ${input.describe()}`,
      );
    }
    if (mode === 'circular' && pads.length !== 2 * (shape.length - 2)) {
      throw new ShapeError(
        `${where(op, layer)}: 'circular' padding needs a batch and a channel dim: ${2 * (shape.length - 2)} values for ${input.describe()}, got ${pads.length}`,
      );
    }
  } else if (o.value !== null && typeof o.value !== 'number') {
    throw new ArgumentError(`${where(op, layer)}: value must be a number, got ${String(o.value)}`);
  }
  const outShape = [...shape];
  for (let j = 0; j < k; j++) {
    const d = shape.length - 1 - j;
    const before = pads[2 * j]!;
    const after = pads[2 * j + 1]!;
    const size = shape[d]!;
    if (mode === 'reflect' && (before >= size || after >= size)) {
      throw new ShapeError(
        `${where(op, layer)}: reflect padding must be smaller than the padded dim: padding (${before}, ${after}) of dim ${d} of size ${size} (input ${fmtShape(shape)})`,
      );
    }
    if (mode === 'circular' && (before > size || after > size)) {
      throw new ShapeError(
        `${where(op, layer)}: circular padding (${before}, ${after}) of dim ${d} of size ${size} would wrap around more than once (input ${fmtShape(shape)})`,
      );
    }
    if (mode !== 'constant' && size === 0) {
      throw new ShapeError(`${where(op, layer)}: '${mode}' padding of an empty dim ${d} (input ${fmtShape(shape)})`);
    }
    outShape[d] = size + before + after;
    if (outShape[d]! < 0) {
      throw new ShapeError(
        `${where(op, layer)}: padding (${before}, ${after}) makes dim ${d} of size ${size} negative (${outShape[d]}) (input ${fmtShape(shape)})`,
      );
    }
  }
  if (padLayout(shape, pads).length > PAD_MAX_DIMS) {
    throw new ArgumentError(`${where(op, layer)}: at most ${PAD_MAX_DIMS - 1} dims can be padded when leading dims are left alone, got ${k} for ${input.describe()}`);
  }
  return apply1(padOp, [input], { pads: [...pads], mode, valueBits: valueBits(o.value ?? 0, input.dtype) }, { shape: outShape, dtype: input.dtype });
}
