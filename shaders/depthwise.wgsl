// Depthwise convolution (groups = C, O = C * M for a channel multiplier M; MobileNet, Xception) and
// its two gradients. Each output channel o reads one input channel o / M through KH*KW taps, so the
// implicit GEMM of conv2d.wgsl (4 output channels per tile, one shared input) would compute 4 - 1
// wasted channels of every tile; these kernels tile along the row of one channel instead.
//
// Layout (NCHW, PyTorch's): x [N, C, H, W], weight [O, 1, KH, KW], y [N, O, OH, OW]. Output (oh, ow)
// reads input row oh*SH - PH + kh*DH and column ow*SW - PW + kw*DW (zero outside).
// Dispatch: 64 invocations per workgroup over tiles, 2-D workgroup grid.
//
//  forward:     tile = 4 adjacent output columns of one (n, o, oh). With stride 1 and dilation 1 the
//               4 columns of tap kw + 1 are those of tap kw shifted by one, so each tap loads one new
//               input value (a sliding window) instead of 4. Bias, then a fused epilogue
//               (epilogue.wgsl, appended by the wrapper) when set.
//  input_grad:  tile = 4 adjacent input columns of one (n, c, ih); sums over the M output channels of
//               c and the taps whose windows cover them.
//  weight_grad: tile = 4 taps (of KH*KW) of one output channel, over a chunk of ROW_CHUNK (n, oh)
//               rows; with SPLITS > 1 it writes partial sums [SPLITS, O, KH*KW] that a reduction adds.

override N: u32;
override C: u32;
override H: u32;
override W: u32;
override O: u32;
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
override HAS_BIAS: bool = false;
override SPLITS: u32 = 1u;
override ROW_CHUNK: u32 = 1u;

@group(0) @binding(0) var<storage, read> src: array<f32>;      // forward: x;  input_grad: dy;  weight_grad: dy
@group(0) @binding(1) var<storage, read> wsrc: array<f32>;     // forward: weight;  input_grad: weight;  weight_grad: x
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> epi_affine: array<f32>;
@group(0) @binding(5) var<storage, read> epi_residual: array<f32>;

fn tile_index(wg: vec3u, lid: vec3u, nwg: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * 64u + lid.x;
}

// src[off] where 0 <= col < W, else 0 (the index is clamped to a valid one first).
fn at(off: i32, col: i32) -> f32 {
  let ok = col >= 0 && col < i32(W);
  return select(0.0, src[u32(select(0, off, ok))], ok);
}

fn at4(off: vec4i, col: vec4i) -> vec4f {
  let ok = (col >= vec4i(0)) & (col < vec4i(i32(W)));
  let i = vec4u(select(vec4i(0), off, ok));
  return select(vec4f(0.0), vec4f(src[i.x], src[i.y], src[i.z], src[i.w]), ok);
}

fn store_cols(base: u32, cols: u32, v: vec4f) {
  if (cols == 4u) {
    dst[base] = v.x;
    dst[base + 1u] = v.y;
    dst[base + 2u] = v.z;
    dst[base + 3u] = v.w;
    return;
  }
  for (var j = 0u; j < cols; j++) { dst[base + j] = v[j]; }
}

@compute @workgroup_size(64)
fn forward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
           @builtin(num_workgroups) nwg: vec3u) {
  let tilesW = (OW + 3u) / 4u;
  let t = tile_index(wg, lid, nwg);
  if (t >= tilesW * OH * O * N) { return; }
  let ow0 = (t % tilesW) * 4u;
  let r1 = t / tilesW;
  let oh = r1 % OH;
  let no = r1 / OH;            // n * O + o
  let o = no % O;
  let n = no / O;
  let c = o / (O / C);
  let plane = i32((n * C + c) * H * W);
  let ih0 = i32(oh * SH) - i32(PH);
  let iw0 = i32(ow0 * SW) - i32(PW);
  var widx = o * KH * KW;
  var acc = vec4f(0.0);
  for (var kh = 0u; kh < KH; kh++) {
    let ih = ih0 + i32(kh * DH);
    if (ih < 0 || ih >= i32(H)) {
      widx += KW;
      continue;
    }
    let row = plane + ih * i32(W);
    if (SW == 1u && DW == 1u) {
      // Sliding window: columns iw0 + kw .. iw0 + kw + 3.
      var win = at4(vec4i(row + iw0) + vec4i(0, 1, 2, 3), vec4i(iw0) + vec4i(0, 1, 2, 3));
      for (var kw = 0u; kw < KW; kw++) {
        acc += wsrc[widx] * win;
        widx++;
        let next = iw0 + i32(kw) + 4;
        win = vec4f(win.yzw, at(row + next, next));
      }
    } else {
      var iw = vec4i(iw0) + vec4i(0, 1, 2, 3) * i32(SW);
      for (var kw = 0u; kw < KW; kw++) {
        acc += wsrc[widx] * at4(vec4i(row) + iw, iw);
        widx++;
        iw += vec4i(i32(DW));
      }
    }
  }
  if (HAS_BIAS) { acc += bias[o]; }
  let out = ((n * O + o) * OH + oh) * OW + ow0;
  let cols = min(4u, OW - ow0);
  if (has_epilogue()) { acc = epilogue(acc, vec4u(o), out, cols); }
  store_cols(out, cols, acc);
}

