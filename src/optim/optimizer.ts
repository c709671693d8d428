/**
 * The optimizer base, shaped like torch.optim.Optimizer: parameter groups with their own
 * hyper-parameters, per-parameter state, zeroGrad, step. step() records every update as an in-place
 * op and flushes: the whole training step (forward, loss, backward, updates) runs as one plan in
 * one GPU submission.
 */
import { ArgumentError } from '../errors.js';
import { engineFor } from '../graph/engine.js';
import { tensor } from '../tensor/creation.js';
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../util/scope.js';

export interface ParamGroup<H> {
  params: Tensor[];
  options: H;
}

export type ParamsArg<H> = Iterable<Tensor> | (Partial<H> & { params: Iterable<Tensor> })[];

export abstract class Optimizer<H extends { lr: number }> {
  readonly paramGroups: ParamGroup<H>[] = [];
  /** Steps taken. */
  stepCount = 0;

  constructor(params: ParamsArg<H>, readonly defaults: H) {
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new ArgumentError(`${this.constructor.name}: got an empty parameter list`);
    const groups = list[0] instanceof Tensor ? [{ params: list as Tensor[] }] : (list as (Partial<H> & { params: Iterable<Tensor> })[]);
    const seen = new Set<Tensor>();
    for (const g of groups) {
      const { params: ps, ...rest } = g;
      const paramsList = [...ps];
      for (const p of paramsList) {
        if (!(p instanceof Tensor)) throw new ArgumentError(`${this.constructor.name}: parameters must be tensors`);
        if (!p.requiresGrad) throw new ArgumentError(`${this.constructor.name}: ${p.describe()} does not require grad, so it cannot be optimized`);
        if (p.dtype !== 'float32') throw new ArgumentError(`${this.constructor.name}: ${p.describe()} is ${p.dtype}; only float32 parameters can be optimized`);
        if (seen.has(p)) throw new ArgumentError(`${this.constructor.name}: a parameter appears in more than one group`);
        seen.add(p);
      }
      const options = { ...defaults, ...(rest as Partial<H>) };
      this.validate(options);
      this.paramGroups.push({ params: paramsList, options });
    }
  }

  /** Checks hyper-parameters; throws ArgumentError naming the bad one. */
  protected abstract validate(options: H): void;

  /** Records the update of one group's parameters that have gradients. */
  protected abstract updateGroup(group: ParamGroup<H>): void;

  /** Sets every parameter's gradient to null (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (p.grad) {
          p.grad.dispose();
          p.grad = null;
        }
      }
    }
  }

  /** One update of every parameter with a gradient; runs the pending step on the GPU. */
  step(): void {
    this.stepCount++;
    noGrad(() => {
      for (const g of this.paramGroups) {
        this.validate(g.options);
        this.updateGroup(g);
      }
    });
    const first = this.paramGroups[0]?.params[0];
    if (first) engineFor(first.device).flush([]);
    // The step is encoded; the per-step uploads can go back to the pool.
    for (const h of this.uploads) h.dispose();
    this.uploads.length = 0;
  }

  private readonly uploads: Tensor[] = [];

  /** The per-step values of a group uploaded for the update kernels. */
  protected hyper(values: number[], like: Tensor): Tensor {
    const t = tensor(Float32Array.from(values), { device: like.device });
    this.uploads.push(t);
    return t;
  }

  protected checkNumber(name: string, v: unknown, min: number, max = Infinity, minInclusive = true): void {
    if (typeof v !== 'number' || Number.isNaN(v) || (minInclusive ? v < min : v <= min) || v > max) {
      const range = `${minInclusive ? '>=' : '>'} ${min}${max !== Infinity ? ` and <= ${max}` : ''}`;
      throw new ArgumentError(`${this.constructor.name}: ${name} must be ${range}, got ${String(v)}`);
    }
  }
}
