// Winograd F(2x2, 3x3) convolution (Lavin & Gray 2015) for 3x3 kernels, stride 1, dilation 1,
// groups 1: each 2x2 output tile is A^T [ sum_c (G g G^T) . (B^T d B) ] A, with d the 4x4 input patch
// of the tile and g the 3x3 kernel; the sum over channels is 16 independent matrix products (one
// per position xi of the 4x4 transformed tile), run by gemm.wgsl `nn` with BATCH = 16. 16 products
// of a 4x4 tile stand for the 36 of direct convolution, at the price of the transforms here.
//
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]   G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1]
//   A^T = [1 1 1 0; 0 1 -1 -1]
//
// The convolution read here maps input [N, CI, HI, WI] to output [N, CO, HO, WO] with padding
// (PH, PW); the input gradient of a stride-1 3x3 convolution is one too (dy convolved with the
// flipped, transposed kernel, padding 2 - p), so `weights` can flip and transpose (FLIP).
//
// Layouts: tiles t = (n, th, tw) of the output, T = N * TH * TW, padded to T4 (a multiple of 4);
// CP = CI rounded up to 4. U [16, CO, CP] (transformed kernels, zero columns past CI);
// V [16, CP, T4] (transformed patches, zero rows past CI and columns past T); the products
// Mx [16, CO, T4].
// Dispatch: 64 invocations per workgroup, 2-D workgroup grid.
//  weights: one invocation per (co, cp) of U: writes its 16 values.
//  input:   one invocation per (cp, t) of V: reads one 4x4 patch, writes 16 values.
//  output:  one invocation per (co, t): reads 16 values of Mx, writes the 2x2 tile (+ bias, then a
//           fused epilogue: epilogue.wgsl, appended by the wrapper, when set).

override N: u32;
override CI: u32;
override HI: u32;
override WI: u32;
override CO: u32;
override HO: u32;
override WO: u32;
override PH: u32 = 1u;
override PW: u32 = 1u;
override CP: u32;
override TH: u32;
override TW: u32;
override T4: u32;
override FLIP: bool = false;
override HAS_BIAS: bool = false;

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read> epi_affine: array<f32>;
@group(0) @binding(4) var<storage, read> epi_residual: array<f32>;

fn linear(wg: vec3u, lid: vec3u, nwg: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * 64u + lid.x;
}

