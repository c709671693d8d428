/**
 * How ops record themselves: the public function checks shapes, then calls `apply` with its OpDef,
 * inputs, attributes and output shapes. `apply` records the node on the inputs' device, tags it with
 * the layer being run, and decides whether autograd tracks the outputs.
 */
import { defaultDevice } from '../device/default.js';
import { engineFor, type OutputSpec } from '../graph/engine.js';
import { Tensor, requiresGradOf, wrap } from '../tensor/tensor.js';
import { currentLayer } from '../util/scope.js';
import type { OpDef } from './op.js';

export function apply<A>(op: OpDef<A>, inputs: readonly Tensor[], attrs: A, outputs: readonly OutputSpec[]): Tensor[] {
  const device = inputs.length > 0 ? inputs[0]!.device : defaultDevice();
  const values = engineFor(device).record(
    op,
    inputs.map((t) => t._value),
    attrs,
    outputs,
    currentLayer(),
  );
  if (op.vjp && requiresGradOf(inputs)) {
    for (const v of values) if (v.dtype === 'float32' && !v.aux) v.requiresGrad = true;
  }
  return values.map(wrap);
}

/** `apply` for single-output ops. */
export function apply1<A>(op: OpDef<A>, inputs: readonly Tensor[], attrs: A, output: OutputSpec): Tensor {
  return apply(op, inputs, attrs, [output])[0]!;
}
