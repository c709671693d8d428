/**
 * Wrapper of shaders/norm.wgsl: the statistics, normalization and gradient kernels of batch,
 * instance, group and layer norm over a tensor viewed as [N, C, S] (planes of S contiguous
 * elements). Each function emits the dispatches of one step; the op files
 * (src/ops/batch-norm.ts, group-norm.ts, norm-common.ts) string them together.
 *
 * Reductions are split so they spread over the device: T invocations per plane each sum a strided
 * share of it (vec4 loads when S % 4 == 0) into partials, and a finalize kernel adds a group's
 * partials (after a pass of src/kernels/reduce.ts when a group has many).
 */
import source from '../../shaders/norm.wgsl?raw';
import type { ShaderSource } from '../device/pipeline-cache.js';
import type { BufRef, KernelCall, KernelContext } from './context.js';
import { grid1d } from './grid.js';
import { reduceAxis } from './reduce.js';

export const normShader: ShaderSource = { file: 'norm.wgsl', code: source };

/** [N, C, S]: N*C planes of S contiguous elements. */
export interface NormView {
  n: number;
  c: number;
  s: number;
}

/** Vectors a reduction invocation sums, and an elementwise one writes (see bench/NOTES.md). */
const REDUCE_VECTORS = 32;
const APPLY_VECTORS = 16;
/** Fewest invocations a split aims for, so that small batches still fill the device. */
const MIN_INVOCATIONS = 4096;
/** Partials per group above which a reduce.wgsl pass adds them before the finalize kernel. */
const MAX_FINALIZE_PARTIALS = 256;
/** Samples a per-channel kernel loops over; larger batches are summed by reduce.wgsl passes. */
const SERIAL_BATCH = 64;

function width(s: number): 1 | 4 {
  return s % 4 === 0 ? 4 : 1;
}

/** Invocations per plane for `perThread` vectors each, raised so the launch has enough of them. */
export function sharesPerPlane(v: NormView, perThread: number): number {
  const vectors = v.s / width(v.s);
  if (vectors === 0) return 1;
  let t = Math.max(1, Math.min(vectors, Math.round(vectors / perThread)));
  const planes = v.n * v.c;
  if (planes * t < MIN_INVOCATIONS) t = Math.min(vectors, Math.max(t, Math.ceil(MIN_INVOCATIONS / Math.max(1, planes))));
  return t;
}

function viewConstants(v: NormView, t: number): Record<string, number> {
  return { N: v.n, C: v.c, S: v.s, T: t };
}

function perPlaneCall(entry: string, v: NormView, t: number, constants: Record<string, number | boolean>, bindings: (BufRef | null)[], flopsPerElement: number, tensors: number): KernelCall {
  const elements = v.n * v.c * v.s;
  return {
    shader: normShader,
    entryPoint: `${entry}_${width(v.s)}`,
    constants: { ...viewConstants(v, t), ...constants },
    bindings,
    workgroups: grid1d(v.n * v.c * t, 64),
    flops: elements * flopsPerElement,
    bytes: 4 * elements * tensors,
  };
}

function perItemCall(entry: string, count: number, constants: Record<string, number | boolean>, bindings: (BufRef | null)[], flops = 0, bytes = 0): KernelCall {
  return { shader: normShader, entryPoint: entry, constants, bindings, workgroups: grid1d(count, 64), flops, bytes };
}

/** A binding slot for an optional operand the kernel does not read (WGSL still declares it). */
function unused(ctx: KernelContext, b: BufRef | null): BufRef {
  return b ?? ctx.temp(16);
}

/**
 * Adds the partial (sum, sum2) pairs of `groups` groups, `per` each, when there are many: returns
 * the buffer and count the finalize kernel should read.
 */
function foldPartials(ctx: KernelContext, part: BufRef, groups: number, per: number): [BufRef, number] {
  if (per <= MAX_FINALIZE_PARTIALS) return [part, per];
  const folded = ctx.temp(groups * 2 * 4);
  reduceAxis(ctx, 'sum', groups, per, 2, part, folded);
  return [folded, 1];
}

/**
 * Statistics of each channel c of view v pooled over its N planes: writes `stats` [3, C] (mean,
 * 1/sqrt(var + eps), biased var). Instance, group and layer norm pass [1, groups, group size].
 */
