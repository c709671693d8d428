/**
 * The device layer: one GPUDevice with its limits, a buffer pool, a pipeline cache, one open command
 * encoder that collects all GPU work of a step until it is submitted (once per JavaScript task),
 * readback through staging buffers, and the translation of WebGPU's asynchronous errors and device
 * loss into thrown WebtrainErrors.
 */
import {
  AdapterError,
  DeviceLostError,
  GPUOutOfMemoryError,
  GPUValidationError,
  WebtrainError,
} from '../errors.js';
import { BufferPool } from './buffer-pool.js';
import { MapMode, STAGING_USAGE, TENSOR_USAGE } from './constants.js';
import { PipelineCache } from './pipeline-cache.js';
import type { AdapterChoice } from './node-gpu.js';

export interface DeviceOptions {
  /**
   * Node only. 'auto' (default): a real GPU if there is one, else SwiftShader on the CPU. 'gpu': a
   * real GPU or an error. 'swiftshader': always SwiftShader. Also read from $WEBTRAIN_ADAPTER.
   */
  adapter?: AdapterChoice;
  powerPreference?: GPUPowerPreference;
  /**
   * Node only: whether shaders keep WebGPU's bounds checks, which clamp every buffer index so that a
   * wrong index cannot reach memory outside its buffer. Browsers always keep them. On SwiftShader
   * (WebGPU on the CPU) each check is extra CPU work on every load, and a LeNet-5 training step runs
   * 1.7x faster without them (bench/NOTES.md); on a GPU they cost little. 'auto' (default): off on
   * Node's SwiftShader adapter, on elsewhere. webtrain validates every shape before it dispatches and
   * its kernels index inside their buffers (the same kernels are tested with the checks on, in
   * Chromium); turn them on when running WGSL of your own. Also read from $WEBTRAIN_BOUNDS_CHECKS
   * ('1' on, '0' off).
   */
  boundsChecks?: boolean | 'auto';
}

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  /** 'browser' (navigator.gpu) or 'node' (Dawn). */
  runtime: 'browser' | 'node';
  /** Whether shaders run with WebGPU's bounds checks (always in browsers; see DeviceOptions.boundsChecks). */
  boundsChecks: boolean;
  /** Node on Linux: the Vulkan loader (libvulkan.so.1) Dawn runs on, and where it came from. */
  vulkanLoader?: { path: string; source: 'system' | 'chromium' | 'env' } | null;
}

/** Limits worth raising to the adapter's maximum: big models need big bindings. */
const RAISED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxBindGroups',
] as const;

/** Optional features used when present (timestamps for the profiler, subgroups for kernels). */
const WANTED_FEATURES: GPUFeatureName[] = ['timestamp-query', 'subgroups' as GPUFeatureName, 'shader-f16'];

interface OpenSubmission {
  encoder: GPUCommandEncoder;
  labels: string[];
  done: Promise<void>;
  resolve: () => void;
  reject: (e: Error) => void;
  /** Set at submission (Node's wait model, see Device.untilLikelyDone). */
  timing?: SubmissionTiming;
}

/** When a submission went out and when the GPU should finish it. */
interface SubmissionTiming {
  /** What the submission holds (its labels): submissions with the same key take about as long. */
  key: string;
  submittedAt: number;
  /** Expected completion (performance.now() time), or null before this key was ever measured. */
  expectedDone: number | null;
  /** Whether a wait has already learned from this submission (several reads can ride in one). */
  observed?: boolean;
}

export class Device {
  readonly limits: GPUSupportedLimits;
  readonly features: ReadonlySet<string>;
  readonly pool: BufferPool;
  readonly staging: BufferPool;
  readonly pipelines: PipelineCache;
  /** Counts `queue.submit` calls (tests check one per training step). */
  submitCount = 0;
  /** Moving estimates of how long the GPU takes to run a submission, by submission key. */
  private readonly runMs = new Map<string, number>();
  /** When the GPU is expected to have finished everything submitted so far. */
  private queueFreeAt = 0;
  /** When the latest completion was observed, and the timing of the latest submission. */
  private lastDoneAt = 0;
  private lastTiming: SubmissionTiming | null = null;
  private open: OpenSubmission | null = null;
  private asyncError: WebtrainError | null = null;
  private lostMessage: string | null = null;
  private destroyed = false;

