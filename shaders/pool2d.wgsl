// 2-D max and average pooling and their gradients, with PyTorch's semantics (padding, dilation for
// max, ceil mode through OH/OW, count_include_pad and divisor_override for average).
//
// Layout: x [NC, H, W] (N*C planes), y [NC, OH, OW]. Max pooling's indices are flat positions
// ih * W + iw inside the plane (what torch.nn.functional.max_pool2d(return_indices=True) returns).
// Window of output (oh, ow): rows oh*SH - PH + kh*DH for kh < KH, columns likewise.
//
// Dispatch: one invocation per row (of the output for forward kernels and the scatter backward, of
// the input for the gather backward kernels), 64 per workgroup, 2-D workgroup grid; the columns of
// the row are a loop. A row costs two integer divisions (plane, row), the loops none: on CPU
// adapters such as SwiftShader an integer division costs more than the rest of a pooling step.
//
//  max_backward_scatter: windows do not overlap (SH >= (KH-1)*DH+1 and SW likewise): each output
//      adds its gradient at its argmax; the input gradient must be zeroed first.
//  max_backward / avg_backward: general (overlapping windows, AlexNet's 3/2): each input element
//      gathers the gradients of the windows that cover it.
//  adaptive_*: adaptive pooling (PyTorch's windows: output o of an axis of n inputs and m outputs
//      covers inputs floor(o n / m) .. ceil((o + 1) n / m) - 1), for sizes where the windows are not
//      a plain kernel/stride grid (src/kernels/pool2d.ts maps those to the kernels above). Window
//      columns advance incrementally along the row (WQ = W / OW, WR = W % OW), so the loops divide
//      nothing. adaptive_*_backward gather over the outputs covering each input element: along an
//      axis, input i is covered by outputs floor(i m / n) .. ceil((i + 1) m / n) - 1 (BQ/BR are
//      OW / W and OW % W there); the average's gradient first divides dy by each window's size
//      (adaptive_avg_scale, one pass over the outputs) so the gather divides nothing.

override NC: u32;
override H: u32;
override W: u32;
override OH: u32;
override OW: u32;
override KH: u32;
override KW: u32;
override SH: u32;
override SW: u32;
override PH: u32 = 0u;
override PW: u32 = 0u;
override DH: u32 = 1u;
override DW: u32 = 1u;
override WITH_INDICES: bool = false;
override COUNT_INCLUDE_PAD: bool = true;
// 0 means no divisor override.
override DIVISOR: u32 = 0u;
override WQ: u32 = 0u;
override WR: u32 = 0u;
override BQ: u32 = 0u;
override BR: u32 = 0u;

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read> idx_in: array<i32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read_write> idx_out: array<i32>;

// NaN test on the bits: `v != v` may be folded to false by WGSL compilers.
fn is_nan(v: f32) -> bool {
  let b = bitcast<u32>(v);
  return (b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu) != 0u;
}

fn linear(wg: vec3u, lid: vec3u, nwg: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * 64u + lid.x;
}

@compute @workgroup_size(64)
fn max_forward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
               @builtin(num_workgroups) nwg: vec3u) {
  let row = linear(wg, lid, nwg);
  if (row >= NC * OH) { return; }
  let oh = row % OH;
  let base = (row / OH) * H * W;
  let h0 = i32(oh * SH) - i32(PH);
  var w0 = -i32(PW);
  var o = row * OW;
  for (var ow = 0u; ow < OW; ow++) {
    var best = 0.0;
    var arg = -1;
    for (var kh = 0u; kh < KH; kh++) {
      let ih = h0 + i32(kh * DH);
      if (ih < 0 || ih >= i32(H)) { continue; }
      for (var kw = 0u; kw < KW; kw++) {
        let iw = w0 + i32(kw * DW);
        if (iw < 0 || iw >= i32(W)) { continue; }
        let p = ih * i32(W) + iw;
        let v = src[base + u32(p)];
        if (arg < 0 || v > best || (is_nan(v) && !is_nan(best))) {
          best = v;
          arg = p;
        }
      }
    }
    dst[o] = best;
    if (WITH_INDICES) { idx_out[o] = arg; }
    o++;
    w0 += i32(SW);
  }
}

@compute @workgroup_size(64)
fn max_backward_scatter(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                        @builtin(num_workgroups) nwg: vec3u) {
  let row = linear(wg, lid, nwg);
  if (row >= NC * OH) { return; }
  let base = (row / OH) * H * W;
  var o = row * OW;
  for (var ow = 0u; ow < OW; ow++) {
    let p = idx_in[o];
    if (p >= 0) { dst[base + u32(p)] = src[o]; }
    o++;
  }
}

// The output rows/columns whose windows can cover input position `i` (no dilation): [lo, hi].
fn covering(i: u32, pad: u32, k: u32, s: u32, n: u32) -> vec2i {
  let t = i32(i + pad);
  let lo = max(0, (t - i32(k) + i32(s)) / i32(s));
  let hi = min(i32(n) - 1, t / i32(s));
  return vec2i(lo, hi);
}