export function normStatistics(ctx: KernelContext, v: NormView, eps: number, x: BufRef, stats: BufRef): void {
  const t = sharesPerPlane(v, REDUCE_VECTORS);
  const per = v.n * t;
  const part = ctx.temp(v.c * per * 8);
  ctx.dispatch(perPlaneCall('stats_partial', v, t, {}, [x, null, null, part], 3, 1));
  const [sums, p] = foldPartials(ctx, part, v.c, per);
  ctx.dispatch(
    perItemCall(
      'stats_finalize',
      v.c,
      { GROUPS: v.c, S: v.s, P: p, M: v.n * v.s, EPS: eps },
      [x, null, null, sums, null, null, null, null, stats],
      v.c * p * 2,
      v.c * (p * 8 + 16),
    ),
  );
}

export interface RunningUpdate {
  /** null: cumulative average, 1 / (count + 1) with the tracked-batch count. */
  momentum: number | null;
  /** Channels. */
  channels: number;
  /** Groups of the statistics buffer (channels, or N * channels for instance norm). */
  groups: number;
  /** Groups averaged into each channel (N for instance norm, else 1). */
  average: number;
  /** Elements behind each group's variance (for the unbiased variance). */
  elements: number;
}

/** Running statistics update in place (one workgroup), and the tracked-batch count + 1. */
export function runningUpdate(ctx: KernelContext, u: RunningUpdate, stats: BufRef, runMean: BufRef, runVar: BufRef, count: BufRef | null): void {
  if (u.average > SERIAL_BATCH) {
    // Instance norm over a large batch: average the [3, N, C] statistics over N with a split sum.
    const averaged = ctx.temp(3 * u.channels * 4);
    reduceAxis(ctx, 'sum', 3, u.average, u.channels, stats, averaged, 1 / u.average);
    runningUpdate(ctx, { ...u, groups: u.channels, average: 1 }, averaged, runMean, runVar, count);
    return;
  }
  ctx.dispatch({
    shader: normShader,
    entryPoint: 'update_running',
    constants: {
      C: u.channels,
      GROUPS: u.groups,
      NAVG: u.average,
      UNBIAS: u.elements / (u.elements - 1),
      MOMENTUM: u.momentum ?? 0,
      CUMULATIVE: u.momentum === null,
      HAS_COUNT: count !== null,
    },
    bindings: [null, null, null, null, stats, null, null, null, null, null, null, null, runMean, runVar, count ?? ctx.temp(16)],
    workgroups: [1, 1, 1],
    flops: u.channels * u.average * 8,
    bytes: 4 * u.channels * (4 + 2 * u.average),
  });
}

/** Where apply and the gradients find each plane's group statistics. */
export interface GroupStats {
  /** Batch statistics [3, groups] in `stats`, or running mean/var per channel (eval). */
  train: boolean;
  /** Batch norm: group = channel; otherwise group = plane / planesPerGroup. */
  byChannel: boolean;
  planesPerGroup: number;
  groups: number;
  eps: number;
}

function groupConstants(g: GroupStats): Record<string, number | boolean> {
  return { TRAIN: g.train, GROUP_BY_CHANNEL: g.byChannel, GDIV: g.planesPerGroup, GROUPS: g.groups, EPS: g.eps };
}

/** Binding slots 4 and 5: the statistics buffer twice, or running mean and variance. */
function statBindings(stats: BufRef | [BufRef, BufRef]): [BufRef, BufRef] {
  return Array.isArray(stats) ? stats : [stats, stats];
}

/** y = (x - mean) * invstd * w[c] + b[c] over view v. */
export function normApply(
  ctx: KernelContext,
  v: NormView,
  g: GroupStats,
  x: BufRef,
  stats: BufRef | [BufRef, BufRef],
  weight: BufRef | null,
  bias: BufRef | null,
  y: BufRef,
): void {
  const t = sharesPerPlane(v, APPLY_VECTORS);
  const [a, b] = statBindings(stats);
  ctx.dispatch(
    perPlaneCall('apply', v, t, { ...groupConstants(g), HAS_W: weight !== null, HAS_B: bias !== null }, [x, null, y, null, a, b, unused(ctx, weight), unused(ctx, bias)], 3, 2),
  );
}

export interface GradOutputs {
  dx: BufRef | null;
  dw: BufRef | null;
  db: BufRef | null;
}

/**
 * Batch norm's gradients over view v (group = channel): dx, dw = sum(dy * xhat), db = sum(dy).
 * Training: dx also carries the terms through the batch mean and variance.
 */
