// Padding (torch.nn.functional.pad) in the modes constant / reflect / replicate / circular, and the
// gradient of the three non-constant modes (the constant mode's gradient is a crop: `forward` with
// the pads negated).
//
// Layout: the tensor is contiguous and seen as up to 6 dims, innermost first: dim 0 is the last
// dim. The host collapses leading unpadded dims into one; unused dims have size 1. Dim j has input
// size Sj, output size Oj and padding Pj before it (negative: cropping). Output coordinate o of a
// dim reads input coordinate
//   constant:  i = o - P, or VALUE where i is outside [0, S)
//   reflect:   i = o - P reflected at 0 and S - 1 (without repeating the edge; the host checks pads < S)
//   replicate: i = clamp(o - P, 0, S - 1)
//   circular:  negative pads crop first, to the kept range [LO, LO + L); then i = LO + (o - PC) wrapped
//              into [0, L) (PC = max(P, 0); the host checks pads <= L, so one wrap is enough).
// Values move as u32 bits, so any 4-byte dtype pads; VALUE is the fill's bit pattern.
//
// Dispatch: 64 invocations per workgroup, 2-D workgroup grid.
//  forward:  one invocation per segment of SEG outputs of one output row (dim 0): the row's
//            coordinates in dims 1..5 are decomposed once per segment, the row loop has no division.
//  backward: non-constant modes with at most 3 padded dims (dims 0..2; dim 3 collects the rest), one
//            invocation per segment of SEG inputs of one input row: gin[i] = sum of gout[o] over the
//            outputs o that read i. Along each dim those are at most 3 ranges of o (reflect and
//            circular: up to 3 single coordinates; replicate: one range, long at the edges).

const SEG: u32 = 32u;

override MODE: u32 = 0u;      // 0 constant, 1 reflect, 2 replicate, 3 circular
override VALUE: u32 = 0u;
override RANK: u32 = 1u;
override ROWS: u32 = 1u;      // forward: output rows (product of O1..O5); backward: input rows

override O0: u32 = 1u;
override O1: u32 = 1u;
override O2: u32 = 1u;
override O3: u32 = 1u;
override O4: u32 = 1u;
override O5: u32 = 1u;
override S0: u32 = 1u;
override S1: u32 = 1u;
override S2: u32 = 1u;
override S3: u32 = 1u;
override S4: u32 = 1u;
override S5: u32 = 1u;
override P0: i32 = 0;
override P1: i32 = 0;
override P2: i32 = 0;
override P3: i32 = 0;
override P4: i32 = 0;
override P5: i32 = 0;
// Circular mode only: kept range [LOj, LOj + Lj) after cropping, and PCj = max(Pj, 0).
override LO0: i32 = 0;
override LO1: i32 = 0;
override LO2: i32 = 0;
override LO3: i32 = 0;
override LO4: i32 = 0;
override LO5: i32 = 0;
override L0: i32 = 1;
override L1: i32 = 1;
override L2: i32 = 1;
override L3: i32 = 1;
override L4: i32 = 1;
override L5: i32 = 1;
override PC0: i32 = 0;
override PC1: i32 = 0;
override PC2: i32 = 0;
override PC3: i32 = 0;
override PC4: i32 = 0;
override PC5: i32 = 0;

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;

fn linear_index(wg: vec3u, lid: vec3u, nwg: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * 64u + lid.x;
}

// The input coordinate output coordinate o reads along a dim, or -1 (constant mode, outside).
fn source(o: i32, p: i32, s: i32, lo: i32, l: i32, pc: i32) -> i32 {
  switch MODE {
    case 0u: {
      let i = o - p;
      return select(-1, i, i >= 0 && i < s);
    }
    case 1u: {
      var i = abs(o - p);
      if (i >= s) { i = 2 * (s - 1) - i; }
      return i;
    }
    case 2u: {
      return clamp(o - p, 0, s - 1);
    }
    default: {
      var j = o - pc;
      if (j < 0) { j += l; }
      if (j >= l) { j -= l; }
      return lo + j;
    }
  }
}

