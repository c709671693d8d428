// 2-D convolution (cross-correlation, as PyTorch) and its two gradients, as implicit GEMMs.
//
// Layout (NCHW, PyTorch's): x [N, C, H, W], weight [O, C/G, KH, KW], y [N, O, OH, OW].
// Output positions: oh * SH - PH + kh * DH indexes the (zero-padded) input rows, likewise columns.
// G groups: output channel o reads input channels (o / OG) * CG .. + CG, where OG = O/G, CG = C/G.
//
// Every entry point computes a 4x4 register tile (4 channels x 4 positions) per invocation, with
// no workgroup memory. Out-of-range tile rows/columns are clamped for loads and skipped at stores.
// Dispatch: 64 invocations per workgroup over tiles, 2-D workgroup grid.
//
//  forward:      tile = 4 output channels x 4 output positions (of N*OH*OW); loops ci, kh, kw.
//  input_grad:   tile = 4 input channels x 4 input positions (of N*H*W); loops o, kh, kw over the
//                output positions whose window covers the input position.
//  weight_grad:  tile = 4 output channels x 4 weight taps (of CG*KH*KW), over a chunk of ROW_CHUNK
//                (n, oh) rows; with SPLITS > 1 it writes partial sums [SPLITS, O, CG*KH*KW] that a
//                reduction adds up.

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
override G: u32 = 1u;
override HAS_BIAS: bool = false;
override SPLITS: u32 = 1u;
override ROW_CHUNK: u32 = 1u;

@group(0) @binding(0) var<storage, read> src: array<f32>;      // forward: x;  input_grad: dy;  weight_grad: dy
@group(0) @binding(1) var<storage, read> wsrc: array<f32>;     // forward: weight;  input_grad: weight;  weight_grad: x
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;

fn tile_index(wg: vec3u, lid: vec3u, nwg: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * 64u + lid.x;
}

@compute @workgroup_size(64)
fn forward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
           @builtin(num_workgroups) nwg: vec3u) {
  let OG = O / G;
  let CG = C / G;
  let P = N * OH * OW;
  let tilesP = (P + 3u) / 4u;
  let tilesO = (OG + 3u) / 4u;
  let t = tile_index(wg, lid, nwg);
  if (t >= tilesP * tilesO * G) { return; }
  let tp = t % tilesP;
  let rest = t / tilesP;
  let to = rest % tilesO;
  let g = rest / tilesO;

  let og0 = to * 4u;
  let o = vec4u(g * OG + min(og0, OG - 1u), g * OG + min(og0 + 1u, OG - 1u),
                g * OG + min(og0 + 2u, OG - 1u), g * OG + min(og0 + 3u, OG - 1u));
  // The 4 output positions: batch index, top-left input row/column of their windows.
  var nb: array<u32, 4>;
  var ih0: array<i32, 4>;
  var iw0: array<i32, 4>;
  for (var j = 0u; j < 4u; j++) {
    let p = min(tp * 4u + j, P - 1u);
    let n = p / (OH * OW);
    let r = p % (OH * OW);
    nb[j] = (n * C + g * CG) * H * W;
    ih0[j] = i32((r / OW) * SH) - i32(PH);
    iw0[j] = i32((r % OW) * SW) - i32(PW);
  }
  let KK = KH * KW;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var ci = 0u; ci < CG; ci++) {
    let cbase = ci * H * W;
    let wbase = ci * KK;
    for (var kh = 0u; kh < KH; kh++) {
      let ih = vec4i(ih0[0], ih0[1], ih0[2], ih0[3]) + i32(kh * DH);
      let rowok = (ih >= vec4i(0)) & (ih < vec4i(i32(H)));
      for (var kw = 0u; kw < KW; kw++) {
        let iw = vec4i(iw0[0], iw0[1], iw0[2], iw0[3]) + i32(kw * DW);
        let ok = rowok & (iw >= vec4i(0)) & (iw < vec4i(i32(W)));
        let off = vec4u(select(vec4i(0), ih * i32(W) + iw, ok)) + vec4u(nb[0], nb[1], nb[2], nb[3]) + cbase;
        let xv = select(vec4f(0.0), vec4f(src[off.x], src[off.y], src[off.z], src[off.w]), ok);
        let widx = wbase + kh * KW + kw;
        acc0 += wsrc[o.x * CG * KK + widx] * xv;
        acc1 += wsrc[o.y * CG * KK + widx] * xv;
        acc2 += wsrc[o.z * CG * KK + widx] * xv;
        acc3 += wsrc[o.w * CG * KK + widx] * xv;
      }
    }
  }
  if (HAS_BIAS) {
    acc0 += bias[o.x];
    acc1 += bias[o.y];
    acc2 += bias[o.z];
    acc3 += bias[o.w];
  }
  for (var j = 0u; j < 4u; j++) {
    let p = tp * 4u + j;
    if (p >= P) { break; }
    let n = p / (OH * OW);
    let r = p % (OH * OW);
    let ybase = n * O * OH * OW + r;
    let v = vec4f(acc0[j], acc1[j], acc2[j], acc3[j]);
    for (var i = 0u; i < 4u; i++) {
      if (og0 + i < OG) { dst[ybase + (g * OG + og0 + i) * OH * OW] = v[i]; }
    }
  }
}

