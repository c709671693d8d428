/**
 * Tensor: what users hold. A handle with a shape and a dtype that points at a Value of the lazy
 * graph. Ops on tensors record nodes; `await t.data()` computes and reads. In-place updates
 * (optimizer steps, loading weights) rebind the handle to a new value, so a Parameter object stays
 * the same object for its whole life, as in PyTorch.
 */
import type { Device } from '../device/device.js';
import { defaultDevice } from '../device/default.js';
import { ArgumentError, TensorStateError } from '../errors.js';
import { engineFor } from '../graph/engine.js';
import { Storage, Value, numel } from '../graph/value.js';
import * as ops from '../ops/index.js';
import type { DType } from '../util/dtype.js';
import { isGradEnabled } from '../util/scope.js';
import { backward as runBackward } from './autograd.js';

export type TypedArrayFor<D extends DType> = D extends 'float32' ? Float32Array : Int32Array;
export type TensorData = Float32Array | Int32Array | Uint8Array;
export type Scalar = number;

/** Nested number arrays, as `tensor([[1, 2], [3, 4]])` takes them. */
export type NestedArray = number | boolean | readonly NestedArray[];

export class Tensor {
  /** @internal The value this handle points at. */
  _value: Value;
  /** Gradient accumulated by backward() for leaf tensors that require grad. */
  grad: Tensor | null = null;
  /** Optional name used in messages (parameters get their module path). */
  private _name: string | undefined;

  /**
   * @internal Use the factory functions (tensor, zeros, randn ...) or ops to make tensors.
   * `counted` handles hold their value: a value no counted handle holds may be overwritten in place.
   */
  constructor(value: Value, counted = true) {
    this._value = value;
    if (counted) value.holders++;
    else this.uncounted = true;
  }

  private uncounted = false;

  /** @internal A handle for backward rules and internals that does not hold the value. */
  static view(value: Value): Tensor {
    return new Tensor(value, false);
  }

  get name(): string | undefined {
    return this._name;
  }

  set name(n: string | undefined) {
    this._name = n;
    this._value.name = n;
  }

  /** The shape as a new array, e.g. [64, 1, 28, 28]. */
  get shape(): number[] {
    return [...this._value.shape];
  }

  get dtype(): DType {
    return this._value.dtype;
  }

  get ndim(): number {
    return this._value.shape.length;
  }