  constructor(
    readonly gpu: GPUDevice,
    readonly adapter: AdapterSummary,
    /** Keeps the WebGPU instance alive as long as the device (Dawn in Node needs it). */
    readonly instance: GPU | null = null,
  ) {
    this.limits = gpu.limits;
    this.features = new Set(gpu.features as unknown as Iterable<string>);
    this.pool = new BufferPool((size, usage, label) => this.createBuffer(size, usage, label));
    this.staging = new BufferPool((size, usage, label) => this.createBuffer(size, usage, label));
    this.pipelines = new PipelineCache(gpu);
    this.pipelines.onCompileError = (e) => this.recordError(e);
    gpu.lost.then((info) => {
      if (this.destroyed) return;
      this.lostMessage = `The GPU device was lost (${info.reason}: ${info.message || 'no message'}).`;
      this.open?.reject(this.lostError());
      this.open = null;
    });
    gpu.onuncapturederror = (ev: GPUUncapturedErrorEvent) => {
      this.recordError(new GPUValidationError(`Uncaptured WebGPU error: ${ev.error.message}`));
    };
  }

  get lost(): boolean {
    return this.lostMessage !== null;
  }

  /** Throws the first asynchronous GPU error seen since the last check, or DeviceLostError. */
  check(): void {
    if (this.destroyed) throw new DeviceLostError('This webtrain device was destroyed; call webtrain.init() for a new one.');
    if (this.lostMessage) throw this.lostError();
    const err = this.asyncError;
    if (err) {
      this.asyncError = null;
      throw err;
    }
  }

  private lostError(): DeviceLostError {
    return new DeviceLostError(
      `${this.lostMessage} Tensors on it cannot be read any more. Call webtrain.init() for a new device and ` +
        'reload the model from its last checkpoint (see saveCheckpoint/loadCheckpoint).',
    );
  }

  private recordError(e: WebtrainError): void {
    if (!this.asyncError) this.asyncError = e;
  }

  /** Creates a buffer, turning an out-of-memory failure into GPUOutOfMemoryError (thrown at the next check). */
  createBuffer(size: number, usage: number, label: string): GPUBuffer {
    this.check();
    this.gpu.pushErrorScope('out-of-memory');
    const buffer = this.gpu.createBuffer({ size, usage, label });
    void this.gpu.popErrorScope().then((err) => {
      if (err) {
        this.recordError(
          new GPUOutOfMemoryError(`Out of GPU memory allocating ${size} bytes for ${label}: ${err.message}`),
        );
      }
    });
    return buffer;
  }

  /** Takes a tensor buffer from the pool. */
  acquire(bytes: number, label?: string): GPUBuffer {
    return this.pool.acquire(bytes, TENSOR_USAGE, label);
  }

  release(buffer: GPUBuffer): void {
    this.pool.release(buffer);
  }

  /**
   * The command encoder that collects this task's GPU work. The first call in a JavaScript task opens
   * it and schedules its submission for the end of the task (a microtask), so everything a training
   * step encodes, and any readback the caller asks for right after, goes out in one queue.submit.
   */
  encoder(label: string): GPUCommandEncoder {
    this.check();
    if (!this.open) {
      let resolve!: () => void;
      let reject!: (e: Error) => void;
      const done = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      done.catch(() => {}); // Rejections surface through check() and through readbacks.
      this.open = { encoder: this.gpu.createCommandEncoder({ label: 'webtrain step' }), labels: [], done, resolve, reject };
      queueMicrotask(() => this.submit());
    }
    this.open.labels.push(label);
    return this.open.encoder;
  }

  /** Promise for the submission of the currently open encoder (resolved at once if none is open). */
  whenSubmitted(): Promise<void> {
    return this.open ? this.open.done : Promise.resolve();
  }

  /** Submits the open encoder now. Called before any other queue operation to keep queue order. */
  submit(): void {
    const open = this.open;
    if (!open) return;
    this.open = null;
    if (this.lostMessage) {
      open.reject(this.lostError());
      return;
    }
    const gpu = this.gpu;
    gpu.pushErrorScope('out-of-memory');
    gpu.pushErrorScope('validation');
    gpu.queue.submit([open.encoder.finish()]);
    this.submitCount++;
    this.lastTiming = open.timing = this.expectTiming(open.labels);
    const what = summarize(open.labels);
    const validation = gpu.popErrorScope();
    const oom = gpu.popErrorScope();
    open.resolve();
    void Promise.all([validation, oom]).then(([v, o]) => {
      if (v) this.recordError(new GPUValidationError(`WebGPU validation error while running ${what}: ${v.message}`));
      if (o) this.recordError(new GPUOutOfMemoryError(`Out of GPU memory while running ${what}: ${o.message}`));
    });
  }

