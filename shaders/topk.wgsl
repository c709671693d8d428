// Top-k along one dim, and the scatter of a gradient back to selected indices.
//
// Layout: the input is viewed as [OUTER, R, INNER] (row-major), a row being the R elements of one
// (outer, inner) pair, INNER apart. Outputs (values f32, indices i32) and the gradient g of the
// scatter are [OUTER, K, INNER].
//
// topk: the K best elements of each row in order, best first. "Best" is the largest (LARGEST) or
// the smallest value, NaN counting as larger than every number (as torch.topk); equal values are
// ordered by index. Selection: pass j scans the row for the best element that comes strictly after
// the (j-1)-th in that order, so a row costs K * R loads: meant for the small K of top-k metrics
// and pooling-like uses, not for sorting whole rows.
//
// scatter: dst (zeroed by the host) gets dst[outer, index[outer, k, inner], inner] = g[outer, k,
// inner]; the indices of one row are distinct (topk, max / min along a dim), so nothing collides.
//
// Dispatch: one invocation per row: lanes (64 per workgroup) walk X rows ROW_X elements apart in the
// input (OUT_X in the [OUTER, K, INNER] arrays), y walks Y rows ROW_Y (OUT_Y) apart, both as
// grid-stride loops; the host puts the larger of OUTER and INNER on the lanes. No index is divided.

override R: u32;
override K: u32;
override INNER: u32 = 1u;
override X: u32;
override Y: u32 = 1u;
override ROW_X: u32;
override ROW_Y: u32 = 0u;
override OUT_X: u32;
override OUT_Y: u32 = 0u;
override LARGEST: bool = true;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> values: array<f32>;   // scatter: dst
@group(0) @binding(2) var<storage, read_write> indices: array<i32>;
@group(0) @binding(3) var<storage, read> index_in: array<i32>;
@group(0) @binding(4) var<storage, read> g: array<f32>;

// NaN test on the bits: `v != v` may be folded to false by WGSL compilers.
fn is_nan(v: f32) -> bool {
  let b = bitcast<u32>(v);
  return (b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu) != 0u;
}

// Whether a comes before b in the order (value first, then index).
fn before(a: f32, ia: u32, b: f32, ib: u32) -> bool {
  let na = is_nan(a);
  let nb = is_nan(b);
  if (na || nb) {
    if (na && nb) { return ia < ib; }
    return select(nb, na, LARGEST);
  }
  if (a == b) { return ia < ib; }
  return select((a < b), (a > b), LARGEST);
}

fn row_topk(base: u32, out_base: u32) {
  var prev_v = 0.0;
  var prev_i = 0u;
  var o = out_base;
  for (var j = 0u; j < K; j++) {
    var best_v = 0.0;
    var best_i = R;  // none yet
    var p = base;
    for (var r = 0u; r < R; r++) {
      let v = x[p];
      p += INNER;
      if (j > 0u && !before(prev_v, prev_i, v, r)) { continue; }
      if (best_i == R || before(v, r, best_v, best_i)) {
        best_v = v;
        best_i = r;
      }
    }
    values[o] = best_v;
    indices[o] = i32(best_i);
    o += INNER;
    prev_v = best_v;
    prev_i = best_i;
  }
}

fn row_scatter(base: u32, out_base: u32) {
  var o = out_base;
  for (var j = 0u; j < K; j++) {
    values[base + u32(index_in[o]) * INNER] = g[o];
    o += INNER;
  }
}

@compute @workgroup_size(64)
fn topk(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(num_workgroups) nwg: vec3u) {
  for (var b = wg.y; b < Y; b += nwg.y) {
    for (var a = wg.x * 64u + lid.x; a < X; a += nwg.x * 64u) {
      row_topk(b * ROW_Y + a * ROW_X, b * OUT_Y + a * OUT_X);
    }
  }
}

@compute @workgroup_size(64)
fn scatter(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
           @builtin(num_workgroups) nwg: vec3u) {
  for (var b = wg.y; b < Y; b += nwg.y) {
    for (var a = wg.x * 64u + lid.x; a < X; a += nwg.x * 64u) {
      row_scatter(b * ROW_Y + a * ROW_X, b * OUT_Y + a * OUT_X);
    }
  }
}
