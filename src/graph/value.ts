/**
 * The nodes and values of the lazy graph.
 *
 * A Value is one immutable tensor value: either pending (produced by a Node not yet run) or
 * realized (it has a Storage, a GPU buffer). Tensors are mutable handles that point at a Value; an
 * in-place update (an optimizer step, loading weights) rebinds the handle to a new Value, and the
 * planner may hand the old value's buffer to the new one when nothing else can read it.
 */
import type { Device } from '../device/device.js';
import { DTYPE_BYTES, type DType } from '../util/dtype.js';
import type { OpDef } from './op.js';

/** A GPU buffer holding one or more values' data (several when values are views of each other). */
export class Storage {
  /** Number of Values that use this storage. The buffer returns to the pool when it reaches 0. */
  refs = 0;
  released = false;
  constructor(
    readonly device: Device,
    readonly buffer: GPUBuffer,
    readonly bytes: number,
  ) {}

  retain(): void {
    this.refs++;
  }

  unref(): void {
    if (--this.refs === 0 && !this.released) {
      this.released = true;
      if (!this.device.lost) this.device.release(this.buffer);
    }
  }
}

let nextValueId = 1;
let nextNodeId = 1;

/** Releases a value's storage when the Value itself is garbage-collected. */
const finalizer = new FinalizationRegistry<Storage>((storage) => storage.unref());

/** Handle used as the finalizer's unregister token. */
interface StorageToken {
  storage: Storage;
}

export class Value {
  readonly id = nextValueId++;
  /** The realized data, or null while pending. */
  storage: Storage | null = null;
  /** Why this value can no longer be read (disposed, or overwritten in place), or null. */
  stale: string | null = null;
  /** Whether autograd tracks this value. */
  requiresGrad = false;
  /** For autograd leaves: the tensor handle that receives `.grad`. Backward stops here. */
  leaf: { grad: unknown; name?: string | undefined } | null = null;
  /** Pending nodes recorded since the last flush that read this value. */
  consumers = 0;
  /** Materialize this value whenever it is computed (gradients, parameters, optimizer state). */
  keep = false;
  /** Tensor handles currently bound to this value. A value with none may be overwritten in place. */
  holders = 0;
  /** Name for messages, e.g. a parameter path "conv1.weight". */
  name: string | undefined;
  private token: StorageToken | null = null;

  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly node: Node | null,
    readonly index: number,
    /** Auxiliary outputs (e.g. pooling indices) are only computed when something reads them. */
    readonly aux = false,
  ) {}

  get numel(): number {
    return numel(this.shape);
  }

  get bytes(): number {
    return this.numel * DTYPE_BYTES[this.dtype];
  }

  get device(): Device | null {
    return this.storage?.device ?? this.node?.device ?? null;
  }

  /** Attaches realized data. */
  setStorage(storage: Storage): void {
    if (this.storage) throw new Error(`value ${this.id} already has storage`);
    storage.retain();
    this.storage = storage;
    this.token = { storage };
    finalizer.register(this, storage, this.token);
  }

  /** Detaches the storage without releasing it (used when an in-place op takes the buffer over). */
  takeStorage(reason: string): Storage {
    const s = this.storage;
    if (!s) throw new Error(`value ${this.id} has no storage`);
    if (this.token) finalizer.unregister(this.token);
    this.token = null;
    this.storage = null;
    this.stale = reason;
    s.refs--; // The caller retains it again for the new owner.
    return s;
  }

  /** Releases the storage now (tensor.dispose()). */
  release(reason: string): void {
    if (this.token) finalizer.unregister(this.token);
    this.token = null;
    const s = this.storage;
    this.storage = null;
    this.stale = reason;
    s?.unref();
  }

  describe(): string {
    const what = this.name ?? (this.node ? `output of ${this.node.op.name}${this.node.layer ? ` (${this.node.layer})` : ''}` : 'tensor');
    return `${what} ${shapeText(this.shape)}`;
  }
}

export class Node<A = unknown> {
  readonly id = nextNodeId++;
  readonly outputs: Value[] = [];
  constructor(
    readonly op: OpDef<A>,
    readonly inputs: readonly Value[],
    readonly attrs: A,
    readonly device: Device,
    /** Module path of the layer that recorded it, for messages ("layer1.0.conv1"). */
    readonly layer: string | undefined,
  ) {}
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
