// im2col and col2im for convolution as a matrix product (shaders/gemm.wgsl), groups = 1.
//
// Layout: x [N, C, H, W]; col [N, KP, S4] where row k = (c, kh, kw) flattened (KP = C*KH*KW
// rounded up to 4, extra rows zero) and column s = oh * OW + ow (S = OH*OW rounded up to S4, a
// multiple of 4, extra columns zero). col[n, k, s] = x[n, c, oh*SH - PH + kh*DH, ow*SW - PW + kw*DW]
// (zero outside the input).
//
// Dispatch: one invocation per (n, k, oh) row segment of col, 64 per workgroup, 2-D workgroup grid;
// the ow loop holds no division. col2im: one invocation per input row (n, c, ih), gathering from
// every (kh, kw) tap the column that read it.

override N: u32;
override C: u32;
override H: u32;
override W: u32;
override KH: u32;
override KW: u32;
override OH: u32;
override OW: u32;
override SH: u32 = 1u;
override SW: u32 = 1u;
override PH: u32 = 0u;
override PW: u32 = 0u;
override DH: u32 = 1u;
override DW: u32 = 1u;
override KP: u32;
override S4: u32;

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;

fn linear(wg: vec3u, lid: vec3u, nwg: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * 64u + lid.x;
}

@compute @workgroup_size(64)
fn im2col(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
          @builtin(num_workgroups) nwg: vec3u) {
  let i = linear(wg, lid, nwg);
  if (i >= N * KP * OH) { return; }
  let oh = i % OH;
  let nk = i / OH;
  let k = nk % KP;
  let n = nk / KP;
  let out = nk * S4 + oh * OW;
  let last = oh == OH - 1u;
  let tail = S4 - OH * OW;
  if (k >= C * KH * KW) {
    for (var ow = 0u; ow < OW; ow++) { dst[out + ow] = 0.0; }
    if (last) { for (var j = 0u; j < tail; j++) { dst[out + OW + j] = 0.0; } }
    return;
  }
  let c = k / (KH * KW);
  let kk = k % (KH * KW);
  let ih = i32(oh * SH + (kk / KW) * DH) - i32(PH);
  var iw = i32((kk % KW) * DW) - i32(PW);
  if (ih < 0 || ih >= i32(H)) {
    for (var ow = 0u; ow < OW; ow++) { dst[out + ow] = 0.0; }
  } else {
    let row = ((n * C + c) * H + u32(ih)) * W;
    for (var ow = 0u; ow < OW; ow++) {
      var v = 0.0;
      if (iw >= 0 && iw < i32(W)) { v = src[row + u32(iw)]; }
      dst[out + ow] = v;
      iw += i32(SW);
    }
  }
  if (last) { for (var j = 0u; j < tail; j++) { dst[out + OW + j] = 0.0; } }
}

@compute @workgroup_size(64)
fn col2im(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
          @builtin(num_workgroups) nwg: vec3u) {
  let i = linear(wg, lid, nwg);
  if (i >= N * C * H) { return; }
  let ih = i % H;
  let nc = i / H;
  let c = nc % C;
  let n = nc / C;
  let colplane = n * KP * S4;
  var out = i * W;
  for (var iw = 0u; iw < W; iw++) {
    var acc = 0.0;
    var k = c * KH * KW;
    for (var kh = 0u; kh < KH; kh++) {
      // Output row oh reads input row ih through tap kh when ih + PH - kh*DH = oh*SH. The stride-1
      // branches avoid integer divisions (the SH/SW tests fold away per pipeline).
      let th = i32(ih + PH) - i32(kh * DH);
      var ohok = th >= 0;
      var oh = u32(max(th, 0));
      if (SH != 1u) {
        ohok = ohok && th % i32(SH) == 0;
        oh = oh / SH;
      }
      ohok = ohok && oh < OH;
      for (var kw = 0u; kw < KW; kw++) {
        let tw = i32(iw + PW) - i32(kw * DW);
        var ok = ohok && tw >= 0;
        var ow = u32(max(tw, 0));
        if (SW != 1u) {
          ok = ok && tw % i32(SW) == 0;
          ow = ow / SW;
        }
        if (ok && ow < OW) { acc += src[colplane + k * S4 + oh * OW + ow]; }
        k++;
      }
    }
    dst[out] = acc;
    out++;
  }
}

// Weight [O, K] (K = C*KH*KW) to [O, KP] with zero columns, so its rows are 16-byte aligned for
// the vec4 loads of gemm.wgsl. One invocation per output element.
override O: u32 = 1u;

@compute @workgroup_size(64)
fn pad_weight(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
              @builtin(num_workgroups) nwg: vec3u) {
  let i = linear(wg, lid, nwg);
  if (i >= O * KP) { return; }
  let k = i % KP;
  let K = C * KH * KW;
  var v = 0.0;
  if (k < K) { v = src[(i / KP) * K + k]; }
  dst[i] = v;
}
