/**
 * Per-kernel GPU times of one plan execution, from timestamp queries (one compute pass per
 * dispatch while profiling). Used by `npm run bench -- --profile`.
 */
import { MapMode, BufferUsage } from '../device/constants.js';
import { WebtrainError } from '../errors.js';
import { engineFor } from './engine.js';
import type { Device } from '../device/device.js';
import type { Plan, PlannedKernel } from './plan.js';

export interface KernelTiming extends PlannedKernel {
  /** GPU time in milliseconds. */
  ms: number;
}

/**
 * Runs `run` (which must flush exactly one plan, e.g. one training step) with timestamps and returns
 * the time of each dispatch of that plan.
 */
export async function profilePlan(device: Device, run: () => void): Promise<{ plan: Plan; kernels: KernelTiming[] }> {
  if (!device.features.has('timestamp-query')) {
    throw new WebtrainError(`The adapter (${device.adapter.description}) has no timestamp-query feature; per-kernel times are not available`);
  }
  const engine = engineFor(device);
  let captured: { plan: Plan; querySet: GPUQuerySet; count: number } | null = null;
  engine.profiler = (plan) => {
    if (captured) return undefined;
    const count = plan.dispatchCount * 2;
    const querySet = device.gpu.createQuerySet({ type: 'timestamp', count });
    captured = { plan, querySet, count };
    return { querySet, first: 0 };
  };
  try {
    run();
  } finally {
    engine.profiler = null;
  }
  const cap = captured as { plan: Plan; querySet: GPUQuerySet; count: number } | null;
  if (!cap) throw new WebtrainError('profilePlan: the function ran no plan');
  const bytes = cap.count * 8;
  const resolve = device.gpu.createBuffer({ size: bytes, usage: BufferUsage.QUERY_RESOLVE | BufferUsage.COPY_SRC });
  const read = device.gpu.createBuffer({ size: bytes, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
  const enc = device.encoder('profile');
  enc.resolveQuerySet(cap.querySet, 0, cap.count, resolve, 0);
  enc.copyBufferToBuffer(resolve, 0, read, 0, bytes);
  await device.whenSubmitted();
  await read.mapAsync(MapMode.READ);
  const ts = new BigInt64Array(read.getMappedRange().slice(0));
  read.unmap();
  read.destroy();
  resolve.destroy();
  cap.querySet.destroy();
  const kernels = cap.plan.kernels.map((k, i) => ({ ...k, ms: Number(ts[2 * i + 1]! - ts[2 * i]!) / 1e6 }));
  return { plan: cap.plan, kernels };
}
