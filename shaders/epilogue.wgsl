// Fused elementwise epilogue, appended to the shaders of the kernels that can end with one
// (conv2d.wgsl forward, depthwise.wgsl forward, gemm.wgsl nn, winograd.wgsl output, matmul.wgsl):
// src/graph/fuse.ts folds chains like conv -> batch norm (eval) -> add residual -> relu into the
// conv's kernel, which then calls `epilogue` on its result before storing it.
//
// What it computes, in order, on the kernel's value v (its own bias already added):
//   1. EPI_AFFINE: v = v * epi_affine[ch] + epi_affine[EPI_CH + ch]   (batch norm in eval mode,
//      folded into a per-channel scale and shift by shaders/fold_affine.wgsl)
//   2. up to 3 steps, EPIk for k = 0, 1, 2 (0: none), each
//        1 (activation): v = act(v) with the code EPIk_OP of kernels/elementwise.ts UNARY and its
//          parameters EPIk_A, EPIk_B (the same formulas as elementwise.wgsl)
//        2 (residual):   v = EPIk_A * v + EPIk_B * epi_residual[idx]   (add / sub of a same-shape tensor)
// Layout: up to 4 values of one output row: v[j] is the element at flat index idx + j (j < count),
// of channel ch[j]. The host kernel declares the two buffers: epi_affine ([2, EPI_CH]: scale, shift)
// and epi_residual (the output's shape); with the steps off they are bound to any input buffer.

override EPI_AFFINE: bool = false;
override EPI_CH: u32 = 1u;
override EPI0: u32 = 0u;
override EPI0_OP: u32 = 0u;
override EPI0_A: f32 = 0.0;
override EPI0_B: f32 = 0.0;
override EPI1: u32 = 0u;
override EPI1_OP: u32 = 0u;
override EPI1_A: f32 = 0.0;
override EPI1_B: f32 = 0.0;
override EPI2: u32 = 0u;
override EPI2_OP: u32 = 0u;
override EPI2_A: f32 = 0.0;
override EPI2_B: f32 = 0.0;

const EPI_SQRT_2_OVER_PI: f32 = 0.7978845608028654;

fn epi_erf(x: f32) -> f32 {
  // Numerical Recipes' erfc rational approximation (error ~1.2e-7), as elementwise.wgsl.
  let z = abs(x);
  let t = 1.0 / (1.0 + 0.5 * z);
  let y = t * exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
          t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
          t * (-0.82215223 + t * 0.17087277)))))))));
  return select(y - 1.0, 1.0 - y, x >= 0.0);
}

fn epi_act(op: u32, x: f32, a: f32, b: f32) -> f32 {
  switch op {
    case 1u: { return -x; }
    case 7u: { return max(x, 0.0); }
    case 8u: { return tanh(clamp(x, -15.0, 15.0)); }
    case 9u: { return 1.0 / (1.0 + exp(-x)); }
    case 10u: { return a * x + b; }
    case 12u: { return select(a * x, x, x > 0.0); }
    case 13u: { return min(max(x, a), b); }
    case 17u: { return select(a * (exp(x) - 1.0), x, x > 0.0); }
    case 18u: { return 0.5 * x * (1.0 + epi_erf(x * 0.7071067811865476)); }
    case 19u: { return 0.5 * x * (1.0 + tanh(clamp(EPI_SQRT_2_OVER_PI * (x + 0.044715 * x * x * x), -15.0, 15.0))); }
    case 20u: {
      let bx = a * x;
      return select(log(1.0 + exp(bx)) / a, x, bx > b);
    }
    case 21u: { return x / (1.0 + exp(-x)); }
    case 22u: { return x * clamp(x + 3.0, 0.0, 6.0) / 6.0; }
    case 23u: { return clamp(x + 3.0, 0.0, 6.0) / 6.0; }
    case 24u: { return clamp(x, 0.0, 6.0); }
    default: { return x; }
  }
}

fn epi_act4(op: u32, v: vec4f, a: f32, b: f32) -> vec4f {
  return vec4f(epi_act(op, v.x, a, b), epi_act(op, v.y, a, b), epi_act(op, v.z, a, b), epi_act(op, v.w, a, b));
}

fn epi_residual4(idx: u32, count: u32) -> vec4f {
  let last = idx + max(count, 1u) - 1u;
  let i = min(vec4u(idx) + vec4u(0u, 1u, 2u, 3u), vec4u(last));
  return vec4f(epi_residual[i.x], epi_residual[i.y], epi_residual[i.z], epi_residual[i.w]);
}

fn epi_step(kind: u32, op: u32, a: f32, b: f32, v: vec4f, idx: u32, count: u32) -> vec4f {
  if (kind == 1u) { return epi_act4(op, v, a, b); }
  if (kind == 2u) { return a * v + b * epi_residual4(idx, count); }
  return v;
}

// The epilogue of `count` (1..4) values at flat indices idx .. idx + count - 1, of channels ch.
fn epilogue(v: vec4f, ch: vec4u, idx: u32, count: u32) -> vec4f {
  var y = v;
  if (EPI_AFFINE) {
    let c = min(ch, vec4u(EPI_CH - 1u));
    let scale = vec4f(epi_affine[c.x], epi_affine[c.y], epi_affine[c.z], epi_affine[c.w]);
    let s = c + vec4u(EPI_CH);
    let shift = vec4f(epi_affine[s.x], epi_affine[s.y], epi_affine[s.z], epi_affine[s.w]);
    y = y * scale + shift;
  }
  if (EPI0 != 0u) { y = epi_step(EPI0, EPI0_OP, EPI0_A, EPI0_B, y, idx, count); }
  if (EPI1 != 0u) { y = epi_step(EPI1, EPI1_OP, EPI1_A, EPI1_B, y, idx, count); }
  if (EPI2 != 0u) { y = epi_step(EPI2, EPI2_OP, EPI2_A, EPI2_B, y, idx, count); }
  return y;
}

// True when the kernel has any epilogue (kernels skip the call, and its loads, otherwise).
fn has_epilogue() -> bool {
  return EPI_AFFINE || EPI0 != 0u;
}
