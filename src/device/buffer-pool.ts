/**
 * A pool of GPU buffers in size classes, so a training loop in steady state allocates nothing: a
 * step's buffers come back to the pool and the next step takes the same ones out again.
 *
 * Size classes are 2^k * {4, 5, 6, 7} / 4 bytes (at most 25% waste), never below 256 bytes (the
 * storage-binding offset alignment). Free lists are LIFO so the most recently used (cache-warm,
 * bind-group-cached) buffer is handed out first.
 */
export interface PoolStats {
  /** GPUBuffers created since the pool was made. */
  created: number;
  /** Bytes in all live GPUBuffers of this pool (in use + free). */
  allocatedBytes: number;
  /** Bytes currently handed out. */
  inUseBytes: number;
  /** Highest inUseBytes seen. */
  peakInUseBytes: number;
  /** Highest allocatedBytes seen. */
  peakAllocatedBytes: number;
}

export type AllocateFn = (size: number, usage: number, label: string) => GPUBuffer;

const MIN_SIZE = 256;

/** Rounds a byte size up to its size class. */
export function sizeClass(bytes: number): number {
  const n = Math.max(MIN_SIZE, Math.ceil(bytes));
  const pow = 2 ** Math.floor(Math.log2(n));
  const quarter = pow / 4;
  return Math.ceil(n / quarter) * quarter;
}

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private readonly sizes = new WeakMap<GPUBuffer, number>();
  readonly stats: PoolStats = { created: 0, allocatedBytes: 0, inUseBytes: 0, peakInUseBytes: 0, peakAllocatedBytes: 0 };

  constructor(private readonly allocate: AllocateFn) {}

  /** Takes a buffer of at least `bytes` with exactly `usage` flags. */
  acquire(bytes: number, usage: number, label = 'webtrain'): GPUBuffer {
    const size = sizeClass(bytes);
    const list = this.free.get(key(size, usage));
    let buffer = list?.pop();
    if (!buffer) {
      buffer = this.allocate(size, usage, label);
      this.sizes.set(buffer, size);
      this.stats.created++;
      this.stats.allocatedBytes += size;
      this.stats.peakAllocatedBytes = Math.max(this.stats.peakAllocatedBytes, this.stats.allocatedBytes);
    }
    this.stats.inUseBytes += size;
    this.stats.peakInUseBytes = Math.max(this.stats.peakInUseBytes, this.stats.inUseBytes);
    return buffer;
  }

  /** Returns a buffer taken from this pool. */
  release(buffer: GPUBuffer): void {
    const size = this.sizes.get(buffer);
    if (size === undefined) throw new Error('BufferPool.release: buffer does not belong to this pool');
    this.stats.inUseBytes -= size;
    const k = key(size, buffer.usage);
    let list = this.free.get(k);
    if (!list) this.free.set(k, (list = []));
    list.push(buffer);
  }

  /** Destroys every free buffer (used on memory pressure and when the device goes away). */
  trim(): void {
    for (const list of this.free.values()) {
      for (const b of list) {
        this.stats.allocatedBytes -= this.sizes.get(b) ?? 0;
        b.destroy();
      }
      list.length = 0;
    }
  }

  /** Size in bytes of a pooled buffer (its size class). */
  sizeOf(buffer: GPUBuffer): number {
    return this.sizes.get(buffer) ?? buffer.size;
  }
}

function key(size: number, usage: number): string {
  return `${size}:${usage}`;
}
