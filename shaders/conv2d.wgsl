// 2-D convolution (cross-correlation, as PyTorch) and its two gradients, as implicit GEMMs.
//
// Layout (NCHW, PyTorch's): x [N, C, H, W], weight [O, C/G, KH, KW], y [N, O, OH, OW].
// Output (oh, ow) reads input rows oh*SH - PH + kh*DH and columns ow*SW - PW + kw*DW (zero outside).
// G groups: output channel o reads input channels (o / OG) * CG .. + CG, where OG = O/G, CG = C/G.
//
// Every entry point computes a 4x4 register tile per invocation, with no workgroup memory (on CPU
// adapters such as SwiftShader barriers cost more than the reuse they buy). Tiles run along a row,
// so a whole tile shares its row: the row bounds test is one scalar test that skips the row, and
// the inner loops hold no integer division (SwiftShader scalarizes each one, ~100 cycles a vector).
// Index arithmetic is hoisted out of the loops and advanced by additions.
// Dispatch: 64 invocations per workgroup over tiles, 2-D workgroup grid.
//
//  forward:     tile = 4 output channels x 4 adjacent output columns (ow0 .. ow0+3 of one row);
//               bias, then a fused epilogue (epilogue.wgsl, appended by the wrapper) when set.
//  input_grad:  tile = 4 input channels x 4 adjacent input columns; sums over the output positions
//               whose windows cover them (taps kh, kw outside, output channels inside the loop).
//  weight_grad: tile = 4 output channels x 4 weight taps (of CG*KH*KW), over a chunk of ROW_CHUNK
//               (n, oh) rows; with SPLITS > 1 it writes partial sums [SPLITS, O, CG*KH*KW] that a
//               reduction adds up.
//
// Stride 1 and dilation 1 along the width (SW = DW = 1) have entry points of their own, fed by
// weights repacked (repack_*) so that the 4 channels of a tile at one tap are one vec4:
//  forward_window:    tile = 4 output channels x 8 (WIN8) or 4 adjacent output columns. The input
//                     columns of tap kw + 1 are those of tap kw shifted by one, so each tap loads one
//                     new input value and one vec4 of weights for 32 (16) multiply-adds.
//  input_grad_window: tile = 4 input channels x 8 or 4 adjacent input columns, the same window
//                     sliding the other way over dy (output column iw + PW - kw).
//  repack_forward:    weight [O, CG, KH, KW] -> [G, CG, KH, KW, OGP] (OGP = OG rounded up to 4, zeros).
//  repack_input:      weight [O, CG, KH, KW] -> [G, OG, KH, KW, CGP] (CGP = CG rounded up to 4, zeros).

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
override OGP: u32 = 4u;
override CGP: u32 = 4u;
// Window entry points: tiles of 8 columns (else 4: less waste on narrow rows such as 10 or 28).
override WIN8: bool = true;

@group(0) @binding(0) var<storage, read> src: array<f32>;      // forward: x;  input_grad: dy;  weight_grad: dy
@group(0) @binding(1) var<storage, read> wsrc: array<f32>;     // forward: weight;  input_grad: weight;  weight_grad: x
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> epi_affine: array<f32>;
@group(0) @binding(5) var<storage, read> epi_residual: array<f32>;
// The repacked weights of the window entry points, 4 channels per vec4.
@group(0) @binding(1) var<storage, read> w4: array<vec4f>;

fn tile_index(wg: vec3u, lid: vec3u, nwg: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * 64u + lid.x;
}

// Loads 4 values at `off` where `ok`, 0 elsewhere (the index is clamped to a valid one first).
fn load4(off: vec4i, ok: vec4<bool>) -> vec4f {
  let i = vec4u(select(vec4i(0), off, ok));
  return select(vec4f(0.0), vec4f(src[i.x], src[i.y], src[i.z], src[i.w]), ok);
}

