/**
 * Node side of `npm run bench -- --browser`: starts a Vite dev server on localhost (WebGPU needs a
 * secure context, and Vite serves the WGSL `?raw` imports and the MNIST file), opens
 * bench/page/index.html in Debian's Chromium through Playwright (SwiftShader unless
 * WEBTRAIN_BROWSER_ADAPTER=gpu, see scripts/chromium.ts) and runs the suite there.
 */
import { chromium } from 'playwright';
import { createServer } from 'vite';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, chromiumPath } from '../scripts/chromium.ts';
import type { BrowserRun, BrowserSuiteOptions } from './page/main.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function runInBrowser(o: BrowserSuiteOptions & { log?: unknown }, log: (s: string) => void): Promise<BrowserRun> {
  const server = await createServer({
    root,
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'error',
    // Port 5178 or the next free one; a cache of its own so a concurrent demo or test server's
    // dependency optimization cannot reload this page mid-run.
    server: { host: '127.0.0.1', port: 5178, strictPort: false, hmr: false },
    cacheDir: join(root, 'node_modules', '.vite-bench'),
    optimizeDeps: { include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu'], entries: ['bench/page/index.html'] },
  });
  await server.listen();
  const base = server.resolvedUrls?.local[0];
  if (!base) throw new Error('the Vite dev server did not report its URL');
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage();
    await page.exposeFunction('benchLog', (line: string) => log(line));
    page.on('pageerror', (e) => log(`[page error] ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') log(`[page ${m.type()}] ${m.text()}`);
    });
    log(`Chromium ${browser.version()} at ${base}bench/page/index.html`);
    await page.goto(`${base}bench/page/index.html`);
    await page.waitForFunction(() => typeof window.runBench === 'function', null, { timeout: 120_000 });
    const { log: _drop, ...suite } = o;
    void _drop;
    const run = await page.evaluate((opts) => window.runBench(opts), suite as BrowserSuiteOptions);
    run.versions['chromium'] = browser.version();
    return run;
  } finally {
    await browser.close();
    await server.close();
  }
}
