/**
 * Making tensors: from data (typed arrays or nested arrays, NCHW shapes, PyTorch layouts), and
 * random tensors from a seeded generator, and constants; sizes as PyTorch's `*size` (numbers or one
 * array). Data is uploaded at once; constants (zeros, ones, full) are filled on the GPU
 * (src/ops/fill.ts).
 */
import type { Device } from '../device/device.js';
import { ArgumentError, ShapeError } from '../errors.js';
import type { DType } from '../util/dtype.js';
import { checkShape, numel } from '../util/shape.js';
import { Generator, defaultGenerator } from '../util/random.js';
import { full as fill, type CreateOptions } from '../ops/fill.js';
import { Tensor, resolveDevice, valueFromData, type NestedArray, type TensorData } from './tensor.js';

export type { CreateOptions };

export interface TensorOptions {
  dtype?: DType;
  device?: Device;
  requiresGrad?: boolean;
  /** Shape for flat data; nested arrays carry their own. */
  shape?: readonly number[];
}

function inferNested(data: NestedArray): { shape: number[]; flat: number[] } {
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0] as NestedArray;
  }
  const flat: number[] = [];
  const walk = (v: NestedArray, depth: number): void => {
    if (depth === shape.length) {
      if (Array.isArray(v)) throw new ShapeError('tensor: nested arrays are ragged (deeper than the first element)');
      flat.push(typeof v === 'boolean' ? Number(v) : (v as number));
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new ShapeError(`tensor: nested arrays are ragged at depth ${depth} (expected length ${shape[depth]})`);
    }
    for (const x of v) walk(x, depth + 1);
  };
  walk(data, 0);
  return { shape, flat };
}

/**
 * A tensor from data: `tensor([[1, 2], [3, 4]])`, `tensor(float32Array, { shape: [2, 2] })`.
 * dtype defaults to int32 for Int32Array data, bool for nested booleans, float32 otherwise.
 */
export function tensor(data: TensorData | NestedArray, options: TensorOptions = {}): Tensor {
  const device = resolveDevice(options.device);
  let shape: readonly number[];
  let flat: TensorData;
  let dtype = options.dtype;
  if (ArrayBuffer.isView(data)) {
    shape = options.shape ?? [data.length];
    flat = data;
    dtype ??= data instanceof Int32Array ? 'int32' : 'float32';
  } else {
    const nested = inferNested(data);
    if (options.shape && numel(options.shape) !== nested.flat.length) {
      throw new ShapeError(`tensor: shape [${options.shape.join(', ')}] does not hold ${nested.flat.length} values`);
    }
    shape = options.shape ?? nested.shape;
    const isBool = typeof (Array.isArray(data) ? data.flat(Infinity as 1)[0] : data) === 'boolean';
    dtype ??= isBool ? 'bool' : 'float32';
    flat = dtype === 'float32' ? Float32Array.from(nested.flat) : Int32Array.from(nested.flat);
  }
  checkShape(shape, 'tensor');
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
    throw new ArgumentError(`tensor: dtype must be 'float32', 'int32' or 'bool', got '${String(dtype)}'`);
  }
  if (dtype === 'float32' && !(flat instanceof Float32Array)) flat = Float32Array.from(flat);
  if (dtype === 'int32' && !(flat instanceof Int32Array)) {
    if (flat instanceof Float32Array && flat.some((v) => !Number.isInteger(v))) {
      throw new ArgumentError('tensor: int32 data must be integers');
    }
    flat = Int32Array.from(flat);
  }
  const t = new Tensor(valueFromData(device, flat, shape, dtype));
  if (options.requiresGrad) t.requiresGrad_(true);
  return t;
}

export interface RandomOptions {
  dtype?: DType;
  device?: Device;
  requiresGrad?: boolean;
  generator?: Generator;
}

function randomTensor(shape: readonly number[], options: RandomOptions, sample: (g: Generator) => number, what: string): Tensor {
  checkShape(shape, what);
  const g = options.generator ?? defaultGenerator;
  const data = new Float32Array(numel(shape));
  for (let i = 0; i < data.length; i++) data[i] = sample(g);
  const t = new Tensor(valueFromData(resolveDevice(options.device), data, shape, 'float32'));
  if (options.requiresGrad) t.requiresGrad_(true);
  return t;
}

/**
 * PyTorch's `*size` arguments: sizes as separate numbers or as one array, then optionally an options
 * object: `zeros(2, 3)`, `zeros([2, 3])`, `zeros(1)`, `zeros([])` (0-dim), `zeros(2, 3, { dtype })`.
 */
export type SizeArgs<O> = number[] | [...size: number[], options: O] | [size: readonly number[]] | [size: readonly number[], options: O];

function isOptionsObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** Splits `SizeArgs` into the shape (checked: integers >= 0) and the options. */
export function sizeArgs<O extends object>(what: string, args: readonly unknown[]): { shape: number[]; options: O } {
  const list = [...args];
  const options = (isOptionsObject(list[list.length - 1]) ? list.pop() : {}) as O;
  let shape: unknown[];
  if (list.length === 1 && Array.isArray(list[0])) shape = [...(list[0] as unknown[])];
  else if (list.some((v) => typeof v !== 'number')) {
    throw new ArgumentError(`${what}: size must be numbers (${what}(2, 3)) or one array (${what}([2, 3])), then an optional options object; got (${list.map((v) => (Array.isArray(v) ? `[${v.join(', ')}]` : typeof v === 'object' ? 'an object' : String(v))).join(', ')})`);
  } else shape = list;
  checkShape(shape as number[], what);
  return { shape: shape as number[], options };
}

/** Uniform [0, 1): rand(2, 3), rand([2, 3]), rand(2, 3, { generator }). */
export function rand(...args: SizeArgs<RandomOptions>): Tensor {
  const { shape, options } = sizeArgs<RandomOptions>('rand', args);
  return randomTensor(shape, options, (g) => g.random(), 'rand');
}

/** Standard normal: randn(2, 3), randn([2, 3]), randn(2, 3, { generator }). */
export function randn(...args: SizeArgs<RandomOptions>): Tensor {
  const { shape, options } = sizeArgs<RandomOptions>('randn', args);
  return randomTensor(shape, options, (g) => g.normal(), 'randn');
}

/**
 * Uniform integers in [low, high) as int32, as torch.randint: randint(high, size) or
 * randint(low, high, size), size an array, then an optional options object.
 */
export function randint(...args: [high: number, size: readonly number[], options?: RandomOptions] | [low: number, high: number, size: readonly number[], options?: RandomOptions]): Tensor {
  const rest = [...args] as unknown[];
  const options = (isOptionsObject(rest[rest.length - 1]) ? rest.pop() : {}) as RandomOptions;
  const shape = rest.pop();
  if (!Array.isArray(shape) || rest.length < 1 || rest.length > 2) {
    throw new ArgumentError('randint: expected (high, size) or (low, high, size) with size an array such as [2, 3], then an optional options object');
  }
  const [low, high] = rest.length === 2 ? (rest as number[]) : [0, rest[0] as number];
  if (!Number.isInteger(low) || !Number.isInteger(high) || high! <= low!) {
    throw new ArgumentError(`randint: need integers low < high, got ${String(low)}, ${String(high)}`);
  }
  checkShape(shape as number[], 'randint');
  const g = options.generator ?? defaultGenerator;
  const data = new Int32Array(numel(shape as number[]));
  for (let i = 0; i < data.length; i++) data[i] = g.randint(low!, high!);
  return new Tensor(valueFromData(resolveDevice(options.device), data, shape as number[], 'int32'));
}

/** Zeros: zeros(2, 3), zeros([2, 3]), zeros(1), zeros([]) (0-dim), zeros(2, 3, { dtype, device, requiresGrad }). */
export function zeros(...args: SizeArgs<CreateOptions>): Tensor {
  const { shape, options } = sizeArgs<CreateOptions>('zeros', args);
  return fill(shape, 0, options);
}

/** Ones, with zeros' size forms. */
export function ones(...args: SizeArgs<CreateOptions>): Tensor {
  const { shape, options } = sizeArgs<CreateOptions>('ones', args);
  return fill(shape, 1, options);
}

/** torch.empty's forms; webtrain's fresh buffers are cleared, so the values are zeros. */
export function empty(...args: SizeArgs<CreateOptions>): Tensor {
  const { shape, options } = sizeArgs<CreateOptions>('empty', args);
  return fill(shape, 0, options);
}

/** A tensor of `size` (an array, as torch.full) filled with `fillValue`: full([2, 3], 7). */
export function full(size: readonly number[], fillValue: number, options: CreateOptions = {}): Tensor {
  if (!Array.isArray(size)) throw new ArgumentError(`full: size must be an array such as [2, 3] (as torch.full), got ${String(size)}`);
  return fill(size, fillValue, options);
}

/** 0, 1, ... : arange(end), arange(start, end, step). */
export function arange(start: number, end?: number, step = 1, options: { dtype?: DType; device?: Device } = {}): Tensor {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  if (step === 0 || !Number.isFinite(step)) throw new ArgumentError('arange: step must be a non-zero number');
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = options.dtype ?? ([start, end, step].every(Number.isInteger) ? 'int32' : 'float32');
  const data = dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(valueFromData(resolveDevice(options.device), data, [n], dtype));
}