export function batchNormGrad(
  ctx: KernelContext,
  v: NormView,
  g: GroupStats,
  x: BufRef,
  dy: BufRef,
  stats: BufRef | [BufRef, BufRef],
  weight: BufRef | null,
  out: GradOutputs,
): void {
  const [a, b] = statBindings(stats);
  const sums = g.train || out.dw !== null || out.db !== null;
  let part: BufRef | null = null;
  let p = 0;
  if (sums) {
    const t = sharesPerPlane(v, REDUCE_VECTORS);
    const raw = ctx.temp(v.c * v.n * t * 8);
    ctx.dispatch(perPlaneCall('grad_partial', v, t, groupConstants(g), [x, dy, null, raw, a], 4, 2));
    [part, p] = foldPartials(ctx, raw, v.c, v.n * t);
  }
  const gcoef = ctx.temp(v.c * 16);
  ctx.dispatch(
    perItemCall(
      'grad_finalize_channel',
      v.c,
      {
        ...groupConstants(g),
        C: v.c,
        P: p,
        M: v.n * v.s,
        SUMS: sums,
        HAS_W: weight !== null,
        WRITE_DW: out.dw !== null,
        WRITE_DB: out.db !== null,
      },
      [null, null, null, part ?? ctx.temp(16), a, b, unused(ctx, weight), null, null, gcoef, unused(ctx, out.dw), unused(ctx, out.db)],
      v.c * p * 2,
      v.c * (p * 8 + 32),
    ),
  );
  if (out.dx) {
    const t = sharesPerPlane(v, APPLY_VECTORS);
    ctx.dispatch(perPlaneCall('dx', v, t, { ...groupConstants(g), HAS_W: weight !== null }, [x, dy, out.dx, null, null, null, unused(ctx, weight), null, null, gcoef], 4, 3));
  }
}

/** Instance / group norm layout of the gradient: G groups per sample of CG channels. */
export interface GroupLayout {
  groupsPerSample: number;
  channelsPerGroup: number;
}

/**
 * Gradients of instance and group norm over view v = [N, C, S] with batch statistics `stats`
 * [3, N * G]: dx through the group's mean and variance, dw and db summed over the batch.
 */
export function groupNormGrad(
  ctx: KernelContext,
  v: NormView,
  layout: GroupLayout,
  eps: number,
  x: BufRef,
  dy: BufRef,
  stats: BufRef,
  weight: BufRef | null,
  out: GradOutputs,
): void {
  const groups = v.n * layout.groupsPerSample;
  const g: GroupStats = { train: true, byChannel: false, planesPerGroup: layout.channelsPerGroup, groups, eps };
  const t = sharesPerPlane(v, REDUCE_VECTORS);
  const raw = ctx.temp(v.c * v.n * t * 8);
  ctx.dispatch(perPlaneCall('grad_partial', v, t, groupConstants(g), [x, dy, null, raw, stats], 4, 2));
  const [part, p] = foldPartials(ctx, raw, v.c * v.n, t);
  const group = {
    ...groupConstants(g),
    N: v.n,
    C: v.c,
    P: p,
    G: layout.groupsPerSample,
    CG: layout.channelsPerGroup,
    M: layout.channelsPerGroup * v.s,
    HAS_W: weight !== null,
    WRITE_DW: out.dw !== null,
    WRITE_DB: out.db !== null,
  };
  if ((out.dw || out.db) && v.n <= SERIAL_BATCH) {
    ctx.dispatch(
      perItemCall('grad_params_group', v.c, group, [null, null, null, part, null, stats, null, null, null, null, unused(ctx, out.dw), unused(ctx, out.db)], v.c * v.n * p * 2, v.c * v.n * p * 8),
    );
  } else if (out.dw || out.db) {
    // Each plane's terms, then a split sum over the batch.
    const dwTerms = ctx.temp(v.c * v.n * 4);
    const dbTerms = ctx.temp(v.c * v.n * 4);
    ctx.dispatch(perItemCall('grad_params_planes', v.c * v.n, group, [null, null, null, part, null, stats, null, null, null, null, dwTerms, dbTerms], v.c * v.n * p * 2, v.c * v.n * (p * 8 + 8)));
    if (out.dw) reduceAxis(ctx, 'sum', v.c, v.n, 1, dwTerms, out.dw);
    if (out.db) reduceAxis(ctx, 'sum', v.c, v.n, 1, dbTerms, out.db);
  }
  if (!out.dx) return;
  const gcoef = ctx.temp(groups * 16);
  ctx.dispatch(
    perItemCall('grad_finalize_group', groups, group, [null, null, null, part, stats, stats, unused(ctx, weight), null, null, gcoef], v.c * v.n * p * 2, v.c * v.n * p * 8),
  );
  const ta = sharesPerPlane(v, APPLY_VECTORS);
  ctx.dispatch(perPlaneCall('dx', v, ta, { ...groupConstants(g), HAS_W: weight !== null }, [x, dy, out.dx, null, null, null, unused(ctx, weight), null, null, gcoef], 4, 3));
}