@compute @workgroup_size(64)
fn input_grad(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
              @builtin(num_workgroups) nwg: vec3u) {
  let OG = O / G;
  let CG = C / G;
  let P = N * H * W;
  let tilesP = (P + 3u) / 4u;
  let tilesC = (CG + 3u) / 4u;
  let t = tile_index(wg, lid, nwg);
  if (t >= tilesP * tilesC * G) { return; }
  let tp = t % tilesP;
  let rest = t / tilesP;
  let tc = rest % tilesC;
  let g = rest / tilesC;

  let cg0 = tc * 4u;
  let ci = vec4u(min(cg0, CG - 1u), min(cg0 + 1u, CG - 1u), min(cg0 + 2u, CG - 1u), min(cg0 + 3u, CG - 1u));
  var nb: array<u32, 4>;
  var th0: array<i32, 4>;
  var tw0: array<i32, 4>;
  for (var j = 0u; j < 4u; j++) {
    let p = min(tp * 4u + j, P - 1u);
    let n = p / (H * W);
    let r = p % (H * W);
    nb[j] = (n * O + g * OG) * OH * OW;
    th0[j] = i32(r / W) + i32(PH);
    tw0[j] = i32(r % W) + i32(PW);
  }
  let KK = KH * KW;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var kh = 0u; kh < KH; kh++) {
    // Output row oh covers this input row through tap kh when ih + PH - kh*DH = oh*SH.
    let th = vec4i(th0[0], th0[1], th0[2], th0[3]) - i32(kh * DH);
    let ohv = th / i32(SH);
    let rowok = (th >= vec4i(0)) & ((th % i32(SH)) == vec4i(0)) & (ohv < vec4i(i32(OH)));
    for (var kw = 0u; kw < KW; kw++) {
      let tw = vec4i(tw0[0], tw0[1], tw0[2], tw0[3]) - i32(kw * DW);
      let owv = tw / i32(SW);
      let ok = rowok & (tw >= vec4i(0)) & ((tw % i32(SW)) == vec4i(0)) & (owv < vec4i(i32(OW)));
      let off = vec4u(select(vec4i(0), ohv * i32(OW) + owv, ok)) + vec4u(nb[0], nb[1], nb[2], nb[3]);
      let tap = kh * KW + kw;
      for (var og = 0u; og < OG; og++) {
        let dyoff = off + og * OH * OW;
        let dv = select(vec4f(0.0), vec4f(src[dyoff.x], src[dyoff.y], src[dyoff.z], src[dyoff.w]), ok);
        let wb = (g * OG + og) * CG * KK + tap;
        acc0 += wsrc[wb + ci.x * KK] * dv;
        acc1 += wsrc[wb + ci.y * KK] * dv;
        acc2 += wsrc[wb + ci.z * KK] * dv;
        acc3 += wsrc[wb + ci.w * KK] * dv;
      }
    }
  }
  for (var j = 0u; j < 4u; j++) {
    let p = tp * 4u + j;
    if (p >= P) { break; }
    let n = p / (H * W);
    let r = p % (H * W);
    let xbase = n * C * H * W + r;
    let v = vec4f(acc0[j], acc1[j], acc2[j], acc3[j]);
    for (var i = 0u; i < 4u; i++) {
      if (cg0 + i < CG) { dst[xbase + (g * CG + cg0 + i) * H * W] = v[i]; }
    }
  }
}

