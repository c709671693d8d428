// Dense matrix products with vec4 loads, for operands whose contiguous dimension is a multiple of
// 4 (the callers pad: conv's im2col rows, repacked weights). Used by the im2col convolution path.
//
// Each invocation keeps a register tile and reads 16-byte vectors: on CPU adapters (SwiftShader)
// every load is a per-lane gather with a bounds check, so fewer, wider loads per multiply-add is
// what makes a product fast; there is no workgroup memory (barriers cost more than they save).
// Dispatch: 64 invocations per workgroup over tiles, 2-D workgroup grid.
//
//  nn:  C[b] (M x N, row stride LDC) = A[b] (M x K) * B[b] (K x N) (+ bias[m]); K, N multiples of 4
//       (B may have only K_ROWS rows: the rest read as zero, for 1x1 convolutions reading x itself).
//       Then a fused epilogue (epilogue.wgsl, appended by the wrapper) when set; row m is channel m.
//       A_BATCH = 0 shares one A over the batch; with A_GROUPS > 1, batch entry b uses A number
//       b % A_GROUPS (grouped convolution: b = (image, group)). Tile: 8 rows x 4 columns.
//  tn:  C[b] (M x N) = A[b]^T * B[b], A stored K x M (A_GROUPS as nn); M, N multiples of 4; only
//       the first M_ROWS rows of C are stored.
//       Tile: 8 rows x 4 columns.
//  ntr: C[g] (M x N, row stride LDC, first NCOLS columns) = sum over b of A[g, b] (M x K) * B[g, b]^T,
//       B[g, b] stored N x K; K a multiple of 4. GROUPS independent products, A[g, b] at
//       g * A_GROUP + b * A_BATCH (B likewise), C[g] at g * M * LDC. The batch is split in SPLITS
//       chunks of B_CHUNK: with SPLITS > 1 the output is [SPLITS, GROUPS, M, LDC] partial sums for
//       a reduction. Tile: 4 x 4.

override M: u32;
override N: u32;
override K: u32;
override BATCH: u32 = 1u;
override A_BATCH: u32 = 0u;     // elements between the A matrices of consecutive batch entries
override B_BATCH: u32 = 0u;
override C_BATCH: u32 = 0u;
override LDC: u32 = 0u;         // row stride of C in elements
override NCOLS: u32 = 0u;       // columns of C actually stored (nn: the rest is padding)
override HAS_BIAS: bool = false;
override K_ROWS: u32 = 0u;      // nn: rows of B that exist (0: K); rows K_ROWS..K-1 read as zero
override M_ROWS: u32 = 0u;      // tn: rows of C stored (0: M)
override SPLITS: u32 = 1u;
override B_CHUNK: u32 = 1u;
override A_GROUPS: u32 = 1u;    // nn, tn: batch entry b reads A number b % A_GROUPS
override GROUPS: u32 = 1u;      // ntr: independent products
override A_GROUP: u32 = 0u;     // ntr: elements between the A (B) matrices of consecutive groups
override B_GROUP: u32 = 0u;

@group(0) @binding(0) var<storage, read> a: array<vec4f>;
@group(0) @binding(1) var<storage, read> b: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> epi_affine: array<f32>;
@group(0) @binding(5) var<storage, read> epi_residual: array<f32>;

fn tile_index(wg: vec3u, lid: vec3u, nwg: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * 64u + lid.x;
}

// Which A a batch entry multiplies (the modulo folds away for one group).
fn a_index(bt: u32) -> u32 {
  if (A_GROUPS != 1u) { return bt % A_GROUPS; }
  return bt;
}

fn store4(base: u32, col: u32, v: vec4f) {
  if (col + 3u < NCOLS) {
    c[base + col] = v.x;
    c[base + col + 1u] = v.y;
    c[base + col + 2u] = v.z;
    c[base + col + 3u] = v.w;
    return;
  }
  for (var j = 0u; j < 4u; j++) {
    if (col + j < NCOLS) { c[base + col + j] = v[j]; }
  }
}

// One A row's 4 values times 4 rows of B: av.x * b0 + av.y * b1 + av.z * b2 + av.w * b3.
fn rowdot(av: vec4f, b0: vec4f, b1: vec4f, b2: vec4f, b3: vec4f) -> vec4f {
  return av.x * b0 + av.y * b1 + av.z * b2 + av.w * b3;
}

