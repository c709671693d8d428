/**
 * Normalization layers in float64, as torch.nn.functional defines them: batch_norm (training and
 * eval, with the running-statistics update), instance_norm, group_norm, layer_norm and
 * local_response_norm, and their gradients.
 *
 * Batch, instance, group and layer norm are one computation: elements are split into groups
 * (a channel over the batch; a sample's channel; a sample's group of channels; a row of the
 * normalized shape), each normalized as (x - mean) / sqrt(var + eps) with its mean and biased
 * variance, then scaled and shifted by the affine parameters at the element's affine index
 * (its channel, or its position in the normalized shape).
 */
import { numel, zeros, type NDArray } from './ndarray.js';

/** Where each element goes: its group and its affine index. */
export interface Grouping {
  groups: number;
  group: (i: number) => number;
  affine: (i: number) => number;
}

/** Channel c of [N, C, ...] pooled over the batch (batch norm). */
export function byChannel(shape: readonly number[]): Grouping {
  const c = shape[1]!;
  const s = numel(shape.slice(2));
  const ch = (i: number) => Math.floor(i / s) % c;
  return { groups: c, group: ch, affine: ch };
}

/** Groups of C / g consecutive channels of each sample (group norm; g = C is instance norm). */
export function bySampleGroup(shape: readonly number[], g: number): Grouping {
  const c = shape[1]!;
  const s = numel(shape.slice(2));
  const cg = c / g;
  return {
    groups: shape[0]! * g,
    group: (i) => Math.floor(Math.floor(i / s) / cg),
    affine: (i) => Math.floor(i / s) % c,
  };
}

/** Rows of the last `size` elements (layer norm). */
export function byRow(shape: readonly number[], size: number): Grouping {
  return { groups: numel(shape) / size, group: (i) => Math.floor(i / size), affine: (i) => i % size };
}

export interface GroupStats {
  mean: Float64Array;
  /** Biased variance. */
  variance: Float64Array;
  count: Float64Array;
}

export function groupStats(x: NDArray, g: Grouping): GroupStats {
  const mean = new Float64Array(g.groups);
  const variance = new Float64Array(g.groups);
  const count = new Float64Array(g.groups);
  for (let i = 0; i < x.data.length; i++) {
    mean[g.group(i)] += x.data[i]!;
    count[g.group(i)]++;
  }
  for (let k = 0; k < g.groups; k++) mean[k] /= count[k]!;
  for (let i = 0; i < x.data.length; i++) variance[g.group(i)] += (x.data[i]! - mean[g.group(i)]!) ** 2;
  for (let k = 0; k < g.groups; k++) variance[k] /= count[k]!;
  return { mean, variance, count };
}

/** y = (x - mean[group]) / sqrt(var[group] + eps) * w[affine] + b[affine]. */
export function normalize(x: NDArray, g: Grouping, mean: ArrayLike<number>, variance: ArrayLike<number>, w: NDArray | null, b: NDArray | null, eps: number): NDArray {
  const y = zeros(x.shape);
  for (let i = 0; i < x.data.length; i++) {
    const k = g.group(i);
    const a = g.affine(i);
    y.data[i] = ((x.data[i]! - mean[k]!) / Math.sqrt(variance[k]! + eps)) * (w ? w.data[a]! : 1) + (b ? b.data[a]! : 0);
  }
  return y;
}

export interface NormGrads {
  dx: NDArray;
  dw: NDArray | null;
  db: NDArray | null;
}

/**
 * Gradients of normalize(). With batch statistics (`fixed` null) dx includes the paths through
 * the group's mean and variance; with fixed statistics (eval) it does not.
 */
export function normalizeBackward(
  gy: NDArray,
  x: NDArray,
  g: Grouping,
  w: NDArray | null,
  paramShape: readonly number[],
  eps: number,
  fixed: { mean: ArrayLike<number>; variance: ArrayLike<number> } | null,
): NormGrads {
  const st = fixed ? null : groupStats(x, g);
  const mean = fixed ? fixed.mean : st!.mean;
  const variance = fixed ? fixed.variance : st!.variance;
  const inv = Array.from({ length: g.groups }, (_, k) => 1 / Math.sqrt(variance[k]! + eps));
  const dw = zeros(paramShape);
  const db = zeros(paramShape);
  const sumG = new Float64Array(g.groups);
  const sumGX = new Float64Array(g.groups);
  for (let i = 0; i < x.data.length; i++) {
    const k = g.group(i);
    const a = g.affine(i);
    const xhat = (x.data[i]! - mean[k]!) * inv[k]!;
    dw.data[a] += gy.data[i]! * xhat;
    db.data[a] += gy.data[i]!;
    const gw = gy.data[i]! * (w ? w.data[a]! : 1);
    sumG[k] += gw;
    sumGX[k] += gw * xhat;
  }
  const dx = zeros(x.shape);
  for (let i = 0; i < x.data.length; i++) {
    const k = g.group(i);
    const a = g.affine(i);
    const gw = gy.data[i]! * (w ? w.data[a]! : 1);
    if (fixed) {
      dx.data[i] = gw * inv[k]!;
    } else {
      const xhat = (x.data[i]! - mean[k]!) * inv[k]!;
      const m = st!.count[k]!;
      dx.data[i] = inv[k]! * (gw - sumG[k]! / m - (xhat * sumGX[k]!) / m);
    }
  }
  return { dx, dw: w ? dw : null, db };
}

