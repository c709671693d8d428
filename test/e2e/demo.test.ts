/**
 * The demo page in Chromium, driven by Playwright: it finds the adapter, trains LeNet-5 (the charts,
 * the progress bar and the counters move, nothing on the page moves), pauses and resumes, stops and
 * scores the held-out digits above chance; the Understand views (filters, feature maps, Grad-CAM,
 * confusion matrix, summary) draw non-blank images of the right size; a drawn digit gets a
 * prediction; the kernels and the shift view work; a checkpoint saved to a file loads back to the
 * same accuracy; and the page says so clearly when WebGPU is missing or the device is lost (and
 * resumes from the checkpoint kept in the browser). Screenshots go to test-results/ for a human to
 * look at. The dev server is the repo's vite.config.ts, started here on a free port.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
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
async function openDemo(initScript?: () => void, query = ''): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  await page.goto(`${url}/demo/${query}`);
  return { page, errors };
}

interface CanvasStats {
  width: number;
  height: number;
  /** Distinct RGB colours among its pixels: 1 for a blank canvas. */
  colors: number;
}

/** Size and colour count of a canvas, read from its pixels. */
async function canvasStats(page: Page, selector: string): Promise<CanvasStats> {
  return page.locator(selector).first().evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const colors = new Set<number>();
    for (let i = 0; i < d.length; i += 4) colors.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
    return { width: c.width, height: c.height, colors: colors.size };
  });
}

/** Waits until a canvas shows an image (more than `minColors` colours) and returns its stats. */
async function drawn(page: Page, selector: string, minColors = 8): Promise<CanvasStats> {
  await expect.poll(async () => (await canvasStats(page, selector)).colors, { timeout: 60_000 }).toBeGreaterThan(minColors);
  return canvasStats(page, selector);
}

/** Top-left corners of every panel, to check that nothing moves while training. */
async function panelBoxes(page: Page): Promise<string> {
  return page.evaluate(() =>
    [...document.querySelectorAll('#view-train .panel')].map((p) => {
      const r = p.getBoundingClientRect();
      return `${p.getAttribute('data-panel')}@${Math.round(r.x)},${Math.round(r.y)}+${Math.round(r.width)}x${Math.round(r.height)}`;
    }).join(' '),
  );
}

