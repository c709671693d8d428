// Softmax and log-softmax along one dim, and their gradients.
//
// Layout: the tensor is viewed as [OUTER, C, INNER] (row-major); a row is the C elements of one
// (outer, inner) pair, INNER apart. Numerically stable: m = max of the row, s = sum exp(x - m),
//   softmax     y = exp(x - m) / s
//   log_softmax y = x - m - log(s)
// Gradients, with g the output gradient and y the saved output:
//   softmax     dx = y * (g - sum_c g y)
//   log_softmax dx = g - exp(y) * sum_c g
// A row holding a NaN, or whose maximum is +-inf, is NaN throughout, as in PyTorch (where
// inf - inf makes it so). That is tested on the bits: compilers may assume floats are never NaN,
// so neither `v != v` nor NaN propagating through max / exp can be relied on.
//
// Dispatch: one invocation per row. The rows form a 2-D grid of X x Y: x (64 lanes per workgroup)
// walks X rows ROW_X elements apart, y walks Y rows ROW_Y apart, both as grid-stride loops (so
// either may exceed the adapter's workgroup limit); the host puts the larger of OUTER and INNER on
// x, so the lanes are busy whether the dim is the last one (INNER = 1) or not. No index is divided.
// The *4 entry points read and write vec4s when the rows are contiguous (INNER = 1) and C % 4 == 0
// (C, ROW_X and ROW_Y then count vec4s).

override C: u32;
override INNER: u32 = 1u;
override X: u32;
override Y: u32 = 1u;
override ROW_X: u32;
override ROW_Y: u32 = 0u;
override LOG: bool = false;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(0) var<storage, read> x4: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> y4: array<vec4f>;
@group(0) @binding(2) var<storage, read> g4: array<vec4f>;

var<private> nan_bits: u32 = 0x7fc00000u;

// Whether the bits are a NaN or an infinity (exponent all ones).
fn not_finite(bits: u32) -> bool {
  return (bits & 0x7f800000u) == 0x7f800000u;
}

fn fill_nan(base: u32) {
  var i = base;
  for (var c = 0u; c < C; c++) {
    y[i] = bitcast<f32>(nan_bits);
    i += INNER;
  }
}

fn row_forward(base: u32) {
  var m = x[base];
  var nan = not_finite(bitcast<u32>(m)) && (bitcast<u32>(m) & 0x007fffffu) != 0u;
  var i = base + INNER;
  for (var c = 1u; c < C; c++) {
    let v = x[i];
    let b = bitcast<u32>(v);
    nan = nan || (not_finite(b) && (b & 0x007fffffu) != 0u);
    m = max(m, v);
    i += INNER;
  }
  if (nan || not_finite(bitcast<u32>(m))) {
    fill_nan(base);
    return;
  }
  var s = 0.0;
  i = base;
  for (var c = 0u; c < C; c++) {
    s += exp(x[i] - m);
    i += INNER;
  }
  i = base;
  if (LOG) {
    let shift = m + log(s);
    for (var c = 0u; c < C; c++) {
      y[i] = x[i] - shift;
      i += INNER;
    }
  } else {
    let r = 1.0 / s;
    for (var c = 0u; c < C; c++) {
      y[i] = exp(x[i] - m) * r;
      i += INNER;
    }
  }
}

fn row_backward(base: u32) {
  // y is the saved output (binding 0), g the output gradient, dx written to binding 1.
  var dot = 0.0;
  var i = base;
  for (var c = 0u; c < C; c++) {
    if (LOG) { dot += g[i]; } else { dot += g[i] * x[i]; }
    i += INNER;
  }
  i = base;
  for (var c = 0u; c < C; c++) {
    if (LOG) { y[i] = g[i] - exp(x[i]) * dot; } else { y[i] = x[i] * (g[i] - dot); }
    i += INNER;
  }
}

fn hmax(v: vec4f) -> f32 {
  return max(max(v.x, v.y), max(v.z, v.w));
}

fn hsum(v: vec4f) -> f32 {
  return (v.x + v.y) + (v.z + v.w);
}

fn row_forward4(base: u32) {
  var mv = x4[base];
  var nan = any(((bitcast<vec4u>(mv) & vec4u(0x7f800000u)) == vec4u(0x7f800000u)) & ((bitcast<vec4u>(mv) & vec4u(0x007fffffu)) != vec4u(0u)));
  for (var c = 1u; c < C; c++) {
    let v = x4[base + c];
    let b = bitcast<vec4u>(v);
    nan = nan || any(((b & vec4u(0x7f800000u)) == vec4u(0x7f800000u)) & ((b & vec4u(0x007fffffu)) != vec4u(0u)));
    mv = max(mv, v);
  }
  let m = hmax(mv);
  if (nan || not_finite(bitcast<u32>(m))) {
    for (var c = 0u; c < C; c++) { y4[base + c] = vec4f(bitcast<f32>(nan_bits)); }
    return;
  }
  var sv = vec4f(0.0);
  for (var c = 0u; c < C; c++) { sv += exp(x4[base + c] - m); }
  let s = hsum(sv);
  if (LOG) {
    let shift = m + log(s);
    for (var c = 0u; c < C; c++) { y4[base + c] = x4[base + c] - shift; }
  } else {
    let r = 1.0 / s;
    for (var c = 0u; c < C; c++) { y4[base + c] = exp(x4[base + c] - m) * r; }
  }
}

fn row_backward4(base: u32) {
  var dv = vec4f(0.0);
  for (var c = 0u; c < C; c++) {
    if (LOG) { dv += g4[base + c]; } else { dv += g4[base + c] * x4[base + c]; }
  }
  let dot = hsum(dv);
  for (var c = 0u; c < C; c++) {
    if (LOG) { y4[base + c] = g4[base + c] - exp(x4[base + c]) * dot; } else { y4[base + c] = x4[base + c] * (g4[base + c] - dot); }
  }
}

@compute @workgroup_size(64)
fn forward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
           @builtin(num_workgroups) nwg: vec3u) {
  for (var b = wg.y; b < Y; b += nwg.y) {
    for (var a = wg.x * 64u + lid.x; a < X; a += nwg.x * 64u) { row_forward(b * ROW_Y + a * ROW_X); }
  }
}

@compute @workgroup_size(64)
fn backward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
            @builtin(num_workgroups) nwg: vec3u) {
  for (var b = wg.y; b < Y; b += nwg.y) {
    for (var a = wg.x * 64u + lid.x; a < X; a += nwg.x * 64u) { row_backward(b * ROW_Y + a * ROW_X); }
  }
}

@compute @workgroup_size(64)
fn forward4(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
            @builtin(num_workgroups) nwg: vec3u) {
  for (var b = wg.y; b < Y; b += nwg.y) {
    for (var a = wg.x * 64u + lid.x; a < X; a += nwg.x * 64u) { row_forward4(b * ROW_Y + a * ROW_X); }
  }
}

@compute @workgroup_size(64)
fn backward4(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
             @builtin(num_workgroups) nwg: vec3u) {
  for (var b = wg.y; b < Y; b += nwg.y) {
    for (var a = wg.x * 64u + lid.x; a < X; a += nwg.x * 64u) { row_backward4(b * ROW_Y + a * ROW_X); }
  }
}
