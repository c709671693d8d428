/**
 * The demo page in Chromium, driven by Playwright: it finds the adapter, trains LeNet-5 (the chart,
 * the step counter and the loss move), stops and scores the held-out digits, and says so clearly
 * when WebGPU is missing or the device is lost. Screenshots go to test-results/ for a human to look
 * at. The dev server is the repo's vite.config.ts, started here on a free port.
 */
import { mkdirSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';
import { chromium, type Browser, type Page } from 'playwright';
import { CHROMIUM_ARGS, chromiumPath } from '../../scripts/chromium.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS = join(ROOT, 'test-results');

let server: ViteDevServer;
let browser: Browser;
let url: string;

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createNetServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** Opens the demo in a fresh context; collects page errors and console errors. */
async function openDemo(initScript?: () => void): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  await page.goto(`${url}/demo/`);
  return { page, errors };
}

/** The value of the demo's step counter (global step), 0 before the first step. */
async function stepCount(page: Page): Promise<number> {
  const text = (await page.locator('#metric-step').textContent()) ?? '';
  return /^\d[\d,]*$/.test(text) ? Number(text.replace(/,/g, '')) : 0;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const port = await freePort();
  server = await createServer({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.ts'),
    // No watcher and no HMR: files other people edit meanwhile must not reload the page mid-test.
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false, watch: null },
    // Its own dependency cache, so this server and a concurrent `npm run demo` or vitest browser run
    // never rewrite each other's pre-bundled packages.
    cacheDir: join(ROOT, 'node_modules/.vite/demo-test'),
    optimizeDeps: { entries: ['demo/index.html'] },
    logLevel: 'warn',
  });
  await server.listen();
  url = `http://127.0.0.1:${port}`;
  browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('demo page', () => {
  it('trains LeNet-5 with a live chart, stops, and scores the held-out digits', async () => {
    const { page, errors } = await openDemo();
    const start = page.locator('#start');
    await expect.poll(() => start.isEnabled(), { timeout: 60_000 }).toBe(true);
    const adapter = (await page.locator('#adapter').textContent()) ?? '';
    expect(adapter).toMatch(/browser/);
    expect(await page.locator('#notice').isHidden()).toBe(true);
    expect(await page.locator('[data-panel="chart"]').getAttribute('data-points')).toBe('0');

    await page.fill('#input-epochs', '1');
    await page.fill('#input-batchSize', '32');
    await start.click();

    const chart = page.locator('[data-panel="chart"]');
    await expect.poll(() => stepCount(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(3);
    const step1 = await stepCount(page);
    const points1 = Number(await chart.getAttribute('data-points'));
    const loss1 = Number(await chart.getAttribute('data-last-loss'));
    const canvas1 = await chart.locator('canvas').screenshot();
    expect(points1).toBeGreaterThanOrEqual(1);
    expect(loss1).toBeGreaterThan(0);

    await expect.poll(() => stepCount(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(step1 + 10);
    // Let the next animation frame draw the last step.
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 5_000 }).toBeGreaterThanOrEqual(step1 + 10);
    const points2 = Number(await chart.getAttribute('data-points'));
    const loss2 = Number(await chart.getAttribute('data-last-loss'));
    const canvas2 = await chart.locator('canvas').screenshot();
    expect(points2).toBeGreaterThan(points1);
    expect(Number.isFinite(loss2) && loss2 > 0).toBe(true);
    expect(loss2).not.toBe(loss1);
    expect(canvas2.equals(canvas1)).toBe(false);
    expect(await page.locator('#metric-speed').textContent()).toMatch(/^\d[\d,]*$/);
    expect(await page.locator('#metric-loss').textContent()).toMatch(/^\d+\.\d{4}$/);
    await page.screenshot({ path: join(SHOTS, 'demo-training.png'), fullPage: true });

    // Stop: fit finishes the step in flight, then scores the model on the 2,000 held-out digits.
    await page.click('#stop');
    await expect.poll(() => start.isEnabled(), { timeout: 90_000 }).toBe(true);
    expect(await page.locator('#status').textContent()).toMatch(/^Stopped after .* Held-out accuracy \d+\.\d%\.$/);
    const rows = page.locator('#epochs tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toMatch(/^1\d+\.\d%\d\.\d{4}\d+\.\d%$/);
    expect(await rows.nth(1).textContent()).toMatch(/^Stopped at step \d+ of 250 of this epoch\.$/);
    expect(await page.locator('#metric-held-out-acc').textContent()).toMatch(/^\d+\.\d%$/);
    await page.screenshot({ path: join(SHOTS, 'demo-stopped.png'), fullPage: true });

    // A second run starts from scratch: the chart and the table are reset, and it trains again.
    await start.click();
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => stepCount(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(2);
    expect(Number(await chart.getAttribute('data-points'))).toBeLessThan(points2);
    await page.click('#stop');
    await expect.poll(() => start.isEnabled(), { timeout: 90_000 }).toBe(true);
    expect(await rows.count()).toBe(2);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 300_000);

  it('says so, instead of a blank page, when the browser has no WebGPU', async () => {
    const { page, errors } = await openDemo(() => {
      delete (Navigator.prototype as { gpu?: unknown }).gpu;
    });
    const notice = page.locator('#notice');
    await expect.poll(() => notice.isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await notice.textContent()).toMatch(/WebGPU is not available/);
    expect(await page.locator('#start').isDisabled()).toBe(true);
    expect(await page.locator('#adapter').textContent()).toBe('no WebGPU');
    await page.screenshot({ path: join(SHOTS, 'demo-no-webgpu.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('says the device was lost when it is lost during training', async () => {
    // Keep a handle on the page's GPUDevice so the test can destroy it mid-run.
    const { page, errors } = await openDemo(() => {
      const request = GPUAdapter.prototype.requestDevice;
      GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, descriptor?: GPUDeviceDescriptor) {
        const device = await request.call(this, descriptor);
        (window as unknown as { testDevice: GPUDevice }).testDevice = device;
        return device;
      };
    });
    const start = page.locator('#start');
    await expect.poll(() => start.isEnabled(), { timeout: 60_000 }).toBe(true);
    await page.fill('#input-epochs', '1');
    await start.click();
    await expect.poll(() => stepCount(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(1);
    await page.evaluate(() => (window as unknown as { testDevice: GPUDevice }).testDevice.destroy());
    const notice = page.locator('#notice');
    await expect.poll(() => notice.isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await notice.textContent()).toMatch(/The GPU device was lost/);
    await expect.poll(() => page.locator('#stop').isDisabled(), { timeout: 30_000 }).toBe(true);
    expect(await start.isDisabled()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'demo-device-lost.png'), fullPage: true });
    // WebGPU may log the destroyed device's failed work to the console; nothing may go uncaught. (The
    // library leaves the readbacks of in-flight steps unhandled when the device dies during fit();
    // the demo absorbs those rejections once the device is lost.)
    expect(errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
    await page.context().close();
  }, 180_000);
});
