/**
 * Module and Parameter, shaped like torch.nn. A module's attributes are its children, parameters
 * and buffers, found in declaration order; their names are the state-dict keys, so weights move
 * between webtrain and PyTorch/torchvision by name ("layer1.0.conv1.weight", "bn1.running_mean").
 */
import { ArgumentError, FileFormatError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { inLayer } from '../util/scope.js';
import { tensor } from '../tensor/creation.js';
import { defaultGenerator } from '../util/random.js';

/** A tensor that is a module's learnable weight. Autograd tracks it; optimizers update it in place. */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    super(data._value);
    data._release();
    if (requiresGrad) this.requiresGrad_(true);
  }
}

/**
 * U(-bound, bound) data as a Parameter: the default initialization of Linear and the convolutions
 * (PyTorch's kaiming_uniform(a=sqrt(5)) gives bound 1/sqrt(fanIn)).
 */
export function uniformParameter(shape: number[], bound: number): Parameter {
  const data = new Float32Array(shape.reduce((p, d) => p * d, 1));
  for (let i = 0; i < data.length; i++) data[i] = (defaultGenerator.random() * 2 - 1) * bound;
  return new Parameter(tensor(data, { shape }));
}

/** camelCase attribute names whose PyTorch state-dict names differ. */
const TORCH_NAMES: Record<string, string> = {
  runningMean: 'running_mean',
  runningVar: 'running_var',
  numBatchesTracked: 'num_batches_tracked',
  posWeight: 'pos_weight',
};

export function torchName(attr: string): string {
  return TORCH_NAMES[attr] ?? attr;
}

export type StateDict = Record<string, Tensor>;

export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
  /** Keys present on both sides whose shape or dtype differs: not loaded (only with strict: false). */
  mismatchedKeys: { key: string; expected: string; found: string }[];
}

export interface LoadStateDictOptions {
  /** true (default): every key must match with its shape and dtype, or nothing is loaded. */
  strict?: boolean;
}

/**
 * `Out` is what forward() returns: a tensor for nearly every layer; pooling layers with returnIndices
 * return [output, indices].
 */
export abstract class Module<Out = Tensor> {
  /** Training mode (dropout active, batch norm uses batch statistics). */
  training = true;
  private _bufferNames: Set<string> | undefined;
  private _path: string | undefined;

  /** The computation. Call it through `call()` (or a parent's) so errors name the layer. */
  abstract forward(...inputs: Tensor[]): Out;

  /** Runs forward() with this module's path as the current layer (PyTorch's `module(x)`). */
  call(...inputs: Tensor[]): Out {
    if (this._path === undefined) this.assignPaths('');
    return inLayer(this._path || this.constructor.name, () => this.forward(...inputs));
  }

  /** Names every module of the tree rooted here by its path ("features.0"). */
  private assignPaths(prefix: string): void {
    this._path = prefix;
    for (const [name, child] of this.namedChildren()) child.assignPaths(prefix ? `${prefix}.${name}` : name);
  }

  /** This module's path inside the model it was called from ('' for the root). */
  get path(): string {
    return this._path ?? '';
  }

  /** Registers a tensor that is state but not a parameter (e.g. batch norm's running mean). */
  registerBuffer(name: string, tensor: Tensor | null): void {
    (this._bufferNames ??= new Set()).add(name);
    (this as unknown as Record<string, unknown>)[name] = tensor;
  }

  private ownEntries(): [string, unknown][] {
    return Object.entries(this).filter(([k]) => !k.startsWith('_') && k !== 'training');
  }

  namedChildren(): [string, Module][] {
    return this.ownEntries().filter((e): e is [string, Module] => e[1] instanceof Module);
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  namedModules(prefix = ''): [string, Module][] {
    // The tree is walked as Module (tensor-valued forward); a child may return [output, indices].
    const out: [string, Module][] = [[prefix, this as unknown as Module]];
    for (const [name, child] of this.namedChildren()) out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  namedParameters(prefix = '', recurse = true): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [k, v] of this.ownEntries()) {
      if (v instanceof Parameter) out.push([prefix ? `${prefix}.${torchName(k)}` : torchName(k), v]);
    }
    if (recurse) {
      for (const [name, child] of this.namedChildren()) out.push(...child.namedParameters(prefix ? `${prefix}.${name}` : name));
    }
    return out;
  }

  parameters(recurse = true): Parameter[] {
    return this.namedParameters('', recurse).map(([, p]) => p);
  }