fn load4w(off: vec4i, ok: vec4<bool>) -> vec4f {
  let i = vec4u(select(vec4i(0), off, ok));
  return select(vec4f(0.0), vec4f(wsrc[i.x], wsrc[i.y], wsrc[i.z], wsrc[i.w]), ok);
}

@compute @workgroup_size(64)
fn forward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
           @builtin(num_workgroups) nwg: vec3u) {
  let OG = O / G;
  let CG = C / G;
  let KK = KH * KW;
  let tilesW = (OW + 3u) / 4u;
  let tilesO = (OG + 3u) / 4u;
  let t = tile_index(wg, lid, nwg);
  if (t >= tilesW * OH * N * tilesO * G) { return; }
  let ow0 = (t % tilesW) * 4u;
  let r1 = t / tilesW;
  let oh = r1 % OH;
  let r2 = r1 / OH;
  let n = r2 % N;
  let r3 = r2 / N;
  let og0 = (r3 % tilesO) * 4u;
  let g = r3 / tilesO;

  // Weight rows of the 4 output channels (clamped; extra rows are computed and dropped).
  let wrow = (vec4u(g * OG) + min(vec4u(og0) + vec4u(0u, 1u, 2u, 3u), vec4u(OG - 1u))) * (CG * KK);
  // Input columns of the 4 positions for tap kw = 0.
  let iw0 = vec4i(i32(ow0 * SW) - i32(PW)) + vec4i(0, 1, 2, 3) * i32(SW);
  let ih0 = i32(oh * SH) - i32(PH);
  var xplane = i32((n * C + g * CG) * H * W);
  var widx = 0u;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var ci = 0u; ci < CG; ci++) {
    for (var kh = 0u; kh < KH; kh++) {
      let ih = ih0 + i32(kh * DH);
      if (ih < 0 || ih >= i32(H)) {
        widx += KW;
        continue;
      }
      let xrow = vec4i(xplane + ih * i32(W));
      var iw = iw0;
      for (var kw = 0u; kw < KW; kw++) {
        let xv = load4(xrow + iw, (iw >= vec4i(0)) & (iw < vec4i(i32(W))));
        acc0 += wsrc[wrow.x + widx] * xv;
        acc1 += wsrc[wrow.y + widx] * xv;
        acc2 += wsrc[wrow.z + widx] * xv;
        acc3 += wsrc[wrow.w + widx] * xv;
        widx++;
        iw += vec4i(i32(DW));
      }
    }
    xplane += i32(H * W);
  }
  var o = g * OG + og0;
  if (HAS_BIAS) {
    let bi = min(vec4u(o) + vec4u(0u, 1u, 2u, 3u), vec4u(O - 1u));
    acc0 += bias[bi.x];
    acc1 += bias[bi.y];
    acc2 += bias[bi.z];
    acc3 += bias[bi.w];
  }
  // acc_i holds channel og0 + i at the 4 columns.
  let cols = min(4u, OW - ow0);
  var ybase = ((n * O + o) * OH + oh) * OW + ow0;
  let accs = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  for (var i = 0u; i < 4u; i++) {
    if (og0 + i >= OG) { break; }
    var v = accs[i];
    if (has_epilogue()) { v = epilogue(v, vec4u(o + i), ybase, cols); }
    for (var j = 0u; j < cols; j++) { dst[ybase + j] = v[j]; }
    ybase += OH * OW;
  }
}

