/**
 * Elementwise ops: arithmetic with broadcasting, activations, comparisons, casts.
 * Kernels: shaders/elementwise.wgsl through src/kernels/elementwise.ts; the maps, their codes,
 * backward and fusability are the table of src/kernels/activations.ts.
 */
import { ArgumentError, where } from '../errors.js';
import type { Value } from '../graph/value.js';
import { currentLayer } from '../util/scope.js';
import type { OpDef } from './op.js';
import type { DType } from '../util/dtype.js';
import { binaryKernel, castKernel, compareKernel, UNARY, unaryKernel, type BinaryOp, type CompareOp, type UnaryOp } from '../kernels/elementwise.js';
import { Tensor } from '../tensor/tensor.js';
import { broadcastShapes, broadcastStrides, sameShape, stridesOf } from '../util/shape.js';
import { argumentError, finiteNumber, oneOf } from '../util/validate.js';
import { float32Arg } from './operands.js';
import { apply1 } from './record.js';
import { sumTo } from './reduce.js';

// ---- unary -----------------------------------------------------------------------------------------

interface UnaryAttrs {
  op: UnaryOp;
  alpha: number;
  beta: number;
  /**
   * clamp only: the gradient also passes at the bounds (torch.clamp); without it, only strictly
   * inside them (hardtanh, whose backward PyTorch defines that way).
   */
  closed?: boolean;
}

/**
 * The backward of the unary maps whose table entry (kernels/activations.ts UNARY) says 'composed',
 * from (incoming grad g, input x, output y); the others are one binary map of the table.
 */
const composedGrad: Partial<Record<UnaryOp, (g: Tensor, x: Tensor, y: Tensor, a: UnaryAttrs) => Tensor>> = {
  identity: (g) => g,
  neg: (g) => neg(g),
  exp: (g, _x, y) => mul(g, y),
  rsqrt: (g, _x, y) => mul(g, unary('affine', unary('pow', y, 3), -0.5)),
  affine: (g, _x, _y, a) => unary('affine', g, a.alpha, 0),
  square: (g, x) => binary('powGrad', g, x, 2),
  // x is inside the closed range [alpha, beta] exactly where clamp(x) == x.
  clamp: (g, x, y, a) => (a.closed ? mul(g, cast(eq(x, y), 'float32')) : binary('clampGrad', g, x, a.alpha, a.beta)),
  sin: (g, x) => mul(g, unary('cos', x)),
  cos: (g, x) => neg(mul(g, unary('sin', x))),
  sign: (g) => unary('affine', g, 0, 0),
  floor: (g) => unary('affine', g, 0, 0),
  ceil: (g) => unary('affine', g, 0, 0),
  round: (g) => unary('affine', g, 0, 0),
};

function unaryBackward(g: Tensor, x: Tensor, y: Tensor, a: UnaryAttrs): Tensor {
  const rule = UNARY[a.op].grad;
  if (rule !== 'composed') {
    const operand = rule.of === 'input' ? x : y;
    return rule.params ? binary(rule.op, g, operand, a.alpha, a.beta) : binary(rule.op, g, operand);
  }
  const composed = composedGrad[a.op];
  if (!composed) throw new ArgumentError(`backward of ${a.op} is not defined`);
  return composed(g, x, y, a);
}

export const unaryOp: OpDef<UnaryAttrs> = {
  name: 'unary',
  label: (a) => a.op,
  key: (a) => `${a.op},${a.alpha},${a.beta}${a.closed ? ',closed' : ''}`,
  lower(ctx, node) {
    const shape = node.outputs[0]!.shape;
    ctx.dispatch(unaryKernel(node.attrs.op, shape, stridesOf(shape), ctx.input(0), ctx.output(0), node.attrs.alpha, node.attrs.beta));
  },
  vjp(node, [g], needs) {
    if (!needs[0] || !g) return [null];
    return [unaryBackward(g, Tensor.view(node.inputs[0]!), Tensor.view(node.outputs[0]!), node.attrs)];
  },
  // A fusable activation (its formula in shaders/activations.wgsl) can end a conv / matmul kernel.
  epilogueLink(node) {
    const a = node.attrs;
    const map = UNARY[a.op];
    if (!map.fusable || node.inputs[0]!.dtype !== 'float32') return null;
    return { kind: 'act', op: map.code, a: a.alpha, b: a.beta };
  },
};

/** @internal Applies a unary map by its op code name. */
export function unary(op: UnaryOp, x: Tensor, alpha = 0, beta = 0): Tensor {
  float32Arg(op, 'input', x);
  return apply1(unaryOp, [x], { op, alpha, beta }, { shape: x.shape, dtype: 'float32' });
}

