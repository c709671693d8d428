// Dropout with random bits from Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as
// 1, 2, 3", SC 2011), a counter-based generator: the bits of counter i under key (seed) k are a pure
// function of (i, k), so the backward pass regenerates the forward's mask from the same seed, and
// every element's draw is independent of the launch shape.
//
// y = x * m with m = SCALE (kept: the Philox word >= THRESH, i.e. with probability 1 - p for
// THRESH = round(p * 2^32)) or 0 (dropped; DROP_ALL drops everything, for p = 1). The gradient is
// the same map applied to dy.
//  elements_4: element 4i + j uses word j of Philox(counter (i, 0, 0, 0), key). One invocation
//      per vec4; it may read and write up to 3 elements past COUNT (tensor buffers are allocated
//      in 256-byte size classes, each holding one tensor at a time, so those lanes are padding).
//  planes_4 / planes_1: plane q (a sample's channel, S contiguous elements) is kept or dropped
//      whole with word q % 4 of Philox(counter (q / 4, 1, 0, 0), key). T invocations per plane,
//      each striding through the plane's vectors (vec4 when S % 4 == 0).
//
// Layout: x, y flat; seed = 2 x u32 (the key). Dispatch: 64 invocations per workgroup, 2-D
// workgroup grid (id = (wg.y * nwg.x + wg.x) * 64 + lid.x).

override COUNT: u32 = 0u;
override THRESH: u32 = 0u;
override DROP_ALL: bool = false;
override SCALE: f32 = 1.0;
// planes_*: planes, vectors per plane and invocations per plane.
override PLANES: u32 = 1u;
override SV: u32 = 1u;
override T: u32 = 1u;

@group(0) @binding(0) var<storage, read> x4: array<vec4f>;
@group(0) @binding(0) var<storage, read> x1: array<f32>;
@group(0) @binding(1) var<storage, read> seed: array<u32>;
@group(0) @binding(2) var<storage, read_write> y4: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> y1: array<f32>;

// High 32 bits of the 64-bit product a * b, from 16-bit halves (WGSL has no 64-bit integers).
fn mulhi(a: u32, b: u32) -> u32 {
  let a0 = a & 0xffffu;
  let a1 = a >> 16u;
  let b0 = b & 0xffffu;
  let b1 = b >> 16u;
  let p01 = a0 * b1;
  let p10 = a1 * b0;
  let mid = ((a0 * b0) >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  return a1 * b1 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
}

fn philox_round(c: vec4u, k: vec2u) -> vec4u {
  let m0 = 0xD2511F53u;
  let m1 = 0xCD9E8D57u;
  return vec4u(mulhi(m1, c.z) ^ c.y ^ k.x, m1 * c.z, mulhi(m0, c.x) ^ c.w ^ k.y, m0 * c.x);
}

fn philox(counter: vec4u) -> vec4u {
  var c = counter;
  var k = vec2u(seed[0], seed[1]);
  c = philox_round(c, k);
  for (var r = 1u; r < 10u; r++) {
    k += vec2u(0x9E3779B9u, 0xBB67AE85u);
    c = philox_round(c, k);
  }
  return c;
}

fn multiplier(bits: vec4u) -> vec4f {
  if (DROP_ALL) { return vec4f(0.0); }
  return select(vec4f(0.0), vec4f(SCALE), bits >= vec4u(THRESH));
}

@compute @workgroup_size(64)
fn elements_4(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
              @builtin(num_workgroups) nwg: vec3u) {
  let i = (wg.y * nwg.x + wg.x) * 64u + lid.x;
  if (i * 4u >= COUNT) { return; }
  y4[i] = x4[i] * multiplier(philox(vec4u(i, 0u, 0u, 0u)));
}

// The multiplier of plane q.
fn plane_multiplier(q: u32) -> f32 {
  let m = multiplier(philox(vec4u(q >> 2u, 1u, 0u, 0u)));
  return m[q & 3u];
}

@compute @workgroup_size(64)
fn planes_4(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
            @builtin(num_workgroups) nwg: vec3u) {
  let id = (wg.y * nwg.x + wg.x) * 64u + lid.x;
  if (id >= PLANES * T) { return; }
  var q = id;
  var j = 0u;
  if (T != 1u) {
    q = id / T;
    j = id - q * T;
  }
  let m = vec4f(plane_multiplier(q));
  let end = (q + 1u) * SV;
  for (var i = q * SV + j; i < end; i += T) {
    y4[i] = x4[i] * m;
  }
}

@compute @workgroup_size(64)
fn planes_1(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
            @builtin(num_workgroups) nwg: vec3u) {
  let id = (wg.y * nwg.x + wg.x) * 64u + lid.x;
  if (id >= PLANES * T) { return; }
  var q = id;
  var j = 0u;
  if (T != 1u) {
    q = id / T;
    j = id - q * T;
  }
  let m = plane_multiplier(q);
  let end = (q + 1u) * SV;
  for (var i = q * SV + j; i < end; i += T) {
    y1[i] = x1[i] * m;
  }
}
