/**
 * Turns the pending values a flush must produce into an ordered list of nodes: the subgraph that
 * computes them, topologically sorted, with in-place ops placed after every other reader of the
 * buffer they overwrite (write-after-read order), elementwise epilogues fused into the conv /
 * matmul kernels before them (graph/fuse.ts), and the structural key of the whole thing.
 */
import { TensorStateError } from '../errors.js';
import { fuseEpilogues } from './fuse.js';
import { opId } from './op.js';
import type { Node, Value } from './value.js';

export interface Schedule {
  /** Nodes in execution order. */
  nodes: Node[];
  /** Realized values the nodes read, in first-use order. */
  externals: Value[];
  /** Values to materialize, in order. */
  outputs: Value[];
  /** For each node (by position), the in-place pairs that may take the input's buffer over. */
  donations: Map<Node, Set<number>>;
  /** Structural key: equal keys mean equal plans. */
  key: string;
}

export function schedule(outputs: readonly Value[], options: { fuse?: boolean } = {}): Schedule {
  // 1. The subgraph: every node reachable from the outputs through pending values.
  const inGraph = new Set<Node>();
  const readers = new Map<Value, Node[]>();
  const stack: Node[] = [];
  for (const v of outputs) {
    const n = producer(v);
    if (n && !inGraph.has(n)) {
      inGraph.add(n);
      stack.push(n);
    }
  }
  while (stack.length > 0) {
    const n = stack.pop()!;
    for (const input of n.inputs) {
      let list = readers.get(input);
      if (!list) readers.set(input, (list = []));
      list.push(n);
      const p = producer(input);
      if (p && !inGraph.has(p)) {
        inGraph.add(p);
        stack.push(p);
      }
    }
  }

  // 2. In-place ops: which may overwrite their input, and the readers that must run before them.
  const outputSet = new Set(outputs);
  const extraPreds = new Map<Node, Node[]>();
  const donations = new Map<Node, Set<number>>();
  const donated = new Set<Value>();
  const consumersOf = (n: Node): Node[] => n.outputs.flatMap((o) => readers.get(o) ?? []);
  for (const n of inGraph) {
    const pairs = n.op.inPlace;
    if (!pairs) continue;
    for (const [outIdx, inIdx] of pairs) {
      if (inIdx >= n.inputs.length || outIdx >= n.outputs.length) continue; // optional operand absent
      const v = n.inputs[inIdx]!;
      if (donated.has(v) || outputSet.has(v) || !mayOverwrite(v)) continue;
      // Everything that reads the buffer: readers of v and of the views of v (reshape shares it).
      const aliases = viewClosure(v, readers);
      if (aliases.some((a) => a !== v && outputSet.has(a))) continue;
      const others = aliases.flatMap((a) => readers.get(a) ?? []).filter((r) => r !== n && !r.op.view);
      if (others.length > 0) {
        const after = descendants(n, consumersOf);
        if (others.some((r) => after.has(r))) continue;
        const preds = extraPreds.get(n) ?? [];
        preds.push(...others);
        extraPreds.set(n, preds);
      }
      donated.add(v);
      let set = donations.get(n);
      if (!set) donations.set(n, (set = new Set()));
      set.add(inIdx);
    }
  }

  // 3. Topological order: depth-first post-order from the outputs, inputs in order.
  const order: Node[] = [];
  const state = new Map<Node, 1 | 2>();
  const visit = (root: Node): void => {
    const work: [Node, number][] = [[root, 0]];
    state.set(root, 1);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const [n, i] = top;
      const preds = predecessors(n, extraPreds);
      if (i < preds.length) {
        top[1]++;
        const p = preds[i]!;
        if (!state.has(p)) {
          state.set(p, 1);
          work.push([p, 0]);
        }
      } else {
        work.pop();
        state.set(n, 2);
        order.push(n);
      }
    }
  };
  for (const v of outputs) {
    const n = producer(v);
    if (n && !state.has(n)) visit(n);
  }

  // 4. Elementwise chains folded into the conv / matmul kernel before them (graph/fuse.ts).
  const nodes = options.fuse === false ? order : fuseEpilogues(order, readers, outputSet, (n) => donations.has(n));

  // 5. Externals and the key.
  const position = new Map<Value, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => position.set(o, i)));
  const externals: Value[] = [];
  const extIndex = new Map<Value, number>();
  const parts: string[] = [];
  const ref = (v: Value): string => {
    const p = !v.storage ? position.get(v) : undefined;
    if (p !== undefined) return `n${p}.${v.index}`;
    let k = extIndex.get(v);
    if (k === undefined) {
      k = externals.length;
      externals.push(v);
      extIndex.set(v, k);
      parts.push(`E${k}:${v.dtype}[${v.shape.join(',')}]${donated.has(v) ? 'd' : ''}`);
    }
    return `e${k}`;
  };
  for (const n of nodes) {
    const ins = n.inputs.map(ref).join(',');
    const outs = n.outputs.map((o) => `${o.dtype}[${o.shape.join(',')}]`).join(',');
    const d = donations.get(n);
    const attrs = n.op.key ? n.op.key(n.attrs) : JSON.stringify(n.attrs);
    // The op by identity (names are not unique: conv2dOp and convGemmOp are both 'conv2d').
    parts.push(`${n.op.name}#${opId(n.op)}${attrs}(${ins})->${outs}${d ? `!${[...d].join(',')}` : ''}`);
  }
  parts.push(`out:${outputs.map(ref).join(',')}`);
  return { nodes, externals, outputs: [...outputs], donations, key: parts.join(';') };
}

/** The node that must run to produce v, or null when v is realized. Throws if v is unreadable. */
function producer(v: Value): Node | null {
  if (v.storage) return null;
  if (v.stale) throw new TensorStateError(`Cannot compute: ${v.describe()} ${v.stale}`);
  if (!v.node) throw new TensorStateError(`Cannot compute: ${v.describe()} has no data and no producer`);
  return v.node;
}

function predecessors(n: Node, extra: Map<Node, Node[]>): Node[] {
  const preds: Node[] = [];
  for (const v of n.inputs) {
    if (!v.storage && v.node) preds.push(v.node);
  }
  const e = extra.get(n);
  if (e) preds.push(...e);
  return preds;
}

/**
 * Whether an in-place op may take this value's buffer: nothing else holds it. A realized value must
 * have no tensor handle bound and no view sharing its buffer; a pending one is an intermediate.
 */
function mayOverwrite(v: Value): boolean {
  if (v.holders > 0) return false;
  if (v.storage) return v.storage.refs === 1;
  return !v.keep;
}

/** v and every value that is a view of it (through reshape-like ops), transitively. */
function viewClosure(v: Value, readers: Map<Value, Node[]>): Value[] {
  const out = [v];
  for (let i = 0; i < out.length; i++) {
    for (const r of readers.get(out[i]!) ?? []) {
      if (r.op.view) out.push(...r.outputs);
    }
  }
  return out;
}

function descendants(n: Node, consumersOf: (n: Node) => Node[]): Set<Node> {
  const seen = new Set<Node>();
  const stack = [...consumersOf(n)];
  while (stack.length > 0) {
    const c = stack.pop()!;
    if (seen.has(c)) continue;
    seen.add(c);
    stack.push(...consumersOf(c));
  }
  return seen;
}