  /** queue.writeBuffer, after submitting pending work so the write lands in queue order. */
  write(buffer: GPUBuffer, offset: number, data: ArrayBufferView): void {
    this.check();
    this.submit();
    this.gpu.queue.writeBuffer(buffer, offset, data.buffer, data.byteOffset, data.byteLength);
  }

  /**
   * Reads `size` bytes of `buffer` back to the CPU: the copy into a staging buffer joins the open
   * encoder (so it rides in the same submission as the step that produced the data).
   */
  async read(buffer: GPUBuffer, offset: number, size: number, label: string): Promise<ArrayBuffer> {
    const padded = Math.ceil(size / 4) * 4;
    const staging = this.staging.acquire(padded, STAGING_USAGE, 'readback');
    this.encoder(`read ${label}`).copyBufferToBuffer(buffer, offset, staging, 0, padded);
    const submission = this.open!;
    try {
      await this.whenSubmitted();
      await this.untilLikelyDone(submission.timing);
      const asked = performance.now();
      await staging.mapAsync(MapMode.READ, 0, padded);
      this.noteDone(submission.timing, performance.now() - asked);
      const out = staging.getMappedRange(0, padded).slice(0, size);
      staging.unmap();
      this.check();
      return out;
    } catch (e) {
      if (e instanceof WebtrainError) throw e;
      // A lost device rejects pending maps before `lost` resolves; give it a moment to say so.
      await Promise.race([this.gpu.lost, new Promise((r) => setTimeout(r, 500))]);
      if (this.lostMessage) throw this.lostError();
      this.check();
      throw new GPUValidationError(`Reading back ${label} failed: ${(e as Error).message}`, { cause: e });
    } finally {
      if (staging.mapState === 'unmapped') this.staging.release(staging);
    }
  }

  /**
   * The expected completion of a submission going out now. The GPU runs submissions in order, so it
   * starts this one when it has finished the ones before (queueFreeAt) and takes as long as the last
   * submissions with the same labels took (a training step's plan, an evaluation batch ...).
   */
  private expectTiming(labels: string[]): SubmissionTiming {
    const now = performance.now();
    const key = summarize(labels);
    const run = this.runMs.get(key);
    const start = Math.max(now, this.queueFreeAt);
    const expectedDone = run === undefined ? null : start + run;
    this.queueFreeAt = expectedDone ?? now;
    return { key, submittedAt: now, expectedDone };
  }

  /**
   * Sleeps through most of the time a submission is expected to take. In Node, Dawn's binding polls
   * its event queue from the JavaScript thread (setImmediate) for as long as a mapAsync or
   * onSubmittedWorkDone is pending: measured here, that thread is busy about half the wait, and with
   * the GPU on the CPU (SwiftShader) it takes that time from the shader threads. Asking when the work
   * is nearly done keeps the polling short.
   */
  private async untilLikelyDone(timing: SubmissionTiming | null | undefined): Promise<void> {
    if (this.adapter.runtime !== 'node' || !timing || timing.expectedDone === null) return;
    const run = this.runMs.get(timing.key) ?? 0;
    const wait = timing.expectedDone - 0.05 * run - 1 - performance.now();
    if (wait > 2) await new Promise((r) => setTimeout(r, wait));
  }

  /**
   * Learns from a completed wait. `waitedMs`: how long the wait after the sleep took. Near zero means
   * the work had finished while we slept, so the time measured the sleep, not the GPU: shrink the
   * estimate a little instead of learning it. Otherwise the GPU ran this submission from when it was
   * submitted or, if later, when the previous observed completion happened.
   */
  private noteDone(timing: SubmissionTiming | null | undefined, waitedMs: number): void {
    const now = performance.now();
    if (!timing || timing.observed) return;
    timing.observed = true;
    const prev = this.runMs.get(timing.key);
    if (prev !== undefined && waitedMs < 2) {
      this.runMs.set(timing.key, prev * 0.97);
    } else {
      const took = now - Math.max(timing.submittedAt, this.lastDoneAt);
      this.runMs.set(timing.key, prev === undefined ? took : 0.7 * prev + 0.3 * took);
    }
    this.lastDoneAt = now;
    if (timing === this.lastTiming) this.queueFreeAt = Math.min(this.queueFreeAt, now);
  }