@compute @workgroup_size(64)
fn input_grad(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
              @builtin(num_workgroups) nwg: vec3u) {
  let OG = O / G;
  let CG = C / G;
  let KK = KH * KW;
  let tilesW = (W + 3u) / 4u;
  let tilesC = (CG + 3u) / 4u;
  let t = tile_index(wg, lid, nwg);
  if (t >= tilesW * H * N * tilesC * G) { return; }
  let iw0 = (t % tilesW) * 4u;
  let r1 = t / tilesW;
  let ih = r1 % H;
  let r2 = r1 / H;
  let n = r2 % N;
  let r3 = r2 / N;
  let cg0 = (r3 % tilesC) * 4u;
  let g = r3 / tilesC;

  // Weight offsets of the 4 input channels within a (output channel, tap) block.
  let wci = min(vec4u(cg0) + vec4u(0u, 1u, 2u, 3u), vec4u(CG - 1u)) * KK;
  let tw0 = vec4i(i32(iw0 + PW)) + vec4i(0, 1, 2, 3);
  let dyplane = (n * O + g * OG) * OH * OW;
  let wgroup = g * OG * CG * KK;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var kh = 0u; kh < KH; kh++) {
    // Output row oh covers input row ih through tap kh when ih + PH - kh*DH = oh*SH.
    let th = i32(ih + PH) - i32(kh * DH);
    if (th < 0) { break; }
    if (SH != 1u && th % i32(SH) != 0) { continue; }
    let oh = u32(th) / SH;
    if (oh >= OH) { continue; }
    for (var kw = 0u; kw < KW; kw++) {
      let tw = tw0 - vec4i(i32(kw * DW));
      var ok = tw >= vec4i(0);
      var ow = tw;
      if (SW != 1u) {
        ok = ok & ((tw % vec4i(i32(SW))) == vec4i(0));
        ow = tw / vec4i(i32(SW));
      }
      ok = ok & (ow < vec4i(i32(OW)));
      let idx = vec4u(select(vec4i(0), ow, ok)) + vec4u(dyplane + oh * OW);
      var widx = wgroup + kh * KW + kw;
      var dyo = 0u;
      for (var og = 0u; og < OG; og++) {
        let d = idx + vec4u(dyo);
        let dv = select(vec4f(0.0), vec4f(src[d.x], src[d.y], src[d.z], src[d.w]), ok);
        acc0 += wsrc[widx + wci.x] * dv;
        acc1 += wsrc[widx + wci.y] * dv;
        acc2 += wsrc[widx + wci.z] * dv;
        acc3 += wsrc[widx + wci.w] * dv;
        widx += CG * KK;
        dyo += OH * OW;
      }
    }
  }
  let cols = min(4u, W - iw0);
  var xbase = ((n * C + g * CG + cg0) * H + ih) * W + iw0;
  let accs = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  for (var i = 0u; i < 4u; i++) {
    if (cg0 + i >= CG) { break; }
    let v = accs[i];
    for (var j = 0u; j < cols; j++) { dst[xbase + j] = v[j]; }
    xbase += H * W;
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
  // Output-gradient planes of the 4 channels (clamped).
  let dyo = (vec4u(g * OG) + min(vec4u(og0) + vec4u(0u, 1u, 2u, 3u), vec4u(OG - 1u))) * (OH * OW);
  // The 4 weight taps: input plane offset and the offsets of the tap within the window.
  let k = min(vec4u(tt * 4u) + vec4u(0u, 1u, 2u, 3u), vec4u(T - 1u));
  let xoff = vec4i((vec4u(g * CG) + k / KK) * (H * W));
  let dh = vec4i(((k % KK) / KW) * DH) - vec4i(i32(PH));
  let dw = vec4i((k % KW) * DW) - vec4i(i32(PW));
  let rows = N * OH;
  let r0 = split * ROW_CHUNK;
  let r1 = min(rows, r0 + ROW_CHUNK);
  var n = r0 / OH;
  var oh = r0 % OH;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var row = r0; row < r1; row++) {
    let ih = vec4i(i32(oh * SH)) + dh;
    let rowok = (ih >= vec4i(0)) & (ih < vec4i(i32(H)));
    let xrow = vec4i(i32(n * C * H * W)) + xoff + ih * i32(W);
    let dyrow = n * O * OH * OW + oh * OW;
    var iw = dw;
    for (var ow = 0u; ow < OW; ow++) {
      let xv = load4w(xrow + iw, rowok & (iw >= vec4i(0)) & (iw < vec4i(i32(W))));
      let d = dyrow + ow;
      acc0 += src[d + dyo.x] * xv;
      acc1 += src[d + dyo.y] * xv;
      acc2 += src[d + dyo.z] * xv;
      acc3 += src[d + dyo.w] * xv;
      iw += vec4i(i32(SW));
    }
    oh++;
    if (oh == OH) {
      oh = 0u;
      n++;
    }
  }
  let obase = split * O * T;
  let accs = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  for (var i = 0u; i < 4u; i++) {
    if (og0 + i >= OG) { break; }
    let v = accs[i];
    let rowbase = obase + (g * OG + og0 + i) * T + tt * 4u;
    for (var j = 0u; j < 4u; j++) {
      if (tt * 4u + j < T) { dst[rowbase + j] = v[j]; }
    }
  }
}

