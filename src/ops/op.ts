/**
 * The OpDef the op files write: the graph's OpDef (src/graph/op.ts) with backward rules over
 * Tensors. The graph only stores and lowers ops; autograd (src/tensor/autograd.ts) runs the rules.
 */
import type { OpDef as GraphOpDef } from '../graph/op.js';
import type { Tensor } from '../tensor/tensor.js';

export type OpDef<A = unknown> = GraphOpDef<A, Tensor>;
