/**
 * The optimizer base, shaped like torch.optim.Optimizer: parameter groups that carry their own
 * hyper-parameters (`paramGroups[i].lr`, as PyTorch's `param_groups[i]['lr']`), per-parameter state
 * (`state.get(p)`: `step`, `expAvg`, `momentumBuffer` ...), zeroGrad, step, stateDict and
 * loadStateDict. step() records every update as an in-place op and flushes: the whole training step
 * (forward, loss, backward, updates) runs as one plan in one GPU submission.
 */
import { ArgumentError } from '../errors.js';
import { engineFor } from '../graph/engine.js';
import { tensor } from '../tensor/creation.js';
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../util/scope.js';

/** A parameter group: its parameters and its hyper-parameters, side by side as in PyTorch. */
export type ParamGroup<H> = H & {
  params: Tensor[];
  /** The lr a schedule started from (PyTorch's `initial_lr`); set by the first schedule attached. */
  initialLr?: number;
};

export type ParamsArg<H> = Iterable<Tensor> | (Partial<H> & { params: Iterable<Tensor> })[];

/** A value of per-parameter state: tensors, and numbers such as `step`. */
export type StateValue = Tensor | number;

/**
 * PyTorch's optimizer state_dict with camelCase keys: `state` by parameter index (counted over the
 * groups in order), `paramGroups` with the hyper-parameters and the indices of their parameters.
 */
export interface OptimizerStateDict<H = object, S extends object = object> {
  state: Record<number, S>;
  paramGroups: (H & { params: number[]; initialLr?: number })[];
}

export abstract class Optimizer<H extends { lr: number } = { lr: number }, S extends object = object> {
  readonly paramGroups: ParamGroup<H>[] = [];
  /** Per-parameter state (PyTorch's `optimizer.state[p]`), made at a parameter's first update. */
  readonly state = new Map<Tensor, S>();
  /** Steps taken. */
  stepCount = 0;

  constructor(params: ParamsArg<H>, readonly defaults: H) {
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new ArgumentError(`${this.constructor.name}: got an empty parameter list`);
    const groups = list[0] instanceof Tensor ? [{ params: list as Tensor[] }] : (list as (Partial<H> & { params: Iterable<Tensor> })[]);
    for (const g of groups) this.addParamGroup(g as Partial<H> & { params: Iterable<Tensor> });
  }

  /** Adds a group (torch's add_param_group); hyper-parameters it does not give come from `defaults`. */
  addParamGroup(group: Partial<H> & { params: Iterable<Tensor> }): void {
    const name = this.constructor.name;
    if (typeof group !== 'object' || group === null || !('params' in group)) {
      throw new ArgumentError(`${name}: a parameter group must be an object with 'params'`);
    }
    const { params: ps, ...rest } = group;
    const paramsList = ps instanceof Tensor ? [ps] : [...ps];
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    for (const p of paramsList) {
      if (!(p instanceof Tensor)) throw new ArgumentError(`${name}: parameters must be tensors`);
      if (!p.requiresGrad) throw new ArgumentError(`${name}: ${p.describe()} does not require grad, so it cannot be optimized`);
      if (p.dtype !== 'float32') throw new ArgumentError(`${name}: ${p.describe()} is ${p.dtype}; only float32 parameters can be optimized`);
      if (seen.has(p)) throw new ArgumentError(`${name}: a parameter appears in more than one group`);
      seen.add(p);
    }
    for (const k of Object.keys(rest)) {
      if (!(k in this.defaults) && k !== 'initialLr') {
        throw new ArgumentError(`${name}: unknown option '${k}' in a parameter group (expected one of ${Object.keys(this.defaults).join(', ')})`);
      }
    }
    const hypers = { ...this.defaults, ...(rest as unknown as Partial<H>) };
    this.validate(hypers);
    this.paramGroups.push({ ...hypers, params: paramsList } as ParamGroup<H>);
  }

