/**
 * torch.nn.functional.cross_entropy (logits and int class targets, with class weights, ignoreIndex,
 * labelSmoothing and the three reductions) and mse_loss, with their gradients, in float64.
 *
 * Logits are [N, C] or [N, C, d1, ...] (class dim 1) or [C]; targets [N] / [N, d1, ...] / [].
 * Per row r with target y, class weights w (all 1 without weights), eps the smoothing and
 * log p = log_softmax(x):
 *   loss_r = (1 - eps) * (-w_y log p_y) + (eps / C) * sum_c (-w_c log p_c),   0 when y == ignoreIndex
 * 'mean' divides the sum by the summed w_y of the rows not ignored (PyTorch's weighted mean).
 */
import { numel, zeros, type NDArray } from './ndarray.js';

export type LossReduction = 'mean' | 'sum' | 'none';

export interface CrossEntropyParams {
  weight?: ArrayLike<number> | null;
  ignoreIndex?: number;
  reduction?: LossReduction;
  labelSmoothing?: number;
}

interface Rows {
  classes: number;
  /** Number of rows (N * d1 * ...). */
  count: number;
  /** Shape of the per-row losses (the target's shape). */
  shape: number[];
  /** Flat logit index of class c in row r. */
  at(r: number, c: number): number;
}

function rowsOf(logitShape: readonly number[]): Rows {
  if (logitShape.length === 1) return { classes: logitShape[0]!, count: 1, shape: [], at: (_r, c) => c };
  const [n, classes] = logitShape as [number, number];
  const inner = numel(logitShape.slice(2));
  return {
    classes,
    count: n * inner,
    shape: [n, ...logitShape.slice(2)],
    at: (r, c) => (Math.floor(r / inner) * classes + c) * inner + (r % inner),
  };
}

/** log-softmax of row r. */
function logSoftmaxRow(x: NDArray, rows: Rows, r: number): number[] {
  const v = Array.from({ length: rows.classes }, (_, c) => x.data[rows.at(r, c)]!);
  const max = Math.max(...v);
  const lse = max + Math.log(v.reduce((s, t) => s + Math.exp(t - max), 0));
  return v.map((t) => t - lse);
}

function checkTarget(y: number, classes: number, ignoreIndex: number): void {
  if (y !== ignoreIndex && (y < 0 || y >= classes || !Number.isInteger(y))) {
    throw new Error(`crossEntropy reference: target ${y} is not a class in [0, ${classes})`);
  }
}

export function crossEntropy(logits: NDArray, target: ArrayLike<number>, p: CrossEntropyParams = {}): NDArray {
  const rows = rowsOf(logits.shape);
  const ignore = p.ignoreIndex ?? -100;
  const eps = p.labelSmoothing ?? 0;
  const w = (c: number): number => (p.weight ? p.weight[c]! : 1);
  const perRow = zeros(rows.shape);
  let weightSum = 0;
  for (let r = 0; r < rows.count; r++) {
    const y = target[r]!;
    checkTarget(y, rows.classes, ignore);
    if (y === ignore) continue;
    const logp = logSoftmaxRow(logits, rows, r);
    let smooth = 0;
    for (let c = 0; c < rows.classes; c++) smooth -= w(c) * logp[c]!;
    perRow.data[r] = (1 - eps) * -w(y) * logp[y]! + (eps / rows.classes) * smooth;
    weightSum += w(y);
  }
  const reduction = p.reduction ?? 'mean';
  if (reduction === 'none') return perRow;
  const total = perRow.data.reduce((s, v) => s + v, 0);
  return { shape: [], data: Float64Array.of(reduction === 'sum' ? total : total / weightSum) };
}

/**
 * dL/dlogits for the output gradient gy (a scalar for 'mean'/'sum', per row for 'none'):
 * row r's logit c gets s_r * ((1 - eps) * w_y * (p_c - [c == y]) + (eps / C) * (sum(w) * p_c - w_c)).
 */
export function crossEntropyBackward(logits: NDArray, target: ArrayLike<number>, p: CrossEntropyParams, gy: NDArray): NDArray {
  const rows = rowsOf(logits.shape);
  const ignore = p.ignoreIndex ?? -100;
  const eps = p.labelSmoothing ?? 0;
  const w = (c: number): number => (p.weight ? p.weight[c]! : 1);
  let wAll = 0;
  for (let c = 0; c < rows.classes; c++) wAll += w(c);
  const reduction = p.reduction ?? 'mean';
  let weightSum = 0;
  for (let r = 0; r < rows.count; r++) if (target[r] !== ignore) weightSum += w(target[r]!);
  const dx = zeros(logits.shape);
  for (let r = 0; r < rows.count; r++) {
    const y = target[r]!;
    checkTarget(y, rows.classes, ignore);
    if (y === ignore) continue;
    const scale = reduction === 'none' ? gy.data[r]! : reduction === 'sum' ? gy.data[0]! : gy.data[0]! / weightSum;
    const prob = logSoftmaxRow(logits, rows, r).map(Math.exp);
    for (let c = 0; c < rows.classes; c++) {
      const nll = w(y) * (prob[c]! - (c === y ? 1 : 0));
      const smooth = wAll * prob[c]! - w(c);
      dx.data[rows.at(r, c)] = scale * ((1 - eps) * nll + (eps / rows.classes) * smooth);
    }
  }
  return dx;
}