export const neg = (x: Tensor): Tensor => unary('neg', x);
export const abs = (x: Tensor): Tensor => unary('abs', x);
export const exp = (x: Tensor): Tensor => unary('exp', x);
export const log = (x: Tensor): Tensor => unary('log', x);
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x);
export const rsqrt = (x: Tensor): Tensor => unary('rsqrt', x);
export const square = (x: Tensor): Tensor => unary('square', x);
export const reciprocal = (x: Tensor): Tensor => unary('reciprocal', x);
export const sign = (x: Tensor): Tensor => unary('sign', x);
export const sin = (x: Tensor): Tensor => unary('sin', x);
export const cos = (x: Tensor): Tensor => unary('cos', x);
export const floor = (x: Tensor): Tensor => unary('floor', x);
export const ceil = (x: Tensor): Tensor => unary('ceil', x);
export const round = (x: Tensor): Tensor => unary('round', x);

/** x ** exponent, for a number exponent (PyTorch's pow with a scalar). */
export function pow(x: Tensor, exponent: number): Tensor {
  return unary('pow', x, finiteNumber('pow', 'exponent', exponent));
}

/** clamp(x, min, max); either bound may be null. The gradient is 1 where min <= x <= max, as torch.clamp's. */
export function clamp(x: Tensor, min: number | null = null, max: number | null = null): Tensor {
  if (min === null && max === null) throw argumentError('clamp', `at least one of min and max must be given`);
  float32Arg('clamp', 'input', x);
  const lo = min ?? -3.4e38;
  const hi = max ?? 3.4e38;
  return apply1(unaryOp, [x], { op: 'clamp', alpha: lo, beta: hi, closed: true }, { shape: x.shape, dtype: 'float32' });
}

// ---- binary ----------------------------------------------------------------------------------------

interface BinaryAttrs {
  op: BinaryOp;
  alpha: number;
  beta: number;
}

export const binaryOp: OpDef<BinaryAttrs> = {
  name: 'binary',
  label: (a) => a.op,
  key: (a) => `${a.op},${a.alpha},${a.beta}`,
  lower(ctx, node) {
    const out = node.outputs[0]!.shape;
    const [a, b] = node.inputs;
    ctx.dispatch(
      binaryKernel(node.attrs.op, out, broadcastStrides(a!.shape, out), broadcastStrides(b!.shape, out), ctx.input(0), ctx.input(1), ctx.output(0), node.attrs.alpha, node.attrs.beta),
    );
  },
  vjp(node, [g], needs) {
    if (!g) return [null, null];
    const a = Tensor.view(node.inputs[0]!);
    const b = Tensor.view(node.inputs[1]!);
    const { op, alpha } = node.attrs;
    const ga = (t: () => Tensor): Tensor | null => (needs[0] ? sumTo(t(), a.shape) : null);
    const gb = (t: () => Tensor): Tensor | null => (needs[1] ? sumTo(t(), b.shape) : null);
    switch (op) {
      case 'add':
        return [ga(() => g), gb(() => (alpha === 1 ? g : unary('affine', g, alpha, 0)))];
      case 'sub':
        return [ga(() => g), gb(() => unary('affine', g, -alpha, 0))];
      case 'mul':
        return [ga(() => mul(g, b)), gb(() => mul(g, a))];
      case 'div':
        return [ga(() => div(g, b)), gb(() => neg(div(mul(g, a), mul(b, b))))];
      case 'maximum':
      case 'minimum': {
        // Ties split the gradient evenly, as PyTorch does.
        const first = op === 'maximum' ? gt(a, b) : lt(a, b);
        const tie = eq(a, b);
        const wa = add(cast(first, 'float32'), unary('affine', cast(tie, 'float32'), 0.5, 0));
        return [ga(() => mul(g, wa)), gb(() => mul(g, unary('affine', wa, -1, 1)))];
      }
      default:
        throw new ArgumentError(`backward of binary ${op} is not defined`);
    }
  },
  // add / sub of two float32 tensors of the output's shape is a residual step v -> a v + b r, with v
  // the operand coming from the fused kernel and r the other one (either order; add's alpha included).
  epilogueLink(node, input) {
    const { op, alpha } = node.attrs;
    if (op !== 'add' && op !== 'sub') return null;
    const [x, y] = node.inputs as [Value, Value];
    const out = node.outputs[0]!.shape;
    if (x === y || !sameShape(x.shape, out) || !sameShape(y.shape, out) || x.dtype !== 'float32' || y.dtype !== 'float32') return null;
    // add: x + alpha y; sub: x - alpha y.
    const sign = op === 'add' ? 1 : -1;
    return input === 0 ? { kind: 'residual', a: 1, b: sign * alpha, operand: y } : { kind: 'residual', a: sign * alpha, b: 1, operand: x };
  },
};