  /** Waits until the GPU has finished all submitted work, then reports any error it raised. */
  async sync(): Promise<void> {
    this.submit();
    const timing = this.lastTiming;
    await this.untilLikelyDone(timing);
    const asked = performance.now();
    await this.gpu.queue.onSubmittedWorkDone();
    this.noteDone(timing, performance.now() - asked);
    // Error scopes resolve after the work they cover; give them a turn.
    await new Promise((r) => setTimeout(r, 0));
    this.check();
  }

  destroy(): void {
    this.submit();
    this.destroyed = true;
    this.pool.trim();
    this.staging.trim();
    this.gpu.destroy();
  }
}

function summarize(labels: string[]): string {
  const uniq = [...new Set(labels)];
  return uniq.length <= 6 ? uniq.join(', ') : `${uniq.slice(0, 6).join(', ')} and ${uniq.length - 6} more`;
}

function isNode(): boolean {
  return typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';
}

/** Requests an adapter and a device with raised limits, in the browser or in Node. */
export async function createDevice(options: DeviceOptions = {}): Promise<Device> {
  let adapter: GPUAdapter | null;
  let instance: GPU | null = null;
  let runtime: 'browser' | 'node';
  let boundsChecks = true;
  let vulkanLoader: AdapterSummary['vulkanLoader'] = null;
  if (typeof navigator !== 'undefined' && navigator.gpu) {
    runtime = 'browser';
    adapter = await navigator.gpu.requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : {});
    if (!adapter) {
      throw new AdapterError(
        'This browser exposes WebGPU but returned no adapter. Enable hardware acceleration, or in Chromium start ' +
          'with --enable-unsafe-webgpu --use-webgpu-adapter=swiftshader to use the CPU fallback.',
      );
    }
  } else if (isNode()) {
    runtime = 'node';
    const { requestNodeAdapter } = await import('./node-gpu.js');
    const envChoice = process.env['WEBTRAIN_ADAPTER'] as AdapterChoice | undefined;
    const choice = options.adapter ?? envChoice ?? 'auto';
    if (!['auto', 'gpu', 'swiftshader'].includes(choice)) {
      throw new AdapterError(`adapter must be 'auto', 'gpu' or 'swiftshader', got '${String(choice)}'`);
    }
    const envChecks = process.env['WEBTRAIN_BOUNDS_CHECKS'];
    const checks = options.boundsChecks ?? (envChecks === '1' ? true : envChecks === '0' ? false : 'auto');
    if (checks !== true && checks !== false && checks !== 'auto') {
      throw new AdapterError(`boundsChecks must be true, false or 'auto', got ${String(checks)}`);
    }
    ({ adapter, instance, boundsChecks, vulkanLoader } = await requestNodeAdapter(choice, options.powerPreference, checks));
  } else {
    throw new AdapterError(
      'WebGPU is not available here: navigator.gpu is missing. Use a browser with WebGPU (Chrome/Edge 113+, ' +
        'Safari 26+, Firefox 141+) on a page served over https or from localhost (WebGPU needs a secure context).',
    );
  }

  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) {
    const v = (adapter.limits as unknown as Record<string, number>)[name];
    if (typeof v === 'number') requiredLimits[name] = v;
  }
  const requiredFeatures = WANTED_FEATURES.filter((f) => adapter.features.has(f));
  let gpu: GPUDevice;
  try {
    gpu = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'webtrain' });
  } catch (cause) {
    throw new AdapterError(`requestDevice failed: ${(cause as Error).message}`, { cause });
  }
  const info = adapter.info;
  return new Device(gpu, {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter),
    runtime,
    boundsChecks,
    vulkanLoader,
  }, instance);
}

export function describeAdapter(a: AdapterSummary): string {
  const parts = [a.description || a.device || a.architecture || 'unknown adapter'];
  if (a.vendor) parts.push(`vendor ${a.vendor}`);
  if (a.architecture && !parts[0]!.includes(a.architecture)) parts.push(a.architecture);
  if (a.isFallbackAdapter) parts.push('CPU fallback');
  if (!a.boundsChecks) parts.push('bounds checks off');
  parts.push(a.runtime === 'node' ? 'Node/Dawn' : 'browser');
  if (a.vulkanLoader) parts.push(`Vulkan loader ${a.vulkanLoader.path}${a.vulkanLoader.source === 'system' ? '' : ` (${a.vulkanLoader.source})`}`);
  return parts.join(', ');
}
