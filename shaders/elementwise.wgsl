// Elementwise kernels: unary maps, binary maps with broadcasting, comparisons, casts, fills and
// where(condition, a, b) (a third operand `c`, the condition, with strides SC0..SC5).
//
// Layout: every operand is a flat array read through per-dimension strides, so one kernel serves
// contiguous tensors, broadcast operands (stride 0) and permuted views (transpose/permute copies).
// The host collapses dimensions first, so most launches have RANK 1 and no index arithmetic.
// Dimension k = 0 is the innermost: D0 is its size, SA0 / SB0 the strides of operand a / b.
//
// Dispatch: one invocation per output element (per 4 elements for the *4 entry points, which
// read and write vec4s of contiguous same-shape operands), 64 per workgroup, workgroups laid out
// 2-D (x up to the adapter's per-dimension limit, y as many rows as needed): index = row * WG_X +
// x, no division. The vec4 entries may read and write up to 3 elements past COUNT: tensor buffers
// are allocated in 256-byte multiples and hold one tensor each, so those lanes are padding.
//
// The map codes (UNARY_*, BINARY_*) and the activation formulas (shaders/activations.wgsl) are
// appended by src/kernels/activations.ts, from its table.

override OP: u32 = 0u;
override ALPHA: f32 = 0.0;
override BETA: f32 = 0.0;
override COUNT: u32 = 0u;
override RANK: u32 = 1u;
override D0: u32 = 1u;
override D1: u32 = 1u;
override D2: u32 = 1u;
override D3: u32 = 1u;
override D4: u32 = 1u;
override SA0: u32 = 1u;
override SA1: u32 = 0u;
override SA2: u32 = 0u;
override SA3: u32 = 0u;
override SA4: u32 = 0u;
override SA5: u32 = 0u;
override SB0: u32 = 1u;
override SB1: u32 = 0u;
override SB2: u32 = 0u;
override SB3: u32 = 0u;
override SB4: u32 = 0u;
override SB5: u32 = 0u;
override SC0: u32 = 0u;
override SC1: u32 = 0u;
override SC2: u32 = 0u;
override SC3: u32 = 0u;
override SC4: u32 = 0u;
override SC5: u32 = 0u;
// Comparison and cast operands: 0 = float32, 1 = int32, 2 = bool (u32 0/1).
override A_TYPE: u32 = 0u;
override B_TYPE: u32 = 0u;
override OUT_TYPE: u32 = 0u;
// Comparison with a scalar instead of a second tensor.
override B_SCALAR: bool = false;

@group(0) @binding(0) var<storage, read> a: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<storage, read> b: array<u32>;
@group(0) @binding(3) var<storage, read> c: array<u32>;
// The same bindings seen as vec4s, for the contiguous fast path.
@group(0) @binding(0) var<storage, read> a4: array<vec4u>;
@group(0) @binding(1) var<storage, read_write> out4: array<vec4u>;
@group(0) @binding(2) var<storage, read> b4: array<vec4u>;

fn linear_index(wg: vec3u, lid: vec3u, nwg: vec3u) -> u32 {
  return (wg.y * nwg.x + wg.x) * 64u + lid.x;
}

// Offset of element `idx` of the output in operands a and b.
fn offsets(idx: u32) -> vec2u {
  if (RANK == 1u) {
    return vec2u(idx * SA0, idx * SB0);
  }
  var rem = idx;
  var c = rem % D0; rem = rem / D0;
  var oa = c * SA0;
  var ob = c * SB0;
  if (RANK > 2u) {
    c = rem % D1; rem = rem / D1; oa += c * SA1; ob += c * SB1;
    if (RANK > 3u) {
      c = rem % D2; rem = rem / D2; oa += c * SA2; ob += c * SB2;
      if (RANK > 4u) {
        c = rem % D3; rem = rem / D3; oa += c * SA3; ob += c * SB3;
        if (RANK > 5u) {
          c = rem % D4; rem = rem / D4; oa += c * SA4; ob += c * SB4;
          oa += rem * SA5; ob += rem * SB5;
          return vec2u(oa, ob);
        }
        oa += rem * SA4; ob += rem * SB4;
        return vec2u(oa, ob);
      }
      oa += rem * SA3; ob += rem * SB3;
      return vec2u(oa, ob);
    }
    oa += rem * SA2; ob += rem * SB2;
    return vec2u(oa, ob);
  }
  oa += rem * SA1; ob += rem * SB1;
  return vec2u(oa, ob);
}

