/**
 * What an op is to the graph: a name, how it lowers to kernels, and its backward rule. Each op file
 * in src/ops/ defines its OpDefs next to the public function that checks shapes and records nodes.
 */
import type { Constants, ShaderSource } from '../device/pipeline-cache.js';
import type { Device } from '../device/device.js';
import type { BoundEpilogue, Epilogue } from '../kernels/epilogue.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Node } from './value.js';

/** A buffer in a plan: an input, an output, an intermediate or a scratch buffer. */
export interface BufRef {
  readonly vbuf: number;
}

/** One compute dispatch, as a kernel wrapper in src/kernels/ describes it. */
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

/** What an op's `lower` sees: the buffers of its node and ways to emit GPU work. */
export interface LowerContext {
  readonly device: Device;
  input(i: number): BufRef;
  output(i: number): BufRef;
  /** A scratch buffer living only while this node runs. */
  temp(bytes: number): BufRef;
  /** Whether output i is read by anything (aux outputs can be skipped when not). */
  used(i: number): boolean;
  dispatch(call: KernelCall): void;
  copy(src: BufRef, dst: BufRef, bytes: number): void;
  /** Fills with zero bytes. */
  clear(buf: BufRef, bytes: number): void;
  /**
   * A small buffer holding per-run parameters: before each run of the plan, `write` gets that run's
   * node (equal in structure, its attrs possibly not) and its bytes are written to the buffer. For
   * values that change every step (a dropout seed) kept in attrs that the op's `key` leaves out, so
   * the cached plan replays with each run's values and nothing is uploaded as a tensor.
   */
  params(bytes: number, write: (node: Node) => ArrayBufferView): BufRef;
}

/**
 * An op whose kernel can end with a fused elementwise epilogue (bias, batch norm in eval mode,
 * residual add, activation): graph/fuse.ts folds such chains into it.
 */
export interface EpilogueProducer<A = unknown> {
  /** The output's per-channel layout: the channel of flat index i is floor(i / inner) % channels. */
  channels(node: Node<A>): { channels: number; inner: number };
  /** Whether this node's kernels (its shapes, its algorithm) can apply the epilogue. */
  accepts(node: Node<A>, epilogue: Epilogue): boolean;
  /** Emits the node's kernels with the epilogue applied to their result. */
  lower(ctx: LowerContext, node: Node<A>, epilogue: BoundEpilogue): void;
}

export interface OpDef<A = unknown> {
  readonly name: string;
  /** Emits the kernels that compute the node's outputs. Not needed for views. */
  lower?(ctx: LowerContext, node: Node<A>): void;
  /**
   * Backward rule: given the gradients of the outputs (null where an output has none), returns the
   * gradients of the inputs (null where `needs[i]` is false or the gradient is zero).
   */
  vjp?(node: Node<A>, grads: readonly (Tensor | null)[], needs: readonly boolean[]): (Tensor | null)[];
  /** The output is the input's buffer reinterpreted (reshape): no kernel runs. */
  readonly view?: boolean;
  /** [outputIndex, inputIndex]: the kernel writes that output into the input's buffer, in place. */
  readonly inPlace?: readonly (readonly [number, number])[];
  /** Serializes attrs for the plan cache key; defaults to JSON.stringify. */
  key?(attrs: A): string;
  /** Set when the op's kernel can apply a fused epilogue (graph/fuse.ts). */
  readonly epilogue?: EpilogueProducer<A>;
}