// src[off] where 0 <= col < W (input columns), else 0.
fn at_x(off: i32, col: i32) -> f32 {
  let ok = col >= 0 && col < i32(W);
  return select(0.0, src[u32(select(0, off, ok))], ok);
}

// src[off] where 0 <= col < OW (output columns: dy), else 0.
fn at_dy(off: i32, col: i32) -> f32 {
  let ok = col >= 0 && col < i32(OW);
  return select(0.0, src[u32(select(0, off, ok))], ok);
}

fn repacked_index(wg: vec3u, lid: vec3u, nwg: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * 64u + lid.x;
}

@compute @workgroup_size(64)
fn repack_forward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                  @builtin(num_workgroups) nwg: vec3u) {
  let OG = O / G;
  let CG = C / G;
  let KK = KH * KW;
  let i = repacked_index(wg, lid, nwg);
  if (i >= G * CG * KK * OGP) { return; }
  let og = i % OGP;
  let r = i / OGP;           // (g * CG + ci) * KK + k
  let k = r % KK;
  let gc = r / KK;
  let ci = gc % CG;
  let g = gc / CG;
  var v = 0.0;
  if (og < OG) { v = src[((g * OG + og) * CG + ci) * KK + k]; }
  dst[i] = v;
}

@compute @workgroup_size(64)
fn repack_input(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                @builtin(num_workgroups) nwg: vec3u) {
  let OG = O / G;
  let CG = C / G;
  let KK = KH * KW;
  let i = repacked_index(wg, lid, nwg);
  if (i >= O * KK * CGP) { return; }
  let cg = i % CGP;
  let r = i / CGP;           // (g * OG + og) * KK + k = o * KK + k
  let k = r % KK;
  let o = r / KK;
  var v = 0.0;
  if (cg < CG) { v = src[(o * CG + cg) * KK + k]; }
  dst[i] = v;
}

fn store_row8(base: u32, cols: u32, lo: vec4f, hi: vec4f) {
  if (cols == 8u) {
    dst[base] = lo.x;
    dst[base + 1u] = lo.y;
    dst[base + 2u] = lo.z;
    dst[base + 3u] = lo.w;
    dst[base + 4u] = hi.x;
    dst[base + 5u] = hi.y;
    dst[base + 6u] = hi.z;
    dst[base + 7u] = hi.w;
    return;
  }
  for (var j = 0u; j < min(cols, 4u); j++) { dst[base + j] = lo[j]; }
  for (var j = 4u; j < cols; j++) { dst[base + j] = hi[j - 4u]; }
}

// The tile of a window entry point: columns col0 .. col0 + WIN - 1 of row `row` of image n, for the
// 4 channels ch0 .. ch0 + 3 of group g (output channels for the forward, input channels for the
// input gradient), over rows of `width` columns, `height` rows and `tiles_ch` channel tiles.
struct WindowTile {
  valid: bool,
  col0: u32,
  row: u32,
  n: u32,
  ch0: u32,
  g: u32,
}

