// Batch, instance, group and layer normalization: statistics, normalization and gradients.
//
// Layout: x, y, dy, dx are [N, C, S] row-major (S = product of the trailing dims), that is N*C
// planes p = n*C + c of S contiguous elements. Entry points ending in _4 read and write planes as
// vec4 (S % 4 == 0), those ending in _1 as scalars; otherwise they are the same.
//
// Statistics groups. Batch norm (GROUP_BY_CHANNEL) pools channel c over the batch: group c.
// Instance, group and layer norm pool GDIV consecutive planes: group p / GDIV. The statistics
// buffer is [3, GROUPS]: mean, 1 / sqrt(var + EPS), biased variance.
// Sums are shifted by the group's first element K (sum of x - K and of (x - K)^2), so the variance
// does not cancel when |mean| >> std.
//
// Pipeline (one op, several dispatches):
//  stats_partial_*:    T invocations per plane of the statistics view [N, C, S] (for instance,
//                      group and layer norm the view is [1, groups, elements per group]); each
//                      sums a strided share of its plane into PART[(c * N + n) * T + j].
//  stats_finalize:     one invocation per group: adds its P partials, writes the statistics.
//  update_running:     one workgroup: running mean/var = (1 - f) * old + f * batch value (the
//                      variance unbiased by UNBIAS = M / (M - 1)), averaged over NAVG groups per
//                      channel (instance norm); f = MOMENTUM, or 1 / (count + 1) when CUMULATIVE;
//                      then the tracked-batch count is incremented.
//  apply_*:            y = (x - mean) * invstd * w[c] + b[c] (statistics of the batch when
//                      TRAIN, else the running ones: invstd = 1 / sqrt(running var + EPS)).
//  grad_partial_*:     like stats_partial, sums dy and dy * (x - mean).
//  grad_finalize_channel: batch norm, one invocation per channel: dw, db and the coefficients
//                      GCOEF[c] = (mean, invstd, B, D) of dx = dy * w * invstd + (x - mean) * B + D.
//  grad_finalize_group: instance/group/layer norm, one invocation per group: GCOEF, combining
//                      the group's planes weighted by w[c].
//  grad_params_group:  instance/group norm, one invocation per channel: dw, db over the batch
//                      (grad_params_planes instead writes each plane's terms, [C, N], for a
//                      reduce.wgsl pass over N when the batch is large).
//  dx_*:               dx from dy, x and GCOEF.
//  ln_*:               layer norm with an elementwise affine over the S elements of a row (one
//                      plane per row): apply, gradient partials (dy * w), dx, and the parameter
//                      gradients (one invocation per vector column and row chunk of RCHUNK rows).
//
// Dispatch: per-element kernels run T invocations per plane, 64 per workgroup, on a 2-D workgroup
// grid (id = (wg.y * nwg.x + wg.x) * 64 + lid.x); plane and channel cost two integer divisions
// per invocation, the loops none.

override N: u32 = 1u;
override C: u32 = 1u;
override S: u32 = 1u;
override T: u32 = 1u;
override GROUP_BY_CHANNEL: bool = true;
override GDIV: u32 = 1u;
override GROUPS: u32 = 1u;
// Partials per group in the finalize kernels (per plane for grad_finalize_group).
override P: u32 = 1u;
// Elements per statistics group.
override M: f32 = 1.0;
override EPS: f32 = 1e-5;
override HAS_W: bool = false;
override HAS_B: bool = false;
override TRAIN: bool = true;
override WRITE_DW: bool = false;
override WRITE_DB: bool = false;
override SUMS: bool = true;
// grad_finalize_group: groups per sample and channels per group.
override G: u32 = 1u;
override CG: u32 = 1u;
// update_running
override MOMENTUM: f32 = 0.1;
override CUMULATIVE: bool = false;
override UNBIAS: f32 = 1.0;
override NAVG: u32 = 1u;
override HAS_COUNT: bool = false;
// ln_params: rows per invocation, and row count.
override RCHUNK: u32 = 1u;
override ROWS: u32 = 1u;

