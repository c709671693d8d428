/**
 * The webtrain demo: a CNN learns MNIST in the page, on the GPU, and shows what it learned. main.ts
 * starts WebGPU, loads the digits, mounts the panels in the tabs and wires the controls to the
 * training session and to the page's model (App). To add a view, write a Panel (panel.ts) and add
 * it to `panels` below; to add a model, add it to models.ts.
 */
import './style.css';
import * as wt from '../src/index.js';
import { App } from './app.js';
import { readCheckpoint, storedCheckpoint } from './checkpoint.js';
import { costNote, modelById } from './models.js';
import { Notice, describeError } from './notice.js';
import type { Panel } from './panel.js';
import { BenchPanel } from './panels/bench.js';
import { CamPanel } from './panels/cam.js';
import { ChartPanel } from './panels/chart.js';
import { DatasetPanel } from './panels/dataset.js';
import { CheckpointPanel } from './panels/checkpoint.js';
import { ConfusionPanel } from './panels/confusion.js';
import { ControlsPanel } from './panels/controls.js';
import { DrawPanel } from './panels/draw.js';
import { EpochsPanel } from './panels/epochs.js';
import { EquivariancePanel } from './panels/equivariance.js';
import { FeatureMapsPanel } from './panels/featuremaps.js';
import { FiltersPanel } from './panels/filters.js';
import { InputPanel } from './panels/input.js';
import { KernelsPanel } from './panels/kernels.js';
import { MetricsPanel } from './panels/metrics.js';
import { ReceptivePanel } from './panels/receptive.js';
import { SummaryPanel } from './panels/summary.js';
import { TrainingSession, loadDemoData, type DemoData } from './session.js';
import { WorkerSession } from './worker-session.js';
import { Tabs } from './tabs.js';

const notice = new Notice(document.getElementById('notice')!);
const adapterBadge = document.getElementById('adapter')!;
const modelLine = document.getElementById('model-line')!;
let app: App | null = null;
const getApp = (): App | null => app;

const controls = new ControlsPanel();
const dataset = new DatasetPanel();
const checkpoints = new CheckpointPanel(getApp);
const draw = new DrawPanel(getApp);
const panels: Panel[] = [
  controls,
  dataset,
  checkpoints,
  new EpochsPanel(),
  new MetricsPanel(),
  new ChartPanel(),
  new InputPanel(getApp),
  new FiltersPanel(getApp),
  new FeatureMapsPanel(getApp),
  new ReceptivePanel(getApp),
  new CamPanel(getApp),
  new ConfusionPanel(getApp),
  new SummaryPanel(getApp),
  draw,
  new KernelsPanel(getApp, () => draw.digit),
  new EquivariancePanel(getApp),
  new BenchPanel(),
];
for (const p of panels) document.getElementById(`slot-${p.slot}`)!.append(p.root);
const tabs = new Tabs(document.querySelector('[role="tablist"]')!);
tabs.onShow = () => app?.refreshShown();

let device: wt.Device | null = null;
/** Whether a device (the page's or the training worker's) was lost; set in boot. */
let deviceLostMeanwhile = (): boolean => false;

/** What main.ts drives: training on this thread, or in the worker. */
type Session = Pick<TrainingSession, 'start' | 'pause' | 'resumeRun' | 'stop' | 'onWeights' | 'setData'>;

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
  if (deviceLostMeanwhile()) return true;
  const d = device;
  if (!d) return false;
  await Promise.race([d.gpu.lost, new Promise((r) => setTimeout(r, 1000))]);
  return d.lost || deviceLostMeanwhile();
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

function showModel(a: App): void {
  modelLine.textContent = `${a.choice.label} · ${a.source}`;
}

/** The cost line under the model select, for the chosen model on this adapter (cached per model). */
const notes = new Map<string, { text: string; heavy: boolean }>();
function showCost(a: App, id: string): void {
  let n = notes.get(id);
  if (!n) notes.set(id, (n = costNote(modelById(id), a.adapter, a.data.train.count)));
  controls.modelNote.textContent = n.text;
  controls.modelNote.classList.toggle('heavy', n.heavy);
}