fn window_tile(t: u32, width: u32, height: u32, tiles_ch: u32) -> WindowTile {
  let win = select(4u, 8u, WIN8);
  let tiles_w = (width + win - 1u) / win;
  var tile: WindowTile;
  tile.valid = t < tiles_w * height * N * tiles_ch * G;
  tile.col0 = (t % tiles_w) * win;
  let r1 = t / tiles_w;
  tile.row = r1 % height;
  let r2 = r1 / height;
  tile.n = r2 % N;
  let r3 = r2 / N;
  tile.ch0 = (r3 % tiles_ch) * 4u;
  tile.g = r3 / tiles_ch;
  return tile;
}

@compute @workgroup_size(64)
fn forward_window(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                  @builtin(num_workgroups) nwg: vec3u) {
  let OG = O / G;
  let CG = C / G;
  let KK = KH * KW;
  let WIN = select(4u, 8u, WIN8);
  let tilesO = OGP / 4u;
  let tile = window_tile(tile_index(wg, lid, nwg), OW, OH, tilesO);
  if (!tile.valid) { return; }
  let ow0 = tile.col0;
  let oh = tile.row;
  let n = tile.n;
  let og0 = tile.ch0;
  let g = tile.g;

  let iw0 = i32(ow0) - i32(PW);
  let ih0 = i32(oh * SH) - i32(PH);
  let cols0 = vec4i(iw0) + vec4i(0, 1, 2, 3);
  let cols1 = cols0 + vec4i(4);
  var xplane = i32((n * C + g * CG) * H * W);
  // vec4 index of the weights of tap (ci, k) for channels og0..og0+3.
  var widx = g * CG * KK * tilesO + og0 / 4u;
  var a0 = vec4f(0.0);
  var b0 = vec4f(0.0);
  var a1 = vec4f(0.0);
  var b1 = vec4f(0.0);
  var a2 = vec4f(0.0);
  var b2 = vec4f(0.0);
  var a3 = vec4f(0.0);
  var b3 = vec4f(0.0);
  for (var ci = 0u; ci < CG; ci++) {
    for (var kh = 0u; kh < KH; kh++) {
      let ih = ih0 + i32(kh * DH);
      if (ih < 0 || ih >= i32(H)) {
        widx += KW * tilesO;
        continue;
      }
      let row = xplane + ih * i32(W);
      var lo = load4(vec4i(row) + cols0, (cols0 >= vec4i(0)) & (cols0 < vec4i(i32(W))));
      var hi = vec4f(0.0);
      if (WIN8) { hi = load4(vec4i(row) + cols1, (cols1 >= vec4i(0)) & (cols1 < vec4i(i32(W)))); }
      for (var kw = 0u; kw < KW; kw++) {
        let wv = w4[widx];
        a0 += wv.x * lo;
        a1 += wv.y * lo;
        a2 += wv.z * lo;
        a3 += wv.w * lo;
        widx += tilesO;
        let next = iw0 + i32(kw + WIN);
        let v = at_x(row + next, next);
        if (WIN8) {
          b0 += wv.x * hi;
          b1 += wv.y * hi;
          b2 += wv.z * hi;
          b3 += wv.w * hi;
          lo = vec4f(lo.yzw, hi.x);
          hi = vec4f(hi.yzw, v);
        } else {
          lo = vec4f(lo.yzw, v);
        }
      }
    }
    xplane += i32(H * W);
  }
  let o = g * OG + og0;
  let cols = min(WIN, OW - ow0);
  var ybase = ((n * O + o) * OH + oh) * OW + ow0;
  let los = array<vec4f, 4>(a0, a1, a2, a3);
  let his = array<vec4f, 4>(b0, b1, b2, b3);
  for (var i = 0u; i < 4u; i++) {
    if (og0 + i >= OG) { break; }
    var lo = los[i];
    var hi = his[i];
    if (HAS_BIAS) {
      lo += bias[o + i];
      hi += bias[o + i];
    }
    if (has_epilogue()) {
      lo = epilogue(lo, vec4u(o + i), ybase, min(cols, 4u));
      if (cols > 4u) { hi = epilogue(hi, vec4u(o + i), ybase + 4u, cols - 4u); }
    }
    store_row8(ybase, cols, lo, hi);
    ybase += OH * OW;
  }
}