  namedBuffers(prefix = '', recurse = true): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const name of this._bufferNames ?? []) {
      const t = (this as unknown as Record<string, unknown>)[name];
      if (t instanceof Tensor) out.push([prefix ? `${prefix}.${torchName(name)}` : torchName(name), t]);
    }
    if (recurse) {
      for (const [name, child] of this.namedChildren()) out.push(...child.namedBuffers(prefix ? `${prefix}.${name}` : name));
    }
    return out;
  }

  buffers(recurse = true): Tensor[] {
    return this.namedBuffers('', recurse).map(([, b]) => b);
  }

  /** Sets training mode here and in every child. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Drops every parameter's gradient (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      if (p.grad) {
        p.grad.dispose();
        p.grad = null;
      }
    }
  }

  /** Applies fn to every module, children first (like torch.nn.Module.apply). */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this as unknown as Module);
    return this;
  }

  /** Parameters and buffers by PyTorch state-dict name. */
  stateDict(): StateDict {
    // PyTorch's order: each module's own parameters, then its own buffers, then its children's.
    const sd: StateDict = {};
    const visit = (m: Module, prefix: string): void => {
      for (const [k, p] of m.namedParameters(prefix, false)) sd[k] = p;
      for (const [k, b] of m.namedBuffers(prefix, false)) sd[k] = b;
      for (const [name, c] of m.namedChildren()) visit(c, prefix ? `${prefix}.${name}` : name);
    };
    visit(this as unknown as Module, '');
    return sd;
  }

  /**
   * Copies tensors into this module's parameters and buffers by name (torch's load_state_dict).
   * With strict (the default), a missing, unexpected or mis-shaped key is an error that lists every
   * offending key with the expected and the found shape, and nothing is loaded; with
   * `{ strict: false }` the keys that match are loaded and the others are reported in the result.
   */
  loadStateDict(stateDict: StateDict, options: LoadStateDictOptions | boolean = {}): LoadResult {
    const strict = typeof options === 'boolean' ? options : (options.strict ?? true);
    const own = this.stateDict();
    const describe = (t: Tensor): string => `${fmtShape(t.shape)} ${t.dtype}`;
    const missingKeys = Object.keys(own).filter((k) => !(k in stateDict));
    const unexpectedKeys = Object.keys(stateDict).filter((k) => !(k in own));
    const mismatchedKeys: LoadResult['mismatchedKeys'] = [];
    for (const [k, target] of Object.entries(own)) {
      const src = stateDict[k];
      if (src === undefined) continue;
      if (!(src instanceof Tensor)) throw new ArgumentError(`loadStateDict (${this.constructor.name}): '${k}' is not a tensor`);
      if (src.ndim !== target.ndim || src.shape.some((d, i) => d !== target.shape[i]) || src.dtype !== target.dtype) {
        mismatchedKeys.push({ key: k, expected: describe(target), found: describe(src) });
      }
    }
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0 || mismatchedKeys.length > 0)) {
      const lines: string[] = [];
      for (const k of missingKeys) lines.push(`  missing: ${k} (expected ${describe(own[k]!)})`);
      for (const k of unexpectedKeys) lines.push(`  unexpected: ${k} (${describe(stateDict[k]!)})`);
      for (const m of mismatchedKeys) lines.push(`  mismatched: ${m.key}: expected ${m.expected}, found ${m.found}`);
      throw new FileFormatError(
        `loadStateDict (${this.constructor.name}): the state dict does not match the model; nothing was loaded ` +
          `(${missingKeys.length} missing, ${unexpectedKeys.length} unexpected, ${mismatchedKeys.length} mismatched):\n${lines.join('\n')}`,
      );
    }
    const skip = new Set(mismatchedKeys.map((m) => m.key));
    for (const [k, target] of Object.entries(own)) {
      const src = stateDict[k];
      if (src === undefined || skip.has(k)) continue;
      target._take(src.detach().clone());
    }
    return { missingKeys, unexpectedKeys, mismatchedKeys };
  }

  /** Number of parameter elements (trainable only, unless `all`). */
  numParameters(all = false): number {
    return this.parameters()
      .filter((p) => all || p.requiresGrad)
      .reduce((s, p) => s + p.numel(), 0);
  }

  /** Extra text for toString(), e.g. "1, 6, kernelSize=[5, 5]". */
  extraRepr(): string {
    return '';
  }

  toString(): string {
    const children = this.namedChildren();
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (children.length === 0) return `${head})`;
    const lines = children.map(([name, c]) => `  (${name}): ${c.toString().split('\n').join('\n  ')}`);
    return `${head}\n${lines.join('\n')}\n)`;
  }
}
