/**
 * WebGPU in Node through the `webgpu` package (Dawn). On a machine with a GPU the normal adapter is
 * used. Without one, Dawn finds no adapter, so we point the Vulkan loader at SwiftShader (a Vulkan
 * driver that runs on the CPU, shipped by Chromium) and ask for the fallback adapter.
 *
 * Only loaded in Node: every Node-only module is imported through a variable specifier so browser
 * bundlers leave it alone.
 */
import { AdapterError } from '../errors.js';

export type AdapterChoice = 'auto' | 'gpu' | 'swiftshader';

/** Where Debian/Ubuntu/Fedora/Arch Chromium packages put SwiftShader's Vulkan ICD file. */
export const SWIFTSHADER_ICD_PATHS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/usr/lib64/chromium-browser/vk_swiftshader_icd.json',
  '/usr/lib/chromium/swiftshader/vk_swiftshader_icd.json',
  '/opt/google/chrome/vk_swiftshader_icd.json',
];

interface WebgpuModule {
  create(flags: string[]): GPU;
}

async function dynamicImport<T>(specifier: string): Promise<T> {
  return (await import(/* @vite-ignore */ specifier)) as T;
}

/** Finds SwiftShader's ICD file: $WEBTRAIN_SWIFTSHADER_ICD, then the known install paths. */
export async function findSwiftShaderIcd(): Promise<string | null> {
  const fs = await dynamicImport<typeof import('node:fs')>('node:fs');
  const fromEnv = process.env['WEBTRAIN_SWIFTSHADER_ICD'];
  const candidates = fromEnv ? [fromEnv, ...SWIFTSHADER_ICD_PATHS] : SWIFTSHADER_ICD_PATHS;
  return candidates.find((p) => fs.existsSync(p)) ?? null;
}

const HOW_TO_GET_ONE =
  'To get a WebGPU adapter in Node: on a machine with a GPU, install its Vulkan driver; without a GPU, ' +
  "install Debian's `chromium` package (`sudo apt-get install chromium`), whose SwiftShader CPU driver " +
  'webtrain finds by itself, or set WEBTRAIN_SWIFTSHADER_ICD to the path of vk_swiftshader_icd.json.';

/**
 * An adapter and the Dawn instance it came from. The instance must stay referenced for as long as
 * the device is used: once garbage-collected, Dawn's event processing runs on freed memory and the
 * process crashes (seen here as sporadic segfaults in CallbackTaskManager::Flush).
 */
export interface NodeAdapter {
  adapter: GPUAdapter;
  instance: GPU;
}

/**
 * Dawn's flag that turns off the bounds checks WebGPU adds to every buffer access in a shader
 * (Tint's robustness transform). Used only for SwiftShader in Node, where each check is CPU work on
 * every load (see DeviceOptions.boundsChecks).
 */
export const DAWN_NO_BOUNDS_CHECKS = 'enable-dawn-features=disable_robustness';

export async function requestNodeAdapter(
  choice: AdapterChoice,
  powerPreference: GPUPowerPreference | undefined,
  boundsChecks: boolean | 'auto' = 'auto',
): Promise<NodeAdapter & { boundsChecks: boolean }> {
  let webgpu: WebgpuModule;
  try {
    webgpu = await dynamicImport<WebgpuModule>('webgpu');
  } catch (cause) {
    throw new AdapterError(
      "webtrain needs the `webgpu` npm package (Dawn) to run in Node: `npm install webgpu`. " +
        `Loading it failed: ${(cause as Error).message}`,
      { cause },
    );
  }
  const options: GPURequestAdapterOptions = powerPreference ? { powerPreference } : {};

  // Mesa's Vulkan drivers, probed on the way, complain when this is unset.
  process.env['XDG_RUNTIME_DIR'] ??= '/tmp';
  if (choice !== 'swiftshader' && !process.env['VK_ICD_FILENAMES']) {
    const instance = webgpu.create(boundsChecks === false ? [DAWN_NO_BOUNDS_CHECKS] : []);
    const adapter = await instance.requestAdapter(options);
    if (adapter && !adapter.info.isFallbackAdapter) return { adapter, instance, boundsChecks: boundsChecks !== false };
    if (choice === 'gpu') {
      throw new AdapterError(`No GPU adapter was found (adapter: 'gpu' was asked for). ${HOW_TO_GET_ONE}`);
    }
  }
  if (choice === 'gpu' && process.env['VK_ICD_FILENAMES']) {
    const instance = webgpu.create(boundsChecks === false ? [DAWN_NO_BOUNDS_CHECKS] : []);
    const adapter = await instance.requestAdapter(options);
    if (adapter) return { adapter, instance, boundsChecks: boundsChecks !== false };
    throw new AdapterError(
      `No adapter was found with VK_ICD_FILENAMES=${process.env['VK_ICD_FILENAMES']}. ${HOW_TO_GET_ONE}`,
    );
  }

  // The Vulkan loader reads VK_ICD_FILENAMES when Dawn creates its instance, so set it before create().
  if (!process.env['VK_ICD_FILENAMES']) {
    const icd = await findSwiftShaderIcd();
    if (!icd) throw new AdapterError(`No WebGPU adapter: no GPU was found and SwiftShader is not installed. ${HOW_TO_GET_ONE}`);
    process.env['VK_ICD_FILENAMES'] = icd;
  }
  // SwiftShader: bounds checks off unless asked for (DeviceOptions.boundsChecks).
  const checks = boundsChecks === true;
  const instance = webgpu.create(checks ? [] : [DAWN_NO_BOUNDS_CHECKS]);
  const adapter = (await instance.requestAdapter({ ...options, forceFallbackAdapter: true })) ?? (await instance.requestAdapter(options));
  if (!adapter) {
    throw new AdapterError(
      `No WebGPU adapter with VK_ICD_FILENAMES=${process.env['VK_ICD_FILENAMES']}. ${HOW_TO_GET_ONE}`,
    );
  }
  return { adapter, instance, boundsChecks: checks };
}