/** The percentage in a text, as a fraction. */
function percentIn(text: string | null): number {
  const m = /(\d+(?:\.\d+)?)%/.exec(text ?? '');
  return m ? Number(m[1]) / 100 : NaN;
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
  it('trains, pauses, resumes and stops; shows filters, feature maps, Grad-CAM, confusion and summary; predicts drawings; saves and loads a checkpoint', async () => {
    const t0 = performance.now();
    const mark = (what: string): void => console.log(`[demo test] ${what} at ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const { page, errors } = await openDemo();
    const start = page.locator('#start');
    await expect.poll(() => start.isEnabled(), { timeout: 60_000 }).toBe(true);
    const adapter = (await page.locator('#adapter').textContent()) ?? '';
    expect(adapter).toMatch(/browser/);
    expect(await page.locator('#notice').isHidden()).toBe(true);
    expect(await page.locator('[data-panel="chart"]').getAttribute('data-points')).toBe('0');
    expect(await page.locator('#input-model option').allTextContents()).toEqual(['LeNet-5 (modern)', 'LeNet-5 (classic, 1998)']);
    expect(await page.locator('#status').textContent()).toMatch(/ Training runs in a Web Worker\.$/);
    expect(await page.locator('.model-note').textContent()).toMatch(/^61,706 parameters, 0\.42 M multiply-adds per image; about \d+ s per epoch on this adapter\.$/);
    mark('ready');

    // Train: one epoch of batches of 32 (250 steps), stopped early.
    await page.fill('#input-epochs', '1');
    await page.fill('#input-batchSize', '32');
    await start.click();
    const chart = page.locator('[data-panel="chart"]');
    await expect.poll(() => stepCount(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(3);
    const step1 = await stepCount(page);
    const points1 = Number(await chart.getAttribute('data-points'));
    const loss1 = Number(await chart.getAttribute('data-last-loss'));
    const canvas1 = await chart.locator('canvas').first().screenshot();
    const layout1 = await panelBoxes(page);
    expect(points1).toBeGreaterThanOrEqual(1);
    expect(loss1).toBeGreaterThan(0);

    await expect.poll(() => stepCount(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(step1 + 12);
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 5_000 }).toBeGreaterThanOrEqual(step1 + 12);
    const points2 = Number(await chart.getAttribute('data-points'));
    const loss2 = Number(await chart.getAttribute('data-last-loss'));
    expect(points2).toBeGreaterThan(points1);
    expect(Number.isFinite(loss2) && loss2 > 0).toBe(true);
    expect(loss2).not.toBe(loss1);
    expect((await chart.locator('canvas').first().screenshot()).equals(canvas1)).toBe(false);
    expect(await page.locator('#metric-speed').textContent()).toMatch(/^\d[\d,]*$/);
    expect(await page.locator('#metric-loss').textContent()).toMatch(/^\d+\.\d{4}$/);
    expect(await page.locator('#metric-train-top5').textContent()).toMatch(/^\d+\.\d%$/);
    expect(await page.locator('#metric-eta').textContent()).toMatch(/^\d+ s$|^\d+m \d\ds$/);
    expect(await page.locator('#progress-label').textContent()).toMatch(/^Epoch 1 of 1 · step \d+ of 250 · \d[\d,]* images\/s · .* left$/);
    expect(Number(await page.locator('#progress').getAttribute('aria-valuenow'))).toBeGreaterThan(0);
    // No layout jumps: the panels keep their places and sizes as the numbers and charts fill in.
    expect(await panelBoxes(page)).toBe(layout1);
    mark(`trained ${await stepCount(page)} steps`);

    // Pause: the step counter stands still; Resume: it moves on.
    await page.click('#pause');
    await expect.poll(() => page.locator('#pause').textContent(), { timeout: 30_000 }).toBe('Resume');
    const pausedAt = await stepCount(page);
    expect(await page.locator('#status').textContent()).toMatch(/^Paused\./);
    await page.waitForTimeout(1500);
    expect(await stepCount(page)).toBe(pausedAt);
    await page.click('#pause');
    await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(Math.max(pausedAt + 3, 40));
    mark('paused and resumed');

    // Stop: the step in flight finishes, then the model is scored on the 2,000 held-out digits.
    await page.click('#stop');
    await expect.poll(() => start.isEnabled(), { timeout: 90_000 }).toBe(true);
    expect(await page.locator('#status').textContent()).toMatch(/^Stopped after .* Held-out accuracy \d+\.\d%\.$/);
    const rows = page.locator('#epochs tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toMatch(/^1\d+\.\d%\d+\.\d%\d\.\d{4}\d+\.\d%$/);
    expect(await rows.nth(1).textContent()).toMatch(/^Stopped at step \d+ of 250 of this epoch\.$/);
    const heldOut = percentIn(await page.locator('#metric-held-out-acc').textContent());
    // Chance is 10%; some 40 steps of Adam take LeNet-5 well past it.
    expect(heldOut).toBeGreaterThan(0.3);
    expect(percentIn(await page.locator('#metric-held-out-top5').textContent())).toBeGreaterThan(heldOut);
    await expect.poll(() => page.locator('#checkpoint-status').textContent(), { timeout: 30_000 }).toBe('Kept epoch 1 in this browser.');
    await page.screenshot({ path: join(SHOTS, 'demo-train.png'), fullPage: true });
    mark(`stopped, held-out ${(heldOut * 100).toFixed(1)}%`);

    // Understand: every view draws from the trained model.
    await page.click('#tab-understand');
    expect(await page.locator('#model-line').textContent()).toMatch(/^LeNet-5 \(modern\) · epoch 1 of 1, held-out \d+\.\d%$/);
    const digit = await drawn(page, '[data-panel="input"] canvas');
    expect([digit.width, digit.height]).toEqual([28, 28]);
    // 6 filters of 5x5, scaled 10x, 4-pixel gaps: 6 * 50 + 7 * 4 by 50 + 2 * 4.
    const filters = await drawn(page, '[data-panel="filters"] canvas');
    expect([filters.width, filters.height]).toEqual([328, 58]);
    // conv1: 6 maps of 28x28 at 2x in a row; conv2: 16 maps of 10x10 at 4x, 8 to a row; 3-pixel gaps.
    const conv1 = await drawn(page, '[data-panel="featuremaps"] canvas[data-stage="conv1"]');
    expect([conv1.width, conv1.height]).toEqual([6 * 56 + 7 * 3, 56 + 2 * 3]);
    const conv2 = await drawn(page, '[data-panel="featuremaps"] canvas[data-stage="conv2"]');
    expect([conv2.width, conv2.height]).toEqual([8 * 40 + 9 * 3, 2 * 40 + 3 * 3]);
    const camInput = await drawn(page, '[data-panel="cam"] canvas >> nth=0');
    const cam = await drawn(page, '[data-panel="cam"] canvas >> nth=1', 20);
    expect([camInput.width, camInput.height, cam.width, cam.height]).toEqual([224, 224, 224, 224]);
    // The heat map colours the digit: the overlay has more colours than the grey input.
    expect(cam.colors).toBeGreaterThan(camInput.colors);
    await expect.poll(() => page.locator('[data-panel="cam"] .muted').last().textContent(), { timeout: 30_000 }).toMatch(/^Digit 0 \(label 0\), predicted \d \(\d+\.\d%\)\. Map of class \d .* at conv2, 10x10, resized to the input\.$/);
    const confusion = await drawn(page, '[data-panel="confusion"] canvas', 4);
    expect([confusion.width, confusion.height]).toEqual([740, 740]);
    const confusionCaption = page.locator('[data-panel="confusion"] p.muted').last();
    await expect.poll(() => confusionCaption.textContent(), { timeout: 30_000 }).toMatch(/^2,000 held-out digits, \d+\.\d% right/);
    // The matrix's diagonal is the held-out accuracy the training view reported.
    expect(percentIn(await confusionCaption.textContent())).toBe(heldOut);
    const summaryRows = page.locator('#summary tbody tr');
    await expect.poll(() => summaryRows.count(), { timeout: 10_000 }).toBe(5);
    expect(await summaryRows.nth(0).textContent()).toBe('conv1Conv2d[1, 6, 28, 28]156117,6005x5 (jump 1)');
    expect(await page.locator('#summary tfoot').textContent()).toBe('Total61,706416,520');
    await page.screenshot({ path: join(SHOTS, 'demo-understand.png'), fullPage: true });
    await page.locator('[data-panel="cam"]').screenshot({ path: join(SHOTS, 'demo-cam.png') });
    // Another digit redraws the views.
    await page.click('text=Next ▶');
    await expect.poll(() => page.locator('[data-panel="cam"] .muted').last().textContent(), { timeout: 30_000 }).toMatch(/^Digit 1 /);
    mark('understand views');

    // Play: a drawn stroke gets a prediction with ten probabilities.
    await page.click('#tab-play');
    const pad = (await page.locator('#draw-pad').boundingBox())!;
    await page.mouse.move(pad.x + pad.width / 2, pad.y + pad.height * 0.15);
    await page.mouse.down();
    await page.mouse.move(pad.x + pad.width / 2 + 4, pad.y + pad.height * 0.85, { steps: 10 });
    await page.mouse.up();
    await expect.poll(() => page.locator('#draw-prediction').textContent(), { timeout: 30_000 }).toMatch(/^It looks like a \d \(\d+\.\d%\)\.$/);
    const probs = await page.locator('.prob-value').allTextContents();
    expect(probs).toHaveLength(10);
    expect(probs.reduce((s, p) => s + percentIn(p), 0)).toBeCloseTo(1, 1);
    const seen = await drawn(page, 'canvas.seen', 2);
    expect([seen.width, seen.height]).toEqual([28, 28]);
    // Kernels through conv2d: Sobel x gives a signed image on the diverging map.
    await page.click('[data-kernel="Sobel x"]');
    await expect.poll(() => page.locator('[data-panel="kernels"] p.muted').textContent(), { timeout: 30_000 }).toMatch(/^Sobel x: /);
    const sobel = await drawn(page, '[data-panel="kernels"] canvas >> nth=1');
    expect([sobel.width, sobel.height]).toEqual([168, 168]);
    // Shift right by 2: the conv1 maps move with the input (equal to the shifted maps inside).
    await page.click('[data-shift="right"]');
    const detail = page.locator('[data-panel="equivariance"] p.muted');
    await expect.poll(() => detail.textContent(), { timeout: 30_000 }).toMatch(/^Input shifted by \(2, 0\)\./);
    const diff = Number(/largest difference (\S+) /.exec((await detail.textContent()) ?? '')?.[1]);
    expect(diff).toBeLessThan(1e-4);
    expect(await page.locator('#equivariance-prediction').textContent()).toMatch(/^Prediction \d \(\d+\.\d%\); unmoved: \d \(\d+\.\d%\)\.$/);
    await page.screenshot({ path: join(SHOTS, 'demo-play.png'), fullPage: true });
    mark('play views');

    // Checkpoint: save to a file, train a new model (other weights), load the file: the same accuracy again.
    await page.click('#tab-train');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#checkpoint-save')]);
    expect(download.suggestedFilename()).toBe('lenet5.safetensors');
    const file = join(SHOTS, 'demo-checkpoint.safetensors');
    await download.saveAs(file);
    await expect.poll(() => page.locator('#checkpoint-status').textContent(), { timeout: 10_000 }).toMatch(/^Saved lenet5\.safetensors \(\d+ KiB, epoch 1 of 1, held-out/);
    await page.fill('#input-batchSize', '64');
    await start.click();
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => stepCount(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(2);
    expect(Number(await chart.getAttribute('data-points'))).toBeLessThan(points2);
    await page.click('#stop');
    await expect.poll(() => start.isEnabled(), { timeout: 90_000 }).toBe(true);
    expect(percentIn(await page.locator('#metric-held-out-acc').textContent())).not.toBe(heldOut);
    await page.setInputFiles('#checkpoint-file', file);
    await expect.poll(() => page.locator('#checkpoint-status').textContent(), { timeout: 30_000 }).toMatch(/^Loaded LeNet-5 \(modern\) from demo-checkpoint\.safetensors: epoch 1 of 1/);
    await page.click('#tab-understand');
    await expect.poll(() => confusionCaption.textContent(), { timeout: 60_000 }).toMatch(/\(demo-checkpoint\.safetensors: epoch 1 of 1/);
    expect(percentIn(await confusionCaption.textContent())).toBe(heldOut);
    mark('checkpoint saved and loaded');
    expect(errors).toEqual([]);
    await page.context().close();
  }, 400_000);

  it('trains on the page thread too (?thread=page), pausing and stopping above chance', async () => {
    const { page, errors } = await openDemo(undefined, '?thread=page');
    const start = page.locator('#start');
    await expect.poll(() => start.isEnabled(), { timeout: 60_000 }).toBe(true);
    expect(await page.locator('#status').textContent()).toMatch(/ Training runs on the page’s thread \(\?thread=page\)\.$/);
    await page.fill('#input-epochs', '1');
    await page.fill('#input-batchSize', '32');
    await start.click();
    await expect.poll(() => stepCount(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(10);
    await page.click('#pause');
    await expect.poll(() => page.locator('#pause').textContent(), { timeout: 30_000 }).toBe('Resume');
    const pausedAt = await stepCount(page);
    await page.waitForTimeout(1000);
    expect(await stepCount(page)).toBe(pausedAt);
    await page.click('#pause');
    await expect.poll(() => stepCount(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(Math.max(pausedAt + 3, 40));
    await page.click('#stop');
    await expect.poll(() => start.isEnabled(), { timeout: 90_000 }).toBe(true);
    expect(percentIn(await page.locator('#metric-held-out-acc').textContent())).toBeGreaterThan(0.3);
    await page.click('#tab-understand');
    const cam = await drawn(page, '[data-panel="cam"] canvas >> nth=1', 20);
    expect([cam.width, cam.height]).toEqual([224, 224]);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 240_000);

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

  it('says the device was lost when it is lost during training, and resumes from the last checkpoint', async () => {
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
    // A first run, stopped at once, keeps its checkpoint in the browser.
    await start.click();
    await expect.poll(() => stepCount(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(1);
    await page.click('#stop');
    await expect.poll(() => page.locator('#checkpoint-status').textContent(), { timeout: 90_000 }).toBe('Kept epoch 1 in this browser.');
    await start.click();
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 90_000 }).toMatch(/^Training: /);
    await page.evaluate(() => (window as unknown as { testDevice: GPUDevice }).testDevice.destroy());
    const notice = page.locator('#notice');
    await expect.poll(() => notice.isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await notice.textContent()).toMatch(/The GPU device was lost/);
    await expect.poll(() => notice.textContent(), { timeout: 10_000 }).toMatch(/The weights after epoch 1 of 1, held-out \d+\.\d% are kept in this browser/);
    await expect.poll(() => page.locator('#stop').isDisabled(), { timeout: 30_000 }).toBe(true);
    expect(await start.isDisabled()).toBe(true);
    expect(await page.locator('#checkpoint-save').isDisabled()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'demo-device-lost.png'), fullPage: true });
    // WebGPU may log the destroyed device's failed work to the console; nothing may go uncaught.
    expect(errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
    // Resume: the page reloads on a new device with the kept weights.
    await page.click('#notice-action');
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 60_000 }).toMatch(/^Resumed from the last checkpoint: epoch 1 of 1, held-out \d+\.\d%\./);
    expect(await start.isEnabled()).toBe(true);
    expect(await page.locator('#notice').isHidden()).toBe(true);
    expect(await page.locator('#model-line').textContent()).toMatch(/^LeNet-5 \(modern\) · the last checkpoint: epoch 1 of 1/);
    await page.context().close();
  }, 240_000);

  it('draws the receptive field of a feature-map unit on the input: clicked, typed, or moved with the arrow keys', async () => {
    const { page, errors } = await openDemo(undefined, '#understand');
    const maps = page.locator('[data-panel="featuremaps"] canvas[data-stage="conv2"]');
    const c2 = await drawn(page, '[data-panel="featuremaps"] canvas[data-stage="conv2"]');
    // conv2: 16 maps of 10x10 at 4x, 8 to a row, 3-pixel gaps. Channel 9 is the second of the
    // second row; its unit (row 5, column 2) is at canvas pixel (46 + 2 * 4 + 2, 46 + 5 * 4 + 2).
    const box = (await maps.boundingBox())!;
    const k = box.width / c2.width;
    await maps.click({ position: { x: 56 * k, y: 68 * k } });
    const rf = page.locator('[data-panel="receptive"] canvas').first();
    await expect.poll(() => page.locator('[data-panel="receptive"] canvas').nth(1).getAttribute('data-unit'), { timeout: 30_000 }).toBe('conv2/9/5/2');
    // conv1 (5x5, padding 2) -> pool 2 -> conv2 (5x5): 14x14 pixels 2 apart, unit 0 from pixel -2:
    // rows 8 .. 21, columns 2 .. 15, all inside the digit.
    expect(await rf.getAttribute('data-window')).toBe('8,2,14,14');
    expect(await rf.getAttribute('data-seen')).toBe('8,2,14,14');
    expect(await page.locator('[data-panel="receptive"] p.muted').last().textContent()).toMatch(/^conv2, channel 9, unit \(row 5, column 2\) = -?\d+\.\d{3}: a 14x14 window of input pixels \(neighbouring units are 2 pixels apart\), all of it inside the digit: rows 8–21, columns 2–15\.$/);
    /** The colour of a canvas pixel. */
    const pixel = (x: number, y: number): Promise<number[]> =>
      rf.evaluate((c: HTMLCanvasElement, [px, py]) => Array.from(c.getContext('2d')!.getImageData(px!, py!, 1, 1).data.subarray(0, 3)), [x, y]);
    const isBox = (p: number[]): boolean => p[0]! > 180 && p[1]! < 90 && p[2]! < 120;
    // The solid box is drawn 14 * 6 = 84 canvas pixels a side, its edges at input pixels 2 and 16
    // (columns) and 8 and 22 (rows), plus the 4-pixel margin, 6 canvas pixels each.
    const stats = await canvasStats(page, '[data-panel="receptive"] canvas >> nth=0');
    expect([stats.width, stats.height]).toEqual([(28 + 8) * 6, (28 + 8) * 6]);
    const [left, right, top, bottom] = [(2 + 4) * 6, (16 + 4) * 6, (8 + 4) * 6, (22 + 4) * 6];
    const mid = (top + bottom) / 2;
    expect(isBox(await pixel(left + 1, mid))).toBe(true);
    expect(isBox(await pixel(right - 2, mid))).toBe(true);
    expect(isBox(await pixel((left + right) / 2, top + 1))).toBe(true);
    expect(isBox(await pixel((left + right) / 2, bottom - 2))).toBe(true);
    expect(isBox(await pixel(left - 3, mid))).toBe(false);
    expect(isBox(await pixel(right + 2, mid))).toBe(false);
    await page.locator('[data-panel="receptive"]').screenshot({ path: join(SHOTS, 'demo-receptive.png') });

    // Keyboard: conv1's corner unit sees a 5x5 window from pixel -2, of which 3x3 is the digit.
    await page.selectOption('#rf-stage', 'conv1');
    // The stage change re-renders the unit fields: wait for conv1's 5x5 window before typing.
    await expect.poll(() => rf.getAttribute('data-window'), { timeout: 30_000 }).toMatch(/,5,5$/);
    await page.fill('#rf-row', '0');
    await page.press('#rf-row', 'Tab');
    await page.fill('#rf-col', '0');
    await page.press('#rf-col', 'Tab');
    await expect.poll(() => rf.getAttribute('data-seen'), { timeout: 30_000 }).toBe('0,0,3,3');
    expect(await rf.getAttribute('data-window')).toBe('-2,-2,5,5');
    await page.locator('[data-panel="receptive"] canvas').nth(1).focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => rf.getAttribute('data-seen'), { timeout: 30_000 }).toBe('0,0,3,4');
    await page.locator('[data-panel="receptive"]').screenshot({ path: join(SHOTS, 'demo-receptive-edge.png') });
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('trains on a dropped Fashion-MNIST-format IDX pair (images gzipped), with its class names; reads a CIFAR-10 batch and a folder of images', async () => {
    // 300 images of 28x28: class k is a bright 6x6 square at one of ten places, on noise.
    const n = 300;
    const idx = (dims: number[], data: Uint8Array): Buffer => {
      const head = Buffer.alloc(4 + 4 * dims.length);
      head[2] = 0x08;
      head[3] = dims.length;
      dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
      return Buffer.concat([head, Buffer.from(data)]);
    };
    const pixels = new Uint8Array(n * 784);
    const labels = new Uint8Array(n);
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < n; i++) {
      const k = i % 10;
      labels[i] = k;
      const [r0, c0] = [3 + 8 * Math.floor(k / 3), 3 + 8 * (k % 3) + (k === 9 ? 4 : 0)];
      for (let p = 0; p < 784; p++) pixels[i * 784 + p] = Math.floor(rand() * 40);
      for (let r = r0; r < r0 + 6; r++) for (let c = c0; c < c0 + 6; c++) pixels[i * 784 + r * 28 + c] = 200 + Math.floor(rand() * 55);
    }
    const files = [
      { name: 'train-images-idx3-ubyte.gz', bytes: gzipSync(idx([n, 28, 28], pixels)).toString('base64') },
      { name: 'train-labels-idx1-ubyte', bytes: idx([n], labels).toString('base64') },
    ];
    const { page, errors } = await openDemo();
    const start = page.locator('#start');
    await expect.poll(() => start.isEnabled(), { timeout: 60_000 }).toBe(true);
    expect(await page.locator('#dataset-status').textContent()).toMatch(/^MNIST digits \(shipped\): 8,000 training images, 2,000 held out; classes 0, 1, .*9\.$/);
    // A real drop event on the drop zone, its DataTransfer holding the two files.
    await page.evaluate((fs) => {
      const dt = new DataTransfer();
      for (const f of fs) dt.items.add(new File([Uint8Array.from(atob(f.bytes), (ch) => ch.charCodeAt(0))], f.name));
      const zone = document.getElementById('dataset-drop')!;
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, files);
    await expect.poll(() => page.locator('#dataset-status').textContent(), { timeout: 30_000 }).toMatch(/^Fashion-MNIST \(your files\)/);
    expect(await page.locator('#dataset-status').textContent()).toBe(
      'Fashion-MNIST (your files): 240 training images, 60 held out; classes T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot.',
    );
    expect(await page.locator('#dataset-note').textContent()).toBe('train-images-idx3-ubyte.gz, 20% held out.');
    expect(await page.locator('#status').textContent()).toMatch(/^Ready: 240 training images, 60 held out\./);
    await page.screenshot({ path: join(SHOTS, 'demo-dataset.png'), fullPage: true });
    // Train on it: 3 epochs of 15 steps, in the worker, scored on the 60 held out.
    await page.fill('#input-epochs', '3');
    await page.fill('#input-batchSize', '16');
    await start.click();
    await expect.poll(() => page.locator('#progress-label').textContent(), { timeout: 60_000 }).toMatch(/step \d+ of 15 /);
    expect(await page.locator('#dataset-files').isDisabled()).toBe(true);
    await expect.poll(() => start.isEnabled(), { timeout: 120_000 }).toBe(true);
    expect(await page.locator('#status').textContent()).toMatch(/^Finished/);
    const acc = percentIn(await page.locator('#metric-held-out-acc').textContent());
    expect(acc).toBeGreaterThan(0.3); // chance: 10%
    // The views show its images and class names.
    await page.click('#tab-understand');
    await expect.poll(() => page.locator('[data-panel="input"] p.muted').last().textContent(), { timeout: 30_000 }).toMatch(
      /^Held-out image 0 of 60, labelled (T-shirt\/top|Trouser|Pullover|Dress|Coat|Sandal|Shirt|Sneaker|Bag|Ankle boot)\. /,
    );
    // Back to the shipped digits.
    await page.click('#tab-train');
    await page.click('text=Use the shipped digits');
    await expect.poll(() => page.locator('#dataset-status').textContent(), { timeout: 10_000 }).toMatch(/^MNIST digits \(shipped\)/);

    // A CIFAR-10 batch (50 records: a label byte, then 32x32 red, green and blue planes), dropped.
    const cifar = Buffer.alloc(50 * 3073);
    for (let i = 0; i < 50; i++) {
      cifar[i * 3073] = i % 10;
      for (let p = 1; p < 3073; p++) cifar[i * 3073 + p] = (i * 7 + p) % 256;
    }
    await page.evaluate((b64) => {
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0))], 'data_batch_1.bin'));
      document.getElementById('dataset-drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, cifar.toString('base64'));
    await expect.poll(() => page.locator('#dataset-status').textContent(), { timeout: 30_000 }).toBe(
      'CIFAR-10 (your files): 40 training images, 10 held out; classes airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck.',
    );
    expect(await page.locator('#dataset-note').textContent()).toMatch(/as 28x28 grey ones/);

    // A folder of images, one sub-folder per class, through the folder button (the keyboard way).
    const dir = mkdtempSync(join(tmpdir(), 'webtrain-folder-'));
    const bmp = (v: number): Buffer => {
      // An 8x8 24-bit BMP of grey v (rows padded to 4 bytes: 24 bytes each, none needed).
      const b = Buffer.alloc(54 + 8 * 24);
      b.write('BM', 0);
      b.writeUInt32LE(b.length, 2);
      b.writeUInt32LE(54, 10);
      b.writeUInt32LE(40, 14);
      b.writeInt32LE(8, 18);
      b.writeInt32LE(8, 22);
      b.writeUInt16LE(1, 26);
      b.writeUInt16LE(24, 28);
      b.fill(v, 54);
      return b;
    };
    for (const [cls, v] of [['circles', 40], ['squares', 220]] as const) {
      mkdirSync(join(dir, 'shapes', cls), { recursive: true });
      for (let i = 0; i < 5; i++) writeFileSync(join(dir, 'shapes', cls, `${i}.bmp`), bmp(v + i));
    }
    // The page reads the files from disk when it decodes them: the folder stays until then.
    try {
      await page.setInputFiles('#dataset-folder', join(dir, 'shapes'));
      await expect
        .poll(async () => `${await page.locator('#dataset-status').textContent()} | ${await page.locator('#dataset-note').textContent()}`, { timeout: 30_000 })
        .toMatch(/^10 images in 2 folders \(your files\): 8 training images, 2 held out; classes circles, squares\. \| /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await page.locator('#dataset-note').textContent()).toBe('Decoded grey at 28x28 for LeNet-5; 20% held out. The model keeps ten outputs; 8 are unused.');
    expect(errors).toEqual([]);
    await page.context().close();
  }, 240_000);

  it('runs the Benchmark tab\'s quick preset: webtrain and tfjs figures for every case, with the adapter named', async () => {
    const t0 = performance.now();
    const { page, errors } = await openDemo(undefined, '#bench');
    await expect.poll(() => page.locator('#start').isEnabled(), { timeout: 60_000 }).toBe(true);
    expect(await page.locator('#view-bench').isVisible()).toBe(true);
    expect(await page.locator('#bench-preset').inputValue()).toBe('quick');
    await page.click('#bench-run');
    await expect.poll(() => page.locator('#bench-status').textContent(), { timeout: 90_000 }).toMatch(/^Done: 6 cases in \d+\.\d s\.$|failed/);
    expect(await page.locator('#bench-status').textContent()).toMatch(/^Done/);
    const benchLog = (await page.locator('#bench-log').textContent()) ?? '';
    console.log(benchLog.split('\n').filter((l) => /^\S|done in/.test(l)).join('\n'));
    console.log(`[demo test] benchmark quick preset: ${await page.locator('#bench-status').textContent()} (${((performance.now() - t0) / 1000).toFixed(1)} s with the page load)`);
    expect(await page.locator('#bench-adapter').textContent()).toMatch(/^Adapter: .*browser.* \(tfjs on the same adapter\) · TensorFlow\.js 4\.22\.0$/);
    const rows = page.locator('#bench-table tbody tr');
    expect(await rows.count()).toBe(6);
    for (let i = 0; i < 6; i++) {
      const row = rows.nth(i);
      for (const lib of ['webtrain', 'tfjs']) expect(await row.locator(`td[data-lib="${lib}"]`).textContent()).toMatch(/^\d+(\.\d+)?$/);
      expect(await row.locator('td[data-lib="ratio"]').textContent()).toMatch(/^\d+\.\d\dx$/);
    }
    // Every case with a cross-check computed the same numbers in both libraries.
    expect(await page.locator('#bench-table td', { hasText: /^NO$/ }).count()).toBe(0);
    expect(await page.locator('#bench-run').isEnabled()).toBe(true);
    await page.locator('[data-panel="bench"]').screenshot({ path: join(SHOTS, 'demo-bench.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SHOTS, 'demo-bench-phone.png'), fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 180_000);
});
