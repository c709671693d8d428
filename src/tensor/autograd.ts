/**
 * Reverse-mode autodiff over the recorded graph (Tensor.backward). Each op's OpDef carries its
 * backward rule (`vjp`), written with the same public ops, so gradients are just more lazy nodes:
 * backward() records them and the next flush runs forward, backward and the optimizer update as one
 * plan. It sits beside Tensor, not in graph/, because the rules take and return Tensors.
 */
import { ArgumentError, ShapeError, fmtShape, where } from '../errors.js';
import type { Node, Value } from '../graph/value.js';
import { ones } from '../ops/fill.js';
import type { OpDef } from '../ops/op.js';
import { inLayer, noGrad } from '../util/scope.js';
import type { Tensor } from './tensor.js';

export function backward(root: Tensor, gradient?: Tensor): void {
  const rootValue = root._value;
  if (!rootValue.requiresGrad) {
    throw new ArgumentError(
      `backward: ${root.describe()} does not require grad: it was not computed from tensors with requiresGrad (parameters), or it was computed under noGrad()`,
    );
  }
  if (gradient === undefined && root.numel() !== 1) {
    throw new ArgumentError(
      `backward: a gradient can only be created implicitly for a one-element output; ${root.describe()} has ${root.numel()} elements, pass backward(gradient)`,
    );
  }
  if (gradient && (gradient.shape.length !== root.ndim || gradient.shape.some((d, i) => d !== root.shape[i]))) {
    throw new ShapeError(`backward: gradient shape ${fmtShape(gradient.shape)} does not match ${root.describe()}`);
  }

  // Nodes between the root and the leaves, in topological order (producers first).
  const order: Node[] = [];
  const seen = new Set<Node>();
  const start = rootValue.leaf ? null : rootValue.node;
  if (start) {
    const work: [Node, number][] = [[start, 0]];
    seen.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const [n, i] = top;
      if (i < n.inputs.length) {
        top[1]++;
        const v = n.inputs[i]!;
        const p = v.requiresGrad && !v.leaf ? v.node : null;
        if (p && !seen.has(p)) {
          seen.add(p);
          work.push([p, 0]);
        }
      } else {
        work.pop();
        order.push(n);
      }
    }
  }

  noGrad(() => {
    const grads = new Map<Value, Tensor>();
    const leaves: Value[] = [];
    const accumulate = (v: Value, g: Tensor): void => {
      const prev = grads.get(v);
      if (!prev && v.leaf) leaves.push(v);
      grads.set(v, prev ? prev.add(g) : g);
    };
    accumulate(rootValue, gradient ? gradient.detach() : ones(root.shape, { device: root.device }));

    for (let k = order.length - 1; k >= 0; k--) {
      const node = order[k]!;
      const gouts = node.outputs.map((o) => grads.get(o) ?? null);
      if (gouts.every((g) => g === null)) continue;
      const needs = node.inputs.map((v) => v.requiresGrad);
      // Every recorded op is an ops/op.ts OpDef: its rule takes and returns Tensors.
      const vjp = (node.op as OpDef).vjp;
      if (!vjp) throw new ArgumentError(`backward: op ${node.op.name} is not differentiable`);
      const run = () => vjp(node, gouts, needs);
      const gins = node.layer ? inLayer(node.layer, run) : run();
      node.inputs.forEach((v, i) => {
        const g = gins[i];
        if (!needs[i] || !g) return;
        if (g.ndim !== v.shape.length || g.shape.some((d, j) => d !== v.shape[j])) {
          throw new ShapeError(
            `${where(node.op.name, node.layer)} backward produced a gradient of shape ${fmtShape(g.shape)} for input ${i} of shape ${fmtShape(v.shape)}`,
          );
        }
        accumulate(v, g);
      });
      // Intermediate gradients are no longer needed once passed on.
      for (const o of node.outputs) if (!o.leaf) grads.delete(o);
    }

    for (const v of leaves) {
      const g = grads.get(v)!;
      const leaf = v.leaf as unknown as Tensor;
      if (leaf.grad) {
        leaf.grad._take(leaf.grad.add(g));
      } else {
        leaf.grad = g;
      }
      leaf.grad._value.keep = true;
    }
  });
}
