/**
 * Wrapper of shaders/pad.wgsl: padding in the four modes of torch.nn.functional.pad, and the
 * gradient of the non-constant modes. The host turns a shape and PyTorch's pad list into per-dim
 * constants (innermost dim first), collapsing the leading unpadded dims into one.
 */
import source from '../../shaders/pad.wgsl?raw';
import type { ShaderSource } from '../device/pipeline-cache.js';
import type { BufRef, KernelContext } from './context.js';
import { grid1d } from './grid.js';

export const padShader: ShaderSource = { file: 'pad.wgsl', code: source };

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

const MODE_CODE: Record<PadMode, number> = { constant: 0, reflect: 1, replicate: 2, circular: 3 };

/** Dims the kernel handles; more padded dims than this are an error of the op. */
export const PAD_MAX_DIMS = 6;
const SEG = 32;

/** One dim of the padded layout: input size, output size, padding before and after. */
interface PadDim {
  s: number;
  o: number;
  before: number;
  after: number;
}

/**
 * The kernel's dims, innermost first: one per padded dim (pads[2j], pads[2j+1] pad dim
 * ndim - 1 - j, PyTorch's order), then the leading dims collapsed into one.
 */
export function padLayout(shape: readonly number[], pads: readonly number[]): PadDim[] {
  const k = pads.length / 2;
  const dims: PadDim[] = [];
  for (let j = 0; j < k; j++) {
    const s = shape[shape.length - 1 - j]!;
    const before = pads[2 * j]!;
    const after = pads[2 * j + 1]!;
    dims.push({ s, o: s + before + after, before, after });
  }
  const outer = shape.slice(0, shape.length - k).reduce((p, d) => p * d, 1);
  if (outer > 1 || dims.length === 0) dims.push({ s: outer, o: outer, before: 0, after: 0 });
  return dims;
}

function constants(dims: readonly PadDim[], mode: PadMode): Record<string, number> {
  const c: Record<string, number> = { MODE: MODE_CODE[mode], RANK: dims.length };
  dims.forEach((d, j) => {
    const lo = Math.max(0, -d.before);
    c[`O${j}`] = d.o;
    c[`S${j}`] = d.s;
    c[`P${j}`] = d.before;
    if (mode === 'circular') {
      c[`LO${j}`] = lo;
      c[`L${j}`] = Math.max(1, d.s - lo - Math.max(0, -d.after));
      c[`PC${j}`] = Math.max(0, d.before);
    }
  });
  return c;
}

/** out = pad(x) for a tensor of `shape` (pads in PyTorch's order, last dim first). */
export function padForward(
  ctx: KernelContext,
  shape: readonly number[],
  pads: readonly number[],
  mode: PadMode,
  valueBits: number,
  x: BufRef,
  out: BufRef,
): void {
  const dims = padLayout(shape, pads);
  const rows = dims.slice(1).reduce((p, d) => p * d.o, 1);
  const count = rows * dims[0]!.o;
  ctx.dispatch({
    shader: padShader,
    entryPoint: 'forward',
    constants: { ...constants(dims, mode), VALUE: valueBits >>> 0, ROWS: rows },
    bindings: [x, out],
    workgroups: grid1d(rows * Math.ceil(dims[0]!.o / SEG), 64),
    bytes: 4 * (count + shape.reduce((p, d) => p * d, 1)),
  });
}

/** gin = the gradient of a non-constant pad of a tensor of `shape` for the output gradient gout. */
export function padBackward(ctx: KernelContext, shape: readonly number[], pads: readonly number[], mode: PadMode, gout: BufRef, gin: BufRef): void {
  // The backward kernel sees exactly 3 padded dims (unused ones of size 1) and a plane dim.
  const k = pads.length / 2;
  if (k > 3) throw new Error(`pad backward: ${k} padded dims (at most 3)`);
  const layout = padLayout(shape, pads);
  const trivial: PadDim = { s: 1, o: 1, before: 0, after: 0 };
  const dims = layout.slice(0, k);
  while (dims.length < 3) dims.push(trivial);
  dims.push(layout[k] ?? trivial);
  const rows = dims[1]!.s * dims[2]!.s * dims[3]!.s;
  const inCount = rows * dims[0]!.s;
  const outCount = dims.reduce((p, d) => p * d.o, 1);
  ctx.dispatch({
    shader: padShader,
    entryPoint: 'backward',
    constants: { ...constants(dims, mode), ROWS: rows },
    bindings: [gout, gin],
    workgroups: grid1d(rows * Math.ceil(dims[0]!.s / SEG), 64),
    flops: outCount,
    bytes: 4 * (inCount + outCount),
  });
}
