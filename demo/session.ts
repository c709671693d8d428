/**
 * One training run at a time on the demo's data: builds LeNet-5, Adam with a one-cycle schedule and
 * the loaders, runs `wt.fit`, and tells the panels what happens. Stop aborts after the current step;
 * fit then scores the stopped model on the held-out digits.
 */
import * as wt from '../src/index.js';
import type { Panel, RunConfig, RunEnd, RunInfo, RunStep } from './panel.js';

export interface DemoData {
  train: wt.ImageDataset;
  heldOut: wt.ImageDataset;
}

/** Loads the 10,000 MNIST digits served by the dev server and splits them 8,000 / 2,000. */
export async function loadDemoData(): Promise<DemoData> {
  const mnist = await wt.loadMnist();
  const split = wt.mnistSplit(mnist);
  const all = wt.mnistDataset(mnist);
  return { train: wt.subset(all, split.train), heldOut: wt.subset(all, split.test) };
}

const SEED = 0;

export class TrainingSession {
  private controller: AbortController | null = null;
  private current: RunInfo | null = null;
  private optimizer: wt.optim.Adam | null = null;

  constructor(
    private readonly data: DemoData,
    private readonly panels: readonly Panel[],
  ) {}

  get running(): boolean {
    return this.controller !== null;
  }

  /** The run in progress, or the last one (its model stays alive for views until the next run). */
  get run(): RunInfo | null {
    return this.current;
  }

  async start(config: RunConfig): Promise<RunEnd> {
    if (this.controller) throw new Error('A run is already in progress.');
    const controller = new AbortController();
    this.controller = controller;
    const t0 = performance.now();
    let run: RunInfo | null = null;
    let end: RunEnd;
    try {
      this.releaseLastRun();
      wt.manualSeed(SEED);
      const normalize = new wt.transforms.Normalize([0.1307], [0.3081]);
      const train = new wt.DataLoader(this.data.train, { batchSize: config.batchSize, shuffle: true, seed: SEED, transform: normalize });
      const test = new wt.DataLoader(this.data.heldOut, { batchSize: 500, transform: normalize });
      const model = new wt.LeNet5();
      const optimizer = new wt.optim.Adam(model.parameters(), { lr: config.lr });
      const totalSteps = config.epochs * train.length;
      const scheduler = new wt.optim.OneCycleLR(optimizer, config.lr, { totalSteps });
      this.optimizer = optimizer;
      const info: RunInfo = {
        config,
        model,
        stepsPerEpoch: train.length,
        totalSteps,
        trainCount: this.data.train.count,
        heldOutCount: this.data.heldOut.count,
      };
      run = this.current = info;
      this.emit((p) => p.runStarted?.(info));
      let stepsDone = 0;
      await wt.fit({
        model,
        optimizer,
        scheduler,
        train,
        test,
        epochs: config.epochs,
        signal: controller.signal,
        onStep: (s) => {
          stepsDone = s.step;
          const step: RunStep = { ...s, globalStep: (s.epoch - 1) * s.stepsPerEpoch + s.step };
          this.emit((p) => p.step?.(step, info));
          if (s.step === s.stepsPerEpoch) this.emit((p) => p.evaluating?.(info));
        },
        onEpoch: (e) => {
          const epoch = { ...e, stepsDone, globalStep: (e.epoch - 1) * info.stepsPerEpoch + stepsDone };
          this.emit((p) => p.epochEnded?.(epoch, info));
        },
      });
      end = { reason: controller.signal.aborted ? 'stopped' : 'finished', seconds: (performance.now() - t0) / 1000 };
    } catch (error) {
      end = { reason: 'failed', seconds: (performance.now() - t0) / 1000, error };
    } finally {
      this.controller = null;
    }
    if (run) {
      const r = run;
      this.emit((p) => p.runEnded?.(end, r));
    }
    return end;
  }

  /** Stops after the current step; the stopped model is then scored on the held-out digits. */
  stop(): void {
    if (!this.controller || this.controller.signal.aborted) return;
    this.controller.abort();
    const run = this.current;
    if (run) this.emit((p) => p.evaluating?.(run));
  }

  private emit(f: (p: Panel) => void): void {
    for (const p of this.panels) f(p);
  }

  /** Frees the previous run's parameters and Adam moments on the GPU. */
  private releaseLastRun(): void {
    if (!this.current) return;
    for (const p of this.current.model.parameters()) p.dispose();
    for (const s of this.optimizer?.state.values() ?? []) {
      s.expAvg.dispose();
      s.expAvgSq.dispose();
      s.maxExpAvgSq?.dispose();
    }
    this.current = null;
    this.optimizer = null;
  }
}
