/**
 * What an op is to the graph: a name, how it lowers to kernels, its backward rule and how it takes
 * part in epilogue fusion. Each op file in src/ops/ defines its OpDefs next to the public function
 * that checks shapes and records nodes; `lower` lives there too, calling the kernel wrappers of
 * src/kernels/ through a LowerContext, so that one op is one file.
 */
import type { Device } from '../device/device.js';
import type { BufRef, KernelContext } from '../kernels/context.js';
import type { BoundEpilogue, Epilogue } from '../kernels/epilogue.js';
import type { Node, Value } from './value.js';

/** What an op's `lower` sees: the buffers of its node and ways to emit GPU work. */
export interface LowerContext extends KernelContext {
  readonly device: Device;
  input(i: number): BufRef;
  output(i: number): BufRef;
  /** Whether output i is read by anything (aux outputs can be skipped when not). */
  used(i: number): boolean;
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

/** One link of a fused epilogue chain (graph/fuse.ts), as an op's `epilogueLink` describes a node. */
export type EpilogueLink =
  /** v = act(v): a fusable activation by its code in kernels/activations.ts UNARY, with its two parameters. */
  | { kind: 'act'; op: number; a: number; b: number }
  /** v = a * v + b * operand, for an operand of the output's shape. */
  | { kind: 'residual'; a: number; b: number; operand: Value }
  | {
      /** Batch norm in eval mode; only the first link of a chain. */
      kind: 'affine';
      /** The per-channel layout the map assumes: channel of flat index i = floor(i / inner) % channels. */
      channels: number;
      inner: number;
      eps: number;
      mean: Value;
      variance: Value;
      weight: Value | null;
      bias: Value | null;
    };

/**
 * An op. `A` is the type of its attributes; `G` the type of the gradients its backward rule takes
 * and returns: the graph never runs a backward rule, the tensor layer does (src/tensor/autograd.ts),
 * and src/ops/op.ts fixes G to Tensor for the op files.
 */
export interface OpDef<A = unknown, G = unknown> {
  /** For messages and kernel labels; not unique (the plan cache keys ops by identity). */
  readonly name: string;
  /** Emits the kernels that compute the node's outputs. Not needed for views. */
  lower?(ctx: LowerContext, node: Node<A>): void;
  /**
   * Backward rule: given the gradients of the outputs (null where an output has none), returns the
   * gradients of the inputs (null where `needs[i]` is false or the gradient is zero).
   */
  vjp?(node: Node<A>, grads: readonly (G | null)[], needs: readonly boolean[]): (G | null)[];
  /** The output is the input's buffer reinterpreted (reshape): no kernel runs. */
  readonly view?: boolean;
  /** [outputIndex, inputIndex]: the kernel writes that output into the input's buffer, in place. */
  readonly inPlace?: readonly (readonly [number, number])[];
  /** The node's name in fused-node names ('conv2d+relu'), from its attributes; defaults to `name`. */
  label?(attrs: A): string;
  /** Serializes attrs for the plan cache key; defaults to JSON.stringify. */
  key?(attrs: A): string;
  /** Set when the op's kernel can apply a fused epilogue (graph/fuse.ts). */
  readonly epilogue?: EpilogueProducer<A>;
  /**
   * Set when the op's nodes can be links of a fused epilogue (graph/fuse.ts): describes `node` as a
   * link applied to its input number `input`, or returns null when this node cannot be one.
   */
  epilogueLink?(node: Node<A>, input: number): EpilogueLink | null;
}

const opIds = new WeakMap<object, number>();
let nextOpId = 1;

/** A number unique to the OpDef object, for structural keys (names are not unique). */
export function opId(op: object): number {
  let id = opIds.get(op);
  if (id === undefined) opIds.set(op, (id = nextOpId++));
  return id;
}