@compute @workgroup_size(64)
fn forward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
           @builtin(num_workgroups) nwg: vec3u) {
  let t = linear_index(wg, lid, nwg);
  let segs = (O0 + SEG - 1u) / SEG;
  if (t >= ROWS * segs) { return; }
  let row = t / segs;
  let o0 = (t - row * segs) * SEG;
  // Input offset of the row, and whether it exists (constant mode: a row outside is all VALUE).
  var inside = true;
  var base = 0;
  var stride = i32(S0);
  var r = row;
  if (RANK > 1u) {
    let i = source(i32(r % O1), P1, i32(S1), LO1, L1, PC1);
    inside = inside && i >= 0;
    base += i * stride;
    stride *= i32(S1);
    r = r / O1;
  }
  if (RANK > 2u) {
    let i = source(i32(r % O2), P2, i32(S2), LO2, L2, PC2);
    inside = inside && i >= 0;
    base += i * stride;
    stride *= i32(S2);
    r = r / O2;
  }
  if (RANK > 3u) {
    let i = source(i32(r % O3), P3, i32(S3), LO3, L3, PC3);
    inside = inside && i >= 0;
    base += i * stride;
    stride *= i32(S3);
    r = r / O3;
  }
  if (RANK > 4u) {
    let i = source(i32(r % O4), P4, i32(S4), LO4, L4, PC4);
    inside = inside && i >= 0;
    base += i * stride;
    stride *= i32(S4);
    r = r / O4;
  }
  if (RANK > 5u) {
    let i = source(i32(r), P5, i32(S5), LO5, L5, PC5);
    inside = inside && i >= 0;
    base += i * stride;
  }
  let end = min(O0, o0 + SEG);
  var out = row * O0 + o0;
  for (var o = o0; o < end; o++) {
    var v = VALUE;
    if (inside) {
      let i = source(i32(o), P0, i32(S0), LO0, L0, PC0);
      if (i >= 0) { v = src[u32(base + i)]; }
    }
    dst[out] = v;
    out++;
  }
}

// The ranges [x, y] of output coordinates (of a dim of output size o) that read input coordinate i
// (empty ranges have x > y), for the non-constant modes.
struct Ranges {
  a: vec2i,
  b: vec2i,
  c: vec2i,
}

const EMPTY = vec2i(1, 0);

fn point(o: i32, n: i32, i: i32, p: i32, s: i32, lo: i32, l: i32, pc: i32) -> vec2i {
  if (o < 0 || o >= n || source(o, p, s, lo, l, pc) != i) { return EMPTY; }
  return vec2i(o, o);
}

fn preimages(i: i32, n: i32, p: i32, s: i32, lo: i32, l: i32, pc: i32) -> Ranges {
  switch MODE {
    case 1u: {
      // Itself, its mirror image left of the input (not for the edge i = 0) and right of it.
      var r = Ranges(point(i + p, n, i, p, s, lo, l, pc), EMPTY, EMPTY);
      if (i > 0) { r.b = point(p - i, n, i, p, s, lo, l, pc); }
      if (i < s - 1) { r.c = point(p + 2 * (s - 1) - i, n, i, p, s, lo, l, pc); }
      return r;
    }
    case 2u: {
      var x = i + p;
      var y = i + p;
      if (i == 0) { x = 0; }
      if (i == s - 1) { y = n - 1; }
      return Ranges(vec2i(max(x, 0), min(y, n - 1)), EMPTY, EMPTY);
    }
    default: {
      if (i < lo || i >= lo + l) { return Ranges(EMPTY, EMPTY, EMPTY); }
      let o = pc + i - lo;
      return Ranges(point(o - l, n, i, p, s, lo, l, pc), point(o, n, i, p, s, lo, l, pc), point(o + l, n, i, p, s, lo, l, pc));
    }
  }
}

fn range_of(r: Ranges, k: u32) -> vec2i {
  if (k == 0u) { return r.a; }
  if (k == 1u) { return r.b; }
  return r.c;
}

@compute @workgroup_size(64)
fn backward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
            @builtin(num_workgroups) nwg: vec3u) {
  let t = linear_index(wg, lid, nwg);
  let segs = (S0 + SEG - 1u) / SEG;
  if (t >= ROWS * segs) { return; }
  let row = t / segs;
  let i0s = (t - row * segs) * SEG;
  let i1 = row % S1;
  let r2 = row / S1;
  let i2 = r2 % S2;
  let plane = r2 / S2;
  let n0 = i32(O0);
  let r1 = preimages(i32(i1), i32(O1), P1, i32(S1), LO1, L1, PC1);
  let q2 = preimages(i32(i2), i32(O2), P2, i32(S2), LO2, L2, PC2);
  let gplane = plane * O2;
  let end = min(S0, i0s + SEG);
  var out = row * S0 + i0s;
  for (var i0 = i0s; i0 < end; i0++) {
    let r0 = preimages(i32(i0), n0, P0, i32(S0), LO0, L0, PC0);
    var acc = 0.0;
    for (var k2 = 0u; k2 < 3u; k2++) {
      let a2 = range_of(q2, k2);
      for (var o2 = a2.x; o2 <= a2.y; o2++) {
        let g2 = (gplane + u32(o2)) * O1;
        for (var k1 = 0u; k1 < 3u; k1++) {
          let a1 = range_of(r1, k1);
          for (var o1 = a1.x; o1 <= a1.y; o1++) {
            let g1 = (g2 + u32(o1)) * O0;
            for (var k0 = 0u; k0 < 3u; k0++) {
              let a0 = range_of(r0, k0);
              for (var o = a0.x; o <= a0.y; o++) {
                acc += bitcast<f32>(src[g1 + u32(o)]);
              }
            }
          }
        }
      }
    }
    dst[out] = bitcast<u32>(acc);
    out++;
  }
}
