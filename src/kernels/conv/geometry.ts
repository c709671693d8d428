/**
 * What every convolution kernel shares: the geometry of a convolution, its output size, the
 * 16-byte rounding the vec4 kernels pad channels and rows to, and the split policy of the
 * reductions (weight gradients) and the temp budget of the algorithms that need scratch space.
 */
import type { BufRef, KernelContext } from '../context.js';
import { reduceAxis } from '../reduce.js';

/** A 2-D convolution of input [N, C, H, W] by weight [O, C / groups, KH, KW] to output [N, O, OH, OW]. */
export interface ConvGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  o: number;
  kh: number;
  kw: number;
  oh: number;
  ow: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  groups: number;
}

/** Output size of a convolution or pooling window along one dim (floor mode). */
export function convOutSize(size: number, k: number, s: number, pLeft: number, pRight: number, d: number): number {
  return Math.floor((size + pLeft + pRight - d * (k - 1) - 1) / s) + 1;
}

/** n rounded up to a multiple of 4 (one vec4). */
export const up4 = (n: number): number => Math.ceil(n / 4) * 4;

/** Largest temp buffer (im2col matrix, Winograd's transformed input or products) a convolution may use. */
export const MAX_CONV_TEMP_BYTES = 64 * 2 ** 20;

/** Tiles wanted in flight for a weight gradient before splitting its reduction stops paying. */
export const SPLIT_TARGET_TILES = 2048;

/** How a weight gradient splits its reduction: `used` partial sums of `chunk` rows each. */
export interface ReductionSplit {
  used: number;
  chunk: number;
}

/**
 * The split of a reduction over `rows` rows for a kernel of `tiles` tiles: enough chunks to reach
 * SPLIT_TARGET_TILES tiles in flight (partial sums added by shaders/reduce.wgsl), at most one a row.
 */
export function splitReduction(rows: number, tiles: number): ReductionSplit {
  const splits = Math.max(1, Math.min(rows, Math.ceil(SPLIT_TARGET_TILES / tiles)));
  const chunk = Math.ceil(rows / splits);
  return { used: Math.ceil(rows / chunk), chunk };
}

/**
 * Runs a weight gradient `count` floats large whose reduction over `rows` rows is split by
 * splitReduction for a kernel of `tiles` tiles: `emit` dispatches the kernel with the split, writing
 * `split.used` partial results into `out` (dw itself when there is one), which are then summed into dw.
 */
export function splitWeightGrad(
  ctx: KernelContext,
  rows: number,
  tiles: number,
  count: number,
  dw: BufRef,
  emit: (out: BufRef, split: ReductionSplit) => void,
): void {
  const split = splitReduction(rows, tiles);
  const out = split.used > 1 ? ctx.temp(split.used * count * 4) : dw;
  emit(out, split);
  if (split.used > 1) reduceAxis(ctx, 'sum', 1, split.used, count, out, dw);
}