// Offsets of element `idx` of the output in operands a, b and c (the where entry point).
fn offsets3(idx: u32) -> vec3u {
  let st = array<vec3u, 6>(vec3u(SA0, SB0, SC0), vec3u(SA1, SB1, SC1), vec3u(SA2, SB2, SC2),
                           vec3u(SA3, SB3, SC3), vec3u(SA4, SB4, SC4), vec3u(SA5, SB5, SC5));
  let dims = array<u32, 5>(D0, D1, D2, D3, D4);
  if (RANK == 1u) { return idx * st[0]; }
  var rem = idx;
  var o = vec3u(0u);
  for (var k = 0u; k < RANK - 1u; k++) {
    o += (rem % dims[k]) * st[k];
    rem = rem / dims[k];
  }
  return o + rem * st[RANK - 1u];
}

// The unary maps that are not activations; the activations (src/kernels/activations.ts `fusable`)
// are shaders/activations.wgsl's, shared with the fused epilogues.
fn unary_op(x: f32) -> f32 {
  switch OP {
    case UNARY_ABS: { return abs(x); }
    case UNARY_EXP: { return exp(x); }
    case UNARY_LOG: { return log(x); }
    case UNARY_SQRT: { return sqrt(x); }
    case UNARY_RSQRT: { return inverseSqrt(x); }
    case UNARY_POW: { return pow_f(x, ALPHA); }
    case UNARY_SQUARE: { return x * x; }
    case UNARY_RECIPROCAL: { return 1.0 / x; }
    case UNARY_SIGN: { return sign(x); }
    case UNARY_FLOOR: { return floor(x); }
    case UNARY_CEIL: { return ceil(x); }
    case UNARY_ROUND: { return round(x); }
    case UNARY_SIN: { return sin(x); }
    case UNARY_COS: { return cos(x); }
    default: { return activation(OP, x, ALPHA, BETA); }
  }
}

// x^p with PyTorch's sign handling for integer exponents.
fn pow_f(x: f32, p: f32) -> f32 {
  if (p == 2.0) { return x * x; }
  if (p == 1.0) { return x; }
  if (p == 0.5) { return sqrt(x); }
  if (p == floor(p)) {
    let r = pow(abs(x), p);
    let odd = (i32(p) & 1) == 1;
    return select(r, -r, x < 0.0 && odd);
  }
  return pow(x, p);
}

