// Batched matrix multiply: C[b] = op(A[b]) x op(B[b]) (+ bias[n]), any M, N, K.
//
// Layout: A is [BATCH, M, K] (or [BATCH, K, M] when TRANS_A), B is [BATCH, K, N] (or [BATCH, N, K]
// when TRANS_B), C is [BATCH, M, N], all row-major. A_BATCH_STRIDE / B_BATCH_STRIDE are 0 for an
// operand broadcast over the batch. When SPLITS > 1 the K range is split and C is [SPLITS, BATCH,
// M, N] partial sums that a reduction adds up (for small M*N with long K).
//
// Each invocation computes a 4x4 tile of C in registers (no workgroup memory: on CPU adapters such
// as SwiftShader barriers cost more than the reuse they buy). Loads past the edges are clamped and
// their products discarded by the guarded stores, so sizes need not be multiples of 4.
//
// Then a fused epilogue (epilogue.wgsl, appended by the wrapper; never with SPLITS > 1): column n is
// channel n, as the bias (linear -> batch norm 1d -> activation).
//
// Dispatch: 64 invocations per workgroup over tiles (n fastest, then m, then batch, then split),
// 2-D workgroup grid.

override M: u32;
override N: u32;
override K: u32;
override BATCH: u32 = 1u;
override TRANS_A: bool = false;
override TRANS_B: bool = false;
override A_BATCH_STRIDE: u32 = 0u;
override B_BATCH_STRIDE: u32 = 0u;
override HAS_BIAS: bool = false;
override SPLITS: u32 = 1u;
override K_CHUNK: u32 = 1u;

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> epi_affine: array<f32>;
@group(0) @binding(5) var<storage, read> epi_residual: array<f32>;

fn a_at(base: u32, m: u32, k: u32) -> f32 {
  if (TRANS_A) { return a[base + k * M + m]; }
  return a[base + m * K + k];
}

fn b_at(base: u32, k: u32, n: u32) -> f32 {
  if (TRANS_B) { return b[base + n * K + k]; }
  return b[base + k * N + n];
}

@compute @workgroup_size(64)
fn matmul(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
          @builtin(num_workgroups) nwg: vec3u) {
  let tilesN = (N + 3u) / 4u;
  let tilesM = (M + 3u) / 4u;
  let t = (wg.y * nwg.x + wg.x) * 64u + lid.x;
  if (t >= tilesN * tilesM * BATCH * SPLITS) { return; }
  let tn = t % tilesN;
  let rest = t / tilesN;
  let tm = rest % tilesM;
  let rest2 = rest / tilesM;
  let batch = rest2 % BATCH;
  let split = rest2 / BATCH;

  let m0 = tm * 4u;
  let n0 = tn * 4u;
  // Clamped row/column indices for loads.
  let ma = vec4u(min(m0, M - 1u), min(m0 + 1u, M - 1u), min(m0 + 2u, M - 1u), min(m0 + 3u, M - 1u));
  let nb = vec4u(min(n0, N - 1u), min(n0 + 1u, N - 1u), min(n0 + 2u, N - 1u), min(n0 + 3u, N - 1u));
  let abase = batch * A_BATCH_STRIDE;
  let bbase = batch * B_BATCH_STRIDE;
  let k0 = split * K_CHUNK;
  let k1 = min(K, k0 + K_CHUNK);

  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var k = k0; k < k1; k++) {
    let bv = vec4f(b_at(bbase, k, nb.x), b_at(bbase, k, nb.y), b_at(bbase, k, nb.z), b_at(bbase, k, nb.w));
    acc0 += a_at(abase, ma.x, k) * bv;
    acc1 += a_at(abase, ma.y, k) * bv;
    acc2 += a_at(abase, ma.z, k) * bv;
    acc3 += a_at(abase, ma.w, k) * bv;
  }
  if (HAS_BIAS) {
    let bb = vec4f(bias[nb.x], bias[nb.y], bias[nb.z], bias[nb.w]);
    acc0 += bb;
    acc1 += bb;
    acc2 += bb;
    acc3 += bb;
  }
  let cbase = (split * BATCH + batch) * M * N;
  store_row(cbase, m0, n0, acc0);
  store_row(cbase, m0 + 1u, n0, acc1);
  store_row(cbase, m0 + 2u, n0, acc2);
  store_row(cbase, m0 + 3u, n0, acc3);
}

fn store_row(cbase: u32, m: u32, n0: u32, acc: vec4f) {
  if (m >= M) { return; }
  let row = cbase + m * N;
  var v = acc;
  if (has_epilogue()) { v = epilogue(v, vec4u(n0) + vec4u(0u, 1u, 2u, 3u), row + n0, min(4u, N - n0)); }
  if (n0 + 3u < N) {
    c[row + n0] = v.x;
    c[row + n0 + 1u] = v.y;
    c[row + n0 + 2u] = v.z;
    c[row + n0 + 3u] = v.w;
    return;
  }
  c[row + n0] = v.x;
  if (n0 + 1u < N) { c[row + n0 + 1u] = v.y; }
  if (n0 + 2u < N) { c[row + n0 + 2u] = v.z; }
}