/** @internal Applies a broadcasting binary map by its op code name. */
export function binary(op: BinaryOp, a: Tensor, b: Tensor, alpha = 1, beta = 0): Tensor {
  const name = op;
  float32Arg(name, 'input', a);
  float32Arg(name, 'other', b);
  const shape = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(a.shape, b.shape, name, currentLayer());
  return apply1(binaryOp, [a, b], { op, alpha, beta }, { shape, dtype: 'float32' });
}

function checkScalar(v: number, op: string): void {
  if (typeof v !== 'number' || Number.isNaN(v)) {
    throw new ArgumentError(`${where(op, currentLayer())}: expected a tensor or a number, got ${String(v)}`);
  }
}

/** a + alpha * b (b a tensor or a number). */
export function add(a: Tensor, b: Tensor | number, alpha = 1): Tensor {
  if (typeof b === 'number') {
    checkScalar(b, 'add');
    return unary('affine', a, 1, alpha * b);
  }
  return binary('add', a, b, alpha);
}

/** a - alpha * b. */
export function sub(a: Tensor, b: Tensor | number, alpha = 1): Tensor {
  if (typeof b === 'number') {
    checkScalar(b, 'sub');
    return unary('affine', a, 1, -alpha * b);
  }
  return binary('sub', a, b, alpha);
}

export function mul(a: Tensor, b: Tensor | number): Tensor {
  if (typeof b === 'number') {
    checkScalar(b, 'mul');
    return unary('affine', a, b, 0);
  }
  return binary('mul', a, b);
}

export function div(a: Tensor, b: Tensor | number): Tensor {
  if (typeof b === 'number') {
    checkScalar(b, 'div');
    return unary('affine', a, 1 / b, 0);
  }
  return binary('div', a, b);
}

export const maximum = (a: Tensor, b: Tensor): Tensor => binary('maximum', a, b);
export const minimum = (a: Tensor, b: Tensor): Tensor => binary('minimum', a, b);

// ---- comparisons and casts ---------------------------------------------------------------------------

interface CompareAttrs {
  op: CompareOp;
  scalar: number | null;
}

export const compareOp: OpDef<CompareAttrs> = {
  name: 'compare',
  lower(ctx, node) {
    const out = node.outputs[0]!.shape;
    const a = node.inputs[0]!;
    const b = node.inputs[1];
    ctx.dispatch(
      compareKernel(
        node.attrs.op,
        out,
        broadcastStrides(a.shape, out),
        b ? broadcastStrides(b.shape, out) : null,
        a.dtype,
        b ? b.dtype : 'float32',
        ctx.input(0),
        b ? ctx.input(1) : null,
        ctx.output(0),
        node.attrs.scalar ?? 0,
      ),
    );
  },
};

function compare(op: CompareOp, a: Tensor, b: Tensor | number): Tensor {
  if (typeof b === 'number') {
    checkScalar(b, op);
    return apply1(compareOp, [a], { op, scalar: b }, { shape: a.shape, dtype: 'bool' });
  }
  const shape = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(a.shape, b.shape, op, currentLayer());
  return apply1(compareOp, [a, b], { op, scalar: null }, { shape, dtype: 'bool' });
}

export const eq = (a: Tensor, b: Tensor | number): Tensor => compare('eq', a, b);
export const ne = (a: Tensor, b: Tensor | number): Tensor => compare('ne', a, b);
export const lt = (a: Tensor, b: Tensor | number): Tensor => compare('lt', a, b);
export const le = (a: Tensor, b: Tensor | number): Tensor => compare('le', a, b);
export const gt = (a: Tensor, b: Tensor | number): Tensor => compare('gt', a, b);
export const ge = (a: Tensor, b: Tensor | number): Tensor => compare('ge', a, b);

interface CastAttrs {
  to: DType;
}

export const castOp: OpDef<CastAttrs> = {
  name: 'cast',
  lower(ctx, node) {
    const x = node.inputs[0]!;
    ctx.dispatch(castKernel(x.numel, x.dtype, node.attrs.to, ctx.input(0), ctx.output(0)));
  },
  vjp(_node, [g], needs) {
    return [needs[0] && g ? g : null];
  },
};

const DTYPES: readonly DType[] = ['float32', 'int32', 'bool'];

/** Converts to another dtype (float to int truncates toward zero, as PyTorch). */
export function cast(x: Tensor, to: DType): Tensor {
  oneOf('to', 'dtype', to, DTYPES);
  if (x.dtype === to) return x;
  return apply1(castOp, [x], { to }, { shape: x.shape, dtype: to });
}
