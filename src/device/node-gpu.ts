/**
 * WebGPU in Node through the `webgpu` package (Dawn). On a machine with a GPU the normal adapter is
 * used. Without one, we point the Vulkan loader at SwiftShader (a Vulkan driver that runs on the
 * CPU, shipped by Chromium) and ask for the fallback adapter.
 *
 * On Linux, Dawn reaches every Vulkan driver, SwiftShader included, through the Vulkan loader
 * `libvulkan.so.1`, which it dlopen()s by that name. Debian's `chromium` package ships its own copy
 * in /usr/lib/chromium/ but does not depend on the system one (`libvulkan1`), so a machine can have
 * SwiftShader and no loader Dawn can find. Before Dawn starts, ensureVulkanLoader() loads the
 * system loader, or else Chromium's copy, into the process (RTLD_GLOBAL | RTLD_NODELETE): Dawn's
 * later dlopen("libvulkan.so.1") then finds it already loaded by its soname. With neither, the
 * error names the library and the command that installs it.
 *
 * Only loaded in Node: every Node-only module is imported through a variable specifier so browser
 * bundlers leave it alone.
 */
import { AdapterError } from '../errors.js';
import { nodeModule } from '../util/node.js';

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

/** Finds SwiftShader's ICD file: $WEBTRAIN_SWIFTSHADER_ICD, then the known install paths. */
export async function findSwiftShaderIcd(): Promise<string | null> {
  const fs = await nodeModule<typeof import('node:fs')>('node:fs');
  const fromEnv = process.env['WEBTRAIN_SWIFTSHADER_ICD'];
  const candidates = fromEnv ? [fromEnv, ...SWIFTSHADER_ICD_PATHS] : SWIFTSHADER_ICD_PATHS;
  return candidates.find((p) => fs.existsSync(p)) ?? null;
}

const HOW_TO_GET_ONE =
  'To get a WebGPU adapter in Node: on a machine with a GPU, install its Vulkan driver; without a GPU, ' +
  "install Debian's `chromium` package (`sudo apt-get install chromium libvulkan1`), whose SwiftShader CPU driver " +
  'webtrain finds by itself, or set WEBTRAIN_SWIFTSHADER_ICD to the path of vk_swiftshader_icd.json.';

/** The Vulkan loader Dawn uses: where it was found. */
export interface VulkanLoader {
  /** The loaded file, as /proc/self/maps names it. */
  path: string;
  /** 'system': the library path's libvulkan.so.1; 'chromium': the copy beside Chromium's SwiftShader; 'env': $WEBTRAIN_VULKAN_LOADER. */
  source: 'system' | 'chromium' | 'env';
}

const LOADER_SONAME = 'libvulkan.so.1';

/** Directories of Chromium packages that ship their own Vulkan loader next to SwiftShader. */
function bundledLoaderPaths(icds: readonly string[]): string[] {
  const dirs = icds.map((p) => p.slice(0, p.lastIndexOf('/')));
  return [...new Set(dirs)].map((d) => `${d}/${LOADER_SONAME}`);
}

/** The libvulkan.so.1 mapped into this process, if any (Linux). */
export async function loadedVulkanLoader(): Promise<string | null> {
  const fs = await nodeModule<typeof import('node:fs')>('node:fs');
  let maps: string;
  try {
    maps = fs.readFileSync('/proc/self/maps', 'utf8');
  } catch {
    return null;
  }
  for (const line of maps.split('\n')) {
    const path = line.slice(line.indexOf('/'));
    if (line.includes('/') && /\/libvulkan\.so(\.1)?([.\d]*)$/.test(path)) return path;
  }
  return null;
}

/**
 * Loads `library` (a soname searched on the library path, or a file path) into the process for
 * good, so that Dawn's own dlopen of the soname returns it. It is not a Node addon, so
 * process.dlopen always throws; whether the library is now mapped is what tells.
 */
async function preload(library: string): Promise<string | null> {
  const os = await nodeModule<typeof import('node:os')>('node:os');
  const c = os.constants.dlopen as Record<string, number | undefined>;
  const flags = (c['RTLD_NOW'] ?? 2) | (c['RTLD_GLOBAL'] ?? 0x100) | (c['RTLD_NODELETE'] ?? 0x1000);
  try {
    process.dlopen({ exports: {} } as NodeJS.Module, library, flags);
  } catch {
    // "did not self-register" once loaded; "cannot open shared object file" when absent.
  }
  return loadedVulkanLoader();
}

/**
 * Makes sure Dawn will find a Vulkan loader (Linux only; other platforms return null and need
 * none): one already loaded, $WEBTRAIN_VULKAN_LOADER, the system's libvulkan.so.1, or the copy
 * Chromium ships beside SwiftShader, in that order. Throws an AdapterError naming the library and
 * how to install it when there is none.
 */
