// Softmax cross-entropy from logits with integer class targets, per row, and its gradient.
//
// Layout: logits [OUTER, C, INNER] (N x C, or N x C x d1 x d2 ... for dense targets); targets,
// per-row losses, per-row weights and log-sum-exps are [OUTER, INNER]. Class weights [C] are
// optional; WSUM holds their sum (or C without weights) for label smoothing.
//
// Per row, with w_c the class weight (1 without weights), y the target and eps the smoothing:
//   loss = (1 - eps) * w_y * (lse - x_y) + (eps / C) * sum_c w_c * (lse - x_c),  weight_out = w_y
// and 0 for both when y == IGNORE_INDEX. A target outside [0, C) gives NaN.
// The gradient w.r.t. x_c of loss, times the incoming row gradient g:
//   g * ((1 - eps) * w_y * (p_c - [c == y]) + (eps / C) * (WSUM * p_c - w_c)),  p = softmax(x).
//
// With NLL the input already holds log-probabilities (nll_loss): loss = -w_y * x_y, its gradient
// -g * w_y * [c == y]; no softmax is taken (the log-sum-exp output is written as 0) and there is
// no smoothing.
//
// Dispatch: forward one invocation per row, backward one per logit; 64 per workgroup, 2-D grid.

override OUTER: u32;
override C: u32;
override INNER: u32;
override IGNORE_INDEX: i32 = -100;
override SMOOTHING: f32 = 0.0;
override HAS_WEIGHT: bool = false;
override NLL: bool = false;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<i32>;
@group(0) @binding(2) var<storage, read> class_weight: array<f32>;
@group(0) @binding(3) var<storage, read_write> row_loss: array<f32>;   // backward: grad_x
@group(0) @binding(4) var<storage, read_write> row_weight: array<f32>;
@group(0) @binding(5) var<storage, read_write> row_lse: array<f32>;
@group(0) @binding(6) var<storage, read> row_grad: array<f32>;
@group(0) @binding(7) var<storage, read> lse_in: array<f32>;
@group(0) @binding(8) var<storage, read> wsum: array<f32>;

// NaN, kept out of constant evaluation (WGSL constants cannot be NaN).
var<private> nan_bits: u32 = 0x7fc00000u;

fn weight_of(c: u32) -> f32 {
  if (HAS_WEIGHT) { return class_weight[c]; }
  return 1.0;
}

@compute @workgroup_size(64)
fn forward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
           @builtin(num_workgroups) nwg: vec3u) {
  let row = (wg.y * nwg.x + wg.x) * 64u + lid.x;
  if (row >= OUTER * INNER) { return; }
  let inner = row % INNER;
  let base = (row / INNER) * C * INNER + inner;
  var lse = 0.0;
  if (!NLL) {
    var mx = x[base];
    for (var c = 1u; c < C; c++) { mx = max(mx, x[base + c * INNER]); }
    var s = 0.0;
    for (var c = 0u; c < C; c++) { s += exp(x[base + c * INNER] - mx); }
    lse = mx + log(s);
  }
  row_lse[row] = lse;
  let y = labels[row];
  if (y == IGNORE_INDEX) {
    row_loss[row] = 0.0;
    row_weight[row] = 0.0;
    return;
  }
  if (y < 0 || y >= i32(C)) {
    let nan = bitcast<f32>(nan_bits);
    row_loss[row] = nan;
    row_weight[row] = nan;
    return;
  }
  let wy = weight_of(u32(y));
  var loss = (1.0 - SMOOTHING) * wy * (lse - x[base + u32(y) * INNER]);
  if (SMOOTHING > 0.0) {
    var sm = 0.0;
    for (var c = 0u; c < C; c++) { sm += weight_of(c) * (lse - x[base + c * INNER]); }
    loss += SMOOTHING / f32(C) * sm;
  }
  row_loss[row] = loss;
  row_weight[row] = wy;
}

@compute @workgroup_size(64)
fn backward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
            @builtin(num_workgroups) nwg: vec3u) {
  let i = (wg.y * nwg.x + wg.x) * 64u + lid.x;
  if (i >= OUTER * C * INNER) { return; }
  let inner = i % INNER;
  let c = (i / INNER) % C;
  let outer = i / (INNER * C);
  let row = outer * INNER + inner;
  let y = labels[row];
  if (y == IGNORE_INDEX || y < 0 || y >= i32(C)) {
    row_loss[i] = select(0.0, bitcast<f32>(nan_bits), y != IGNORE_INDEX);
    return;
  }
  let wy = weight_of(u32(y));
  if (NLL) {
    row_loss[i] = select(0.0, -row_grad[row] * wy, u32(y) == c);
    return;
  }
  let p = exp(x[i] - lse_in[row]);
  var d = (1.0 - SMOOTHING) * wy * (p - select(0.0, 1.0, u32(y) == c));
  if (SMOOTHING > 0.0) {
    d += SMOOTHING / f32(C) * (wsum[0] * p - weight_of(c));
  }
  row_loss[i] = row_grad[row] * d;
}
