// Strided block copy: the kernel behind cat, split, slice / narrow (and their gradients),
// channel shuffle and row-preserving permutes. Elements are copied as raw 32-bit words, so one
// kernel serves float32, int32 and bool.
//
// Layout: a block of up to four dims A, B, C, D, read from `src` and written to `dst` through
// per-dim strides (in elements, or in vec4s for copy4):
//   dst[DST_OFF + a*DA + b*DB + c*DC + d*DD] = src[SRC_OFF + a*SA + b*SB + c*SC + d*SD]
//   for a < NA, b < NB, c < NC, d < ND.
// The host puts the longest contiguous run (stride 1 on both sides) on A when it is long ("copy
// rows": lanes along the row), or loops it as D inside each invocation when rows are short (lanes
// across rows). No index is ever divided: every coordinate comes from the grid or a loop counter.
//
// Dispatch: x covers A (64 lanes per workgroup), y covers B, z covers C, each as a grid-stride loop
// (a dim larger than the grid, e.g. past the adapter's 65535 workgroups per dimension, is walked in
// steps of the grid size); D is a loop inside each invocation. copy4 moves vec4s: the host uses it
// only when A's run, its offsets and every other stride are multiples of 4 words on both sides.

override NA: u32 = 1u;
override NB: u32 = 1u;
override NC: u32 = 1u;
override ND: u32 = 1u;
override SA: u32 = 1u;
override SB: u32 = 0u;
override SC: u32 = 0u;
override SD: u32 = 0u;
override DA: u32 = 1u;
override DB: u32 = 0u;
override DC: u32 = 0u;
override DD: u32 = 0u;
override SRC_OFF: u32 = 0u;
override DST_OFF: u32 = 0u;

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(0) var<storage, read> src4: array<vec4u>;
@group(0) @binding(1) var<storage, read_write> dst4: array<vec4u>;

@compute @workgroup_size(64)
fn copy(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(num_workgroups) nwg: vec3u) {
  for (var c = wg.z; c < NC; c += nwg.z) {
    for (var b = wg.y; b < NB; b += nwg.y) {
      let sbase = SRC_OFF + c * SC + b * SB;
      let dbase = DST_OFF + c * DC + b * DB;
      for (var a = wg.x * 64u + lid.x; a < NA; a += nwg.x * 64u) {
        var s = sbase + a * SA;
        var t = dbase + a * DA;
        for (var d = 0u; d < ND; d++) {
          dst[t] = src[s];
          s += SD;
          t += DD;
        }
      }
    }
  }
}

@compute @workgroup_size(64)
fn copy4(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
         @builtin(num_workgroups) nwg: vec3u) {
  for (var c = wg.z; c < NC; c += nwg.z) {
    for (var b = wg.y; b < NB; b += nwg.y) {
      let sbase = SRC_OFF + c * SC + b * SB;
      let dbase = DST_OFF + c * DC + b * DB;
      for (var a = wg.x * 64u + lid.x; a < NA; a += nwg.x * 64u) {
        var s = sbase + a * SA;
        var t = dbase + a * DA;
        for (var d = 0u; d < ND; d++) {
          dst4[t] = src4[s];
          s += SD;
          t += DD;
        }
      }
    }
  }
}