@group(0) @binding(0) var<storage, read> x1: array<f32>;
@group(0) @binding(0) var<storage, read> x4: array<vec4f>;
@group(0) @binding(1) var<storage, read> dy1: array<f32>;
@group(0) @binding(1) var<storage, read> dy4: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> out1: array<f32>;
@group(0) @binding(2) var<storage, read_write> out4: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> part_out: array<vec2f>;
@group(0) @binding(3) var<storage, read> part_in: array<vec2f>;
// Batch statistics [3, GROUPS] (TRAIN), or the running mean (stat_a) and variance (stat_b).
@group(0) @binding(4) var<storage, read> stat_a: array<f32>;
@group(0) @binding(5) var<storage, read> stat_b: array<f32>;
@group(0) @binding(6) var<storage, read> weight: array<f32>;
@group(0) @binding(6) var<storage, read> weight4: array<vec4f>;
@group(0) @binding(7) var<storage, read> bias: array<f32>;
@group(0) @binding(7) var<storage, read> bias4: array<vec4f>;
@group(0) @binding(8) var<storage, read_write> stats_out: array<f32>;
@group(0) @binding(9) var<storage, read_write> gcoef_out: array<vec4f>;
@group(0) @binding(9) var<storage, read> gcoef: array<vec4f>;
@group(0) @binding(10) var<storage, read_write> dweight: array<f32>;
@group(0) @binding(10) var<storage, read_write> dweight4: array<vec4f>;
@group(0) @binding(11) var<storage, read_write> dbias: array<f32>;
@group(0) @binding(11) var<storage, read_write> dbias4: array<vec4f>;
@group(0) @binding(12) var<storage, read_write> run_mean: array<f32>;
@group(0) @binding(13) var<storage, read_write> run_var: array<f32>;
@group(0) @binding(14) var<storage, read_write> count: array<i32>;

fn linear_id(wg: vec3u, lid: vec3u, nwg: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * 64u + lid.x;
}

// Plane, share and batch/channel indices of invocation `id` (id = p * T + j).
struct Work {
  p: u32,
  j: u32,
  n: u32,
  c: u32,
}

fn work_of(id: u32) -> Work {
  var w: Work;
  w.p = id;
  w.j = 0u;
  if (T != 1u) {
    w.p = id / T;
    w.j = id - w.p * T;
  }
  if (N == 1u) {
    w.n = 0u;
    w.c = w.p;
  } else if (C == 1u) {
    w.n = w.p;
    w.c = 0u;
  } else {
    w.n = w.p / C;
    w.c = w.p - w.n * C;
  }
  return w;
}

fn group_of(w: Work) -> u32 {
  if (GROUP_BY_CHANNEL) { return w.c; }
  if (GDIV != 1u) { return w.p / GDIV; }
  return w.p;
}

fn partial_index(w: Work) -> u32 {
  return (w.c * N + w.n) * T + w.j;
}

// Mean and 1 / sqrt(var + EPS) of group g.
fn mean_invstd(g: u32) -> vec2f {
  if (TRAIN) { return vec2f(stat_a[g], stat_b[GROUPS + g]); }
  return vec2f(stat_a[g], inverseSqrt(stat_b[g] + EPS));
}

fn w_of(c: u32) -> f32 {
  if (HAS_W) { return weight[c]; }
  return 1.0;
}

fn b_of(c: u32) -> f32 {
  if (HAS_B) { return bias[c]; }
  return 0.0;
}

fn hsum(v: vec4f) -> f32 {
  return (v.x + v.y) + (v.z + v.w);
}

// ---- statistics --------------------------------------------------------------------------------

@compute @workgroup_size(64)
fn stats_partial_4(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                   @builtin(num_workgroups) nwg: vec3u) {
  let id = linear_id(wg, lid, nwg);
  if (id >= N * C * T) { return; }
  let w = work_of(id);
  let sv = S / 4u;
  let k = vec4f(x4[w.c * sv].x);
  var a1 = vec4f(0.0);
  var a2 = vec4f(0.0);
  var i = w.p * sv + w.j;
  let end = (w.p + 1u) * sv;
  for (; i < end; i += T) {
    let d = x4[i] - k;
    a1 += d;
    a2 += d * d;
  }
  part_out[partial_index(w)] = vec2f(hsum(a1), hsum(a2));
}

