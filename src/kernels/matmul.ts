/**
 * Wrapper of shaders/matmul.wgsl: batched C = op(A) x op(B) (+ bias), 4x4 register tiles. When the
 * output has few tiles and K is long, K is split into chunks whose partial products a reduction
 * (shaders/reduce.wgsl) adds up, so the work still spreads over the whole device.
 */
import source from '../../shaders/matmul.wgsl?raw';
import type { ShaderSource } from '../device/pipeline-cache.js';
import type { BufRef, KernelContext } from './context.js';
import { epilogueBindings, epilogueConstants, epilogueFlops, withEpilogue, type BoundEpilogue } from './epilogue.js';
import { grid1d } from './grid.js';
import { reduceAxis } from './reduce.js';

export const matmulShader: ShaderSource = withEpilogue({ file: 'matmul.wgsl', code: source });

export interface MatmulShape {
  batch: number;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  /** Elements between batches of A / B; 0 broadcasts one matrix over the batch. */
  aBatchStride: number;
  bBatchStride: number;
}

/** Below this many output tiles, split K. */
const FEW_TILES = 512;
const MIN_K_CHUNK = 64;

export function splitCount(tiles: number, k: number): number {
  if (tiles >= FEW_TILES || k < 2 * MIN_K_CHUNK) return 1;
  return Math.max(1, Math.min(Math.floor(k / MIN_K_CHUNK), Math.ceil(FEW_TILES / tiles) * 2));
}

/** Whether the product splits K (and so cannot end with an epilogue: its kernel makes partial sums). */
export function splitsK(s: MatmulShape, hasBias: boolean): boolean {
  return !hasBias && splitCount(Math.ceil(s.m / 4) * Math.ceil(s.n / 4) * s.batch, s.k) > 1;
}

export function matmul(ctx: KernelContext, s: MatmulShape, a: BufRef, b: BufRef, c: BufRef, bias: BufRef | null, epi: BoundEpilogue | null = null): void {
  const tiles = Math.ceil(s.m / 4) * Math.ceil(s.n / 4) * s.batch;
  const splits = bias || epi ? 1 : splitCount(tiles, s.k);
  const chunk = Math.ceil(s.k / splits);
  const constants = {
    M: s.m, N: s.n, K: s.k, BATCH: s.batch, TRANS_A: s.transA, TRANS_B: s.transB,
    A_BATCH_STRIDE: s.aBatchStride, B_BATCH_STRIDE: s.bBatchStride, HAS_BIAS: bias !== null,
    SPLITS: splits, K_CHUNK: chunk, ...epilogueConstants(epi?.epilogue ?? null),
  };
  const out = splits > 1 ? ctx.temp(splits * s.batch * s.m * s.n * 4) : c;
  ctx.dispatch({
    shader: matmulShader,
    entryPoint: 'matmul',
    constants,
    bindings: [a, b, out, bias ?? a, ...epilogueBindings(epi, a)],
    workgroups: grid1d(tiles * splits, 64),
    flops: 2 * s.batch * s.m * s.n * s.k + epilogueFlops(epi?.epilogue ?? null, s.batch * s.m * s.n),
    bytes: 4 * s.batch * (s.m * s.k + s.k * s.n + s.m * s.n),
  });
  if (splits > 1) reduceAxis(ctx, 'sum', 1, splits, s.batch * s.m * s.n, out, c);
}