  /** PyTorch's size(): the shape, or one dimension of it. */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return this.shape;
    const r = this.ndim;
    if (!Number.isInteger(dim) || dim < -r || dim >= r) {
      throw new ArgumentError(`size: dim ${dim} is out of range for a tensor of rank ${r}`);
    }
    return this._value.shape[dim < 0 ? dim + r : dim]!;
  }

  numel(): number {
    return numel(this._value.shape);
  }

  get device(): Device {
    const d = this._value.device;
    if (!d) throw new TensorStateError(`${this.describe()} has no device (it was disposed)`);
    return d;
  }

  get requiresGrad(): boolean {
    return this._value.requiresGrad;
  }

  set requiresGrad(flag: boolean) {
    this.requiresGrad_(flag);
  }

  /** A leaf is a tensor autograd does not look behind: made by the user, not by a tracked op. */
  get isLeaf(): boolean {
    return !this._value.requiresGrad || this._value.leaf === this;
  }

  /** Sets requires_grad on a leaf tensor (in place, returns this). */
  requiresGrad_(flag = true): this {
    const v = this._value;
    if (flag && v.dtype !== 'float32') {
      throw new ArgumentError(`requiresGrad: only float32 tensors can require gradients, ${this.describe()} is ${v.dtype}`);
    }
    if (v.requiresGrad && v.leaf !== this) {
      if (!flag) {
        throw new ArgumentError(
          `requiresGrad: ${this.describe()} is not a leaf (it was computed by tracked ops); use detach() instead`,
        );
      }
      return this;
    }
    v.requiresGrad = flag;
    v.leaf = flag ? this : null;
    return this;
  }

  /** @internal Stops this handle from holding its value (another handle took it over). */
  _release(): void {
    if (!this.uncounted) this._value.holders--;
    this.uncounted = true;
  }

  /**
   * @internal Points this handle at another value (an in-place update: optimizer step, weight
   * loading, gradient accumulation). The value is kept (materialized) whenever it is computed.
   */
  _assign(value: Value): void {
    value.keep = true;
    if (value === this._value) return;
    const old = this._value;
    if (!this.uncounted) {
      old.holders--;
      value.holders++;
    }
    if (old.leaf === this) {
      value.requiresGrad = old.requiresGrad;
      value.leaf = this;
    }
    value.name = this._name;
    this._value = value;
  }

  /** @internal `_assign(t._value)` and drop the handle t (an op result only used to update this). */
  _take(t: Tensor): void {
    this._assign(t._value);
    if (t !== this) t._release();
  }

  /** A new tensor with the same data that autograd does not track. */
  detach(): Tensor {
    return ops.detach(this);
  }

  /** Computes gradients of this tensor (a scalar, or with `gradient` given) w.r.t. the leaves. */
  backward(gradient?: Tensor): void {
    runBackward(this, gradient);
  }

  /** Reads the data back: Float32Array for float32, Int32Array for int32, Uint8Array for bool. */
  async data(): Promise<Float32Array | Int32Array | Uint8Array> {
    const v = this._value;
    const buf = await engineFor(this.device).read(v);
    if (v.dtype === 'float32') return new Float32Array(buf);
    if (v.dtype === 'int32') return new Int32Array(buf);
    return Uint8Array.from(new Uint32Array(buf));
  }

  /** Reads a one-element tensor as a number. */
  async item(): Promise<number> {
    if (this.numel() !== 1) {
      throw new ArgumentError(`item: only one-element tensors can be converted to a number, ${this.describe()} has ${this.numel()}`);
    }
    return (await this.data())[0]!;
  }

  /** Reads the data as nested arrays in the tensor's shape. */
  async tolist(): Promise<NestedArray> {
    const flat = Array.from(await this.data());
    const shape = this._value.shape;
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === shape.length) return flat[offset]!;
      const stride = numel(shape.slice(dim + 1));
      return Array.from({ length: shape[dim]! }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /** Frees the GPU memory now (instead of when the tensor is garbage-collected). */
  dispose(): void {
    const v = this._value;
    if (!this.uncounted) v.holders--;
    this.uncounted = true;
    if (v.holders <= 0 && v.storage) v.release('was disposed');
    if (this.grad) {
      this.grad.dispose();
      this.grad = null;
    }
  }

  /** Whether the tensor's data has been computed. */
  get isRealized(): boolean {
    return this._value.storage !== null;
  }

  describe(): string {
    return this._value.describe();
  }

  toString(): string {
    return `Tensor(${this.describe()}, ${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  // ---- ops as methods (PyTorch's Tensor methods, camelCased) -----------------------------------
  add(other: Tensor | Scalar, alpha?: number): Tensor {
    return ops.add(this, other, alpha);
  }
  sub(other: Tensor | Scalar, alpha?: number): Tensor {
    return ops.sub(this, other, alpha);
  }
  mul(other: Tensor | Scalar): Tensor {
    return ops.mul(this, other);
  }
  div(other: Tensor | Scalar): Tensor {
    return ops.div(this, other);
  }
  pow(exponent: number): Tensor {
    return ops.pow(this, exponent);
  }
  neg(): Tensor {
    return ops.neg(this);
  }
  abs(): Tensor {
    return ops.abs(this);
  }
  exp(): Tensor {
    return ops.exp(this);
  }
  log(): Tensor {
    return ops.log(this);
  }
  sqrt(): Tensor {
    return ops.sqrt(this);
  }
  relu(): Tensor {
    return ops.relu(this);
  }
  tanh(): Tensor {
    return ops.tanh(this);
  }
  sigmoid(): Tensor {
    return ops.sigmoid(this);
  }
  maximum(other: Tensor): Tensor {
    return ops.maximum(this, other);
  }
  minimum(other: Tensor): Tensor {
    return ops.minimum(this, other);
  }
  eq(other: Tensor | Scalar): Tensor {
    return ops.eq(this, other);
  }
  ne(other: Tensor | Scalar): Tensor {
    return ops.ne(this, other);
  }
  lt(other: Tensor | Scalar): Tensor {
    return ops.lt(this, other);
  }
  le(other: Tensor | Scalar): Tensor {
    return ops.le(this, other);
  }
  gt(other: Tensor | Scalar): Tensor {
    return ops.gt(this, other);
  }
  ge(other: Tensor | Scalar): Tensor {
    return ops.ge(this, other);
  }
  float(): Tensor {
    return ops.cast(this, 'float32');
  }
  int(): Tensor {
    return ops.cast(this, 'int32');
  }
  to(dtype: DType): Tensor {
    return ops.cast(this, dtype);
  }
  sum(dim?: number | readonly number[] | null, keepdim = false): Tensor {
    return ops.sum(this, dim, keepdim);
  }
  mean(dim?: number | readonly number[] | null, keepdim = false): Tensor {
    return ops.mean(this, dim, keepdim);
  }
  amax(dim?: number | readonly number[] | null, keepdim = false): Tensor {
    return ops.amax(this, dim, keepdim);
  }
  argmax(dim?: number | null, keepdim = false): Tensor {
    return ops.argmax(this, dim, keepdim);
  }
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    return ops.reshape(this, flatShapeArgs(shape));
  }
  view(...shape: number[] | [readonly number[]]): Tensor {
    return ops.reshape(this, flatShapeArgs(shape));
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return ops.flatten(this, startDim, endDim);
  }
  transpose(dim0: number, dim1: number): Tensor {
    return ops.transpose(this, dim0, dim1);
  }
  permute(...dims: number[] | [readonly number[]]): Tensor {
    return ops.permute(this, flatShapeArgs(dims));
  }
  get T(): Tensor {
    return ops.transpose(this, 0, 1);
  }
  matmul(other: Tensor): Tensor {
    return ops.matmul(this, other);
  }
  clone(): Tensor {
    return ops.clone(this);
  }
  amin(dim?: number | readonly number[] | null, keepdim = false): Tensor {
    return ops.amin(this, dim, keepdim);
  }
  argmin(dim?: number | null, keepdim = false): Tensor {
    return ops.argmin(this, dim, keepdim);
  }
  /** torch.Tensor.max: the largest element, (values, indices) along a dim, or the elementwise maximum. */
  max(): Tensor;
  max(other: Tensor): Tensor;
  max(dim: number, keepdim?: boolean): ops.ValuesIndices;
  max(options: ops.MaxOptions): ops.ValuesIndices;
  max(...args: unknown[]): Tensor | ops.ValuesIndices {
    return (ops.max as (x: Tensor, ...rest: unknown[]) => Tensor | ops.ValuesIndices)(this, ...args);
  }
  /** torch.Tensor.min: the smallest element, (values, indices) along a dim, or the elementwise minimum. */
  min(): Tensor;
  min(other: Tensor): Tensor;
  min(dim: number, keepdim?: boolean): ops.ValuesIndices;
  min(options: ops.MaxOptions): ops.ValuesIndices;
  min(...args: unknown[]): Tensor | ops.ValuesIndices {
    return (ops.min as (x: Tensor, ...rest: unknown[]) => Tensor | ops.ValuesIndices)(this, ...args);
  }
  topk(k: number, dim?: number | ops.TopkOptions, largest?: boolean, sorted?: boolean): ops.ValuesIndices {
    const rest: unknown[] = [dim, largest, sorted];
    while (rest.length > 0 && rest[rest.length - 1] === undefined) rest.pop();
    return ops.topk(this, k, ...rest);
  }
  softmax(dim: number): Tensor {
    return ops.softmax(this, dim);
  }
  logSoftmax(dim: number): Tensor {
    return ops.logSoftmax(this, dim);
  }
  clamp(min: number | null = null, max: number | null = null): Tensor {
    return ops.clamp(this, min, max);
  }
  clip(min: number | null = null, max: number | null = null): Tensor {
    return ops.clamp(this, min, max);
  }
  /** torch.Tensor.where(condition, y): this where condition holds, else y. */
  where(condition: Tensor, other: Tensor | Scalar): Tensor {
    return ops.where(condition, this, other);
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return ops.narrow(this, dim, start, length);
  }
  select(dim: number, index: number): Tensor {
    return ops.select(this, dim, index);
  }
  /** Python's this[..., start:end:step, ...] along dim (see ops.slice). */
  slice(dim = 0, start: number | null = null, end: number | null = null, step = 1): Tensor {
    return ops.slice(this, dim, start, end, step);
  }
  split(splitSize: number | readonly number[], dim = 0): Tensor[] {
    return ops.split(this, splitSize, dim);
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    return ops.chunk(this, chunks, dim);
  }
  unbind(dim = 0): Tensor[] {
    return ops.unbind(this, dim);
  }
  unsqueeze(dim: number): Tensor {
    return ops.unsqueeze(this, dim);
  }
  squeeze(dim?: number | null): Tensor {
    return ops.squeeze(this, dim);
  }
  /** Broadcasts to `sizes` (-1 keeps a dim), as torch.Tensor.expand (here a materialized copy). */
  expand(...sizes: number[] | [readonly number[]]): Tensor {
    return ops.expand(this, flatShapeArgs(sizes));
  }
  expandAs(other: Tensor): Tensor {
    return ops.expand(this, other.shape);
  }
  /** Every webtrain tensor is contiguous: returns this tensor. */
  contiguous(): Tensor {
    return this;
  }
}

export function flatShapeArgs(args: number[] | [readonly number[]]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...(args[0] as readonly number[])];
  return args as number[];
}

/** @internal Wraps a value in a tensor handle. */
export function wrap(v: Value): Tensor {
  return new Tensor(v);
}

/** @internal Makes a realized value from host data. */
export function valueFromData(device: Device, data: TensorData, shape: readonly number[], dtype: DType): Value {
  const n = numel(shape);
  if (data.length !== n) {
    throw new ArgumentError(`tensor: ${data.length} values do not fill shape [${shape.join(', ')}] (${n} elements)`);
  }
  let bytes: ArrayBufferView;
  if (dtype === 'float32') bytes = data instanceof Float32Array ? data : Float32Array.from(data);
  else if (dtype === 'int32') bytes = data instanceof Int32Array ? data : Int32Array.from(data);
  else bytes = Uint32Array.from(data, (x) => (x ? 1 : 0));
  const v = new Value(shape, dtype, null, 0);
  const size = Math.max(4, n * 4);
  const buffer = device.acquire(size, 'tensor data');
  if (n > 0) device.write(buffer, 0, bytes);
  v.setStorage(new Storage(device, buffer, size));
  return v;
}

/** @internal Records an op's node: requires-grad propagation and the current layer. */
export function requiresGradOf(inputs: readonly Tensor[]): boolean {
  return isGradEnabled() && inputs.some((t) => t._value.requiresGrad);
}

export function resolveDevice(device?: Device): Device {
  return device ?? defaultDevice();
}
