// Activation formulas: the one copy of the unary maps a kernel can also apply as a fused epilogue.
// src/kernels/activations.ts appends this file, after the UNARY_* / BINARY_* code constants it
// generates from its table, to shaders/elementwise.wgsl (its unary entry points) and to the
// kernels that end with shaders/epilogue.wgsl (conv2d, depthwise, gemm, winograd, matmul).
//
// Computes: activation(op, x, a, b), the map with code `op` and parameters a, b (ALPHA, BETA in
// elementwise.wgsl; EPIk_A, EPIk_B in epilogue.wgsl) of one value. The table's `fusable` maps are
// exactly the cases below (test/node/activations.test.ts). No bindings, no entry points, no dispatch.

const ACT_SQRT_2_OVER_PI: f32 = 0.7978845608028654;

// tanh with the argument clamped: tanh(±15) is already ±1 in float32, and some implementations
// overflow (exp of a large argument) to NaN beyond that.
fn act_tanh(x: f32) -> f32 {
  return tanh(clamp(x, -15.0, 15.0));
}

fn act_erf(x: f32) -> f32 {
  // Abramowitz-Stegun 7.1.26 is too coarse for 1e-4 relative error; use a rational approximation
  // of erf with max error ~1.2e-7 (Numerical Recipes erfc).
  let z = abs(x);
  let t = 1.0 / (1.0 + 0.5 * z);
  let y = t * exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
          t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
          t * (-0.82215223 + t * 0.17087277)))))))));
  return select(y - 1.0, 1.0 - y, x >= 0.0);
}

fn activation(op: u32, x: f32, a: f32, b: f32) -> f32 {
  switch op {
    case UNARY_IDENTITY: { return x; }
    case UNARY_NEG: { return -x; }
    case UNARY_RELU: { return max(x, 0.0); }
    case UNARY_TANH: { return act_tanh(x); }
    case UNARY_SIGMOID: { return 1.0 / (1.0 + exp(-x)); }
    case UNARY_AFFINE: { return a * x + b; }
    case UNARY_LEAKY_RELU: { return select(a * x, x, x > 0.0); }
    case UNARY_CLAMP: { return min(max(x, a), b); }  // not clamp(): its const-eval check would reject an unused a > b
    case UNARY_ELU: { return select(a * (exp(x) - 1.0), x, x > 0.0); }
    case UNARY_GELU: { return 0.5 * x * (1.0 + act_erf(x * 0.7071067811865476)); }
    case UNARY_GELU_TANH: { return 0.5 * x * (1.0 + act_tanh(ACT_SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))); }
    case UNARY_SOFTPLUS: {
      // softplus with beta = a and threshold = b, as torch.nn.functional.softplus
      let bx = a * x;
      return select(log(1.0 + exp(bx)) / a, x, bx > b);
    }
    case UNARY_SILU: { return x / (1.0 + exp(-x)); }
    case UNARY_HARDSWISH: { return x * clamp(x + 3.0, 0.0, 6.0) / 6.0; }
    case UNARY_HARDSIGMOID: { return clamp(x + 3.0, 0.0, 6.0) / 6.0; }
    case UNARY_RELU6: { return clamp(x, 0.0, 6.0); }
    default: { return x; }
  }
}