  /** Checks hyper-parameters; throws ArgumentError naming the bad one. */
  protected abstract validate(hypers: H): void;

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
        // A schedule or the user may have changed the group since the last step.
        this.validate(g);
        this.updateGroup(g);
      }
    });
    const first = this.paramGroups[0]?.params[0];
    if (first) engineFor(first.device).flush([]);
    // The step is encoded; the per-step uploads can go back to the pool.
    for (const h of this.uploads) h.dispose();
    this.uploads.length = 0;
  }

  /**
   * The state as PyTorch's state_dict (camelCase keys). The state tensors are the optimizer's own
   * (they change with later steps, as in PyTorch); loadStateDict copies them.
   */
  stateDict(): OptimizerStateDict<H, S> {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...hypers } = g;
      return { ...copyHypers(hypers), params: params.map((p) => index.set(p, index.size).size - 1) } as H & { params: number[] };
    });
    const state: Record<number, S> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[i] = { ...s };
    }
    return { state, paramGroups };
  }

  /**
   * Restores a stateDict() (of an optimizer of the same class over parameters of the same shapes, in
   * the same groups): hyper-parameters of every group and copies of the per-parameter state.
   */
  loadStateDict(stateDict: OptimizerStateDict<H, S>): void {
    const name = this.constructor.name;
    const saved = stateDict?.paramGroups;
    if (!Array.isArray(saved) || typeof stateDict.state !== 'object' || stateDict.state === null) {
      throw new ArgumentError(`${name}: loadStateDict needs { state, paramGroups } as stateDict() makes`);
    }
    if (saved.length !== this.paramGroups.length) {
      throw new ArgumentError(`${name}: loadStateDict got ${saved.length} parameter groups, the optimizer has ${this.paramGroups.length}`);
    }
    const byIndex = new Map<number, Tensor>();
    saved.forEach((sg, gi) => {
      const g = this.paramGroups[gi]!;
      if (!Array.isArray(sg.params) || sg.params.length !== g.params.length) {
        throw new ArgumentError(`${name}: loadStateDict: parameter group ${gi} has ${sg.params?.length} parameters, the optimizer's has ${g.params.length}`);
      }
      sg.params.forEach((idx, k) => byIndex.set(idx, g.params[k]!));
      const { params: _, ...hypers } = sg;
      for (const k of Object.keys(hypers)) {
        if (!(k in this.defaults) && k !== 'initialLr') throw new ArgumentError(`${name}: loadStateDict: unknown hyper-parameter '${k}' in parameter group ${gi}`);
      }
      this.validate({ ...this.defaults, ...(hypers as Partial<H>) });
    });
    const state = new Map<Tensor, S>();
    for (const [key, s] of Object.entries(stateDict.state)) {
      const p = byIndex.get(Number(key));
      if (!p) throw new ArgumentError(`${name}: loadStateDict: state for parameter ${key}, which no group lists`);
      const copy: Record<string, StateValue> = {};
      for (const [k, v] of Object.entries(s) as [string, unknown][]) {
        if (v instanceof Tensor) {
          if (v.shape.join() !== p.shape.join()) {
            throw new ArgumentError(`${name}: loadStateDict: state '${k}' of parameter ${key} has shape [${v.shape.join(', ')}], the parameter [${p.shape.join(', ')}]`);
          }
          copy[k] = noGrad(() => v.clone());
        } else if (typeof v === 'number') copy[k] = v;
        else throw new ArgumentError(`${name}: loadStateDict: state '${k}' of parameter ${key} must be a tensor or a number, got ${typeof v}`);
      }
      state.set(p, copy as S);
    }
    // Everything checked: now replace.
    saved.forEach((sg, gi) => {
      const g = this.paramGroups[gi]!;
      const { params: _, ...hypers } = sg;
      Object.assign(g, copyHypers(hypers));
    });
    for (const s of this.state.values()) for (const v of Object.values(s) as unknown[]) if (v instanceof Tensor) v.dispose();
    this.state.clear();
    for (const [p, s] of state) this.state.set(p, s);
  }

  private readonly uploads: Tensor[] = [];

  /** The per-step values of a group uploaded for the update kernels. */
  protected hyper(values: number[], like: Tensor): Tensor {
    const t = tensor(Float32Array.from(values), { device: like.device });
    this.uploads.push(t);
    return t;
  }
}

/** Hyper-parameters copied so that a state dict does not alias the group's arrays (betas). */
function copyHypers<T extends object>(h: T): T {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Array.isArray(v) ? [...(v as unknown[])] : v])) as T;
}