@compute @workgroup_size(64)
fn stats_partial_1(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                   @builtin(num_workgroups) nwg: vec3u) {
  let id = linear_id(wg, lid, nwg);
  if (id >= N * C * T) { return; }
  let w = work_of(id);
  let k = x1[w.c * S];
  var a1 = 0.0;
  var a2 = 0.0;
  var i = w.p * S + w.j;
  let end = (w.p + 1u) * S;
  for (; i < end; i += T) {
    let d = x1[i] - k;
    a1 += d;
    a2 += d * d;
  }
  part_out[partial_index(w)] = vec2f(a1, a2);
}

// One invocation per group g < GROUPS; the group's first element (the shift K) is x1[g * S].
@compute @workgroup_size(64)
fn stats_finalize(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                  @builtin(num_workgroups) nwg: vec3u) {
  let g = linear_id(wg, lid, nwg);
  if (g >= GROUPS) { return; }
  var s = vec2f(0.0);
  for (var i = g * P; i < (g + 1u) * P; i++) {
    s += part_in[i];
  }
  let d = s.x / M;
  let v = max(s.y / M - d * d, 0.0);
  stats_out[g] = x1[g * S] + d;
  stats_out[GROUPS + g] = 1.0 / sqrt(v + EPS);
  stats_out[2u * GROUPS + g] = v;
}

// One workgroup; channel c averages NAVG groups n * C + c (instance norm) or is group c.
@compute @workgroup_size(64)
fn update_running(@builtin(local_invocation_id) lid: vec3u) {
  var f = MOMENTUM;
  if (CUMULATIVE) { f = 1.0 / f32(count[0] + 1); }
  for (var c = lid.x; c < C; c += 64u) {
    var mean = 0.0;
    var v = 0.0;
    for (var n = 0u; n < NAVG; n++) {
      mean += stat_a[n * C + c];
      v += stat_a[2u * GROUPS + n * C + c];
    }
    mean = mean / f32(NAVG);
    v = v / f32(NAVG) * UNBIAS;
    run_mean[c] = (1.0 - f) * run_mean[c] + f * mean;
    run_var[c] = (1.0 - f) * run_var[c] + f * v;
  }
  if (HAS_COUNT) {
    workgroupBarrier();
    if (lid.x == 0u) { count[0] = count[0] + 1; }
  }
}

// ---- normalization -----------------------------------------------------------------------------

@compute @workgroup_size(64)
fn apply_4(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
           @builtin(num_workgroups) nwg: vec3u) {
  let id = linear_id(wg, lid, nwg);
  if (id >= N * C * T) { return; }
  let w = work_of(id);
  let mi = mean_invstd(group_of(w));
  let scale = vec4f(mi.y * w_of(w.c));
  let shift = vec4f(b_of(w.c));
  let mean = vec4f(mi.x);
  let sv = S / 4u;
  var i = w.p * sv + w.j;
  let end = (w.p + 1u) * sv;
  for (; i < end; i += T) {
    out4[i] = (x4[i] - mean) * scale + shift;
  }
}

@compute @workgroup_size(64)
fn apply_1(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
           @builtin(num_workgroups) nwg: vec3u) {
  let id = linear_id(wg, lid, nwg);
  if (id >= N * C * T) { return; }
  let w = work_of(id);
  let mi = mean_invstd(group_of(w));
  let scale = mi.y * w_of(w.c);
  let shift = b_of(w.c);
  var i = w.p * S + w.j;
  let end = (w.p + 1u) * S;
  for (; i < end; i += T) {
    out1[i] = (x1[i] - mi.x) * scale + shift;
  }
}

// ---- gradients ---------------------------------------------------------------------------------

