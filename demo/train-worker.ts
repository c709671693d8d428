/**
 * The training worker: WebGPU in a dedicated worker (Chromium has navigator.gpu there), its own
 * device and its own copy of the digits, so the page's thread never records a training step. It runs
 * the same TrainingSession as the page would and relays every panel hook as a message; the weights
 * the views show (at the start, after each epoch, when paused) go to the page as safetensors bytes.
 */
import * as wt from '../src/index.js';
import { checkpointBlob, readCheckpoint, snapshot } from './checkpoint.js';
import type { Panel } from './panel.js';
import { TrainingSession, loadDemoData } from './session.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

const scope = self as unknown as { postMessage(m: FromWorker, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<ToWorker>) => void) | null };
const post = (m: FromWorker, transfer: Transferable[] = []): void => scope.postMessage(m, transfer);

/** Sends a copy of the weights as they are now (copies recorded at once, read afterwards). */
function sendWeights(choice: Parameters<typeof checkpointBlob>[0], model: wt.nn.Module, source: string): void {
  void checkpointBlob(choice, snapshot(model), source)
    .then((b) => b.arrayBuffer())
    .then((buf) => post({ type: 'weights', source, bytes: new Uint8Array(buf) }, [buf]));
}

const relay: Panel = {
  root: undefined as unknown as HTMLElement,
  slot: 'train-wide',
  runStarted: (run) => post({ type: 'runStarted', run: { config: run.config, stepsPerEpoch: run.stepsPerEpoch, totalSteps: run.totalSteps, trainCount: run.trainCount, heldOutCount: run.heldOutCount } }),
  step: (step) => post({ type: 'step', step }),
  evaluating: () => post({ type: 'evaluating' }),
  epochEnded: (epoch) => post({ type: 'epochEnded', epoch }),
  paused: (paused) => post({ type: 'paused', paused }),
  kept: (epoch, error) => post({ type: 'kept', epoch, error }),
  runEnded: (end) => post({ type: 'runEnded', end: end.reason === 'failed' ? { ...end, error: end.error instanceof Error ? `${end.error.name}: ${end.error.message}` : String(end.error) } : end }),
};

async function main(): Promise<void> {
  let device: wt.Device;
  try {
    if (!navigator.gpu) throw new Error('navigator.gpu is undefined in a worker');
    device = await wt.init({ powerPreference: 'high-performance' });
  } catch (e) {
    post({ type: 'unavailable', reason: e instanceof Error ? e.message : String(e) });
    return;
  }
  void device.gpu.lost.then((info) => post({ type: 'lost', reason: `${info.reason}: ${info.message || 'no message'}` }));
  const data = await loadDemoData(() => wt.loadMnist());
  const session = new TrainingSession(data, [relay]);
  session.onWeights = (choice, model, source) => sendWeights(choice, model, source);
  scope.onmessage = (ev) => {
    const m = ev.data;
    if (m.type === 'start') {
      void (async () => {
        let from: wt.nn.Module | null = null;
        try {
          from = m.from ? (await readCheckpoint(m.from, 'the page')).model : null;
        } catch (e) {
          post({ type: 'runEnded', end: { reason: 'failed', seconds: 0, error: `the weights to continue from: ${e instanceof Error ? e.message : String(e)}` } });
          return;
        }
        await session.start(m.config, from);
      })();
    } else if (m.type === 'data') session.setData(m.data);
    else if (m.type === 'pause') session.pause();
    else if (m.type === 'resume') session.resumeRun();
    else if (m.type === 'stop') session.stop();
  };
  post({ type: 'ready', adapter: wt.describeAdapter(device.adapter) });
}

void main();
