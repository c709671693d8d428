/**
 * The webtrain demo: LeNet-5 learns MNIST in the page, on the GPU. main.ts starts WebGPU, loads the
 * digits, mounts the panels and wires Start/Stop to the training session. To add a view, write a
 * Panel (panel.ts) and add it to `panels` below.
 */
import './style.css';
import * as wt from '../src/index.js';
import { Notice, describeError } from './notice.js';
import type { Panel } from './panel.js';
import { ChartPanel } from './panels/chart.js';
import { ControlsPanel } from './panels/controls.js';
import { EpochsPanel } from './panels/epochs.js';
import { MetricsPanel } from './panels/metrics.js';
import { TrainingSession, loadDemoData } from './session.js';

const notice = new Notice(document.getElementById('notice')!);
const adapterBadge = document.getElementById('adapter')!;
const controls = new ControlsPanel();
const panels: Panel[] = [controls, new MetricsPanel(), new ChartPanel(), new EpochsPanel()];
for (const p of panels) document.getElementById(`slot-${p.slot}`)!.append(p.root);

let device: wt.Device | null = null;

function noWebGpu(detail: string): void {
  adapterBadge.textContent = 'no WebGPU';
  adapterBadge.classList.add('adapter-missing');
  const where = window.isSecureContext
    ? 'Use a recent Chrome or Edge (113 or later), Safari 26 or Firefox 141. On Linux, Chromium may need to be started with --enable-unsafe-webgpu (and --use-webgpu-adapter=swiftshader to run on the CPU).'
    : 'WebGPU only works on secure pages: open this demo from https:// or from http://localhost.';
  notice.show('error', 'WebGPU is not available in this browser', `This demo trains a neural network on your GPU through WebGPU, which this page cannot use. ${where}`, { detail });
  controls.setIdle(false, 'Cannot train without WebGPU.');
}

/**
 * Whether the device is lost, waiting a moment for it: a lost device can first show up as a failed
 * readback, before its `lost` promise resolves. Errors that follow a loss are its consequences, and
 * the loss notice already explains them.
 */
async function lostMeanwhile(): Promise<boolean> {
  const d = device;
  if (!d) return false;
  await Promise.race([d.gpu.lost, new Promise((r) => setTimeout(r, 1000))]);
  return d.lost;
}

async function reportUnexpected(title: string, text: string, error: unknown): Promise<void> {
  if (await lostMeanwhile()) return;
  console.error(error);
  notice.show('error', title, `${text} See the browser console for details.`, { detail: describeError(error), reload: true });
}

window.addEventListener('error', (ev) => {
  // Browsers report this when a layout settles over two frames; it is harmless.
  if (/ResizeObserver loop/.test(ev.message)) return;
  void reportUnexpected('Something went wrong', 'The page hit an unexpected error.', ev.error ?? ev.message);
});
window.addEventListener('unhandledrejection', (ev) => {
  ev.preventDefault(); // reported below (or explained by the device-lost notice)
  void reportUnexpected('Something went wrong', 'The page hit an unexpected error.', ev.reason);
});

async function boot(): Promise<void> {
  if (!navigator.gpu) {
    noWebGpu('navigator.gpu is undefined');
    return;
  }
  let d: wt.Device;
  try {
    d = device = await wt.init({ powerPreference: 'high-performance' });
  } catch (e) {
    noWebGpu(describeError(e));
    return;
  }
  adapterBadge.textContent = wt.describeAdapter(d.adapter);
  adapterBadge.title = `WebGPU adapter: ${adapterBadge.textContent}`;
  controls.setIdle(false, 'Loading the MNIST digits…');

  let session: TrainingSession | null = null;
  void d.gpu.lost.then((info) => {
    session?.stop();
    controls.setIdle(false, 'The GPU device was lost.');
    adapterBadge.classList.add('adapter-missing');
    notice.show(
      'error',
      'The GPU device was lost',
      'The browser took the GPU away from this page (a driver reset, the GPU being reclaimed, or too much work at once). Training cannot continue on this device; reload the page to start again.',
      { detail: `${info.reason}: ${info.message || 'no message'}`, reload: true },
    );
  });

  let data;
  try {
    data = await loadDemoData();
  } catch (e) {
    notice.show('error', 'Could not load the MNIST digits', 'The dev server should serve them at /@webtrain/mnist.bin; start the demo with `npm run demo`.', { detail: describeError(e), reload: true });
    controls.setIdle(false, 'No data.');
    return;
  }
  const s = (session = new TrainingSession(data, panels));
  controls.onStart = (config) => {
    void s.start(config).then((end) => {
      if (end.reason === 'failed') void reportUnexpected('Training failed', 'webtrain stopped with an error.', end.error);
    });
  };
  controls.onStop = () => s.stop();
  controls.setIdle(true, `Ready: ${data.train.count.toLocaleString('en-US')} training digits, ${data.heldOut.count.toLocaleString('en-US')} held out.`);
}

void boot();