// ---- batch norm ----------------------------------------------------------------------------------

export interface BatchNormResult {
  y: NDArray;
  /** Running statistics after the update (training with running statistics), else as given. */
  runningMean: NDArray | null;
  runningVar: NDArray | null;
}

/** torch.nn.functional.batch_norm, with the in-place update of the running statistics returned. */
export function batchNorm(
  x: NDArray,
  runningMean: NDArray | null,
  runningVar: NDArray | null,
  w: NDArray | null,
  b: NDArray | null,
  training: boolean,
  momentum: number,
  eps: number,
): BatchNormResult {
  const g = byChannel(x.shape);
  if (!training) {
    return { y: normalize(x, g, runningMean!.data, runningVar!.data, w, b, eps), runningMean, runningVar };
  }
  const st = groupStats(x, g);
  const y = normalize(x, g, st.mean, st.variance, w, b, eps);
  if (!runningMean || !runningVar) return { y, runningMean, runningVar };
  const rm = zeros(runningMean.shape);
  const rv = zeros(runningVar.shape);
  for (let c = 0; c < g.groups; c++) {
    const m = st.count[c]!;
    rm.data[c] = (1 - momentum) * runningMean.data[c]! + momentum * st.mean[c]!;
    rv.data[c] = (1 - momentum) * runningVar.data[c]! + momentum * st.variance[c]! * (m / (m - 1));
  }
  return { y, runningMean: rm, runningVar: rv };
}

// ---- instance norm ---------------------------------------------------------------------------------

/**
 * torch.nn.functional.instance_norm with use_input_stats: each (sample, channel) normalized; the
 * running statistics move towards the batch average of the instance statistics.
 */
export function instanceNorm(
  x: NDArray,
  runningMean: NDArray | null,
  runningVar: NDArray | null,
  w: NDArray | null,
  b: NDArray | null,
  momentum: number,
  eps: number,
): BatchNormResult {
  const [n, c] = x.shape as [number, number];
  const g = bySampleGroup(x.shape, c);
  const st = groupStats(x, g);
  const y = normalize(x, g, st.mean, st.variance, w, b, eps);
  if (!runningMean || !runningVar) return { y, runningMean, runningVar };
  const rm = zeros([c]);
  const rv = zeros([c]);
  for (let ch = 0; ch < c; ch++) {
    let m = 0;
    let v = 0;
    for (let s = 0; s < n; s++) {
      const k = s * c + ch;
      m += st.mean[k]!;
      v += (st.variance[k]! * st.count[k]!) / (st.count[k]! - 1);
    }
    rm.data[ch] = (1 - momentum) * runningMean.data[ch]! + (momentum * m) / n;
    rv.data[ch] = (1 - momentum) * runningVar.data[ch]! + (momentum * v) / n;
  }
  return { y, runningMean: rm, runningVar: rv };
}

// ---- local response norm ----------------------------------------------------------------------------

/**
 * torch.nn.functional.local_response_norm: y = x / (k + alpha / size * sum of x^2 over the
 * channels c - size/2 .. c + (size - 1)/2 that exist)^beta, over [N, C, ...].
 */
export function localResponseNorm(x: NDArray, size: number, alpha: number, beta: number, k: number): NDArray {
  const [n, c] = x.shape as [number, number];
  const s = numel(x.shape.slice(2));
  const y = zeros(x.shape);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let p = 0; p < s; p++) {
        let sum = 0;
        for (let j = ch - Math.floor(size / 2); j <= ch + Math.floor((size - 1) / 2); j++) {
          if (j >= 0 && j < c) sum += x.data[(b * c + j) * s + p]! ** 2;
        }
        const i = (b * c + ch) * s + p;
        y.data[i] = x.data[i]! / (k + (alpha / size) * sum) ** beta;
      }
    }
  }
  return y;
}

/** Gradient of localResponseNorm with respect to x. */
export function localResponseNormBackward(gy: NDArray, x: NDArray, size: number, alpha: number, beta: number, k: number): NDArray {
  const [n, c] = x.shape as [number, number];
  const s = numel(x.shape.slice(2));
  const lo = Math.floor(size / 2);
  const hi = Math.floor((size - 1) / 2);
  const d = zeros(x.shape);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let p = 0; p < s; p++) {
        let sum = 0;
        for (let j = ch - lo; j <= ch + hi; j++) if (j >= 0 && j < c) sum += x.data[(b * c + j) * s + p]! ** 2;
        d.data[(b * c + ch) * s + p] = k + (alpha / size) * sum;
      }
    }
  }
  const dx = zeros(x.shape);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let p = 0; p < s; p++) {
        const i = (b * c + ch) * s + p;
        // y_o = x_o d_o^-beta for the outputs o whose window holds ch: o in ch - hi .. ch + lo.
        let acc = gy.data[i]! * d.data[i]! ** -beta;
        for (let o = ch - hi; o <= ch + lo; o++) {
          if (o < 0 || o >= c) continue;
          const io = (b * c + o) * s + p;
          acc -= gy.data[io]! * x.data[io]! * beta * d.data[io]! ** (-beta - 1) * (alpha / size) * 2 * x.data[i]!;
        }
        dx.data[i] = acc;
      }
    }
  }
  return dx;
}