@compute @workgroup_size(64)
fn weight_grad(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
               @builtin(num_workgroups) nwg: vec3u) {
  let OG = O / G;
  let CG = C / G;
  let KK = KH * KW;
  let T = CG * KK;
  let tilesT = (T + 3u) / 4u;
  let tilesO = (OG + 3u) / 4u;
  let t = tile_index(wg, lid, nwg);
  if (t >= tilesT * tilesO * G * SPLITS) { return; }
  let tt = t % tilesT;
  let rest = t / tilesT;
  let to = rest % tilesO;
  let rest2 = rest / tilesO;
  let g = rest2 % G;
  let split = rest2 / G;

  let og0 = to * 4u;
  let o = vec4u(g * OG + min(og0, OG - 1u), g * OG + min(og0 + 1u, OG - 1u),
                g * OG + min(og0 + 2u, OG - 1u), g * OG + min(og0 + 3u, OG - 1u));
  // The 4 weight taps: input channel offset and tap offsets within the input window.
  var xoff: array<u32, 4>;
  var dh: array<i32, 4>;
  var dw: array<i32, 4>;
  for (var j = 0u; j < 4u; j++) {
    let k = min(tt * 4u + j, T - 1u);
    xoff[j] = (g * CG + k / KK) * H * W;
    dh[j] = i32(((k % KK) / KW) * DH) - i32(PH);
    dw[j] = i32((k % KW) * DW) - i32(PW);
  }
  let dhv = vec4i(dh[0], dh[1], dh[2], dh[3]);
  let dwv = vec4i(dw[0], dw[1], dw[2], dw[3]);
  let xo = vec4u(xoff[0], xoff[1], xoff[2], xoff[3]);
  let rows = N * OH;
  let r0 = split * ROW_CHUNK;
  let r1 = min(rows, r0 + ROW_CHUNK);
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var row = r0; row < r1; row++) {
    let n = row / OH;
    let oh = row % OH;
    let ih = vec4i(i32(oh * SH)) + dhv;
    let rowok = (ih >= vec4i(0)) & (ih < vec4i(i32(H)));
    let xrow = vec4u(n * C * H * W) + xo + vec4u(select(vec4i(0), ih * i32(W), rowok));
    let dybase = n * O * OH * OW + oh * OW;
    for (var ow = 0u; ow < OW; ow++) {
      let iw = vec4i(i32(ow * SW)) + dwv;
      let ok = rowok & (iw >= vec4i(0)) & (iw < vec4i(i32(W)));
      let off = xrow + vec4u(select(vec4i(0), iw, ok));
      let xv = select(vec4f(0.0), vec4f(wsrc[off.x], wsrc[off.y], wsrc[off.z], wsrc[off.w]), ok);
      let dyo = dybase + ow;
      acc0 += src[dyo + o.x * OH * OW] * xv;
      acc1 += src[dyo + o.y * OH * OW] * xv;
      acc2 += src[dyo + o.z * OH * OW] * xv;
      acc3 += src[dyo + o.w * OH * OW] * xv;
    }
  }
  let obase = split * O * T;
  for (var i = 0u; i < 4u; i++) {
    if (og0 + i >= OG) { break; }
    var v = acc0;
    if (i == 1u) { v = acc1; } else if (i == 2u) { v = acc2; } else if (i == 3u) { v = acc3; }
    let rowbase = obase + (g * OG + og0 + i) * T;
    for (var j = 0u; j < 4u; j++) {
      let k = tt * 4u + j;
      if (k < T) { dst[rowbase + k] = v[j]; }
    }
  }
}
