/**
 * Batches of an in-memory ImageDataset as GPU tensors: seeded shuffling each epoch, CPU transforms,
 * one upload per batch (images float32 [B, C, H, W], labels int32 [B]); `for await` prefetches the
 * next batch while the current step runs.
 */
import type { Device } from '../device/device.js';
import { ArgumentError } from '../errors.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { Generator } from '../util/random.js';
import type { ImageDataset } from './dataset.js';
import type { GpuTransform } from './augment.js';
import type { Transform } from './transforms.js';

export interface DataLoaderOptions {
  batchSize?: number;
  shuffle?: boolean;
  dropLast?: boolean;
  transform?: Transform | null;
  /**
   * GPU augmentation (wt.augment) of each batch's images once uploaded, drawing from the loader's
   * generator. Applied as a batch is handed out, so its nodes join the consumer's training step.
   */
  augment?: GpuTransform | null;
  /** Seeds shuffling and random transforms. */
  seed?: number;
  device?: Device;
}

export interface Batch {
  x: Tensor;
  y: Tensor;
  /** Number of images in the batch. */
  size: number;
}

export class DataLoader {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly transform: Transform | null;
  readonly augment: GpuTransform | null;
  readonly generator: Generator;
  private readonly device: Device | undefined;

  constructor(readonly dataset: ImageDataset, options: DataLoaderOptions = {}) {
    this.batchSize = options.batchSize ?? 64;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new ArgumentError(`DataLoader: batchSize must be a positive integer, got ${String(options.batchSize)}`);
    }
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.transform = options.transform ?? null;
    this.augment = options.augment ?? null;
    this.generator = new Generator(options.seed ?? 0);
    this.device = options.device;
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.count / this.batchSize;
    return this.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** The order of one epoch's images (draws from the generator when shuffling). */
  private epochOrder(): Int32Array {
    const n = this.dataset.count;
    return this.shuffle ? this.generator.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
  }

  /** Gathers, transforms and uploads batch `b` of an epoch's `order`. */
  private makeBatch(order: Int32Array, b: number): Batch {
    const d = this.dataset;
    const per = d.channels * d.height * d.width;
    const scale = d.images instanceof Uint8Array ? 1 / 255 : 1;
    const idx = order.subarray(b * this.batchSize, Math.min(d.count, (b + 1) * this.batchSize));
    const n = idx.length;
    const x = new Float32Array(n * per);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const src = idx[i]! * per;
      for (let k = 0; k < per; k++) x[i * per + k] = d.images[src + k]! * scale;
      y[i] = d.labels[idx[i]!]!;
    }
    this.transform?.apply(x, { batch: n, channels: d.channels, height: d.height, width: d.width }, this.generator);
    const device = this.device;
    return {
      x: tensor(x, { shape: [n, d.channels, d.height, d.width], ...(device ? { device } : {}) }),
      y: tensor(y, { shape: [n], ...(device ? { device } : {}) }),
      size: n,
    };
  }

  private augmented(batch: Batch): Batch {
    return this.augment ? { ...batch, x: this.augment.call(batch.x, this.generator) } : batch;
  }

  *[Symbol.iterator](): Iterator<Batch> {
    const order = this.epochOrder();
    for (let b = 0; b < this.length; b++) yield this.augmented(this.makeBatch(order, b));
  }

  /**
   * One epoch with prefetching: `for await (const batch of loader)`. When a batch is handed out,
   * the next one is prepared (gathered, transformed, uploaded) in a task of its own, so it is built
   * while the consumer awaits its training step's GPU work rather than after it. The batches and
   * the generator's draws are those of the synchronous iterator.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
    const order = this.epochOrder();
    const count = this.length;
    const prepare = (b: number): Promise<Batch> =>
      new Promise((resolve, reject) => {
        setTimeout(() => {
          try {
            resolve(this.makeBatch(order, b));
          } catch (e) {
            reject(e as Error);
          }
        }, 0);
      });
    let next = count > 0 ? Promise.resolve(this.makeBatch(order, 0)) : null;
    for (let b = 0; b < count; b++) {
      // Augmented before the next batch is prepared: the generator's draws come in the order of
      // the synchronous iterator.
      const batch = this.augmented(await next!);
      next = b + 1 < count ? prepare(b + 1) : null;
      // A failure preparing the next batch surfaces when it is awaited, not as an unhandled rejection.
      next?.catch(() => undefined);
      yield batch;
    }
  }
}