@compute @workgroup_size(64)
fn grad_partial_4(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                  @builtin(num_workgroups) nwg: vec3u) {
  let id = linear_id(wg, lid, nwg);
  if (id >= N * C * T) { return; }
  let w = work_of(id);
  let mean = vec4f(stat_a[group_of(w)]);
  var a1 = vec4f(0.0);
  var a2 = vec4f(0.0);
  let sv = S / 4u;
  var i = w.p * sv + w.j;
  let end = (w.p + 1u) * sv;
  for (; i < end; i += T) {
    let g = dy4[i];
    a1 += g;
    a2 += g * (x4[i] - mean);
  }
  part_out[partial_index(w)] = vec2f(hsum(a1), hsum(a2));
}

@compute @workgroup_size(64)
fn grad_partial_1(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                  @builtin(num_workgroups) nwg: vec3u) {
  let id = linear_id(wg, lid, nwg);
  if (id >= N * C * T) { return; }
  let w = work_of(id);
  let mean = stat_a[group_of(w)];
  var a1 = 0.0;
  var a2 = 0.0;
  var i = w.p * S + w.j;
  let end = (w.p + 1u) * S;
  for (; i < end; i += T) {
    let g = dy1[i];
    a1 += g;
    a2 += g * (x1[i] - mean);
  }
  part_out[partial_index(w)] = vec2f(a1, a2);
}

// Batch norm: one invocation per channel c < C, P partials each (none when !SUMS).
@compute @workgroup_size(64)
fn grad_finalize_channel(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                         @builtin(num_workgroups) nwg: vec3u) {
  let c = linear_id(wg, lid, nwg);
  if (c >= C) { return; }
  var s = vec2f(0.0);
  if (SUMS) {
    for (var i = c * P; i < (c + 1u) * P; i++) {
      s += part_in[i];
    }
  }
  let mi = mean_invstd(c);
  if (WRITE_DW) { dweight[c] = s.y * mi.y; }
  if (WRITE_DB) { dbias[c] = s.x; }
  var b = 0.0;
  var d = 0.0;
  if (TRAIN) {
    let wi = w_of(c) * mi.y;
    b = -wi * mi.y * mi.y * s.y / M;
    d = -wi * s.x / M;
  }
  gcoef_out[c] = vec4f(mi.x, mi.y, b, d);
}

// Instance/group/layer norm: one invocation per group q < GROUPS (q = n * G + k, channels
// k * CG .. k * CG + CG - 1 of sample n), P partials per plane.
@compute @workgroup_size(64)
fn grad_finalize_group(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                       @builtin(num_workgroups) nwg: vec3u) {
  let q = linear_id(wg, lid, nwg);
  if (q >= GROUPS) { return; }
  var n = 0u;
  var k = q;
  if (G != 1u) {
    n = q / G;
    k = q - n * G;
  } else {
    n = q;
    k = 0u;
  }
  var a = 0.0;
  var b = 0.0;
  for (var cc = 0u; cc < CG; cc++) {
    let c = k * CG + cc;
    var s = vec2f(0.0);
    let first = (c * N + n) * P;
    for (var i = first; i < first + P; i++) {
      s += part_in[i];
    }
    let wc = w_of(c);
    a += wc * s.x;
    b += wc * s.y;
  }
  let mi = mean_invstd(q);
  gcoef_out[q] = vec4f(mi.x, mi.y, -mi.y * mi.y * mi.y * b / M, -mi.y * a / M);
}

// Instance/group norm: one invocation per channel c < C: dw and db summed over the batch.
@compute @workgroup_size(64)
fn grad_params_group(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                     @builtin(num_workgroups) nwg: vec3u) {
  let c = linear_id(wg, lid, nwg);
  if (c >= C) { return; }
  var k = c;
  if (CG != 1u) { k = c / CG; }
  var dw = 0.0;
  var db = 0.0;
  for (var n = 0u; n < N; n++) {
    var s = vec2f(0.0);
    let first = (c * N + n) * P;
    for (var i = first; i < first + P; i++) {
      s += part_in[i];
    }
    dw += s.y * stat_b[GROUPS + n * G + k];
    db += s.x;
  }
  if (WRITE_DW) { dweight[c] = dw; }
  if (WRITE_DB) { dbias[c] = db; }
}

