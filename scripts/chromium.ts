/**
 * Where Chromium is and how webtrain starts it for browser tests, the bench and demo checks. Without
 * a GPU (or with WEBTRAIN_BROWSER_ADAPTER=swiftshader) WebGPU runs on SwiftShader, Chromium's CPU
 * Vulkan driver.
 */
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/snap/bin/chromium'];

export function chromiumPath(): string {
  const env = process.env['WEBTRAIN_CHROMIUM'];
  if (env) return env;
  return CANDIDATES.find((p) => existsSync(p)) ?? '/usr/bin/chromium';
}

const SWIFTSHADER = ['--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader', '--disable-vulkan-surface'];

export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  ...(process.env['WEBTRAIN_BROWSER_ADAPTER'] === 'gpu' ? ['--enable-features=Vulkan'] : SWIFTSHADER),
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // Shared memory in /tmp: a container's /dev/shm is often 64 MiB, too small for Chromium (Playwright adds this too).
  '--disable-dev-shm-usage',
];
