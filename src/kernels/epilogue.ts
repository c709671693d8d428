/**
 * Fused elementwise epilogues on the kernel side (shaders/epilogue.wgsl and the activation
 * formulas it applies, appended to the shaders of the kernels that end with one): what an epilogue is, its override constants and buffers, and
 * shaders/fold_affine.wgsl, which turns batch norm's eval parameters into the per-channel scale and
 * shift the epilogue applies. Which chains become epilogues is decided by src/graph/fuse.ts.
 */
import epilogueSource from '../../shaders/epilogue.wgsl?raw';
import foldSource from '../../shaders/fold_affine.wgsl?raw';
import type { ShaderSource } from '../device/pipeline-cache.js';
import { withActivations } from './activations.js';
import type { BufRef, KernelContext } from './context.js';
import { grid1d } from './grid.js';

const foldShader: ShaderSource = { file: 'fold_affine.wgsl', code: foldSource };

/**
 * A shader with the epilogue functions and the activation formulas appended (its file must declare
 * epi_affine and epi_residual).
 */
export function withEpilogue(s: ShaderSource): ShaderSource {
  return withActivations({ file: s.file, code: `${s.code}\n${epilogueSource}` });
}

/** v = act(v): a fusable activation by its code in kernels/activations.ts UNARY, with its two parameters. */
export interface ActivationStep {
  kind: 'act';
  op: number;
  a: number;
  b: number;
}

/** v = a * v + b * r for a tensor r of the output's shape (add and sub, either operand order). */
export interface ResidualStep {
  kind: 'residual';
  a: number;
  b: number;
}

export type EpilogueStep = ActivationStep | ResidualStep;

/** The most activation / residual steps one epilogue holds. */
export const MAX_EPILOGUE_STEPS = 3;

/** What a kernel applies to its result: an optional per-channel affine map, then the steps. */
export interface Epilogue {
  /** Batch norm (eval) folded to v * scale[c] + shift[c], over `channels` channels. */
  affine: { channels: number; eps: number; hasWeight: boolean; hasBias: boolean } | null;
  steps: EpilogueStep[];
}

/** An epilogue with its buffers, as a producer's lowering receives it. */
export interface BoundEpilogue {
  epilogue: Epilogue;
  /** [2, channels]: scale, then shift (the output of foldAffine). */
  affine: BufRef | null;
  /** The residual operand, shaped as the output. */
  residual: BufRef | null;
}

const KIND = { act: 1, residual: 2 } as const;

/** The override constants of epilogue.wgsl (all off for null). */
export function epilogueConstants(e: Epilogue | null): Record<string, number | boolean> {
  const c: Record<string, number | boolean> = {};
  if (!e) return c;
  if (e.affine) {
    c['EPI_AFFINE'] = true;
    c['EPI_CH'] = e.affine.channels;
  }
  e.steps.forEach((s, k) => {
    c[`EPI${k}`] = KIND[s.kind];
    if (s.kind === 'act') c[`EPI${k}_OP`] = s.op;
    c[`EPI${k}_A`] = s.a;
    c[`EPI${k}_B`] = s.b;
  });
  return c;
}

/** The two epilogue bindings: the bound buffers, or `fallback` (an input of the kernel) for unused ones. */
export function epilogueBindings(e: BoundEpilogue | null, fallback: BufRef): [BufRef, BufRef] {
  return [e?.affine ?? fallback, e?.residual ?? fallback];
}

/** FLOPs of an epilogue over `count` outputs, for the profiler. */
export function epilogueFlops(e: Epilogue | null, count: number): number {
  if (!e) return 0;
  return count * ((e.affine ? 2 : 0) + e.steps.length * 2);
}

/** scale/shift [2, C] from batch norm's running mean and variance, weight and bias (eval mode). */
export function foldAffine(
  ctx: KernelContext,
  channels: number,
  eps: number,
  mean: BufRef,
  variance: BufRef,
  weight: BufRef | null,
  bias: BufRef | null,
  out: BufRef,
): void {
  ctx.dispatch({
    shader: foldShader,
    entryPoint: 'fold',
    constants: { C: channels, EPS: eps, HAS_WEIGHT: weight !== null, HAS_BIAS: bias !== null },
    bindings: [mean, variance, out, weight ?? mean, bias ?? mean],
    workgroups: grid1d(channels, 64),
    flops: 5 * channels,
    bytes: 4 * 6 * channels,
  });
}
