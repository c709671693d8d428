// Local response normalization across channels (torch.nn.functional.local_response_norm) and its
// gradient. With lo = SIZE / 2 and hi = (SIZE - 1) / 2, the window of channel c is channels
// c - lo .. c + hi that exist (PyTorch pads with zeros and divides by SIZE regardless), and
//   d_c = K + ALPHA / SIZE * sum over the window of x^2,    y_c = x_c * d_c^-BETA.
// Gradient: dx_j = dy_j d_j^-BETA - 2 ALPHA BETA / SIZE * x_j * sum_{o : j in window(o)} t_o,
//   t_o = dy_o x_o d_o^(-BETA - 1), the outputs o with j in their window being j - hi .. j + lo.
//
// Layout: x, y, d, dy, dx, t are [N, C, S] row-major (S = product of the spatial dims), read as
// vec4 along S when S % 4 == 0 (entry points *_4), else as scalars (*_1).
// Dispatch: one invocation per (sample n, block of CB channels, spatial vector s), 64 per workgroup,
// 2-D workgroup grid; s varies fastest. Each invocation walks its channels; window sums are
// recomputed for each channel (SIZE loads) rather than slid, so no rounding accumulates along C.

override C: u32 = 1u;
// Spatial vectors per plane (S / 4 for *_4, S for *_1).
override SV: u32 = 1u;
override CB: u32 = 16u;
override BLOCKS: u32 = 1u;
override COUNT: u32 = 1u;
override SIZE: u32 = 5u;
override ALPHA: f32 = 1e-4;
override BETA: f32 = 0.75;
override K: f32 = 1.0;
override WITH_SCALE: bool = true;

@group(0) @binding(0) var<storage, read> x1: array<f32>;
@group(0) @binding(0) var<storage, read> x4: array<vec4f>;
@group(0) @binding(1) var<storage, read> in1: array<f32>;
@group(0) @binding(1) var<storage, read> in4: array<vec4f>;
@group(0) @binding(2) var<storage, read> aux1: array<f32>;
@group(0) @binding(2) var<storage, read> aux4: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> out1: array<f32>;
@group(0) @binding(3) var<storage, read_write> out4: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> scale1: array<f32>;
@group(0) @binding(4) var<storage, read_write> scale4: array<vec4f>;

struct Work {
  // Index of (n, c0, s) and the channel range [c0, c1).
  base: u32,
  c0: u32,
  c1: u32,
}

fn work_of(wg: vec3u, lid: vec3u, nwg: vec3u) -> Work {
  let id = (wg.y * nwg.x + wg.x) * 64u + lid.x;
  var w: Work;
  w.c1 = 0u;
  if (id >= COUNT) { return w; }
  var s = 0u;
  var rest = id;
  if (SV != 1u) {
    rest = id / SV;
    s = id - rest * SV;
  }
  var n = rest;
  var b = 0u;
  if (BLOCKS != 1u) {
    n = rest / BLOCKS;
    b = rest - n * BLOCKS;
  }
  w.c0 = b * CB;
  w.c1 = min(C, w.c0 + CB);
  w.base = (n * C + w.c0) * SV + s;
  return w;
}

fn lo() -> i32 { return i32(SIZE / 2u); }
fn hi() -> i32 { return i32((SIZE - 1u) / 2u); }

@compute @workgroup_size(64)
fn forward_4(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
             @builtin(num_workgroups) nwg: vec3u) {
  let w = work_of(wg, lid, nwg);
  var i = w.base;
  for (var c = w.c0; c < w.c1; c++) {
    let first = max(i32(c) - lo(), 0);
    let last = min(i32(c) + hi(), i32(C) - 1);
    var sum = vec4f(0.0);
    var j = i - (c - u32(first)) * SV;
    for (var cc = first; cc <= last; cc++) {
      let v = x4[j];
      sum += v * v;
      j += SV;
    }
    let d = vec4f(K) + (ALPHA / f32(SIZE)) * sum;
    out4[i] = x4[i] * pow(d, vec4f(-BETA));
    if (WITH_SCALE) { scale4[i] = d; }
    i += SV;
  }
}

@compute @workgroup_size(64)
fn forward_1(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
             @builtin(num_workgroups) nwg: vec3u) {
  let w = work_of(wg, lid, nwg);
  var i = w.base;
  for (var c = w.c0; c < w.c1; c++) {
    let first = max(i32(c) - lo(), 0);
    let last = min(i32(c) + hi(), i32(C) - 1);
    var sum = 0.0;
    var j = i - (c - u32(first)) * SV;
    for (var cc = first; cc <= last; cc++) {
      let v = x1[j];
      sum += v * v;
      j += SV;
    }
    let d = K + (ALPHA / f32(SIZE)) * sum;
    out1[i] = x1[i] * pow(d, -BETA);
    if (WITH_SCALE) { scale1[i] = d; }
    i += SV;
  }
}

// t = dy * x * d^(-BETA - 1). Bindings: x, dy (in), d (aux), t (out).
@compute @workgroup_size(64)
fn backward_t_4(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                @builtin(num_workgroups) nwg: vec3u) {
  let w = work_of(wg, lid, nwg);
  var i = w.base;
  for (var c = w.c0; c < w.c1; c++) {
    out4[i] = in4[i] * x4[i] * pow(aux4[i], vec4f(-BETA - 1.0));
    i += SV;
  }
}

@compute @workgroup_size(64)
fn backward_t_1(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                @builtin(num_workgroups) nwg: vec3u) {
  let w = work_of(wg, lid, nwg);
  var i = w.base;
  for (var c = w.c0; c < w.c1; c++) {
    out1[i] = in1[i] * x1[i] * pow(aux1[i], -BETA - 1.0);
    i += SV;
  }
}

// dx from x, dy (in), d (aux) and t (scale binding, read through the read_write declaration).
@compute @workgroup_size(64)
fn backward_dx_4(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                 @builtin(num_workgroups) nwg: vec3u) {
  let w = work_of(wg, lid, nwg);
  var i = w.base;
  let coef = 2.0 * ALPHA * BETA / f32(SIZE);
  for (var c = w.c0; c < w.c1; c++) {
    let first = max(i32(c) - hi(), 0);
    let last = min(i32(c) + lo(), i32(C) - 1);
    var sum = vec4f(0.0);
    var j = i - (c - u32(first)) * SV;
    for (var o = first; o <= last; o++) {
      sum += scale4[j];
      j += SV;
    }
    out4[i] = in4[i] * pow(aux4[i], vec4f(-BETA)) - coef * x4[i] * sum;
    i += SV;
  }
}

@compute @workgroup_size(64)
fn backward_dx_1(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                 @builtin(num_workgroups) nwg: vec3u) {
  let w = work_of(wg, lid, nwg);
  var i = w.base;
  let coef = 2.0 * ALPHA * BETA / f32(SIZE);
  for (var c = w.c0; c < w.c1; c++) {
    let first = max(i32(c) - hi(), 0);
    let last = min(i32(c) + lo(), i32(C) - 1);
    var sum = 0.0;
    var j = i - (c - u32(first)) * SV;
    for (var o = first; o <= last; o++) {
      sum += scale1[j];
      j += SV;
    }
    out1[i] = in1[i] * pow(aux1[i], -BETA) - coef * x1[i] * sum;
    i += SV;
  }
}
