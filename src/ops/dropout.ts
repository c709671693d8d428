/**
 * Dropout (torch.nn.functional.dropout, dropout1d/2d/3d): in training, each element (or each
 * channel of each sample) is zeroed with probability p and the kept ones are scaled by 1 / (1 - p);
 * otherwise the input is returned as is.
 *
 * The random bits come from Philox4x32-10 on the GPU (shaders/dropout.wgsl through
 * src/kernels/dropout.ts), keyed by a 64-bit seed drawn per call from webtrain's seeded CPU
 * generator (manualSeed makes runs reproducible). The seed is an attribute of the node that the
 * plan-cache key leaves out: the plan writes each run's seed into a small parameter buffer
 * (LowerContext.params), so a training step with dropout replays its cached plan with new masks and
 * uploads no tensor. The backward pass is the same op on the gradient with the same attributes: it
 * regenerates the mask.
 */
import { ShapeError, fmtShape, where } from '../errors.js';
import { currentLayer } from '../util/scope.js';
import type { OpDef } from './op.js';
import { dropoutKernel, type DropoutParams } from '../kernels/dropout.js';
import { Tensor } from '../tensor/tensor.js';
import { kwargs } from '../util/args.js';
import { numel } from '../util/shape.js';
import { defaultGenerator, type Generator } from '../util/random.js';
import { argumentError, boolean, dropoutProbability } from '../util/validate.js';
import { float32Arg } from './operands.js';
import { apply1 } from './record.js';
import { reshape } from './shape.js';

interface DropoutAttrs extends DropoutParams {
  /** The Philox key of this call (per-run parameter, not part of the plan key). */
  seed: [number, number];
}

/** Input: x. Output: x * mask / (1 - p), the mask drawn with attrs.seed. */
export const dropoutOp: OpDef<DropoutAttrs> = {
  name: 'dropout',
  key: (a) => `${a.p},${a.plane}`,
  lower(ctx, node) {
    const seed = ctx.params(8, (n) => Uint32Array.from((n.attrs as DropoutAttrs).seed));
    ctx.dispatch(dropoutKernel(node.inputs[0]!.numel, node.attrs, ctx.input(0), seed, ctx.output(0)));
  },
  vjp(node, [g], needs) {
    if (!needs[0] || !g) return [null];
    return [apply1(dropoutOp, [g], node.attrs, { shape: g.shape, dtype: 'float32' })];
  },
};

/** The two 32-bit words of a dropout call's Philox key, drawn from `generator`. */
export function dropoutSeed(generator: Generator = defaultGenerator): [number, number] {
  return [generator.nextUint32(), generator.nextUint32()];
}

/** The checks every dropout variant makes: p, the input, training. */
function checkArgs(op: string, input: unknown, o: Required<DropoutOptions>): asserts input is Tensor {
  dropoutProbability(op, o.p);
  float32Arg(op, 'input', input);
  boolean(op, 'training', o.training);
}

/** x * mask / (1 - p) with a fresh seed; `plane` = 0 for elementwise dropout. */
function dropoutNode(x: Tensor, p: number, plane: number): Tensor {
  return apply1(dropoutOp, [x], { p, plane, seed: dropoutSeed() }, { shape: x.shape, dtype: 'float32' });
}

/** PyTorch's inplace: `input` is rebound to the result (a leaf that requires grad cannot be). */
function finish(input: Tensor, y: Tensor, inplace: boolean): Tensor {
  if (!inplace || y === input) return y;
  input._take(y);
  return input;
}

function checkInplace(op: string, input: Tensor, inplace: boolean): void {
  if (inplace && input.requiresGrad && input.isLeaf) {
    throw argumentError(op, `a leaf tensor that requires grad (${input.describe()}) cannot be used in an in-place operation`);
  }
}

export interface DropoutOptions extends Record<string, unknown> {
  p?: number;
  training?: boolean;
  inplace?: boolean;
}

/**
 * Zeroes each element with probability p and scales the others by 1 / (1 - p) when training;
 * returns the input unchanged otherwise. inplace rebinds `input` to the result and returns it.
 * dropout(input, p = 0.5, training = true, inplace = false).
 */