fn binary_op(x: f32, y: f32) -> f32 {
  switch OP {
    case BINARY_ADD: { return x + ALPHA * y; }
    case BINARY_SUB: { return x - ALPHA * y; }
    case BINARY_MUL: { return x * y; }
    case BINARY_DIV: { return x / y; }
    case BINARY_MAXIMUM: { return max(x, y); }
    case BINARY_MINIMUM: { return min(x, y); }
    case BINARY_POW: { return pow_f(x, y); }
    // Gradients of activations: x is the incoming gradient, y the saved input or output.
    case BINARY_RELU_GRAD: { return select(0.0, x, y > 0.0); }                      // relu'(input)
    case BINARY_TANH_GRAD: { return x * (1.0 - y * y); }                             // tanh'(output)
    case BINARY_SIGMOID_GRAD: { return x * y * (1.0 - y); }                             // sigmoid'(output)
    case BINARY_LEAKY_RELU_GRAD: { return select(ALPHA * x, x, y > 0.0); }                // leaky_relu'(input)
    case BINARY_CLAMP_GRAD: { return select(0.0, x, y > ALPHA && y < BETA); }        // clamp'(input)
    case BINARY_ELU_GRAD: { return select(x * ALPHA * exp(y), x, y > 0.0); }       // elu'(input)
    case BINARY_GELU_GRAD: {                                                         // gelu'(input), exact
      let cdf = 0.5 * (1.0 + act_erf(y * 0.7071067811865476));
      let pdf = exp(-0.5 * y * y) * 0.3989422804014327;
      return x * (cdf + y * pdf);
    }
    case BINARY_GELU_TANH_GRAD: {                                                         // gelu'(input), tanh
      let inner = ACT_SQRT_2_OVER_PI * (y + 0.044715 * y * y * y);
      let t = act_tanh(inner);
      let dinner = ACT_SQRT_2_OVER_PI * (1.0 + 3.0 * 0.044715 * y * y);
      return x * (0.5 * (1.0 + t) + 0.5 * y * (1.0 - t * t) * dinner);
    }
    case BINARY_SOFTPLUS_GRAD: {                                                         // softplus'(input)
      let bx = ALPHA * y;
      let s = 1.0 / (1.0 + exp(-bx));
      return select(x * s, x, bx > BETA);
    }
    case BINARY_SILU_GRAD: {                                                         // silu'(input)
      let s = 1.0 / (1.0 + exp(-y));
      return x * s * (1.0 + y * (1.0 - s));
    }
    case BINARY_HARDSWISH_GRAD: {                                                         // hardswish'(input)
      if (y < -3.0) { return 0.0; }
      if (y > 3.0) { return x; }
      return x * (2.0 * y + 3.0) / 6.0;
    }
    case BINARY_HARDSIGMOID_GRAD: { return select(0.0, x / 6.0, y > -3.0 && y < 3.0); }    // hardsigmoid'(input)
    case BINARY_RELU6_GRAD: { return select(0.0, x, y > 0.0 && y < 6.0); }           // relu6'(input)
    case BINARY_POW_GRAD: { return x * ALPHA * pow_f(y, ALPHA - 1.0); }            // d(y^ALPHA)
    case BINARY_ABS_GRAD: { return x * sign(y); }                                  // abs'(input)
    case BINARY_LOG_GRAD: { return x / y; }                                        // log'(input)
    case BINARY_SQRT_GRAD: { return x * 0.5 / y; }                                  // sqrt'(output)
    case BINARY_RECIPROCAL_GRAD: { return -x * y * y; }                                   // reciprocal'(output)
    default: { return x; }
  }
}

fn load_f(v: u32, ty: u32) -> f32 {
  if (ty == 0u) { return bitcast<f32>(v); }
  if (ty == 1u) { return f32(bitcast<i32>(v)); }
  return f32(v);
}

@compute @workgroup_size(64)
fn unary(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
         @builtin(num_workgroups) nwg: vec3u) {
  let i = linear_index(wg, lid, nwg);
  if (i >= COUNT) { return; }
  let o = offsets(i);
  out[i] = bitcast<u32>(unary_op(bitcast<f32>(a[o.x])));
}

// Contiguous same-shape operands, 4 elements per invocation (COUNT counts vec4s here).
@compute @workgroup_size(64)
fn unary4(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
          @builtin(num_workgroups) nwg: vec3u) {
  let i = linear_index(wg, lid, nwg);
  if (i >= COUNT) { return; }
  let x = bitcast<vec4f>(a4[i]);
  out4[i] = bitcast<vec4u>(vec4f(unary_op(x.x), unary_op(x.y), unary_op(x.z), unary_op(x.w)));
}

