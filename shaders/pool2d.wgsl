// 2-D max and average pooling and their gradients, with PyTorch's semantics (padding, dilation for
// max, ceil mode through OH/OW, count_include_pad and divisor_override for average).
//
// Layout: x [NC, H, W] (N*C planes), y [NC, OH, OW]. Max pooling's indices are flat positions
// ih * W + iw inside the plane (what torch.nn.functional.max_pool2d(return_indices=True) returns).
// Window of output (oh, ow): rows oh*SH - PH + kh*DH for kh < KH, columns likewise.
//
// Backward kernels gather: one invocation per input element sums the gradients of the outputs
// whose windows cover it (no atomics, overlapping windows such as AlexNet's 3/2 work unchanged).
// Dispatch: one invocation per output (forward) or input (backward) element, 64 per workgroup.

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

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read> idx_in: array<i32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read_write> idx_out: array<i32>;

fn linear(wg: vec3u, lid: vec3u, nwg: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * 64u + lid.x;
}

@compute @workgroup_size(64)
fn max_forward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
               @builtin(num_workgroups) nwg: vec3u) {
  let i = linear(wg, lid, nwg);
  if (i >= NC * OH * OW) { return; }
  let ow = i % OW;
  let oh = (i / OW) % OH;
  let plane = i / (OW * OH);
  let base = plane * H * W;
  let h0 = i32(oh * SH) - i32(PH);
  let w0 = i32(ow * SW) - i32(PW);
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
      if (arg < 0 || v > best || (v != v && best == best)) {
        best = v;
        arg = p;
      }
    }
  }
  dst[i] = best;
  if (WITH_INDICES) { idx_out[i] = arg; }
}

@compute @workgroup_size(64)
fn max_backward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                @builtin(num_workgroups) nwg: vec3u) {
  let i = linear(wg, lid, nwg);
  if (i >= NC * H * W) { return; }
  let iw = i % W;
  let ih = (i / W) % H;
  let plane = i / (W * H);
  let obase = plane * OH * OW;
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
  let i = linear(wg, lid, nwg);
  if (i >= NC * OH * OW) { return; }
  let ow = i % OW;
  let oh = (i / OW) % OH;
  let plane = i / (OW * OH);
  let base = plane * H * W;
  let h0 = i32(oh * SH) - i32(PH);
  let w0 = i32(ow * SW) - i32(PW);
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
  dst[i] = acc / avg_divisor(oh, ow);
}

@compute @workgroup_size(64)
fn avg_backward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                @builtin(num_workgroups) nwg: vec3u) {
  let i = linear(wg, lid, nwg);
  if (i >= NC * H * W) { return; }
  let iw = i % W;
  let ih = (i / W) % H;
  let plane = i / (W * H);
  let obase = plane * OH * OW;
  var acc = 0.0;
  for (var kh = 0u; kh < KH; kh++) {
    let th = i32(ih + PH) - i32(kh);
    if (th < 0 || th % i32(SH) != 0) { continue; }
    let oh = u32(th) / SH;
    if (oh >= OH) { continue; }
    for (var kw = 0u; kw < KW; kw++) {
      let tw = i32(iw + PW) - i32(kw);
      if (tw < 0 || tw % i32(SW) != 0) { continue; }
      let ow = u32(tw) / SW;
      if (ow >= OW) { continue; }
      acc += src[obase + oh * OW + ow] / avg_divisor(oh, ow);
    }
  }
  dst[i] = acc;
}