// Weight [CO, CI, 3, 3] (FLIP: the forward weight [CI, CO, 3, 3], read flipped: the kernel of the
// input gradient) -> U[xi, co, cp] = (G g G^T)[xi].
@compute @workgroup_size(64)
fn weights(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
           @builtin(num_workgroups) nwg: vec3u) {
  let i = linear(wg, lid, nwg);
  if (i >= CO * CP) { return; }
  let co = i / CP;
  let cp = i - co * CP;
  var u = array<vec4f, 4>(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  if (cp < CI) {
    var g = array<vec3f, 3>();
    if (FLIP) {
      let b = (cp * CO + co) * 9u;
      for (var r = 0u; r < 3u; r++) {
        let q = b + (2u - r) * 3u;
        g[r] = vec3f(src[q + 2u], src[q + 1u], src[q]);
      }
    } else {
      let b = (co * CI + cp) * 9u;
      for (var r = 0u; r < 3u; r++) {
        let q = b + r * 3u;
        g[r] = vec3f(src[q], src[q + 1u], src[q + 2u]);
      }
    }
    // Rows: G g (4 x 3), then each row times G^T (3 -> 4 columns).
    let rows = array<vec3f, 4>(g[0], 0.5 * (g[0] + g[1] + g[2]), 0.5 * (g[0] - g[1] + g[2]), g[2]);
    for (var r = 0u; r < 4u; r++) {
      let v = rows[r];
      u[r] = vec4f(v.x, 0.5 * (v.x + v.y + v.z), 0.5 * (v.x - v.y + v.z), v.z);
    }
  }
  let plane = CO * CP;
  for (var r = 0u; r < 4u; r++) {
    for (var c = 0u; c < 4u; c++) { dst[(r * 4u + c) * plane + i] = u[r][c]; }
  }
}

// Input [N, CI, HI, WI] -> V[xi, cp, t] = (B^T d B)[xi] for the 4x4 patch d of tile t at
// (2 th - PH, 2 tw - PW), zero outside the input.
@compute @workgroup_size(64)
fn input(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
         @builtin(num_workgroups) nwg: vec3u) {
  let i = linear(wg, lid, nwg);
  if (i >= CP * T4) { return; }
  let cp = i / T4;
  let t = i - cp * T4;
  var d = array<vec4f, 4>(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  if (cp < CI && t < N * TH * TW) {
    let tw = t % TW;
    let r = t / TW;
    let th = r % TH;
    let n = r / TH;
    let y0 = i32(2u * th) - i32(PH);
    let x0 = i32(2u * tw) - i32(PW);
    let xs = vec4i(x0) + vec4i(0, 1, 2, 3);
    let okx = (xs >= vec4i(0)) & (xs < vec4i(i32(WI)));
    let plane = i32((n * CI + cp) * HI * WI);
    for (var k = 0; k < 4; k++) {
      let y = y0 + k;
      if (y < 0 || y >= i32(HI)) { continue; }
      let off = vec4u(select(vec4i(0), vec4i(plane + y * i32(WI)) + xs, okx));
      d[k] = select(vec4f(0.0), vec4f(src[off.x], src[off.y], src[off.z], src[off.w]), okx);
    }
  }
  // B^T d (rows), then each row times B.
  let rows = array<vec4f, 4>(d[0] - d[2], d[1] + d[2], d[2] - d[1], d[1] - d[3]);
  let plane = CP * T4;
  for (var r = 0u; r < 4u; r++) {
    let v = rows[r];
    let o = r * 4u * plane + i;
    dst[o] = v.x - v.z;
    dst[o + plane] = v.y + v.z;
    dst[o + 2u * plane] = v.z - v.y;
    dst[o + 3u * plane] = v.y - v.w;
  }
}

// Mx [16, CO, T4] -> the output tiles: y[n, co, 2 th + a, 2 tw + b] = (A^T M A)[a, b] (+ bias).
@compute @workgroup_size(64)
fn output(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
          @builtin(num_workgroups) nwg: vec3u) {
  let T = N * TH * TW;
  let i = linear(wg, lid, nwg);
  if (i >= CO * T) { return; }
  let co = i / T;
  let t = i - co * T;
  let plane = CO * T4;
  let base = co * T4 + t;
  var m = array<vec4f, 4>();
  for (var r = 0u; r < 4u; r++) {
    let o = base + r * 4u * plane;
    m[r] = vec4f(src[o], src[o + plane], src[o + 2u * plane], src[o + 3u * plane]);
  }
  let s0 = m[0] + m[1] + m[2];
  let s1 = m[1] - m[2] - m[3];
  var b = 0.0;
  if (HAS_BIAS) { b = bias[co]; }
  let y00 = s0.x + s0.y + s0.z + b;
  let y01 = s0.y - s0.z - s0.w + b;
  let y10 = s1.x + s1.y + s1.z + b;
  let y11 = s1.y - s1.z - s1.w + b;
  let tw = t % TW;
  let r = t / TW;
  let th = r % TH;
  let n = r / TH;
  let oy = 2u * th;
  let ox = 2u * tw;
  let out = ((n * CO + co) * HO + oy) * WO + ox;
  let right = ox + 1u < WO;
  let cols = select(1u, 2u, right);
  let below = oy + 1u < HO;
  var top = vec4f(y00, y01, 0.0, 0.0);
  var bottom = vec4f(y10, y11, 0.0, 0.0);
  if (has_epilogue()) {
    top = epilogue(top, vec4u(co), out, cols);
    if (below) { bottom = epilogue(bottom, vec4u(co), out + WO, cols); }
  }
  dst[out] = top.x;
  if (right) { dst[out + 1u] = top.y; }
  if (below) {
    dst[out + WO] = bottom.x;
    if (right) { dst[out + WO + 1u] = bottom.y; }
  }
}