// Instance/group norm, large batches: one invocation per (channel c, sample n), q = c * N + n:
// the plane's dw and db terms into dweight[q] / dbias[q].
@compute @workgroup_size(64)
fn grad_params_planes(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                      @builtin(num_workgroups) nwg: vec3u) {
  let q = linear_id(wg, lid, nwg);
  if (q >= C * N) { return; }
  let c = q / N;
  let n = q - c * N;
  var k = c;
  if (CG != 1u) { k = c / CG; }
  var s = vec2f(0.0);
  for (var i = q * P; i < (q + 1u) * P; i++) {
    s += part_in[i];
  }
  dweight[q] = s.y * stat_b[GROUPS + n * G + k];
  dbias[q] = s.x;
}

@compute @workgroup_size(64)
fn dx_4(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(num_workgroups) nwg: vec3u) {
  let id = linear_id(wg, lid, nwg);
  if (id >= N * C * T) { return; }
  let w = work_of(id);
  let k = gcoef[group_of(w)];
  let a = vec4f(w_of(w.c) * k.y);
  let mean = vec4f(k.x);
  let b = vec4f(k.z);
  let d = vec4f(k.w);
  let sv = S / 4u;
  var i = w.p * sv + w.j;
  let end = (w.p + 1u) * sv;
  for (; i < end; i += T) {
    out4[i] = dy4[i] * a + (x4[i] - mean) * b + d;
  }
}

@compute @workgroup_size(64)
fn dx_1(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(num_workgroups) nwg: vec3u) {
  let id = linear_id(wg, lid, nwg);
  if (id >= N * C * T) { return; }
  let w = work_of(id);
  let k = gcoef[group_of(w)];
  let a = w_of(w.c) * k.y;
  var i = w.p * S + w.j;
  let end = (w.p + 1u) * S;
  for (; i < end; i += T) {
    out1[i] = dy1[i] * a + (x1[i] - k.x) * k.z + k.w;
  }
}

// ---- layer norm with an elementwise affine: one plane per row (N rows, C = 1) -------------------

@compute @workgroup_size(64)
fn ln_apply_4(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
              @builtin(num_workgroups) nwg: vec3u) {
  let id = linear_id(wg, lid, nwg);
  if (id >= N * T) { return; }
  let w = work_of(id);
  let mi = mean_invstd(w.p);
  let mean = vec4f(mi.x);
  let inv = vec4f(mi.y);
  let sv = S / 4u;
  let base = w.p * sv;
  for (var s = w.j; s < sv; s += T) {
    var y = (x4[base + s] - mean) * inv;
    if (HAS_W) { y *= weight4[s]; }
    if (HAS_B) { y += bias4[s]; }
    out4[base + s] = y;
  }
}

@compute @workgroup_size(64)
fn ln_apply_1(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
              @builtin(num_workgroups) nwg: vec3u) {
  let id = linear_id(wg, lid, nwg);
  if (id >= N * T) { return; }
  let w = work_of(id);
  let mi = mean_invstd(w.p);
  let base = w.p * S;
  for (var s = w.j; s < S; s += T) {
    var y = (x1[base + s] - mi.x) * mi.y;
    if (HAS_W) { y *= weight[s]; }
    if (HAS_B) { y += bias[s]; }
    out1[base + s] = y;
  }
}

// Sums of dy * w and dy * w * (x - mean) per row share.
@compute @workgroup_size(64)
fn ln_grad_partial_4(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                     @builtin(num_workgroups) nwg: vec3u) {
  let id = linear_id(wg, lid, nwg);
  if (id >= N * T) { return; }
  let w = work_of(id);
  let mean = vec4f(stat_a[w.p]);
  var a1 = vec4f(0.0);
  var a2 = vec4f(0.0);
  let sv = S / 4u;
  let base = w.p * sv;
  for (var s = w.j; s < sv; s += T) {
    let g = dy4[base + s] * weight4[s];
    a1 += g;
    a2 += g * (x4[base + s] - mean);
  }
  part_out[partial_index(w)] = vec2f(hsum(a1), hsum(a2));
}

