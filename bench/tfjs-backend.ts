/**
 * TensorFlow.js's WebGPU backend on a GPU object we choose, so that it runs on the same adapter as
 * webtrain: in Node the `webgpu` package's GPU (Dawn) instance webtrain's device came from, in the
 * browser navigator.gpu.
 *
 * tfjs-backend-webgpu only registers itself when `globalThis.navigator.gpu` exists at import time,
 * its WebGPUBackend constructor refuses to run without it, and its code uses the WebGPU globals
 * (GPUBufferUsage, GPUMapMode, GPUBuffer ...). In Node we therefore install `navigator.gpu` and the
 * `webgpu` package's globals (see installNodeWebGPUGlobals in node-env.ts) and register the
 * 'webgpu' backend again with a factory that asks *our* GPU object for the adapter. The name must
 * stay 'webgpu': tfjs's kernels are registered under it.
 */
import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

export { tf };

export interface TfjsWebGPU {
  backend: WebGPUBackend;
  device: GPUDevice;
  /** The adapter tfjs runs on, as its adapter info describes it. */
  adapter: { vendor: string; architecture: string; device: string; description: string };
  /** Highest tf.memory().numBytesInGPU (bytes of GPU buffers tfjs holds) since resetPeak(). */
  peakBytes(): number;
  resetPeak(): void;
  /** Submits tfjs's pending commands and waits until the GPU has finished them. */
  sync(): Promise<void>;
}

interface BufferManagerLike {
  numBytesUsed: number;
  acquireBuffer(size: number, usage: number, mappedAtCreation?: boolean, reuse?: boolean): GPUBuffer;
}

interface BackendInternals {
  bufferManager: BufferManagerLike;
  commandEncoder: GPUCommandEncoder | null;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

/**
 * Makes 'webgpu' tfjs's backend, with its device requested from `gpu` (same limits and features
 * tfjs itself asks for). `adapterOptions` should match how webtrain got its adapter (in Node with
 * SwiftShader: forceFallbackAdapter).
 */
export async function useTfjsWebGPU(gpu: GPU, adapterOptions: GPURequestAdapterOptions = {}): Promise<TfjsWebGPU> {
  let made: { device: GPUDevice; info: GPUAdapterInfo } | null = null;
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend(
    'webgpu',
    async () => {
      const adapter = (await gpu.requestAdapter(adapterOptions)) ?? (await gpu.requestAdapter());
      if (!adapter) throw new Error('tfjs: the GPU object returned no adapter');
      const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
      const l = adapter.limits;
      const device = await adapter.requestDevice({
        requiredFeatures,
        requiredLimits: {
          maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
          maxBufferSize: l.maxBufferSize,
          maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
        },
      });
      made = { device, info: adapter.info };
      return new WebGPUBackend(device, adapter.info);
    },
    100,
  );
  if (!(await tf.setBackend('webgpu')) || !made) throw new Error('tfjs: the WebGPU backend failed to initialize (see the messages above)');
  await tf.ready();
  const { device, info } = made as { device: GPUDevice; info: GPUAdapterInfo };
  const backend = tf.backend() as WebGPUBackend;
  const internals = backend as unknown as BackendInternals;

  // tf.memory().numBytesInGPU is the buffer manager's numBytesUsed; sample it at every acquire so
  // the peak inside a step is seen, not only the value between steps.
  const manager = internals.bufferManager;
  let peak = manager.numBytesUsed;
  const acquire = manager.acquireBuffer.bind(manager);
  manager.acquireBuffer = (size, usage, mappedAtCreation, reuse) => {
    const b = acquire(size, usage, mappedAtCreation, reuse);
    if (manager.numBytesUsed > peak) peak = manager.numBytesUsed;
    return b;
  };

  return {
    backend,
    device,
    adapter: { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description },
    peakBytes: () => peak,
    resetPeak: () => {
      peak = manager.numBytesUsed;
    },
    sync: async () => {
      if (internals.commandEncoder) {
        internals.endComputePassEncoder();
        internals.submitQueue();
      }
      await device.queue.onSubmittedWorkDone();
    },
  };
}
