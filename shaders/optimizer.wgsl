// Optimizer updates, in place on the parameter and its state, following torch.optim exactly.
//
// Layout: param, grad and state buffers are flat [COUNT]. `hyper` holds the values a schedule may
// change from step to step (so it never rebuilds the pipeline): [lr, momentum] for SGD,
// [lr, beta1, beta2, bias_correction1, sqrt(bias_correction2), 1 - beta1, 1 - beta2] for Adam
// (1 - beta computed in float64 on the host: 1 - 0.999 in float32 is off by 1e-5 relative). Fixed hyper-parameters
// are override constants.
//
// sgd:  d = g (+ WD * p);  buf = FIRST ? d : momentum * buf + (1 - DAMPENING) * d;
//       d = NESTEROV ? d + momentum * buf : buf (when HAS_MOMENTUM);  p -= lr * d
// adam: g (+ WD * p, or p *= 1 - lr * WD when DECOUPLED, i.e. AdamW);  m = lerp(m, g, 1 - beta1);
//       v = beta2 * v + (1 - beta2) * g * g;  vmax = max(vmax, v) when AMSGRAD;
//       p -= (lr / bc1) * m / (sqrt(v or vmax) / sqrt(bc2) + EPS)
//
// Dispatch: one invocation per element, 64 per workgroup, 2-D workgroup grid.

override COUNT: u32;
override WD: f32 = 0.0;
override MAXIMIZE: bool = false;
override HAS_MOMENTUM: bool = false;
override DAMPENING: f32 = 0.0;
override NESTEROV: bool = false;
override FIRST: bool = false;
override EPS: f32 = 1e-8;
override DECOUPLED: bool = false;
override AMSGRAD: bool = false;

@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read> hyper: array<f32>;
@group(0) @binding(3) var<storage, read_write> state0: array<f32>;   // sgd: momentum buffer; adam: exp_avg
@group(0) @binding(4) var<storage, read_write> state1: array<f32>;   // adam: exp_avg_sq
@group(0) @binding(5) var<storage, read_write> state2: array<f32>;   // adam: max_exp_avg_sq (amsgrad)

fn element(wg: vec3u, lid: vec3u, nwg: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * 64u + lid.x;
}

@compute @workgroup_size(64)
fn sgd(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
       @builtin(num_workgroups) nwg: vec3u) {
  let i = element(wg, lid, nwg);
  if (i >= COUNT) { return; }
  let lr = hyper[0];
  var p = param[i];
  var d = select(grad[i], -grad[i], MAXIMIZE);
  if (WD != 0.0) { d += WD * p; }
  if (HAS_MOMENTUM) {
    let momentum = hyper[1];
    var buf = d;
    if (!FIRST) { buf = momentum * state0[i] + (1.0 - DAMPENING) * d; }
    state0[i] = buf;
    if (NESTEROV) { d += momentum * buf; } else { d = buf; }
  }
  param[i] = p - lr * d;
}

@compute @workgroup_size(64)
fn adam(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(num_workgroups) nwg: vec3u) {
  let i = element(wg, lid, nwg);
  if (i >= COUNT) { return; }
  let lr = hyper[0];
  let beta1 = hyper[1];
  let beta2 = hyper[2];
  let bc1 = hyper[3];
  let bc2_sqrt = hyper[4];
  let one_minus_beta1 = hyper[5];
  let one_minus_beta2 = hyper[6];
  var p = param[i];
  var g = select(grad[i], -grad[i], MAXIMIZE);
  if (WD != 0.0) {
    if (DECOUPLED) { p *= 1.0 - lr * WD; } else { g += WD * p; }
  }
  let m = state0[i] + (g - state0[i]) * one_minus_beta1;
  let v = beta2 * state1[i] + one_minus_beta2 * g * g;
  state0[i] = m;
  state1[i] = v;
  var vhat = v;
  if (AMSGRAD) {
    vhat = max(state2[i], v);
    state2[i] = vhat;
  }
  let denom = sqrt(vhat) / bc2_sqrt + EPS;
  param[i] = p - (lr / bc1) * m / denom;
}
