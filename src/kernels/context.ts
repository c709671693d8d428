/**
 * What a kernel wrapper sees of the plan being built: buffers as opaque references, a way to ask
 * for a scratch buffer, and a way to emit a dispatch. The graph's LowerContext (graph/op.ts) is a
 * KernelContext with the node's inputs and outputs and the plan's other steps added, so kernel
 * wrappers stay independent of the graph that calls them.
 */
import type { Constants, ShaderSource } from '../device/pipeline-cache.js';

/** A buffer in a plan: an input, an output, an intermediate or a scratch buffer. */
export interface BufRef {
  readonly vbuf: number;
}

/** One compute dispatch, as a kernel wrapper describes it. */
export interface KernelCall {
  shader: ShaderSource;
  entryPoint: string;
  constants: Constants;
  /** Buffers in binding order (@group(0) @binding(i)); null for a binding the entry point does not use. */
  bindings: readonly (BufRef | null)[];
  workgroups: readonly [number, number, number];
  /** FLOPs and minimum bytes moved, for the profiler. */
  flops?: number;
  bytes?: number;
}

/** For wrappers that emit more than one dispatch, or need scratch buffers between them. */
export interface KernelContext {
  /** A scratch buffer living only while the current node runs. */
  temp(bytes: number): BufRef;
  dispatch(call: KernelCall): void;
}
