/**
 * Epilogue fusion: a pass over the nodes a flush schedules that folds chains of elementwise ops into
 * the kernel of the conv or matmul before them, so that the intermediate never goes to memory:
 *
 *   conv2d -> batch_norm (eval) -> add (residual) -> relu      becomes one node, 'conv2d+batch_norm+add+relu'
 *
 * Who takes part:
 *  - producers: ops whose OpDef has `epilogue` (conv2d in every algorithm, matmul/linear when it
 *    does not split K); they say how their output is laid out per channel and lower with an epilogue;
 *  - links: ops whose OpDef has `epilogueLink` (fusable unary maps of kernels/activations.ts, add/sub of a
 *    same-shape tensor, batch_norm in eval mode), which describes one node as an activation step, a
 *    residual step, or (first in the chain only) a per-channel affine map. Reshape-like views in
 *    between are passed through (they keep the flat order).
 *
 * A value is folded away only when the plan does not need it: it is not an output of the flush,
 * and its only reader is the next link. (A tensor handle that reads it later recomputes it from the
 * unfused nodes, which stay in the recorded graph.) The fused node takes the last link's place in
 * the order (its operands, e.g. a residual branch recorded after the conv, exist there); a chain is
 * not fused across an in-place node, which may overwrite what the producer reads.
 *
 * Gradients are unaffected: autodiff ran when backward() was called, on the unfused graph, and a
 * backward rule that reads an intermediate makes it a second reader, which stops the fusion there.
 */
import { epilogueConstants, foldAffine, MAX_EPILOGUE_STEPS, type Epilogue, type EpilogueStep } from '../kernels/epilogue.js';
import type { EpilogueLink, OpDef } from './op.js';
import { Node, Value } from './value.js';

interface FoldAttrs {
  channels: number;
  eps: number;
  hasWeight: boolean;
  hasBias: boolean;
}

/** Batch norm's eval parameters -> [2, C] scale and shift (inputs: mean, variance, weight?, bias?). */
const foldAffineOp: OpDef<FoldAttrs> = {
  name: 'fold_affine',
  lower(ctx, node) {
    const a = node.attrs;
    let k = 2;
    const w = a.hasWeight ? ctx.input(k++) : null;
    const b = a.hasBias ? ctx.input(k++) : null;
    foldAffine(ctx, a.channels, a.eps, ctx.input(0), ctx.input(1), w, b, ctx.output(0));
  },
};

interface FusedAttrs {
  producer: Node;
  epilogue: Epilogue;
  /** Inputs of the fused node holding the folded affine map and the residual (-1: none). */
  affineInput: number;
  residualInput: number;
}

function producerKey(p: Node): string {
  return p.op.key ? p.op.key(p.attrs) : JSON.stringify(p.attrs);
}

/**
 * Fused ops by producer op, then by name: a chain's fused op is the same object every flush (the
 * plan cache keys ops by identity), and producers that share a name do not share a fused op.
 */
const fusedOps = new WeakMap<OpDef, Map<string, OpDef<FusedAttrs>>>();

/** The fused node's op: the producer's kernels with the epilogue. Named after the ops it replaces. */
function fusedOp(producer: OpDef, name: string): OpDef<FusedAttrs> {
  let byName = fusedOps.get(producer);
  if (!byName) fusedOps.set(producer, (byName = new Map()));
  let op = byName.get(name);
  if (!op) {
    op = {
      name,
      key: (a) => `${producerKey(a.producer)}|${JSON.stringify(epilogueConstants(a.epilogue))}`,
      lower(ctx, node) {
        const a = node.attrs;
        a.producer.op.epilogue!.lower(ctx, a.producer, {
          epilogue: a.epilogue,
          affine: a.affineInput >= 0 ? ctx.input(a.affineInput) : null,
          residual: a.residualInput >= 0 ? ctx.input(a.residualInput) : null,
        });
      },
    };
    byName.set(name, op);
  }
  return op;
}

/** A chain found from one producer: its links' nodes (views included), the epilogue, the operands. */
interface Chain {
  nodes: Node[];
  names: string[];
  steps: EpilogueStep[];
  affine: Extract<EpilogueLink, { kind: 'affine' }> | null;
  residual: Value | null;
  last: Node;
}

