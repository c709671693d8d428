// Batch norm in eval mode as a per-channel scale and shift, for a fused epilogue (epilogue.wgsl):
//   scale[c] = weight[c] / sqrt(var[c] + EPS),  shift[c] = bias[c] - mean[c] * scale[c]
// so that (v - mean) / sqrt(var + eps) * weight + bias = v * scale + shift (weight 1 and bias 0
// when absent).
// Layout: mean, var, weight, bias [C]; out [2, C] (scale row, then shift row).
// Dispatch: one invocation per channel, 64 per workgroup, 2-D workgroup grid.

override C: u32;
override EPS: f32;
override HAS_WEIGHT: bool = false;
override HAS_BIAS: bool = false;

@group(0) @binding(0) var<storage, read> mean: array<f32>;
@group(0) @binding(1) var<storage, read> variance: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> weight: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;

@compute @workgroup_size(64)
fn fold(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(num_workgroups) nwg: vec3u) {
  let c = (wg.y * nwg.x + wg.x) * 64u + lid.x;
  if (c >= C) { return; }
  var scale = 1.0 / sqrt(variance[c] + EPS);
  if (HAS_WEIGHT) { scale *= weight[c]; }
  var shift = -mean[c] * scale;
  if (HAS_BIAS) { shift += bias[c]; }
  out[c] = scale;
  out[C + c] = shift;
}