/** (input - target)^2, reduced. */
export function mseLoss(input: NDArray, target: NDArray, reduction: LossReduction = 'mean'): NDArray {
  const sq = input.data.map((v, i) => (v - target.data[i]!) ** 2);
  if (reduction === 'none') return { shape: [...input.shape], data: sq };
  const total = sq.reduce((s, v) => s + v, 0);
  return { shape: [], data: Float64Array.of(reduction === 'sum' ? total : total / sq.length) };
}

/** [dL/dinput, dL/dtarget]. */
export function mseLossBackward(input: NDArray, target: NDArray, reduction: LossReduction, gy: NDArray): [NDArray, NDArray] {
  const n = input.data.length;
  const scale = (i: number): number => (reduction === 'none' ? gy.data[i]! : reduction === 'sum' ? gy.data[0]! : gy.data[0]! / n);
  const di = input.data.map((v, i) => 2 * (v - target.data[i]!) * scale(i));
  return [
    { shape: [...input.shape], data: di },
    { shape: [...input.shape], data: di.map((v) => -v) },
  ];
}

/** log-softmax over the class dim (1, or 0 for unbatched [C]) of every row. */
function logSoftmaxRows(x: NDArray): { rows: Rows; logp: number[][] } {
  const rows = rowsOf(x.shape);
  return { rows, logp: Array.from({ length: rows.count }, (_, r) => logSoftmaxRow(x, rows, r)) };
}

/**
 * Cross-entropy with class-probability targets t of the logits' shape (PyTorch 1.13):
 * per row -sum_c w_c t'_c log softmax(x)_c with t' = (1 - eps) t + eps / C; 'mean' divides by the
 * number of rows.
 */
export function crossEntropyProbs(logits: NDArray, target: NDArray, p: CrossEntropyParams = {}): NDArray {
  const { rows, logp } = logSoftmaxRows(logits);
  const eps = p.labelSmoothing ?? 0;
  const w = (c: number): number => (p.weight ? p.weight[c]! : 1);
  const perRow = zeros(rows.shape);
  for (let r = 0; r < rows.count; r++) {
    let s = 0;
    for (let c = 0; c < rows.classes; c++) {
      const t = (1 - eps) * target.data[rows.at(r, c)]! + eps / rows.classes;
      s -= w(c) * t * logp[r]![c]!;
    }
    perRow.data[r] = s;
  }
  const reduction = p.reduction ?? 'mean';
  if (reduction === 'none') return perRow;
  const total = perRow.data.reduce((a, v) => a + v, 0);
  return { shape: [], data: Float64Array.of(reduction === 'sum' ? total : total / rows.count) };
}

export interface NllParams {
  weight?: ArrayLike<number> | null;
  ignoreIndex?: number;
  reduction?: LossReduction;
}

/** nll_loss of log-probabilities: per row -w_y x_y (0 when ignored); 'mean' over the summed w_y. */
export function nllLoss(input: NDArray, target: ArrayLike<number>, p: NllParams = {}): NDArray {
  const rows = rowsOf(input.shape);
  const ignore = p.ignoreIndex ?? -100;
  const w = (c: number): number => (p.weight ? p.weight[c]! : 1);
  const perRow = zeros(rows.shape);
  let weightSum = 0;
  for (let r = 0; r < rows.count; r++) {
    const y = target[r]!;
    checkTarget(y, rows.classes, ignore);
    if (y === ignore) continue;
    perRow.data[r] = -w(y) * input.data[rows.at(r, y)]!;
    weightSum += w(y);
  }
  const reduction = p.reduction ?? 'mean';
  if (reduction === 'none') return perRow;
  const total = perRow.data.reduce((a, v) => a + v, 0);
  return { shape: [], data: Float64Array.of(reduction === 'sum' ? total : total / weightSum) };
}

export interface BceParams {
  /** Broadcast to the input's shape (given here already expanded, or null). */
  weight?: NDArray | null;
  posWeight?: NDArray | null;
  reduction?: LossReduction;
}

/** The value of `a` (broadcast) at flat position i of `shape`. */
function at(a: NDArray | null | undefined, shape: readonly number[], i: number): number {
  if (!a) return 1;
  const idx = unravelIndex(i, shape);
  const off = idx.length - a.shape.length;
  let flat = 0;
  for (let d = 0; d < a.shape.length; d++) flat = flat * a.shape[d]! + (a.shape[d] === 1 ? 0 : idx[d + off]!);
  return a.data[flat]!;
}

function unravelIndex(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}

/**
 * binary_cross_entropy_with_logits: per element w ((1 - t) x + (1 + (p - 1) t) log(1 + exp(-x))),
 * w and p broadcast to the input.
 */
export function bceWithLogits(x: NDArray, target: NDArray, p: BceParams = {}): NDArray {
  const out = zeros(x.shape);
  for (let i = 0; i < x.data.length; i++) {
    const v = x.data[i]!;
    const t = target.data[i]!;
    const softplusNeg = Math.max(-v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
    const lw = 1 + (at(p.posWeight, x.shape, i) - 1) * t;
    out.data[i] = at(p.weight, x.shape, i) * ((1 - t) * v + lw * softplusNeg);
  }
  const reduction = p.reduction ?? 'mean';
  if (reduction === 'none') return out;
  const total = out.data.reduce((a, v) => a + v, 0);
  return { shape: [], data: Float64Array.of(reduction === 'sum' ? total : total / out.data.length) };
}