@compute @workgroup_size(64)
fn max_backward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                @builtin(num_workgroups) nwg: vec3u) {
  let row = linear(wg, lid, nwg);
  if (row >= NC * H) { return; }
  let ih = row % H;
  let obase = (row / H) * OH * OW;
  var i = row * W;
  for (var iw = 0u; iw < W; iw++) {
    let me = i32(ih * W + iw);
    var acc = 0.0;
    for (var kh = 0u; kh < KH; kh++) {
      let th = i32(ih + PH) - i32(kh * DH);
      if (th < 0 || th % i32(SH) != 0) { continue; }
      let oh = u32(th) / SH;
      if (oh >= OH) { continue; }
      for (var kw = 0u; kw < KW; kw++) {
        let tw = i32(iw + PW) - i32(kw * DW);
        if (tw < 0 || tw % i32(SW) != 0) { continue; }
        let ow = u32(tw) / SW;
        if (ow >= OW) { continue; }
        let o = obase + oh * OW + ow;
        if (idx_in[o] == me) { acc += src[o]; }
      }
    }
    dst[i] = acc;
    i++;
  }
}

// The divisor of output (oh, ow), following PyTorch's avg_pool2d.
fn avg_divisor(oh: u32, ow: u32) -> f32 {
  if (DIVISOR != 0u) { return f32(DIVISOR); }
  let hs = i32(oh * SH) - i32(PH);
  let ws = i32(ow * SW) - i32(PW);
  let he = min(hs + i32(KH), i32(H + PH));
  let we = min(ws + i32(KW), i32(W + PW));
  if (COUNT_INCLUDE_PAD) { return f32((he - hs) * (we - ws)); }
  let h = min(he, i32(H)) - max(hs, 0);
  let w = min(we, i32(W)) - max(ws, 0);
  return f32(h * w);
}

@compute @workgroup_size(64)
fn avg_forward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
               @builtin(num_workgroups) nwg: vec3u) {
  let row = linear(wg, lid, nwg);
  if (row >= NC * OH) { return; }
  let oh = row % OH;
  let base = (row / OH) * H * W;
  let h0 = i32(oh * SH) - i32(PH);
  var w0 = -i32(PW);
  var o = row * OW;
  for (var ow = 0u; ow < OW; ow++) {
    var acc = 0.0;
    for (var kh = 0u; kh < KH; kh++) {
      let ih = h0 + i32(kh);
      if (ih < 0 || ih >= i32(H)) { continue; }
      for (var kw = 0u; kw < KW; kw++) {
        let iw = w0 + i32(kw);
        if (iw < 0 || iw >= i32(W)) { continue; }
        acc += src[base + u32(ih) * W + u32(iw)];
      }
    }
    dst[o] = acc / avg_divisor(oh, ow);
    o++;
    w0 += i32(SW);
  }
}

@compute @workgroup_size(64)
fn avg_backward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                @builtin(num_workgroups) nwg: vec3u) {
  let row = linear(wg, lid, nwg);
  if (row >= NC * H) { return; }
  let ih = row % H;
  let obase = (row / H) * OH * OW;
  let rows = covering(ih, PH, KH, SH, OH);
  var i = row * W;
  for (var iw = 0u; iw < W; iw++) {
    let cols = covering(iw, PW, KW, SW, OW);
    var acc = 0.0;
    for (var oh = rows.x; oh <= rows.y; oh++) {
      for (var ow = cols.x; ow <= cols.y; ow++) {
        acc += src[obase + u32(oh) * OW + u32(ow)] / avg_divisor(u32(oh), u32(ow));
      }
    }
    dst[i] = acc;
    i++;
  }
}

// ---- adaptive pooling ----------------------------------------------------------------------------

// Incremental floor(k * n / m) and ceil((k + 1) * n / m) for k = 0, 1, ...: q * m + r tracks k * n
// and (k + 1) * n, advancing by n = Q * m + R per step.
struct Bounds {
  sq: u32,
  sr: u32,
  eq: u32,
  er: u32,
}

fn bounds_first(q: u32, r: u32) -> Bounds {
  return Bounds(0u, 0u, q, r);
}

fn bounds_next(b: Bounds, q: u32, r: u32, m: u32) -> Bounds {
  var n = b;
  n.sq += q;
  n.sr += r;
  if (n.sr >= m) {
    n.sq++;
    n.sr -= m;
  }
  n.eq += q;
  n.er += r;
  if (n.er >= m) {
    n.eq++;
    n.er -= m;
  }
  return n;
}

fn bounds_end(b: Bounds) -> u32 {
  return b.eq + select(0u, 1u, b.er != 0u);
}

