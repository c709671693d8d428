// im2col and col2im for convolution as matrix products (shaders/gemm.wgsl).
//
// Layout: x [N, C, H, W] in G groups of CG = C/G channels; col [N, G, KPG, S4] where row k of group g
// is (c, kh, kw) flattened over the group's CG channels (KPG = CG*KH*KW rounded up to 4, extra rows
// zero) and column s = oh * OW + ow (S = OH*OW rounded up to S4, a multiple of 4, extra columns
// zero). col[n, g, k, s] = x[n, g*CG + c, oh*SH - PH + kh*DH, ow*SW - PW + kw*DW] (zero outside).
// KP = G * KPG is the row count of one image's col.
//
// Dispatch: one invocation per (n, g, k, oh) row segment of col, 64 per workgroup, 2-D workgroup
// grid; the ow loop holds no division. col2im: one invocation per input row (n, c, ih), gathering
// from every (kh, kw) tap the column that read it.

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
override CG: u32 = 0u;    // channels per group (0: C, one group)
override KPG: u32 = 0u;   // padded rows per group (0: KP)

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;

fn linear(wg: vec3u, lid: vec3u, nwg: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * 64u + lid.x;
}

fn channels_per_group() -> u32 {
  return select(CG, C, CG == 0u);
}

fn rows_per_group() -> u32 {
  return select(KPG, KP, KPG == 0u);
}

@compute @workgroup_size(64)
fn im2col(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
          @builtin(num_workgroups) nwg: vec3u) {
  let i = linear(wg, lid, nwg);
  if (i >= N * KP * OH) { return; }
  let cg = channels_per_group();
  let kpg = rows_per_group();
  let oh = i % OH;
  let nk = i / OH;
  let kp = nk % KP;
  let n = nk / KP;
  var g = 0u;
  var k = kp;
  if (kpg != KP) {
    g = kp / kpg;
    k = kp - g * kpg;
  }
  let out = nk * S4 + oh * OW;
  let last = oh == OH - 1u;
  let tail = S4 - OH * OW;
  if (k >= cg * KH * KW) {
    for (var ow = 0u; ow < OW; ow++) { dst[out + ow] = 0.0; }
    if (last) { for (var j = 0u; j < tail; j++) { dst[out + OW + j] = 0.0; } }
    return;
  }
  let c = g * cg + k / (KH * KW);
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
  let cg = channels_per_group();
  let g = c / cg;
  let colplane = (n * KP + g * rows_per_group()) * S4;
  let k0 = (c - g * cg) * KH * KW;
  var out = i * W;
  for (var iw = 0u; iw < W; iw++) {
    var acc = 0.0;
    var k = k0;
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

// Weight [O, K] (K = CG*KH*KW) to [O, KPG] with zero columns, so its rows are 16-byte aligned for
// the vec4 loads of gemm.wgsl. One invocation per output element.
override O: u32 = 1u;

@compute @workgroup_size(64)
fn pad_weight(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
              @builtin(num_workgroups) nwg: vec3u) {
  let i = linear(wg, lid, nwg);
  let kpg = rows_per_group();
  if (i >= O * kpg) { return; }
  let row = i / kpg;
  let k = i - row * kpg;
  let K = channels_per_group() * KH * KW;
  var v = 0.0;
  if (k < K) { v = src[row * K + k]; }
  dst[i] = v;
}
