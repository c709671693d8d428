// Input augmentation of a batch of images [N, C, H, W] (float32, NCHW), with per-image random
// parameters drawn on the CPU and passed in a small per-run buffer (so a cached plan replays with
// each step's draws). No gradients: these transform inputs.
//
//  resample: out[n, c, y, x] of [NOUT, C, OH, OW] samples image src(n) inside its crop box
//      (top, left, h, w), bilinear with align_corners = false (source = (dst + 0.5) * h / OH - 0.5,
//      clamped to the box as PyTorch's resize does), mirrored left-right when flip != 0. Box pixels
//      outside the image read 0 (zero padding). A box of the output's size samples exactly: random
//      crop with padding, centre and corner crops, flips. box = 2 x vec4i per output image:
//      (src, top, left, h), (w, flip, 0, 0). One invocation per output element.
//  gray_mean: per image, the mean over pixels of grey(brightness-adjusted image), grey = 0.2989 R
//      + 0.587 G + 0.114 B (C = 3) or the value (C = 1): what contrast blends towards. One
//      workgroup of 64 per image, a tree reduction in workgroup memory.
//  color: per pixel of [N, C, H, W], C = 1 or 3, in torchvision's arithmetic: brightness
//      v = clamp(b v, 0, 1); contrast v = clamp(c v + (1 - c) mean, 0, 1); saturation (C = 3)
//      v = clamp(s v + (1 - s) grey(v), 0, 1); lighting (C = 3) v += rgb[channel] (AlexNet's PCA
//      noise, unclamped). factors = 2 x vec4f per image: (b, c, s, 0), (r, g, b, 0). One invocation
//      per pixel (all channels).
//  normalize: out = (x - mean[c]) * inv_std[c]; stats = C means then C inverse deviations. One
//      invocation per element.
//
// Dispatch: 64 invocations per workgroup on a 2-D workgroup grid, id = (wg.y * nwg.x + wg.x) * 64
// + lid.x (gray_mean: workgroup id = image).

override C: u32 = 1u;
override H: u32 = 1u;
override W: u32 = 1u;
override OH: u32 = 1u;
override OW: u32 = 1u;
override NOUT: u32 = 1u;
override N: u32 = 1u;
override BRIGHTNESS: bool = false;
override CONTRAST: bool = false;
override SATURATION: bool = false;
override LIGHTING: bool = false;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> box: array<vec4i>;
@group(0) @binding(1) var<storage, read> factors: array<vec4f>;
@group(0) @binding(1) var<storage, read> stats: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> means: array<f32>;
@group(0) @binding(3) var<storage, read> means_in: array<f32>;

fn linear_id(wg: vec3u, lid: vec3u, nwg: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * 64u + lid.x;
}

// Pixel (r, q) of plane `base`, 0 outside the image.
fn pixel(base: u32, r: i32, q: i32) -> f32 {
  if (r < 0 || q < 0 || r >= i32(H) || q >= i32(W)) { return 0.0; }
  return x[base + u32(r) * W + u32(q)];
}

// Bilinear source index along one axis of a box of `size` pixels sampled at `count` points.
fn source(dst: u32, size: i32, count: u32) -> vec3f {
  let s = max((f32(dst) + 0.5) * (f32(size) / f32(count)) - 0.5, 0.0);
  let i0 = min(i32(floor(s)), size - 1);
  let i1 = min(i0 + 1, size - 1);
  return vec3f(f32(i0), f32(i1), s - f32(i0));
}