@compute @workgroup_size(64)
fn nn(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
      @builtin(num_workgroups) nwg: vec3u) {
  let N4 = N / 4u;
  let K4 = K / 4u;
  let tilesM = (M + 7u) / 8u;
  let t = tile_index(wg, lid, nwg);
  if (t >= N4 * tilesM * BATCH) { return; }
  let tn = t % N4;
  let r = t / N4;
  let m0 = (r % tilesM) * 8u;
  let bt = r / tilesM;
  // Row starts (in vec4s) of the 8 A rows, clamped; extra rows are computed and dropped.
  let abase = a_index(bt) * (A_BATCH / 4u);
  let ra = (vec4u(m0) + vec4u(0u, 1u, 2u, 3u));
  let rb = (vec4u(m0) + vec4u(4u, 5u, 6u, 7u));
  let ar0 = vec4u(abase) + min(ra, vec4u(M - 1u)) * K4;
  let ar1 = vec4u(abase) + min(rb, vec4u(M - 1u)) * K4;
  var bk = bt * (B_BATCH / 4u) + tn;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  var acc4 = vec4f(0.0);
  var acc5 = vec4f(0.0);
  var acc6 = vec4f(0.0);
  var acc7 = vec4f(0.0);
  // Full blocks of 4 B rows, then (when B has fewer than K rows) one block with the missing rows
  // read as zero: A's padding columns are zero, but B's rows past K_ROWS may not even exist.
  let krows = select(K_ROWS, K, K_ROWS == 0u);
  let kfull = krows / 4u;
  for (var k = 0u; k < kfull; k++) {
    let b0 = b[bk];
    let b1 = b[bk + N4];
    let b2 = b[bk + 2u * N4];
    let b3 = b[bk + 3u * N4];
    acc0 += rowdot(a[ar0.x + k], b0, b1, b2, b3);
    acc1 += rowdot(a[ar0.y + k], b0, b1, b2, b3);
    acc2 += rowdot(a[ar0.z + k], b0, b1, b2, b3);
    acc3 += rowdot(a[ar0.w + k], b0, b1, b2, b3);
    acc4 += rowdot(a[ar1.x + k], b0, b1, b2, b3);
    acc5 += rowdot(a[ar1.y + k], b0, b1, b2, b3);
    acc6 += rowdot(a[ar1.z + k], b0, b1, b2, b3);
    acc7 += rowdot(a[ar1.w + k], b0, b1, b2, b3);
    bk += 4u * N4;
  }
  if (kfull < K4) {
    let k = kfull;
    let r = krows - 4u * k;
    var b0 = vec4f(0.0);
    var b1 = vec4f(0.0);
    var b2 = vec4f(0.0);
    let b3 = vec4f(0.0);
    if (r > 0u) { b0 = b[bk]; }
    if (r > 1u) { b1 = b[bk + N4]; }
    if (r > 2u) { b2 = b[bk + 2u * N4]; }
    acc0 += rowdot(a[ar0.x + k], b0, b1, b2, b3);
    acc1 += rowdot(a[ar0.y + k], b0, b1, b2, b3);
    acc2 += rowdot(a[ar0.z + k], b0, b1, b2, b3);
    acc3 += rowdot(a[ar0.w + k], b0, b1, b2, b3);
    acc4 += rowdot(a[ar1.x + k], b0, b1, b2, b3);
    acc5 += rowdot(a[ar1.y + k], b0, b1, b2, b3);
    acc6 += rowdot(a[ar1.z + k], b0, b1, b2, b3);
    acc7 += rowdot(a[ar1.w + k], b0, b1, b2, b3);
  }
  let accs = array<vec4f, 8>(acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7);
  let cbase = bt * C_BATCH;
  // Channel of row 0: grouped products hold group b % A_GROUPS's channels.
  var ch0 = 0u;
  if (A_GROUPS != 1u) { ch0 = (bt % A_GROUPS) * M; }
  for (var i = 0u; i < 8u; i++) {
    let m = m0 + i;
    if (m >= M) { break; }
    var v = accs[i];
    if (HAS_BIAS) { v += bias[ch0 + m]; }
    if (has_epilogue()) {
      let col = tn * 4u;
      v = epilogue(v, vec4u(ch0 + m), cbase + m * LDC + col, min(4u, max(NCOLS, col) - col));
    }
    store4(cbase + m * LDC, tn * 4u, v);
  }
}

