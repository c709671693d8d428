// Reductions over the middle axis of a tensor viewed as [OUTER, R, INNER] (row-major).
//
// Output is [OUTER, SPLITS, INNER]: each invocation reduces a chunk of CHUNK consecutive r for one
// (outer, split, inner) triple. SPLITS = 1 gives the final result; SPLITS > 1 gives partial results
// that a second launch reduces (used when there are few outputs and a long axis, e.g. a full sum).
// OP: 0 sum, 1 max, 2 min, 3 argmax (int32 index of the first maximum), 4 argmin, 5 max and 6 min
// with their argmax / argmin (values to `out`, int32 indices to `out_index`: torch.max(x, dim)).
// The result is multiplied by SCALE (mean = sum with SCALE = 1/R) for sum. A NaN propagates: it is
// the maximum and the minimum, and the arg ops return its index.
//
// Dispatch: one invocation per output element, 64 per workgroup, 2-D workgroup grid.

override OP: u32 = 0u;
override OUTER: u32 = 1u;
override R: u32 = 1u;
override INNER: u32 = 1u;
override SPLITS: u32 = 1u;
override CHUNK: u32 = 1u;
override SCALE: f32 = 1.0;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<storage, read_write> out_index: array<i32>;

// NaN test on the bits: `v != v` may be folded to false by WGSL compilers.
fn is_nan(v: f32) -> bool {
  let b = bitcast<u32>(v);
  return (b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu) != 0u;
}

struct Arg {
  best: f32,
  arg: u32,
}

// The first maximum (OP 3 or 5) or minimum of r0 <= r < r1 (a NaN wins, and stays).
fn arg_reduce(start: u32, r0: u32, r1: u32) -> Arg {
  var base = start;
  var best = x[base];
  var arg = r0;
  let is_max = OP == 3u || OP == 5u;
  for (var r = r0 + 1u; r < r1; r++) {
    base += INNER;
    let v = x[base];
    if (!is_nan(best)) {
      if ((is_max && (v > best || is_nan(v))) || (!is_max && (v < best || is_nan(v)))) {
        best = v;
        arg = r;
      }
    }
  }
  return Arg(best, arg);
}

@compute @workgroup_size(64)
fn reduce(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
          @builtin(num_workgroups) nwg: vec3u) {
  let idx = (wg.y * nwg.x + wg.x) * 64u + lid.x;
  if (idx >= OUTER * SPLITS * INNER) { return; }
  let inner = idx % INNER;
  let rest = idx / INNER;
  let split = rest % SPLITS;
  let outer = rest / SPLITS;
  let r0 = split * CHUNK;
  let r1 = min(R, r0 + CHUNK);
  var base = (outer * R + r0) * INNER + inner;
  if (OP == 0u) {
    var acc = 0.0;
    for (var r = r0; r < r1; r++) {
      acc += x[base];
      base += INNER;
    }
    out[idx] = bitcast<u32>(acc * SCALE);
  } else if (OP == 1u || OP == 2u) {
    var best = x[base];
    for (var r = r0 + 1u; r < r1; r++) {
      base += INNER;
      let v = x[base];
      // NaN propagates, as in PyTorch.
      if (OP == 1u) { if (v > best || is_nan(v)) { best = v; } } else { if (v < best || is_nan(v)) { best = v; } }
    }
    out[idx] = bitcast<u32>(best);
  } else {
    out[idx] = bitcast<u32>(i32(arg_reduce(base, r0, r1).arg));
  }
}

// OP 5 / 6 (SPLITS = 1): the values to `out` and their indices to `out_index`. A separate entry
// point, so that the others' bind group layouts do not include out_index.
@compute @workgroup_size(64)
fn reduce_with_index(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                     @builtin(num_workgroups) nwg: vec3u) {
  let idx = (wg.y * nwg.x + wg.x) * 64u + lid.x;
  if (idx >= OUTER * INNER) { return; }
  let inner = idx % INNER;
  let outer = idx / INNER;
  let a = arg_reduce(outer * R * INNER + inner, 0u, R);
  out[idx] = bitcast<u32>(a.best);
  out_index[idx] = i32(a.arg);
}