/** Layer norm with an elementwise affine: rows [R, D] with weight/bias [D]. */
export function layerNormApply(ctx: KernelContext, rows: number, d: number, eps: number, x: BufRef, stats: BufRef, weight: BufRef | null, bias: BufRef | null, y: BufRef): void {
  const v: NormView = { n: rows, c: 1, s: d };
  const t = sharesPerPlane(v, APPLY_VECTORS);
  const g: GroupStats = { train: true, byChannel: false, planesPerGroup: 1, groups: rows, eps };
  ctx.dispatch(
    perPlaneCall('ln_apply', v, t, { ...groupConstants(g), HAS_W: weight !== null, HAS_B: bias !== null }, [x, null, y, null, stats, stats, unused(ctx, weight), unused(ctx, bias)], 3, 2),
  );
}

/** Layer norm's gradients with an elementwise affine (weight given; bias optional). */
export function layerNormGrad(ctx: KernelContext, rows: number, d: number, eps: number, x: BufRef, dy: BufRef, stats: BufRef, weight: BufRef, out: GradOutputs): void {
  const v: NormView = { n: rows, c: 1, s: d };
  const g: GroupStats = { train: true, byChannel: false, planesPerGroup: 1, groups: rows, eps };
  if (out.dx) {
    const t = sharesPerPlane(v, REDUCE_VECTORS);
    const raw = ctx.temp(rows * t * 8);
    ctx.dispatch(perPlaneCall('ln_grad_partial', v, t, groupConstants(g), [x, dy, null, raw, stats, null, weight], 5, 3));
    const [part, p] = foldPartials(ctx, raw, rows, t);
    const gcoef = ctx.temp(rows * 16);
    ctx.dispatch(
      perItemCall(
        'grad_finalize_group',
        rows,
        { ...groupConstants(g), N: rows, C: 1, P: p, G: 1, CG: 1, M: d, HAS_W: false },
        [null, null, null, part, stats, stats, unused(ctx, null), null, null, gcoef],
        rows * p * 2,
        rows * p * 8,
      ),
    );
    const ta = sharesPerPlane(v, APPLY_VECTORS);
    ctx.dispatch(perPlaneCall('ln_dx', v, ta, groupConstants(g), [x, dy, out.dx, null, null, null, weight, null, null, gcoef], 6, 4));
  }
  if (out.dw || out.db) layerNormParamGrad(ctx, rows, d, x, dy, stats, out);
}

/** Columns sums over rows of dy * xhat (dw) and dy (db), split over row chunks when few columns. */
export function layerNormParamGrad(ctx: KernelContext, rows: number, d: number, x: BufRef, dy: BufRef, stats: BufRef, out: GradOutputs): void {
  const w = width(d);
  const columns = d / w;
  // Enough chunks that the launch fills the device, each at least 16 rows.
  const chunks = Math.max(1, Math.min(Math.ceil(rows / 16), Math.ceil(MIN_INVOCATIONS / columns)));
  const rchunk = Math.ceil(rows / chunks);
  const k = Math.ceil(rows / rchunk);
  const dwPart = out.dw ? (k === 1 ? out.dw : ctx.temp(k * d * 4)) : ctx.temp(16);
  const dbPart = out.db ? (k === 1 ? out.db : ctx.temp(k * d * 4)) : ctx.temp(16);
  ctx.dispatch({
    shader: normShader,
    entryPoint: `ln_params_${w}`,
    constants: { S: d, ROWS: rows, RCHUNK: rchunk, GROUPS: rows, WRITE_DW: out.dw !== null, WRITE_DB: out.db !== null },
    bindings: [x, dy, null, null, stats, stats, null, null, null, null, dwPart, dbPart],
    workgroups: grid1d(k * columns, 64),
    flops: rows * d * 5,
    bytes: 4 * (2 * rows * d + 2 * k * d),
  });
  if (k > 1) {
    if (out.dw) reduceAxis(ctx, 'sum', 1, k, d, dwPart, out.dw);
    if (out.db) reduceAxis(ctx, 'sum', 1, k, d, dbPart, out.db);
  }
}