@compute @workgroup_size(64)
fn adaptive_max_forward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                        @builtin(num_workgroups) nwg: vec3u) {
  let row = linear(wg, lid, nwg);
  if (row >= NC * OH) { return; }
  let oh = row % OH;
  let base = (row / OH) * H * W;
  let hs = (oh * H) / OH;
  let he = ((oh + 1u) * H + OH - 1u) / OH;
  var b = bounds_first(WQ, WR);
  var o = row * OW;
  for (var ow = 0u; ow < OW; ow++) {
    var best = 0.0;
    var arg = -1;
    let we = bounds_end(b);
    for (var ih = hs; ih < he; ih++) {
      for (var iw = b.sq; iw < we; iw++) {
        let p = ih * W + iw;
        let v = src[base + p];
        if (arg < 0 || v > best || (is_nan(v) && !is_nan(best))) {
          best = v;
          arg = i32(p);
        }
      }
    }
    dst[o] = best;
    if (WITH_INDICES) { idx_out[o] = arg; }
    o++;
    b = bounds_next(b, WQ, WR, OW);
  }
}

// Sum of src over rows r0..r1-1 and columns c0..c1-1 of the plane at `base` with rows of `row_len`.
fn window_sum(base: u32, row_len: u32, r0: u32, r1: u32, c0: u32, c1: u32) -> f32 {
  var acc = 0.0;
  for (var r = r0; r < r1; r++) {
    for (var c = c0; c < c1; c++) {
      acc += src[base + r * row_len + c];
    }
  }
  return acc;
}

@compute @workgroup_size(64)
fn adaptive_avg_forward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                        @builtin(num_workgroups) nwg: vec3u) {
  let row = linear(wg, lid, nwg);
  if (row >= NC * OH) { return; }
  let oh = row % OH;
  let base = (row / OH) * H * W;
  let hs = (oh * H) / OH;
  let he = ((oh + 1u) * H + OH - 1u) / OH;
  var b = bounds_first(WQ, WR);
  var o = row * OW;
  for (var ow = 0u; ow < OW; ow++) {
    let we = bounds_end(b);
    dst[o] = window_sum(base, W, hs, he, b.sq, we) / f32((he - hs) * (we - b.sq));
    o++;
    b = bounds_next(b, WQ, WR, OW);
  }
}

// Window length of output o along an axis of n inputs and m outputs.
fn window_len(o: u32, n: u32, m: u32) -> u32 {
  return ((o + 1u) * n + m - 1u) / m - (o * n) / m;
}

@compute @workgroup_size(64)
fn adaptive_max_backward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                         @builtin(num_workgroups) nwg: vec3u) {
  let row = linear(wg, lid, nwg);
  if (row >= NC * H) { return; }
  let ih = row % H;
  let obase = (row / H) * OH * OW;
  let oh0 = (ih * OH) / H;
  let oh1 = ((ih + 1u) * OH + H - 1u) / H;
  var b = bounds_first(BQ, BR);
  var i = row * W;
  for (var iw = 0u; iw < W; iw++) {
    let me = i32(ih * W + iw);
    let ow1 = bounds_end(b);
    var acc = 0.0;
    for (var oh = oh0; oh < oh1; oh++) {
      for (var ow = b.sq; ow < ow1; ow++) {
        let o = obase + oh * OW + ow;
        if (idx_in[o] == me) { acc += src[o]; }
      }
    }
    dst[i] = acc;
    i++;
    b = bounds_next(b, BQ, BR, W);
  }
}

// dy / window size, per output row (the window columns advance as in adaptive_avg_forward).
@compute @workgroup_size(64)
fn adaptive_avg_scale(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                      @builtin(num_workgroups) nwg: vec3u) {
  let row = linear(wg, lid, nwg);
  if (row >= NC * OH) { return; }
  let rows = f32(window_len(row % OH, H, OH));
  var b = bounds_first(WQ, WR);
  var o = row * OW;
  for (var ow = 0u; ow < OW; ow++) {
    dst[o] = src[o] / (rows * f32(bounds_end(b) - b.sq));
    o++;
    b = bounds_next(b, WQ, WR, OW);
  }
}

// Sums the scaled output gradients (adaptive_avg_scale) of the windows covering each input.
@compute @workgroup_size(64)
fn adaptive_avg_backward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                         @builtin(num_workgroups) nwg: vec3u) {
  let row = linear(wg, lid, nwg);
  if (row >= NC * H) { return; }
  let ih = row % H;
  let obase = (row / H) * OH * OW;
  let oh0 = (ih * OH) / H;
  let oh1 = ((ih + 1u) * OH + H - 1u) / H;
  var b = bounds_first(BQ, BR);
  var i = row * W;
  for (var iw = 0u; iw < W; iw++) {
    let ow1 = bounds_end(b);
    dst[i] = window_sum(obase, OW, oh0, oh1, b.sq, ow1);
    i++;
    b = bounds_next(b, BQ, BR, W);
  }
}
