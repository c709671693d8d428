/**
 * Wrapper of shaders/copy.wgsl: copies a strided block of 32-bit words from one buffer to another.
 * Callers describe the block as dims (size, source stride, destination stride) plus offsets; this
 * file merges what is contiguous, decides which dim the lanes run along, and picks the vec4 entry
 * point when everything is aligned to 4 words.
 */
import source from '../../shaders/copy.wgsl?raw';
import type { ShaderSource } from '../device/pipeline-cache.js';
import type { BufRef, KernelCall } from './context.js';

export const copyShader: ShaderSource = { file: 'copy.wgsl', code: source };

/** One dim of a block copy: its size and its strides (in elements) in the source and destination. */
export interface CopyDim {
  size: number;
  src: number;
  dst: number;
}

export interface BlockCopy {
  /** Dims in any order (conventionally outermost first). */
  dims: readonly CopyDim[];
  srcOffset: number;
  dstOffset: number;
}

/**
 * A contiguous run at least this long (in the units copied: words, or vec4s) gets the lanes along
 * it; shorter runs are looped inside each invocation, with the lanes across rows instead.
 */
const LANES_ALONG_RUN = 32;
const MAX_GROUPS = 65535;

/** Drops size-1 dims and merges a dim into the next inner one where both sides are contiguous. */
export function simplifyDims(dims: readonly CopyDim[]): CopyDim[] {
  const out: CopyDim[] = [];
  for (const d of dims) {
    if (d.size === 1) continue;
    const last = out[out.length - 1];
    // `last` is outer to `d`: mergeable when stepping `last` equals stepping `d` d.size times.
    if (last && last.src === d.src * d.size && last.dst === d.dst * d.size) {
      out[out.length - 1] = { size: last.size * d.size, src: d.src, dst: d.dst };
    } else {
      out.push({ ...d });
    }
  }
  return out;
}

/**
 * The kernel launches of one block copy: one launch, or several when more than four dims remain
 * after merging (each launch then covers one index of the outermost extra dims).
 */
export function blockCopy(copy: BlockCopy, src: BufRef, dst: BufRef): KernelCall[] {
  const dims = simplifyDims(copy.dims);
  if (dims.length > 4) {
    const [first, ...rest] = dims as [CopyDim, ...CopyDim[]];
    const calls: KernelCall[] = [];
    for (let i = 0; i < first.size; i++) {
      calls.push(...blockCopy({ dims: rest, srcOffset: copy.srcOffset + i * first.src, dstOffset: copy.dstOffset + i * first.dst }, src, dst));
    }
    return calls;
  }
  const count = dims.reduce((p, d) => p * d.size, 1);
  if (count === 0) return [];
  // The contiguous run: stride 1 on both sides (at most one dim has it after merging... or none).
  const runIndex = dims.findIndex((d) => d.src === 1 && d.dst === 1);
  const run = runIndex >= 0 ? dims[runIndex]! : null;
  const others = dims.filter((_, i) => i !== runIndex);
  const aligned =
    run !== null &&
    run.size % 4 === 0 &&
    copy.srcOffset % 4 === 0 &&
    copy.dstOffset % 4 === 0 &&
    others.every((d) => d.src % 4 === 0 && d.dst % 4 === 0);
  const unit = aligned ? 4 : 1;
  const scaled = (d: CopyDim): CopyDim => (d === run ? { size: d.size / unit, src: 1, dst: 1 } : { size: d.size, src: d.src / unit, dst: d.dst / unit });
  const bySize = others.map(scaled).sort((p, q) => q.size - p.size);
  const one: CopyDim = { size: 1, src: 0, dst: 0 };
  let a: CopyDim, b: CopyDim, c: CopyDim, d: CopyDim;
  if (run && run.size / unit >= LANES_ALONG_RUN) {
    // Lanes along the row; the largest other dims on the grid, the smallest looped.
    a = scaled(run);
    [b = one, c = one, d = one] = bySize;
  } else if (run) {
    // Short rows: lanes across the largest other dim, the row looped inside each invocation.
    d = scaled(run);
    [a = one, b = one, c = one] = bySize;
  } else {
    // No contiguous run (e.g. a stepped slice of the last dim): lanes along the largest dim.
    [a = one, b = one, c = one, d = one] = bySize;
  }
  const constants = {
    NA: a.size, NB: b.size, NC: c.size, ND: d.size,
    SA: a.src, SB: b.src, SC: c.src, SD: d.src,
    DA: a.dst, DB: b.dst, DC: c.dst, DD: d.dst,
    SRC_OFF: copy.srcOffset / unit,
    DST_OFF: copy.dstOffset / unit,
  };
  return [
    {
      shader: copyShader,
      entryPoint: aligned ? 'copy4' : 'copy',
      constants,
      bindings: [src, dst],
      workgroups: [Math.min(Math.ceil(a.size / 64), MAX_GROUPS), Math.min(b.size, MAX_GROUPS), Math.min(c.size, MAX_GROUPS)],
      flops: 0,
      bytes: 8 * count,
    },
  ];
}
