/**
 * where(condition, input, other): elements of input where the bool condition holds, else of other,
 * all three broadcast together (torch.where). Kernel: the where_select entry of
 * shaders/elementwise.wgsl, which copies raw words, so any dtype works.
 */
import { ArgumentError, ShapeError, where as at } from '../errors.js';
import { whereKernel } from '../kernels/elementwise.js';
import { Tensor } from '../tensor/tensor.js';
import type { DType } from '../util/dtype.js';
import { currentLayer } from '../util/scope.js';
import { broadcastShapes, broadcastStrides } from '../util/shape.js';
import { full } from './fill.js';
import type { OpDef } from './op.js';
import { apply1 } from './record.js';
import { sumTo } from './reduce.js';

export const whereOp: OpDef<Record<string, never>> = {
  name: 'where',
  lower(ctx, node) {
    const out = node.outputs[0]!.shape;
    const [cond, a, b] = node.inputs;
    ctx.dispatch(
      whereKernel(out, broadcastStrides(cond!.shape, out), broadcastStrides(a!.shape, out), broadcastStrides(b!.shape, out), ctx.input(0), ctx.input(1), ctx.input(2), ctx.output(0)),
    );
  },
  vjp(node, [g], needs) {
    if (!g) return [null, null, null];
    const cond = Tensor.view(node.inputs[0]!);
    const zero = full([], 0, { device: g.device });
    const ga = needs[1] ? sumTo(record(cond, g, zero), node.inputs[1]!.shape) : null;
    const gb = needs[2] ? sumTo(record(cond, zero, g), node.inputs[2]!.shape) : null;
    return [null, ga, gb];
  },
};

function record(cond: Tensor, a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes(broadcastShapes(cond.shape, a.shape, 'where', currentLayer()), b.shape, 'where', currentLayer());
  return apply1(whereOp, [cond, a, b], {}, { shape, dtype: a.dtype });
}

/**
 * torch.where(condition, input, other): input where condition (a bool tensor) is true, other
 * elsewhere. The three broadcast together; input and other are tensors of one dtype, or numbers
 * (taking the other operand's dtype, float32 when both are numbers). Gradients flow to input
 * where the condition holds and to other where it does not.
 */
export function where(condition: Tensor, input: Tensor | number, other: Tensor | number): Tensor {
  const op = 'where';
  const layer = currentLayer();
  if (!(condition instanceof Tensor)) throw new ArgumentError(`${at(op, layer)}: condition must be a bool tensor, got ${String(condition)}`);
  if (condition.dtype !== 'bool') {
    throw new ShapeError(`${at(op, layer)}: where expected condition to be a boolean tensor, but got a tensor with dtype ${condition.dtype} (${condition.describe()})`);
  }
  const device = condition.device;
  const dtypeOf = (v: Tensor | number, w: Tensor | number): DType => (v instanceof Tensor ? v.dtype : w instanceof Tensor ? w.dtype : 'float32');
  const asTensor = (v: Tensor | number, dtype: DType, name: string): Tensor => {
    if (v instanceof Tensor) return v;
    if (typeof v !== 'number' || Number.isNaN(v)) throw new ArgumentError(`${at(op, layer)}: ${name} must be a tensor or a number, got ${String(v)}`);
    if (dtype !== 'float32' && !Number.isInteger(v)) {
      throw new ArgumentError(`${at(op, layer)}: ${name} ${v} is not an integer but the other operand is ${dtype}`);
    }
    return full([], dtype === 'bool' ? Number(v !== 0) : v, { dtype, device });
  };
  const a = asTensor(input, dtypeOf(input, other), 'input');
  const b = asTensor(other, dtypeOf(other, input), 'other');
  if (a.dtype !== b.dtype) {
    throw new ShapeError(`${at(op, layer)}: expected input and other to have the same dtype, got ${a.dtype} ${a.describe()} and ${b.dtype} ${b.describe()}`);
  }
  return record(condition, a, b);
}
