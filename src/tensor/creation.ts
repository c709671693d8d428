/**
 * Making tensors: from data (typed arrays or nested arrays, NCHW shapes, PyTorch layouts), and
 * random tensors from a seeded generator. Data is uploaded at once; constants (zeros, ones, full)
 * are filled on the GPU (src/ops/fill.ts).
 */
import type { Device } from '../device/device.js';
import { ArgumentError, ShapeError } from '../errors.js';
import type { DType } from '../util/dtype.js';
import { checkShape, numel } from '../util/shape.js';
import { Generator, defaultGenerator } from '../util/random.js';
import { Tensor, flatShapeArgs, resolveDevice, valueFromData, type NestedArray, type TensorData } from './tensor.js';

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

type ShapeArgs = number[] | [readonly number[]] | [readonly number[], RandomOptions];

function splitShapeArgs(args: ShapeArgs | (number | RandomOptions)[]): { shape: number[]; options: RandomOptions } {
  const list = [...args] as unknown[];
  let options: RandomOptions = {};
  const last = list[list.length - 1];
  if (typeof last === 'object' && last !== null && !Array.isArray(last)) {
    options = last as RandomOptions;
    list.pop();
  }
  return { shape: flatShapeArgs(list as number[] | [readonly number[]]), options };
}

/** Uniform [0, 1): rand(2, 3) or rand([2, 3], { generator }). */
export function rand(...args: (number | readonly number[] | RandomOptions)[]): Tensor {
  const { shape, options } = splitShapeArgs(args as ShapeArgs);
  return randomTensor(shape, options, (g) => g.random(), 'rand');
}

/** Standard normal: randn(2, 3) or randn([2, 3], { generator }). */
export function randn(...args: (number | readonly number[] | RandomOptions)[]): Tensor {
  const { shape, options } = splitShapeArgs(args as ShapeArgs);
  return randomTensor(shape, options, (g) => g.normal(), 'randn');
}

/** Uniform integers in [low, high) as int32. */
export function randint(low: number, high: number, shape: readonly number[], options: RandomOptions = {}): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new ArgumentError(`randint: need integers low < high, got ${low}, ${high}`);
  }
  checkShape(shape, 'randint');
  const g = options.generator ?? defaultGenerator;
  const data = new Int32Array(numel(shape));
  for (let i = 0; i < data.length; i++) data[i] = g.randint(low, high);
  return new Tensor(valueFromData(resolveDevice(options.device), data, shape, 'int32'));
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