@compute @workgroup_size(64)
fn input_grad_window(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                     @builtin(num_workgroups) nwg: vec3u) {
  let OG = O / G;
  let CG = C / G;
  let KK = KH * KW;
  let WIN = select(4u, 8u, WIN8);
  let tilesC = CGP / 4u;
  let tile = window_tile(tile_index(wg, lid, nwg), W, H, tilesC);
  if (!tile.valid) { return; }
  let iw0 = tile.col0;
  let ih = tile.row;
  let n = tile.n;
  let cg0 = tile.ch0;
  let g = tile.g;

  // Output column of input column iw0 + j through tap kw: iw0 + j + PW - kw.
  let c0 = i32(iw0 + PW);
  let cols0 = vec4i(c0) + vec4i(0, 1, 2, 3);
  let cols1 = cols0 + vec4i(4);
  let dyplane0 = (n * O + g * OG) * OH * OW;
  var a0 = vec4f(0.0);
  var b0 = vec4f(0.0);
  var a1 = vec4f(0.0);
  var b1 = vec4f(0.0);
  var a2 = vec4f(0.0);
  var b2 = vec4f(0.0);
  var a3 = vec4f(0.0);
  var b3 = vec4f(0.0);
  for (var kh = 0u; kh < KH; kh++) {
    // Output row oh covers input row ih through tap kh when ih + PH - kh*DH = oh*SH.
    let th = i32(ih + PH) - i32(kh * DH);
    if (th < 0) { break; }
    if (SH != 1u && th % i32(SH) != 0) { continue; }
    let oh = u32(th) / SH;
    if (oh >= OH) { continue; }
    var dyrow = i32(dyplane0 + oh * OW);
    // vec4 index of the weights of (og, kh, kw = 0) for channels cg0..cg0+3.
    var widx = ((g * OG) * KK + kh * KW) * tilesC + cg0 / 4u;
    for (var og = 0u; og < OG; og++) {
      var lo = load4(vec4i(dyrow) + cols0, (cols0 >= vec4i(0)) & (cols0 < vec4i(i32(OW))));
      var hi = vec4f(0.0);
      if (WIN8) { hi = load4(vec4i(dyrow) + cols1, (cols1 >= vec4i(0)) & (cols1 < vec4i(i32(OW)))); }
      var wk = widx;
      for (var kw = 0u; kw < KW; kw++) {
        let wv = w4[wk];
        a0 += wv.x * lo;
        a1 += wv.y * lo;
        a2 += wv.z * lo;
        a3 += wv.w * lo;
        if (WIN8) {
          b0 += wv.x * hi;
          b1 += wv.y * hi;
          b2 += wv.z * hi;
          b3 += wv.w * hi;
          hi = vec4f(lo.w, hi.xyz);
        }
        wk += tilesC;
        let prev = c0 - i32(kw) - 1;
        lo = vec4f(at_dy(dyrow + prev, prev), lo.xyz);
      }
      widx += KK * tilesC;
      dyrow += i32(OH * OW);
    }
  }
  let cols = min(WIN, W - iw0);
  var xbase = ((n * C + g * CG + cg0) * H + ih) * W + iw0;
  let los = array<vec4f, 4>(a0, a1, a2, a3);
  let his = array<vec4f, 4>(b0, b1, b2, b3);
  for (var i = 0u; i < 4u; i++) {
    if (cg0 + i >= CG) { break; }
    store_row8(xbase, cols, los[i], his[i]);
    xbase += H * W;
  }
}