export async function ensureVulkanLoader(): Promise<VulkanLoader | null> {
  if (process.platform !== 'linux') return null;
  const already = await loadedVulkanLoader();
  if (already) return { path: already, source: bundledLoaderPaths(SWIFTSHADER_ICD_PATHS).includes(already) ? 'chromium' : 'system' };
  const fromEnv = process.env['WEBTRAIN_VULKAN_LOADER'];
  if (fromEnv) {
    const path = await preload(fromEnv);
    if (path) return { path, source: 'env' };
    throw new AdapterError(`WEBTRAIN_VULKAN_LOADER=${fromEnv} could not be loaded as the Vulkan loader (${LOADER_SONAME}). Point it at a libvulkan.so.1, or unset it.`);
  }
  const system = await preload(LOADER_SONAME);
  if (system) return { path: system, source: 'system' };
  const fs = await nodeModule<typeof import('node:fs')>('node:fs');
  const bundled = bundledLoaderPaths(SWIFTSHADER_ICD_PATHS).filter((p) => fs.existsSync(p));
  for (const candidate of bundled) {
    const path = await preload(candidate);
    if (path) return { path, source: 'chromium' };
  }
  const looked = bundled.length > 0 ? `, nor could Chromium's copy be loaded (${bundled.join(', ')})` : ", and no Chromium copy of it was found";
  throw new AdapterError(
    `No Vulkan loader: Dawn (the \`webgpu\` package) needs ${LOADER_SONAME}, which is not on this machine's library path${looked}. ` +
      'Install it with `sudo apt-get install libvulkan1` (Debian/Ubuntu; Fedora: `sudo dnf install vulkan-loader`), ' +
      'together with `chromium` for its SwiftShader CPU driver when there is no GPU; or set WEBTRAIN_VULKAN_LOADER to the path of a libvulkan.so.1.',
  );
}

/**
 * Whether this machine shows a GPU to user space (Linux: a DRM render node, NVIDIA's device, WSL's
 * /dev/dxg). Without one, asking Dawn for a GPU adapter only makes Vulkan drivers print warnings
 * (VK_ERROR_INCOMPATIBLE_DRIVER) on their way to finding nothing, so 'auto' goes to SwiftShader
 * at once. Other platforms: assumed yes (Metal, D3D12).
 */
export async function hasGpuDevice(): Promise<boolean> {
  if (process.platform !== 'linux') return true;
  const fs = await nodeModule<typeof import('node:fs')>('node:fs');
  if (fs.existsSync('/dev/nvidia0') || fs.existsSync('/dev/dxg')) return true;
  try {
    return fs.readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  } catch {
    return false;
  }
}

/**
 * An adapter and the Dawn instance it came from. The instance must stay referenced for as long as
 * the device is used: once garbage-collected, Dawn's event processing runs on freed memory and the
 * process crashes (seen here as sporadic segfaults in CallbackTaskManager::Flush).
 */
export interface NodeAdapter {
  adapter: GPUAdapter;
  instance: GPU;
  boundsChecks: boolean;
  /** The Vulkan loader Dawn uses (Linux), for the adapter line. */
  vulkanLoader: VulkanLoader | null;
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
): Promise<NodeAdapter> {
  let webgpu: WebgpuModule;
  try {
    webgpu = await nodeModule<WebgpuModule>('webgpu', 'WebGPU in Node');
  } catch (cause) {
    throw new AdapterError(
      "webtrain needs the `webgpu` npm package (Dawn) to run in Node: `npm install webgpu`. " +
        `Loading it failed: ${(cause as Error).message}`,
      { cause },
    );
  }
  const options: GPURequestAdapterOptions = powerPreference ? { powerPreference } : {};
  const vulkanLoader = await ensureVulkanLoader();

  // Mesa's Vulkan drivers, probed on the way, complain when this is unset.
  process.env['XDG_RUNTIME_DIR'] ??= '/tmp';
  const userIcds = process.env['VK_ICD_FILENAMES'];
  if (choice === 'gpu' || (choice === 'auto' && !userIcds && (await hasGpuDevice()))) {
    const instance = webgpu.create(boundsChecks === false ? [DAWN_NO_BOUNDS_CHECKS] : []);
    const adapter = await instance.requestAdapter(options);
    if (adapter && (!adapter.info.isFallbackAdapter || (choice === 'gpu' && userIcds))) {
      return { adapter, instance, boundsChecks: boundsChecks !== false, vulkanLoader };
    }
    if (choice === 'gpu') {
      const icds = userIcds ? ` with VK_ICD_FILENAMES=${userIcds}` : '';
      throw new AdapterError(`No GPU adapter was found${icds} (adapter: 'gpu' was asked for). ${HOW_TO_GET_ONE}`);
    }
  }

  // The Vulkan loader reads VK_ICD_FILENAMES when Dawn creates its instance, so set it before create().
  if (!userIcds) {
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
  return { adapter, instance, boundsChecks: checks, vulkanLoader };
}