@compute @workgroup_size(64)
fn binary4(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
           @builtin(num_workgroups) nwg: vec3u) {
  let i = linear_index(wg, lid, nwg);
  if (i >= COUNT) { return; }
  let x = bitcast<vec4f>(a4[i]);
  let y = bitcast<vec4f>(b4[i]);
  out4[i] = bitcast<vec4u>(vec4f(binary_op(x.x, y.x), binary_op(x.y, y.y), binary_op(x.z, y.z), binary_op(x.w, y.w)));
}

@compute @workgroup_size(64)
fn binary(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
          @builtin(num_workgroups) nwg: vec3u) {
  let i = linear_index(wg, lid, nwg);
  if (i >= COUNT) { return; }
  let o = offsets(i);
  out[i] = bitcast<u32>(binary_op(bitcast<f32>(a[o.x]), bitcast<f32>(b[o.y])));
}

// Comparisons write bool (u32 0/1). Ints compare as i32, floats as f32.
fn compare(x: u32, y: u32) -> bool {
  if (A_TYPE == 0u || B_TYPE == 0u) {
    let fx = load_f(x, A_TYPE);
    let fy = select(load_f(y, B_TYPE), ALPHA, B_SCALAR);
    switch OP {
      case 0u: { return fx == fy; }
      case 1u: { return fx != fy; }
      case 2u: { return fx < fy; }
      case 3u: { return fx <= fy; }
      case 4u: { return fx > fy; }
      default: { return fx >= fy; }
    }
  }
  let ix = bitcast<i32>(x);
  let iy = select(bitcast<i32>(y), i32(ALPHA), B_SCALAR);
  switch OP {
    case 0u: { return ix == iy; }
    case 1u: { return ix != iy; }
    case 2u: { return ix < iy; }
    case 3u: { return ix <= iy; }
    case 4u: { return ix > iy; }
    default: { return ix >= iy; }
  }
}

@compute @workgroup_size(64)
fn comparison(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
              @builtin(num_workgroups) nwg: vec3u) {
  let i = linear_index(wg, lid, nwg);
  if (i >= COUNT) { return; }
  let o = offsets(i);
  var y = 0u;
  if (!B_SCALAR) { y = b[o.y]; }
  out[i] = select(0u, 1u, compare(a[o.x], y));
}

// Casts between float32 (0), int32 (1) and bool (2). Float to int truncates toward zero.
@compute @workgroup_size(64)
fn convert(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(num_workgroups) nwg: vec3u) {
  let i = linear_index(wg, lid, nwg);
  if (i >= COUNT) { return; }
  let x = a[offsets(i).x];
  var r = x;
  if (OUT_TYPE == 0u) {
    r = bitcast<u32>(load_f(x, A_TYPE));
  } else if (OUT_TYPE == 1u) {
    if (A_TYPE == 0u) { r = bitcast<u32>(i32(bitcast<f32>(x))); }
  } else {
    if (A_TYPE == 0u) { r = select(0u, 1u, bitcast<f32>(x) != 0.0); } else { r = select(0u, 1u, x != 0u); }
  }
  out[i] = r;
}

// Fills the output with ALPHA (as float32) or i32(ALPHA) when OUT_TYPE is int.
@compute @workgroup_size(64)
fn fill(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(num_workgroups) nwg: vec3u) {
  let i = linear_index(wg, lid, nwg);
  if (i >= COUNT) { return; }
  if (OUT_TYPE == 0u) { out[i] = bitcast<u32>(ALPHA); } else { out[i] = bitcast<u32>(i32(ALPHA)); }
}

// where: out = a where the bool condition c is true, else b; raw 32-bit words, so any dtype.
@compute @workgroup_size(64)
fn where_select(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                @builtin(num_workgroups) nwg: vec3u) {
  let i = linear_index(wg, lid, nwg);
  if (i >= COUNT) { return; }
  let o = offsets3(i);
  out[i] = select(b[o.y], a[o.x], c[o.z] != 0u);
}