@compute @workgroup_size(64)
fn input_grad(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
              @builtin(num_workgroups) nwg: vec3u) {
  let M = O / C;
  let tilesW = (W + 3u) / 4u;
  let t = tile_index(wg, lid, nwg);
  if (t >= tilesW * H * C * N) { return; }
  let iw0 = (t % tilesW) * 4u;
  let r1 = t / tilesW;
  let ih = r1 % H;
  let nc = r1 / H;
  let c = nc % C;
  let n = nc / C;
  let tw0 = vec4i(i32(iw0 + PW)) + vec4i(0, 1, 2, 3);
  var acc = vec4f(0.0);
  for (var m = 0u; m < M; m++) {
    let o = c * M + m;
    let dyplane = (n * O + o) * OH * OW;
    for (var kh = 0u; kh < KH; kh++) {
      // Output row oh covers input row ih through tap kh when ih + PH - kh*DH = oh*SH.
      let th = i32(ih + PH) - i32(kh * DH);
      if (th < 0) { break; }
      if (SH != 1u && th % i32(SH) != 0) { continue; }
      let oh = u32(th) / SH;
      if (oh >= OH) { continue; }
      let rowbase = dyplane + oh * OW;
      for (var kw = 0u; kw < KW; kw++) {
        let tw = tw0 - vec4i(i32(kw * DW));
        var ok = tw >= vec4i(0);
        var ow = tw;
        if (SW != 1u) {
          ok = ok & ((tw % vec4i(i32(SW))) == vec4i(0));
          ow = tw / vec4i(i32(SW));
        }
        ok = ok & (ow < vec4i(i32(OW)));
        let d = vec4u(select(vec4i(0), ow, ok)) + vec4u(rowbase);
        let dv = select(vec4f(0.0), vec4f(src[d.x], src[d.y], src[d.z], src[d.w]), ok);
        acc += wsrc[(o * KH + kh) * KW + kw] * dv;
      }
    }
  }
  store_cols(((n * C + c) * H + ih) * W + iw0, min(4u, W - iw0), acc);
}

@compute @workgroup_size(64)
fn weight_grad(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
               @builtin(num_workgroups) nwg: vec3u) {
  let KK = KH * KW;
  let tilesT = (KK + 3u) / 4u;
  let t = tile_index(wg, lid, nwg);
  if (t >= tilesT * O * SPLITS) { return; }
  let tt = t % tilesT;
  let r = t / tilesT;
  let o = r % O;
  let split = r / O;
  let c = o / (O / C);
  // The 4 taps: row and column offsets within the window (clamped taps are computed and dropped).
  let k = min(vec4u(tt * 4u) + vec4u(0u, 1u, 2u, 3u), vec4u(KK - 1u));
  let dh = vec4i((k / KW) * DH) - vec4i(i32(PH));
  let dw = vec4i((k % KW) * DW) - vec4i(i32(PW));
  let rows = N * OH;
  let r0 = split * ROW_CHUNK;
  let r1 = min(rows, r0 + ROW_CHUNK);
  var n = r0 / OH;
  var oh = r0 % OH;
  var acc = vec4f(0.0);
  for (var row = r0; row < r1; row++) {
    let ih = vec4i(i32(oh * SH)) + dh;
    let rowok = (ih >= vec4i(0)) & (ih < vec4i(i32(H)));
    let xrow = vec4i(i32((n * C + c) * H * W)) + ih * i32(W);
    let dyrow = ((n * O + o) * OH + oh) * OW;
    var iw = dw;
    for (var ow = 0u; ow < OW; ow++) {
      let ok = rowok & (iw >= vec4i(0)) & (iw < vec4i(i32(W)));
      let i = vec4u(select(vec4i(0), xrow + iw, ok));
      let xv = select(vec4f(0.0), vec4f(wsrc[i.x], wsrc[i.y], wsrc[i.z], wsrc[i.w]), ok);
      acc += src[dyrow + ow] * xv;
      iw += vec4i(i32(SW));
    }
    oh++;
    if (oh == OH) {
      oh = 0u;
      n++;
    }
  }
  let base = (split * O + o) * KK + tt * 4u;
  for (var j = 0u; j < 4u; j++) {
    if (tt * 4u + j < KK) { dst[base + j] = acc[j]; }
  }
}