@compute @workgroup_size(64)
fn ln_grad_partial_1(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                     @builtin(num_workgroups) nwg: vec3u) {
  let id = linear_id(wg, lid, nwg);
  if (id >= N * T) { return; }
  let w = work_of(id);
  let mean = stat_a[w.p];
  var a1 = 0.0;
  var a2 = 0.0;
  let base = w.p * S;
  for (var s = w.j; s < S; s += T) {
    let g = dy1[base + s] * weight[s];
    a1 += g;
    a2 += g * (x1[base + s] - mean);
  }
  part_out[partial_index(w)] = vec2f(a1, a2);
}

@compute @workgroup_size(64)
fn ln_dx_4(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
           @builtin(num_workgroups) nwg: vec3u) {
  let id = linear_id(wg, lid, nwg);
  if (id >= N * T) { return; }
  let w = work_of(id);
  let k = gcoef[w.p];
  let inv = vec4f(k.y);
  let mean = vec4f(k.x);
  let b = vec4f(k.z);
  let d = vec4f(k.w);
  let sv = S / 4u;
  let base = w.p * sv;
  for (var s = w.j; s < sv; s += T) {
    out4[base + s] = dy4[base + s] * weight4[s] * inv + (x4[base + s] - mean) * b + d;
  }
}

@compute @workgroup_size(64)
fn ln_dx_1(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
           @builtin(num_workgroups) nwg: vec3u) {
  let id = linear_id(wg, lid, nwg);
  if (id >= N * T) { return; }
  let w = work_of(id);
  let k = gcoef[w.p];
  let base = w.p * S;
  for (var s = w.j; s < S; s += T) {
    out1[base + s] = dy1[base + s] * weight[s] * k.y + (x1[base + s] - k.x) * k.z + k.w;
  }
}

// Parameter gradients: invocation (chunk r, column vector s) sums rows r * RCHUNK .. of
// dy * (x - mean) * invstd and dy into row r of dweight / dbias ([ROWS / RCHUNK rounded up, S]).
@compute @workgroup_size(64)
fn ln_params_4(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
               @builtin(num_workgroups) nwg: vec3u) {
  let id = linear_id(wg, lid, nwg);
  let sv = S / 4u;
  let chunks = (ROWS + RCHUNK - 1u) / RCHUNK;
  if (id >= chunks * sv) { return; }
  let r0 = id / sv;
  let s = id - r0 * sv;
  var dw = vec4f(0.0);
  var db = vec4f(0.0);
  let last = min(ROWS, (r0 + 1u) * RCHUNK);
  var i = r0 * RCHUNK * sv + s;
  for (var r = r0 * RCHUNK; r < last; r++) {
    let g = dy4[i];
    db += g;
    dw += g * (x4[i] - vec4f(stat_a[r])) * stat_b[GROUPS + r];
    i += sv;
  }
  if (WRITE_DW) { dweight4[id] = dw; }
  if (WRITE_DB) { dbias4[id] = db; }
}

@compute @workgroup_size(64)
fn ln_params_1(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
               @builtin(num_workgroups) nwg: vec3u) {
  let id = linear_id(wg, lid, nwg);
  let chunks = (ROWS + RCHUNK - 1u) / RCHUNK;
  if (id >= chunks * S) { return; }
  let r0 = id / S;
  let s = id - r0 * S;
  var dw = 0.0;
  var db = 0.0;
  let last = min(ROWS, (r0 + 1u) * RCHUNK);
  var i = r0 * RCHUNK * S + s;
  for (var r = r0 * RCHUNK; r < last; r++) {
    let g = dy1[i];
    db += g;
    dw += g * (x1[i] - stat_a[r]) * stat_b[GROUPS + r];
    i += S;
  }
  if (WRITE_DW) { dweight[id] = dw; }
  if (WRITE_DB) { dbias[id] = db; }
}
