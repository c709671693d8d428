/**
 * In-place optimizer updates as graph ops. Each writes the new parameter (and optimizer state)
 * into the old value's buffer when nothing else still reads it (the planner checks), so a training
 * step allocates nothing for its updates. Used by src/optim/; not part of the functional API.
 * Kernels: shaders/optimizer.wgsl through src/kernels/optimizer.ts.
 */
import { adamKernel, sgdKernel, type AdamConstants, type SgdConstants } from '../kernels/optimizer.js';
import type { Tensor } from '../tensor/tensor.js';
import type { OpDef } from './op.js';
import { apply } from './record.js';

/** Inputs: param, grad, hyper [lr], [momentumBuffer]. Outputs: param', [momentumBuffer']. */
export const sgdStepOp: OpDef<SgdConstants> = {
  name: 'sgd_step',
  inPlace: [
    [0, 0],
    [1, 3],
  ],
  lower(ctx, node) {
    const count = node.inputs[0]!.numel;
    const buf = node.inputs.length > 3 ? ctx.output(1) : ctx.temp(4);
    ctx.dispatch(sgdKernel(count, node.attrs, ctx.output(0), ctx.input(1), ctx.input(2), buf));
  },
};

export function sgdStep(param: Tensor, grad: Tensor, hyper: Tensor, momentumBuffer: Tensor | null, c: SgdConstants): Tensor[] {
  const inputs = momentumBuffer ? [param, grad, hyper, momentumBuffer] : [param, grad, hyper];
  const outs = [{ shape: param.shape, dtype: 'float32' as const }];
  if (momentumBuffer) outs.push({ shape: param.shape, dtype: 'float32' });
  return apply(sgdStepOp, inputs, c, outs);
}

/** Inputs: param, grad, hyper [lr, bc1, sqrt(bc2)], expAvg, expAvgSq, [maxExpAvgSq]. */
export const adamStepOp: OpDef<AdamConstants> = {
  name: 'adam_step',
  inPlace: [
    [0, 0],
    [1, 3],
    [2, 4],
    [3, 5],
  ],
  lower(ctx, node) {
    const count = node.inputs[0]!.numel;
    const vmax = node.attrs.amsgrad ? ctx.output(3) : ctx.temp(4);
    ctx.dispatch(adamKernel(count, node.attrs, ctx.output(0), ctx.input(1), ctx.input(2), ctx.output(1), ctx.output(2), vmax));
  },
};

export function adamStep(param: Tensor, grad: Tensor, hyper: Tensor, state: Tensor[], c: AdamConstants): Tensor[] {
  const spec = { shape: param.shape, dtype: 'float32' as const };
  return apply(adamStepOp, [param, grad, hyper, ...state], c, state.map(() => spec).concat([spec]));
}
