/**
 * Wrapper of shaders/elementwise.wgsl: unary and binary maps over strided operands, comparisons,
 * casts and fills. Strides let the same kernel broadcast (stride 0) and permute (transpose copies).
 * The maps and their codes are kernels/activations.ts's table.
 */
import source from '../../shaders/elementwise.wgsl?raw';
import type { ShaderSource } from '../device/pipeline-cache.js';
import { BINARY, UNARY, withActivations, type BinaryOp, type UnaryOp } from './activations.js';
import type { BufRef, KernelCall } from './context.js';
import type { DType } from '../util/dtype.js';
import { collapseDims } from '../util/shape.js';
import { grid1d } from './grid.js';

export const elementwiseShader: ShaderSource = withActivations({ file: 'elementwise.wgsl', code: source });

export { BINARY, UNARY, type BinaryOp, type UnaryOp } from './activations.js';

export const COMPARE = { eq: 0, ne: 1, lt: 2, le: 3, gt: 4, ge: 5 } as const;
export type CompareOp = keyof typeof COMPARE;

const TYPE_CODE: Record<DType, number> = { float32: 0, int32: 1, bool: 2 };
const MAX_RANK = 6;

/** Strides and sizes as override constants, after collapsing contiguous dims. */
function layoutConstants(outShape: readonly number[], aStrides: readonly number[], bStrides: readonly number[], cStrides?: readonly number[]): Record<string, number> {
  const { shape, strides } = collapseDims(outShape, cStrides ? [aStrides, bStrides, cStrides] : [aStrides, bStrides]);
  if (shape.length > MAX_RANK) throw new Error(`elementwise: rank ${shape.length} after collapsing exceeds ${MAX_RANK}`);
  const rank = Math.max(1, shape.length);
  const c: Record<string, number> = { RANK: rank };
  // Constants are innermost-first: D0 is the last dim.
  for (let k = 0; k < shape.length; k++) {
    const d = shape.length - 1 - k;
    if (k < MAX_RANK - 1) c[`D${k}`] = shape[d]!;
    c[`SA${k}`] = strides[0]![d]!;
    c[`SB${k}`] = strides[1]![d]!;
    if (cStrides) c[`SC${k}`] = strides[2]![d]!;
  }
  if (shape.length === 0) {
    c['SA0'] = 0;
    c['SB0'] = 0;
  }
  return c;
}

function call(entryPoint: string, count: number, constants: Record<string, number | boolean>, bindings: (BufRef | null)[], flops: number): KernelCall {
  return {
    shader: elementwiseShader,
    entryPoint,
    constants: { ...constants, COUNT: count },
    bindings,
    workgroups: grid1d(count, 64),
    flops: flops * count,
    bytes: 4 * count * bindings.filter(Boolean).length,
  };
}

/** Whether every operand is read contiguously at the output's index (no broadcast, no permute). */
function contiguous(outShape: readonly number[], ...strides: (readonly number[])[]): boolean {
  const { shape, strides: s } = collapseDims(outShape, strides);
  return shape.length <= 1 && s.every((st) => st.length === 0 || st[0] === 1);
}

/** Contiguous case: 4 elements per invocation through the vec4 entry points. */
function vec4Call(entryPoint: string, count: number, constants: Record<string, number>, bindings: BufRef[]): KernelCall {
  const quads = Math.ceil(count / 4);
  return {
    shader: elementwiseShader,
    entryPoint,
    constants: { ...constants, COUNT: quads },
    bindings,
    workgroups: grid1d(quads, 64),
    flops: count,
    bytes: 4 * count * bindings.length,
  };
}

export function unaryKernel(
  op: UnaryOp,
  outShape: readonly number[],
  aStrides: readonly number[],
  a: BufRef,
  out: BufRef,
  alpha = 0,
  beta = 0,
): KernelCall {
  const count = outShape.reduce((p, d) => p * d, 1);
  if (contiguous(outShape, aStrides)) return vec4Call('unary4', count, { OP: UNARY[op].code, ALPHA: alpha, BETA: beta }, [a, out]);
  const c = { ...layoutConstants(outShape, aStrides, aStrides), OP: UNARY[op].code, ALPHA: alpha, BETA: beta };
  return call('unary', count, c, [a, out], 1);
}

export function binaryKernel(
  op: BinaryOp,
  outShape: readonly number[],
  aStrides: readonly number[],
  bStrides: readonly number[],
  a: BufRef,
  b: BufRef,
  out: BufRef,
  alpha = 1,
  beta = 0,
): KernelCall {
  const count = outShape.reduce((p, d) => p * d, 1);
  if (contiguous(outShape, aStrides, bStrides)) return vec4Call('binary4', count, { OP: BINARY[op], ALPHA: alpha, BETA: beta }, [a, out, b]);
  const c = { ...layoutConstants(outShape, aStrides, bStrides), OP: BINARY[op], ALPHA: alpha, BETA: beta };
  return call('binary', count, c, [a, out, b], 1);
}

export function compareKernel(
  op: CompareOp,
  outShape: readonly number[],
  aStrides: readonly number[],
  bStrides: readonly number[] | null,
  aType: DType,
  bType: DType,
  a: BufRef,
  b: BufRef | null,
  out: BufRef,
  scalar = 0,
): KernelCall {
  const count = outShape.reduce((p, d) => p * d, 1);
  const c = {
    ...layoutConstants(outShape, aStrides, bStrides ?? aStrides.map(() => 0)),
    OP: COMPARE[op],
    A_TYPE: TYPE_CODE[aType],
    B_TYPE: TYPE_CODE[bType],
    B_SCALAR: b === null,
    ALPHA: scalar,
  };
  return call('comparison', count, c, [a, out, b ?? a], 1);
}

export function castKernel(count: number, from: DType, to: DType, a: BufRef, out: BufRef): KernelCall {
  const c = { RANK: 1, SA0: 1, SB0: 1, A_TYPE: TYPE_CODE[from], OUT_TYPE: TYPE_CODE[to] };
  return call('convert', count, c, [a, out], 0);
}

export function fillKernel(count: number, value: number, dtype: DType, out: BufRef): KernelCall {
  return call('fill', count, { ALPHA: value, OUT_TYPE: TYPE_CODE[dtype] }, [null, out], 0);
}

/** where(cond, a, b) over broadcast operands, copying raw words (any dtype); cond is bool. */
export function whereKernel(
  outShape: readonly number[],
  condStrides: readonly number[],
  aStrides: readonly number[],
  bStrides: readonly number[],
  cond: BufRef,
  a: BufRef,
  b: BufRef,
  out: BufRef,
): KernelCall {
  const count = outShape.reduce((p, d) => p * d, 1);
  return call('where_select', count, layoutConstants(outShape, aStrides, bStrides, condStrides), [a, out, b, cond], 1);
}