@compute @workgroup_size(64)
fn resample(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
            @builtin(num_workgroups) nwg: vec3u) {
  let i = linear_id(wg, lid, nwg);
  if (i >= NOUT * C * OH * OW) { return; }
  let xo = i % OW;
  let yo = (i / OW) % OH;
  let c = (i / (OW * OH)) % C;
  let n = i / (OW * OH * C);
  let b0 = box[2u * n];
  let b1 = box[2u * n + 1u];
  var xs = xo;
  if (b1.y != 0) { xs = OW - 1u - xo; }
  let sy = source(yo, b0.w, OH);
  let sx = source(xs, b1.x, OW);
  let base = (u32(b0.x) * C + c) * H * W;
  let r0 = b0.y + i32(sy.x);
  let r1 = b0.y + i32(sy.y);
  let q0 = b0.z + i32(sx.x);
  let q1 = b0.z + i32(sx.y);
  let top = pixel(base, r0, q0) * (1.0 - sx.z) + pixel(base, r0, q1) * sx.z;
  let bottom = pixel(base, r1, q0) * (1.0 - sx.z) + pixel(base, r1, q1) * sx.z;
  y[i] = top * (1.0 - sy.z) + bottom * sy.z;
}

fn grey(r: f32, g: f32, b: f32) -> f32 {
  return 0.2989 * r + 0.587 * g + 0.114 * b;
}

// Grey value of pixel p of image n after the brightness step.
fn bright_grey(n: u32, p: u32) -> f32 {
  let plane = H * W;
  let base = n * C * plane + p;
  var b = 1.0;
  if (BRIGHTNESS) { b = factors[2u * n].x; }
  if (C == 3u) {
    var v = vec3f(x[base], x[base + plane], x[base + 2u * plane]) * b;
    if (BRIGHTNESS) { v = clamp(v, vec3f(0.0), vec3f(1.0)); }
    return grey(v.x, v.y, v.z);
  }
  var v = x[base] * b;
  if (BRIGHTNESS) { v = clamp(v, 0.0, 1.0); }
  return v;
}

var<workgroup> partial: array<f32, 64>;

@compute @workgroup_size(64)
fn gray_mean(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
             @builtin(num_workgroups) nwg: vec3u) {
  let n = wg.y * nwg.x + wg.x;
  var s = 0.0;
  if (n < N) {
    for (var p = lid.x; p < H * W; p += 64u) { s += bright_grey(n, p); }
  }
  partial[lid.x] = s;
  workgroupBarrier();
  for (var k = 32u; k > 0u; k >>= 1u) {
    if (lid.x < k) { partial[lid.x] += partial[lid.x + k]; }
    workgroupBarrier();
  }
  if (lid.x == 0u && n < N) { means[n] = partial[0] / f32(H * W); }
}

@compute @workgroup_size(64)
fn color(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
         @builtin(num_workgroups) nwg: vec3u) {
  let i = linear_id(wg, lid, nwg);
  let plane = H * W;
  if (i >= N * plane) { return; }
  let n = i / plane;
  let p = i % plane;
  let base = n * C * plane + p;
  let f = factors[2u * n];
  let light = factors[2u * n + 1u];
  var v = vec3f(x[base], 0.0, 0.0);
  if (C == 3u) { v = vec3f(x[base], x[base + plane], x[base + 2u * plane]); }
  if (BRIGHTNESS) { v = clamp(v * f.x, vec3f(0.0), vec3f(1.0)); }
  if (CONTRAST) { v = clamp(f.y * v + (1.0 - f.y) * means_in[n], vec3f(0.0), vec3f(1.0)); }
  if (SATURATION && C == 3u) { v = clamp(f.z * v + (1.0 - f.z) * grey(v.x, v.y, v.z), vec3f(0.0), vec3f(1.0)); }
  if (LIGHTING && C == 3u) { v += light.xyz; }
  y[base] = v.x;
  if (C == 3u) {
    y[base + plane] = v.y;
    y[base + 2u * plane] = v.z;
  }
}

@compute @workgroup_size(64)
fn normalize(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
             @builtin(num_workgroups) nwg: vec3u) {
  let i = linear_id(wg, lid, nwg);
  if (i >= N * C * H * W) { return; }
  let c = (i / (H * W)) % C;
  y[i] = (x[i] - stats[c]) * stats[C + c];
}
