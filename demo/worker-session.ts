/**
 * Training in a dedicated worker (train-worker.ts), seen from the page: the same interface as
 * TrainingSession, its panel hooks replayed from the worker's messages, and the weights the views
 * show loaded into a model of the page's own device whenever the worker sends them (at the start,
 * after each epoch, when paused). `create` resolves to null where the browser gives workers no
 * WebGPU; the page then trains on its own thread.
 */
import type * as wt from '../src/index.js';
import { checkpointBlob, readCheckpoint } from './checkpoint.js';
import { modelById, type ModelChoice } from './models.js';
import type { Panel, RunConfig, RunEnd, RunInfo } from './panel.js';
import type { DemoData } from './session.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

/** How long the worker may take to start WebGPU and load its digits. */
const START_TIMEOUT_MS = 60_000;

export class WorkerSession {
  onWeights: (choice: ModelChoice, model: wt.nn.Module, source: string) => void = () => {};
  /** The worker's device was lost. */
  onLost: (detail: string) => void = () => {};
  private current: RunInfo | null = null;
  private finish: ((end: RunEnd) => void) | null = null;
  /** Weights arrive in order; each waits for the one before, so an older one never wins. */
  private loading: Promise<void> = Promise.resolve();

  private constructor(
    private readonly worker: Worker,
    private readonly panels: readonly Panel[],
    /** The worker's adapter, as wt.describeAdapter gives it. */
    readonly adapter: string,
  ) {
    worker.onmessage = (ev: MessageEvent<FromWorker>) => this.handle(ev.data);
    // An error the worker did not catch ends the run in flight as failed, so the page never waits on it.
    worker.onerror = (ev) => {
      ev.preventDefault();
      this.handle({ type: 'runEnded', end: { reason: 'failed', seconds: 0, error: `the training worker: ${ev.message}` } });
    };
  }

  static async create(panels: readonly Panel[]): Promise<WorkerSession | null> {
    if (typeof Worker === 'undefined') return null;
    let worker: Worker;
    try {
      worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module', name: 'webtrain training' });
    } catch {
      return null;
    }
    const first = await new Promise<FromWorker | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), START_TIMEOUT_MS);
      worker.onmessage = (ev: MessageEvent<FromWorker>) => {
        clearTimeout(timer);
        resolve(ev.data);
      };
      worker.onerror = (ev) => {
        clearTimeout(timer);
        ev.preventDefault();
        resolve(null);
      };
    });
    if (!first || first.type !== 'ready') {
      worker.terminate();
      return null;
    }
    return new WorkerSession(worker, panels, first.adapter);
  }

  get running(): boolean {
    return this.finish !== null;
  }

  async start(config: RunConfig, from: wt.nn.Module | null): Promise<RunEnd> {
    if (this.finish) throw new Error('A run is already in progress.');
    const done = new Promise<RunEnd>((resolve) => (this.finish = resolve));
    const choice = modelById(config.model);
    const bytes = config.continueFrom && from ? new Uint8Array(await (await checkpointBlob(choice, from.stateDict(), 'the page')).arrayBuffer()) : null;
    this.post({ type: 'start', config, from: bytes }, bytes ? [bytes.buffer] : []);
    return done;
  }

  /** The dataset of the next runs (copied to the worker). */
  setData(data: DemoData): void {
    this.post({ type: 'data', data });
  }

  pause(): void {
    this.post({ type: 'pause' });
  }

  resumeRun(): void {
    this.post({ type: 'resume' });
  }

  stop(): void {
    if (!this.finish) return;
    this.post({ type: 'stop' });
    const run = this.current;
    if (run) this.emit((p) => p.evaluating?.(run));
  }

  private post(m: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  private emit(f: (p: Panel) => void): void {
    for (const p of this.panels) f(p);
  }

  private handle(m: FromWorker): void {
    const run = this.current;
    switch (m.type) {
      case 'runStarted': {
        const choice = modelById(m.run.config.model);
        const info: RunInfo = { ...m.run, choice, model: choice.build() };
        this.current = info;
        this.emit((p) => p.runStarted?.(info));
        return;
      }
      case 'weights':
        this.loading = this.loading.then(async () => {
          try {
            const c = await readCheckpoint(m.bytes, 'the worker');
            if (this.current) this.current.model = c.model;
            this.onWeights(c.choice, c.model, m.source);
          } catch (e) {
            // The views keep the previous weights; the run itself goes on.
            console.warn('the weights from the training worker could not be loaded:', e);
          }
        });
        return;
      case 'lost':
        this.onLost(m.reason);
        return;
      case 'runEnded': {
        const finish = this.finish;
        if (!finish) return;
        this.finish = null;
        if (run) this.emit((p) => p.runEnded?.(m.end, run));
        finish(m.end);
        return;
      }
      case 'ready':
      case 'unavailable':
        return;
    }
    if (!run) return;
    switch (m.type) {
      case 'step':
        this.emit((p) => p.step?.(m.step, run));
        break;
      case 'evaluating':
        this.emit((p) => p.evaluating?.(run));
        break;
      case 'epochEnded':
        this.emit((p) => p.epochEnded?.(m.epoch, run));
        break;
      case 'paused':
        this.emit((p) => p.paused?.(m.paused, run));
        break;
      case 'kept':
        this.emit((p) => p.kept?.(m.epoch, m.error));
        break;
    }
  }
}
