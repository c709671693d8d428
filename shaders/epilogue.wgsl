// Fused elementwise epilogue, appended to the shaders of the kernels that can end with one
// (conv2d.wgsl forward, depthwise.wgsl forward, gemm.wgsl nn, winograd.wgsl output, matmul.wgsl):
// src/graph/fuse.ts folds chains like conv -> batch norm (eval) -> add residual -> relu into the
// conv's kernel, which then calls `epilogue` on its result before storing it.
//
// What it computes, in order, on the kernel's value v (its own bias already added):
//   1. EPI_AFFINE: v = v * epi_affine[ch] + epi_affine[EPI_CH + ch]   (batch norm in eval mode,
//      folded into a per-channel scale and shift by shaders/fold_affine.wgsl)
//   2. up to 3 steps, EPIk for k = 0, 1, 2 (0: none), each
//        1 (activation): v = activation(EPIk_OP, v, EPIk_A, EPIk_B), a map of src/kernels/activations.ts
//          UNARY by its code, with shaders/activations.wgsl's formulas (appended with this file)
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

fn epi_act4(op: u32, v: vec4f, a: f32, b: f32) -> vec4f {
  return vec4f(activation(op, v.x, a, b), activation(op, v.y, a, b), activation(op, v.z, a, b), activation(op, v.w, a, b));
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
