/**
 * The one table of the elementwise maps: every unary map (activations and plain maths) and binary
 * map of shaders/elementwise.wgsl with its code, whether a conv / matmul epilogue can apply it
 * (its formula is in shaders/activations.wgsl) and how its backward is computed. The shaders never
 * spell a code: `withActivations` appends the codes as WGSL `const` declarations generated from
 * this table (UNARY_RELU, BINARY_RELU_GRAD ...), then shaders/activations.wgsl, the one copy of the
 * activation formulas, to elementwise.wgsl and to every kernel with an epilogue (kernels/epilogue.ts).
 * test/node/activations.test.ts parses the shaders' switches and fails when they and this table
 * disagree.
 */
import activationsSource from '../../shaders/activations.wgsl?raw';
import type { ShaderSource } from '../device/pipeline-cache.js';

/** A binary map's codes: arithmetic, then the gradients of the unary maps. */
export const BINARY = {
  add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5, pow: 6,
  reluGrad: 7, tanhGrad: 8, sigmoidGrad: 9, leakyReluGrad: 10, clampGrad: 11, eluGrad: 12,
  geluGrad: 13, geluTanhGrad: 14, softplusGrad: 15, siluGrad: 16, hardswishGrad: 17,
  hardsigmoidGrad: 18, relu6Grad: 19, powGrad: 20, absGrad: 21, logGrad: 22, sqrtGrad: 23,
  reciprocalGrad: 24,
} as const;
export type BinaryOp = keyof typeof BINARY;

/**
 * A unary map's backward as one binary map of elementwise.wgsl applied to (incoming gradient, the
 * map's input or output), with the map's two parameters when `params` (else the binary defaults).
 */
export interface GradMap {
  op: BinaryOp;
  of: 'input' | 'output';
  params?: boolean;
}

export interface UnaryMap {
  /** Its code (ALPHA / BETA are its parameters), as UNARY_<NAME> in the shaders. */
  code: number;
  /** Its formula is in shaders/activations.wgsl, so a fused epilogue can apply it; else elementwise.wgsl's. */
  fusable: boolean;
  /** Its backward: one binary map, or 'composed' of other ops by a rule in ops/elementwise.ts. */
  grad: GradMap | 'composed';
}

const grad = (op: BinaryOp, of: 'input' | 'output', params = false): GradMap => ({ op, of, params });

export const UNARY = {
  identity: { code: 0, fusable: true, grad: 'composed' },
  neg: { code: 1, fusable: true, grad: 'composed' },
  abs: { code: 2, fusable: false, grad: grad('absGrad', 'input') },
  exp: { code: 3, fusable: false, grad: 'composed' },
  log: { code: 4, fusable: false, grad: grad('logGrad', 'input') },
  sqrt: { code: 5, fusable: false, grad: grad('sqrtGrad', 'output') },
  rsqrt: { code: 6, fusable: false, grad: 'composed' },
  // relu and relu6 read their output (positive, below 6, exactly where the input is): a conv or
  // matmul before them is then read by nothing else and can fuse them (graph/fuse.ts).
  relu: { code: 7, fusable: true, grad: grad('reluGrad', 'output') },
  tanh: { code: 8, fusable: true, grad: grad('tanhGrad', 'output') },
  sigmoid: { code: 9, fusable: true, grad: grad('sigmoidGrad', 'output') },
  affine: { code: 10, fusable: true, grad: 'composed' },
  pow: { code: 11, fusable: false, grad: grad('powGrad', 'input', true) },
  leakyRelu: { code: 12, fusable: true, grad: grad('leakyReluGrad', 'input', true) },
  // clamp's closed-range gradient (torch.clamp) is composed; hardtanh's is clampGrad (ops/elementwise.ts).
  clamp: { code: 13, fusable: true, grad: 'composed' },
  square: { code: 14, fusable: false, grad: 'composed' },
  reciprocal: { code: 15, fusable: false, grad: grad('reciprocalGrad', 'output') },
  sign: { code: 16, fusable: false, grad: 'composed' },
  elu: { code: 17, fusable: true, grad: grad('eluGrad', 'input', true) },
  gelu: { code: 18, fusable: true, grad: grad('geluGrad', 'input') },
  geluTanh: { code: 19, fusable: true, grad: grad('geluTanhGrad', 'input') },
  softplus: { code: 20, fusable: true, grad: grad('softplusGrad', 'input', true) },
  silu: { code: 21, fusable: true, grad: grad('siluGrad', 'input') },
  hardswish: { code: 22, fusable: true, grad: grad('hardswishGrad', 'input') },
  hardsigmoid: { code: 23, fusable: true, grad: grad('hardsigmoidGrad', 'input') },
  relu6: { code: 24, fusable: true, grad: grad('relu6Grad', 'output') },
  floor: { code: 25, fusable: false, grad: 'composed' },
  ceil: { code: 26, fusable: false, grad: 'composed' },
  round: { code: 27, fusable: false, grad: 'composed' },
  sin: { code: 28, fusable: false, grad: 'composed' },
  cos: { code: 29, fusable: false, grad: 'composed' },
} as const satisfies Record<string, UnaryMap>;
export type UnaryOp = keyof typeof UNARY;

/** The WGSL name of a map's code: relu6 -> UNARY_RELU6, leakyReluGrad -> BINARY_LEAKY_RELU_GRAD. */
export function codeName(kind: 'UNARY' | 'BINARY', op: string): string {
  return `${kind}_${op.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** The codes of the table as WGSL `const` declarations. */
export function codeDeclarations(): string {
  const lines = ['// Generated from src/kernels/activations.ts (the codes of the elementwise maps).'];
  for (const [op, m] of Object.entries(UNARY)) lines.push(`const ${codeName('UNARY', op)}: u32 = ${m.code}u;`);
  for (const [op, code] of Object.entries(BINARY)) lines.push(`const ${codeName('BINARY', op)}: u32 = ${code}u;`);
  return lines.join('\n');
}

/** The generated codes and shaders/activations.wgsl, as appended to the shaders that use them. */
export const activationsWgsl = `${codeDeclarations()}\n${activationsSource}`;

/**
 * A shader with the codes and the activation formulas appended (after its own text, so compile
 * errors keep its line numbers; WGSL's module-scope declarations may come in any order).
 */
export function withActivations(s: ShaderSource): ShaderSource {
  return { file: s.file, code: `${s.code}\n${activationsWgsl}` };
}