/** With ?resume in the address (offered after a lost device), the browser's checkpoint is loaded at start. */
async function resumeFromStore(a: App): Promise<string | null> {
  if (!new URLSearchParams(location.search).has('resume')) return null;
  history.replaceState(null, '', location.pathname + location.hash);
  const s = await storedCheckpoint();
  if (!s) return 'No checkpoint was kept in this browser, so training starts afresh.';
  const c = await readCheckpoint(s.bytes, 'the last checkpoint');
  a.setModel(c.choice, c.model, c.source);
  return `Resumed from ${c.source}. Tick “Continue from the current weights” to train it further.`;
}

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

  let session: Session | null = null;
  let lost = false;
  /** The page's device or the training worker's was lost: say so, and offer the kept checkpoint. */
  const deviceLost = async (detail: string): Promise<void> => {
    if (lost) return;
    lost = true;
    session?.stop();
    controls.setIdle(false, 'The GPU device was lost.');
    checkpoints.deviceLost();
    adapterBadge.classList.add('adapter-missing');
    const stored = await storedCheckpoint().catch(() => null);
    const resume = stored ? ` The weights after ${stored.source} are kept in this browser: reload to resume from them.` : ' No checkpoint was kept yet (one is kept after every epoch); reload the page to start again.';
    notice.show('error', 'The GPU device was lost', `The browser took the GPU away from this page (a driver reset, the GPU being reclaimed, or too much work at once). Training cannot continue on this device.${resume}`, {
      detail,
      reload: true,
      ...(stored ? { action: { label: 'Resume from the last checkpoint', run: () => location.assign(`${location.pathname}?resume${location.hash}`) } } : {}),
    });
  };
  deviceLostMeanwhile = () => lost;
  void d.gpu.lost.then((info) => deviceLost(`${info.reason}: ${info.message || 'no message'}`));

  let data;
  try {
    data = await loadDemoData();
  } catch (e) {
    notice.show('error', 'Could not load the MNIST digits', 'The dev server should serve them at /@webtrain/mnist.bin; start the demo with `npm run demo`.', { detail: describeError(e), reload: true });
    controls.setIdle(false, 'No data.');
    return;
  }
  const a = (app = new App(data, d.adapter, controls.modelId));
  a.addViews(panels);
  a.onChange(() => showModel(a));
  showModel(a);
  showCost(a, controls.modelId);
  controls.onModelChange = (id) => {
    showCost(a, id);
    // An untrained model follows the select, so the views show the architecture chosen.
    if (a.source === 'untrained' && id !== a.choice.id) {
      const c = modelById(id);
      a.setModel(c, c.build(), 'untrained');
    }
  };
  // Training goes to a worker where the browser gives workers WebGPU; else it runs on this thread.
  controls.setIdle(false, 'Starting the training worker…');
  // ?thread=page keeps it on this thread (to compare, or where a worker misbehaves).
  const onPage = new URLSearchParams(location.search).get('thread') === 'page';
  const worker = onPage ? null : await WorkerSession.create(panels);
  const s: Session = (session = worker ?? new TrainingSession(data, panels));
  if (worker) worker.onLost = (detail) => void deviceLost(`training worker: ${detail}`);
  const where = worker ? 'Training runs in a Web Worker.' : onPage ? 'Training runs on the page’s thread (?thread=page).' : 'Training runs on the page’s thread (no WebGPU in workers here).';
  s.onWeights = (choice, model, source) => a.setModel(choice, model, source);
  controls.onStart = (config) => {
    void s.start(config, config.model === a.choice.id ? a.model : null).then((end) => {
      if (end.reason === 'failed') void reportUnexpected('Training failed', 'webtrain stopped with an error.', end.error);
    });
  };
  controls.onPause = () => s.pause();
  controls.onResume = () => s.resumeRun();
  controls.onStop = () => s.stop();
  checkpoints.enable(true);
  let resumed: string | null = null;
  try {
    resumed = await resumeFromStore(a);
  } catch (e) {
    resumed = `The last checkpoint could not be loaded: ${describeError(e)}`;
  }
  const shipped = data;
  const ready = (d: DemoData): string => `Ready: ${d.train.count.toLocaleString('en-US')} training ${d === shipped ? 'digits' : 'images'}, ${d.heldOut.count.toLocaleString('en-US')} held out. ${where}`;
  dataset.show(data, true);
  dataset.onChoose = (chosen) => {
    const d = chosen ?? shipped;
    a.setData(d);
    s.setData(d);
    dataset.show(d, d === shipped);
    controls.setIdle(true, ready(d));
  };
  controls.setIdle(true, resumed ?? ready(data));
  a.refreshShown();
}

void boot();