@compute @workgroup_size(64)
fn tn(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
      @builtin(num_workgroups) nwg: vec3u) {
  let N4 = N / 4u;
  let M4 = M / 4u;
  let tilesM = (M + 7u) / 8u;
  let t = tile_index(wg, lid, nwg);
  if (t >= N4 * tilesM * BATCH) { return; }
  let tn = t % N4;
  let r = t / N4;
  let m0 = (r % tilesM) * 8u;
  let bt = r / tilesM;
  // A row k holds the 8 needed m's in two vec4s (the second clamped when M is not a multiple of 8).
  var ak = a_index(bt) * (A_BATCH / 4u) + m0 / 4u;
  let second = min(1u, M4 - 1u - m0 / 4u);
  var bk = bt * (B_BATCH / 4u) + tn;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  var acc4 = vec4f(0.0);
  var acc5 = vec4f(0.0);
  var acc6 = vec4f(0.0);
  var acc7 = vec4f(0.0);
  for (var k = 0u; k < K; k++) {
    let bv = b[bk];
    let a0 = a[ak];
    let a1 = a[ak + second];
    acc0 += a0.x * bv;
    acc1 += a0.y * bv;
    acc2 += a0.z * bv;
    acc3 += a0.w * bv;
    acc4 += a1.x * bv;
    acc5 += a1.y * bv;
    acc6 += a1.z * bv;
    acc7 += a1.w * bv;
    ak += M4;
    bk += N4;
  }
  let accs = array<vec4f, 8>(acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7);
  let cbase = bt * C_BATCH;
  let mrows = select(M_ROWS, M, M_ROWS == 0u);
  for (var i = 0u; i < 8u; i++) {
    let m = m0 + i;
    if (m >= mrows) { break; }
    store4(cbase + m * LDC, tn * 4u, accs[i]);
  }
}

@compute @workgroup_size(64)
fn ntr(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
       @builtin(num_workgroups) nwg: vec3u) {
  let K4 = K / 4u;
  let tilesN = (N + 3u) / 4u;
  let tilesM = (M + 3u) / 4u;
  let t = tile_index(wg, lid, nwg);
  if (t >= tilesN * tilesM * GROUPS * SPLITS) { return; }
  let n0 = (t % tilesN) * 4u;
  let r = t / tilesN;
  let m0 = (r % tilesM) * 4u;
  let r2 = r / tilesM;
  var grp = 0u;
  var split = r2;
  if (GROUPS != 1u) {
    grp = r2 % GROUPS;
    split = r2 / GROUPS;
  }
  let am = min(vec4u(m0) + vec4u(0u, 1u, 2u, 3u), vec4u(M - 1u)) * K4 + vec4u(grp * (A_GROUP / 4u));
  let bn = min(vec4u(n0) + vec4u(0u, 1u, 2u, 3u), vec4u(N - 1u)) * K4 + vec4u(grp * (B_GROUP / 4u));
  let b0 = split * B_CHUNK;
  let b1 = min(BATCH, b0 + B_CHUNK);
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var bt = b0; bt < b1; bt++) {
    let ab = bt * (A_BATCH / 4u);
    let bb = bt * (B_BATCH / 4u);
    for (var k = 0u; k < K4; k++) {
      let x0 = a[ab + am.x + k];
      let x1 = a[ab + am.y + k];
      let x2 = a[ab + am.z + k];
      let x3 = a[ab + am.w + k];
      let y0 = b[bb + bn.x + k];
      let y1 = b[bb + bn.y + k];
      let y2 = b[bb + bn.z + k];
      let y3 = b[bb + bn.w + k];
      acc0 += vec4f(dot(x0, y0), dot(x0, y1), dot(x0, y2), dot(x0, y3));
      acc1 += vec4f(dot(x1, y0), dot(x1, y1), dot(x1, y2), dot(x1, y3));
      acc2 += vec4f(dot(x2, y0), dot(x2, y1), dot(x2, y2), dot(x2, y3));
      acc3 += vec4f(dot(x3, y0), dot(x3, y1), dot(x3, y2), dot(x3, y3));
    }
  }
  let accs = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  let cbase = (split * GROUPS + grp) * M * LDC;
  for (var i = 0u; i < 4u; i++) {
    if (m0 + i >= M) { break; }
    store4(cbase + (m0 + i) * LDC, n0, accs[i]);
  }
}