export function dropout(input: Tensor, options?: DropoutOptions): Tensor;
export function dropout(input: Tensor, p: number, options: Omit<DropoutOptions, 'p'>): Tensor;
export function dropout(input: Tensor, p?: number, training?: boolean, inplace?: boolean): Tensor;
export function dropout(input: Tensor, ...rest: unknown[]): Tensor {
  const o = kwargs<Required<DropoutOptions>>('dropout', rest, ['p', 'training', 'inplace'], { p: 0.5, training: true, inplace: false });
  checkArgs('dropout', input, o);
  const p = o.p;
  // As PyTorch: no random draw at all when nothing can be dropped.
  if (!o.training || p === 0 || input.numel() === 0) return input;
  checkInplace('dropout', input, o.inplace);
  return finish(input, dropoutNode(input, p, 0), o.inplace);
}

/**
 * Channel dropout of [N, C, ...]: each channel of each sample (a plane of the trailing dims) is
 * zeroed whole with probability p, the others scaled by 1 / (1 - p) (PyTorch's feature dropout).
 */
function featureDropout(op: string, input: Tensor, o: Required<DropoutOptions>, unbatchedRank: number | null): Tensor {
  checkArgs(op, input, o);
  const p = o.p;
  if (input.ndim < 2) throw new ShapeError(`${where(op, currentLayer())}: expected an input with at least 2 dims [N, C, ...], got ${fmtShape(input.shape)}`);
  if (!o.training || p === 0 || input.numel() === 0) return input;
  checkInplace(op, input, o.inplace);
  // An unbatched input is one sample: its channels are dim 0.
  const unbatched = unbatchedRank !== null && input.ndim === unbatchedRank;
  const x = unbatched ? reshape(input, [1, ...input.shape]) : input;
  const y = dropoutNode(x, p, numel(x.shape.slice(2)));
  return finish(input, unbatched ? reshape(y, input.shape) : y, o.inplace);
}

function checkRank(op: string, input: Tensor, ranks: number[]): void {
  if (input instanceof Tensor && !ranks.includes(input.ndim)) {
    throw new ShapeError(`${where(op, currentLayer())}: expected ${ranks.map((r) => `${r}D`).join(' or ')} input, got ${input.ndim}D input ${fmtShape(input.shape)}`);
  }
}

/**
 * Zeroes whole channels: on [N, C, H, W] each input[n, c] plane with probability p, the others
 * scaled by 1 / (1 - p). As in PyTorch 1.13, a 3-D input is taken as [N, C, L] (channel-wise 1-D
 * dropout), and other ranks >= 2 drop the planes of their trailing dims.
 * dropout2d(input, p = 0.5, training = true, inplace = false).
 */
export function dropout2d(input: Tensor, options?: DropoutOptions): Tensor;
export function dropout2d(input: Tensor, p: number, options: Omit<DropoutOptions, 'p'>): Tensor;
export function dropout2d(input: Tensor, p?: number, training?: boolean, inplace?: boolean): Tensor;
export function dropout2d(input: Tensor, ...rest: unknown[]): Tensor {
  const o = kwargs<Required<DropoutOptions>>('dropout2d', rest, ['p', 'training', 'inplace'], { p: 0.5, training: true, inplace: false });
  return featureDropout('dropout2d', input, o, null);
}

/** Channel dropout of [N, C, L] (or unbatched [C, L]) input. dropout1d(input, p = 0.5, training = true, inplace = false). */
export function dropout1d(input: Tensor, options?: DropoutOptions): Tensor;
export function dropout1d(input: Tensor, p: number, options: Omit<DropoutOptions, 'p'>): Tensor;
export function dropout1d(input: Tensor, p?: number, training?: boolean, inplace?: boolean): Tensor;
export function dropout1d(input: Tensor, ...rest: unknown[]): Tensor {
  const o = kwargs<Required<DropoutOptions>>('dropout1d', rest, ['p', 'training', 'inplace'], { p: 0.5, training: true, inplace: false });
  checkRank('dropout1d', input, [2, 3]);
  return featureDropout('dropout1d', input, o, 2);
}

/** Channel dropout of [N, C, D, H, W] (or unbatched [C, D, H, W]) input. dropout3d(input, p = 0.5, training = true, inplace = false). */
export function dropout3d(input: Tensor, options?: DropoutOptions): Tensor;
export function dropout3d(input: Tensor, p: number, options: Omit<DropoutOptions, 'p'>): Tensor;
export function dropout3d(input: Tensor, p?: number, training?: boolean, inplace?: boolean): Tensor;
export function dropout3d(input: Tensor, ...rest: unknown[]): Tensor {
  const o = kwargs<Required<DropoutOptions>>('dropout3d', rest, ['p', 'training', 'inplace'], { p: 0.5, training: true, inplace: false });
  checkRank('dropout3d', input, [4, 5]);
  return featureDropout('dropout3d', input, o, 4);
}
