/**
 * Node only: what tfjs-backend-webgpu needs to run on webtrain's Dawn instance. It expects a
 * browser: `navigator.gpu` and the WebGPU globals (GPUBufferUsage, GPUMapMode, GPUBuffer ...). We
 * give it the `webgpu` package's globals and, as navigator.gpu, the very GPU object (Dawn
 * instance) webtrain's device came from, so both libraries share one instance and one adapter.
 * Call after webtrain's device exists: with navigator.gpu set, webtrain's own init() would take the
 * browser path.
 */
import * as wt from '../src/index.ts';
import type { BenchContext } from './cases.ts';
import { useTfjsWebGPU } from './tfjs-backend.ts';

export async function installNodeWebGPUGlobals(gpu: GPU): Promise<void> {
  const { globals } = (await import('webgpu')) as unknown as { globals: Record<string, unknown> };
  const g = globalThis as Record<string, unknown>;
  for (const [k, v] of Object.entries(globals)) if (!(k in g)) g[k] = v;
  const nav = g['navigator'] as { gpu?: GPU } | undefined;
  if (nav) {
    if (!nav.gpu) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  } else {
    Object.defineProperty(g, 'navigator', { value: { gpu }, configurable: true, writable: true });
  }
}

/**
 * `boundsChecks` (default true): both libraries share the instance, so both run with or without
 * WebGPU's shader bounds checks. On by default, as in every browser: tfjs's kernels rely on them
 * (without them its LeNet-5 step reads past its buffers and its loss turns NaN on SwiftShader),
 * while webtrain's main job in Node turns them off on SwiftShader (DeviceOptions.boundsChecks).
 */
export async function nodeBenchContext(options: { smoke: boolean; adapter?: 'auto' | 'gpu' | 'swiftshader'; boundsChecks?: boolean }): Promise<BenchContext> {
  const device = await wt.init({ ...(options.adapter ? { adapter: options.adapter } : {}), boundsChecks: options.boundsChecks ?? true });
  if (!device.instance) throw new Error('webtrain device has no Dawn instance (not running in Node?)');
  await installNodeWebGPUGlobals(device.instance);
  const tfjs = await useTfjsWebGPU(device.instance, { forceFallbackAdapter: device.adapter.isFallbackAdapter });
  let mnist: Promise<wt.MnistData> | null = null;
  return { device, tfjs, smoke: options.smoke, mnist: () => (mnist ??= wt.loadMnist()) };
}
