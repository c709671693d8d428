/**
 * Wrapper of shaders/reduce.wgsl: reduces the middle axis of [outer, R, inner]. With few outputs
 * and a long axis it splits the axis into chunks (a partial-result pass, then a pass over the
 * partials) so the work spreads over many invocations instead of one long serial loop.
 */
import source from '../../shaders/reduce.wgsl?raw';
import type { ShaderSource } from '../device/pipeline-cache.js';
import type { BufRef, KernelContext } from './context.js';
import { grid1d } from './grid.js';

export const reduceShader: ShaderSource = { file: 'reduce.wgsl', code: source };

export const REDUCE = { sum: 0, max: 1, min: 2, argmax: 3, argmin: 4, maxWithIndex: 5, minWithIndex: 6 } as const;
export type ReduceOp = keyof typeof REDUCE;

/** Outputs below this count make a long axis worth splitting. */
const FEW_OUTPUTS = 4096;
/** Chunk length targeted when splitting. */
const TARGET_CHUNK = 256;

export function reduceAxis(
  ctx: KernelContext,
  op: ReduceOp,
  outer: number,
  r: number,
  inner: number,
  src: BufRef,
  dst: BufRef,
  scale = 1,
  /** For maxWithIndex / minWithIndex: where the int32 indices go. */
  dstIndex: BufRef | null = null,
): void {
  const outputs = outer * inner;
  const splittable = op === 'sum' || op === 'max' || op === 'min';
  if (splittable && outputs < FEW_OUTPUTS && r > 2 * TARGET_CHUNK) {
    const wanted = Math.min(Math.ceil(r / TARGET_CHUNK), Math.max(1, Math.floor((FEW_OUTPUTS * 4) / outputs)));
    const chunk = Math.ceil(r / wanted);
    // Recounted from the chunk so that no chunk is empty (an empty max/min chunk has no value).
    const splits = Math.ceil(r / chunk);
    const partial = ctx.temp(outer * splits * inner * 4);
    ctx.dispatch(launch(op, outer, r, inner, splits, chunk, 1, src, partial));
    reduceAxis(ctx, op, outer, splits, inner, partial, dst, scale);
    return;
  }
  ctx.dispatch(launch(op, outer, r, inner, 1, r, scale, src, dst, dstIndex));
}

function launch(op: ReduceOp, outer: number, r: number, inner: number, splits: number, chunk: number, scale: number, src: BufRef, dst: BufRef, dstIndex: BufRef | null = null) {
  const count = outer * splits * inner;
  return {
    shader: reduceShader,
    entryPoint: dstIndex ? 'reduce_with_index' : 'reduce',
    constants: { OP: REDUCE[op], OUTER: outer, R: r, INNER: inner, SPLITS: splits, CHUNK: chunk, SCALE: scale },
    bindings: dstIndex ? [src, dst, dstIndex] : [src, dst],
    workgroups: grid1d(count, 64),
    flops: outer * r * inner,
    bytes: 4 * (outer * r * inner + count),
  };
}