function findChain(p: Node, readers: Map<Value, Node[]>, outputs: Set<Value>): Chain | null {
  const producer = p.op.epilogue!;
  if (p.outputs.length !== 1) return null;
  const layout = producer.channels(p);
  const chain: Chain = { nodes: [], names: [], steps: [], affine: null, residual: null, last: p };
  const pending: Node[] = [];
  let v = p.outputs[0]!;
  const numel = v.numel;
  for (;;) {
    if (outputs.has(v) || v.keep || v.storage) break;
    const rs = readers.get(v) ?? [];
    if (rs.length !== 1) break;
    const e = rs[0]!;
    if (e.outputs.length !== 1 || e.outputs[0]!.aux || e.outputs[0]!.numel !== numel || e.outputs[0]!.dtype !== 'float32') break;
    if (e.op.view) {
      pending.push(e);
      v = e.outputs[0]!;
      continue;
    }
    const link = e.op.epilogueLink ? e.op.epilogueLink(e, e.inputs.indexOf(v)) : null;
    if (!link) break;
    if (link.kind === 'affine') {
      if (chain.steps.length > 0 || chain.affine || link.channels !== layout.channels || link.inner !== layout.inner) break;
      chain.affine = link;
    } else {
      if (chain.steps.length === MAX_EPILOGUE_STEPS) break;
      if (link.kind === 'residual') {
        if (chain.residual || link.operand === v || link.operand.numel !== numel) break;
        chain.residual = link.operand;
        chain.steps.push({ kind: 'residual', a: link.a, b: link.b });
      } else {
        chain.steps.push({ kind: 'act', op: link.op, a: link.a, b: link.b });
      }
    }
    const epilogue: Epilogue = { affine: affineOf(chain), steps: chain.steps };
    if (!producer.accepts(p, epilogue)) {
      // Undo this link: the producer's kernels cannot take it.
      if (link.kind === 'affine') chain.affine = null;
      else {
        chain.steps.pop();
        if (link.kind === 'residual') chain.residual = null;
      }
      break;
    }
    chain.nodes.push(...pending, e);
    chain.names.push(labelOf(e));
    pending.length = 0;
    chain.last = e;
    v = e.outputs[0]!;
  }
  return chain.nodes.length > 0 ? chain : null;
}

function affineOf(c: Chain): Epilogue['affine'] {
  const a = c.affine;
  return a ? { channels: a.channels, eps: a.eps, hasWeight: a.weight !== null, hasBias: a.bias !== null } : null;
}

/** A node's name in a fused node's name: its OpDef's label for its attributes ('relu', 'add'), else the op's name. */
function labelOf(e: Node): string {
  return e.op.label ? e.op.label(e.attrs) : e.op.name;
}

/**
 * Replaces fusable chains in `order` by fused nodes (and, for batch norm, a small node folding its
 * parameters first). `readers` lists each value's readers among the scheduled nodes; `outputs` are
 * the values the flush materializes; `inPlace` the nodes that overwrite an input.
 */
export function fuseEpilogues(order: readonly Node[], readers: Map<Value, Node[]>, outputs: Set<Value>, inPlace: (n: Node) => boolean): Node[] {
  if (!order.some((n) => n.op.epilogue)) return [...order];
  const position = new Map<Node, number>();
  order.forEach((n, i) => position.set(n, i));
  const removed = new Set<Node>();
  const replacement = new Map<Node, Node[]>();
  for (const p of order) {
    if (!p.op.epilogue || removed.has(p)) continue;
    const chain = findChain(p, readers, outputs);
    if (!chain || chain.nodes.some((n) => removed.has(n) || replacement.has(n))) continue;
    const from = position.get(p)!;
    const to = position.get(chain.last)!;
    if (order.slice(from + 1, to).some(inPlace)) continue;

    const inputs: Value[] = [...p.inputs];
    const added: Node[] = [];
    let affineInput = -1;
    if (chain.affine) {
      const a = chain.affine;
      const foldInputs = [a.mean, a.variance, ...(a.weight ? [a.weight] : []), ...(a.bias ? [a.bias] : [])];
      const attrs: FoldAttrs = { channels: a.channels, eps: a.eps, hasWeight: a.weight !== null, hasBias: a.bias !== null };
      const fold = new Node(foldAffineOp as OpDef, foldInputs, attrs, p.device, chain.last.layer);
      fold.outputs.push(new Value([2 * a.channels], 'float32', fold, 0));
      added.push(fold);
      affineInput = inputs.length;
      inputs.push(fold.outputs[0]!);
    }
    let residualInput = -1;
    if (chain.residual) {
      residualInput = inputs.length;
      inputs.push(chain.residual);
    }
    const epilogue: Epilogue = { affine: affineOf(chain), steps: chain.steps };
    const attrs: FusedAttrs = { producer: p, epilogue, affineInput, residualInput };
    const name = [p.op.name, ...chain.names].join('+');
    const fused = new Node(fusedOp(p.op, name) as OpDef, inputs, attrs, p.device, p.layer ?? chain.last.layer);
    fused.outputs.push(chain.last.outputs[0]!);
    added.push(fused);
    removed.add(p);
    for (const n of chain.nodes) removed.add(n);
    replacement.set(chain.last, added);
  }
  if (replacement.size === 0) return [...order];
  const out: Node[] = [];
  for (const n of order) {
    const r = replacement.get(n);
    if (r) out.push(...r);
    else if (!removed.has(n)) out.push(n);
  }
  return out;
}
