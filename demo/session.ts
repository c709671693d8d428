/**
 * One training run at a time on the demo's data, in the training worker (train-worker.ts) or, where
 * workers have no WebGPU, on the page's thread. The loop below is wt.fit's (forward, loss,
 * backward, one GPU submission per step, the step's numbers read back while the next one records)
 * with what the page needs on top: pause and resume between steps, top-5 accuracy, images/s
 * without the paused time, an ETA, and a checkpoint kept in IndexedDB after every epoch. Every step
 * yields to the event loop, so on the page's thread the page stays responsive too.
 * Stop ends after the current step; the stopped model is then scored on the held-out digits.
 */
import * as wt from '../src/index.js';
import { snapshot, storeCheckpoint } from './checkpoint.js';
import { modelById, type ModelChoice } from './models.js';
import { fmt, type Panel, type RunConfig, type RunEnd, type RunEpoch, type RunInfo, type RunStep } from './panel.js';

export interface DemoData {
  /** Shown in the page: 'MNIST digits (shipped)', 'Fashion-MNIST (your files)' ... */
  name: string;
  /** Class names in label order (ten: the demo's models have ten outputs). */
  classes: readonly string[];
  /** What the page should say about it (a conversion, the split). */
  note?: string;
  /** [N, 1, 28, 28] images, as LeNet-5 takes them. */
  train: wt.ImageDataset;
  heldOut: wt.ImageDataset;
}

/** Loads the 10,000 MNIST digits served by the dev server and splits them 8,000 / 2,000. */
export async function loadDemoData(load: () => Promise<wt.MnistData> = wt.loadMnist): Promise<DemoData> {
  const mnist = await load();
  const split = wt.mnistSplit(mnist);
  const all = wt.mnistDataset(mnist);
  return { name: 'MNIST digits (shipped)', classes: Array.from({ length: 10 }, (_, i) => String(i)), train: wt.subset(all, split.train), heldOut: wt.subset(all, split.test) };
}

export const NORMALIZE = new wt.transforms.Normalize([0.1307], [0.3081]);
const SEED = 0;
/** Weight of the newest step in the moving average of the step time (for the ETA). */
const PACE = 0.1;

const nextTask = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

function makeOptimizer(config: RunConfig, params: wt.nn.Parameter[]): wt.optim.Optimizer<{ lr: number }> {
  const O = wt.optim;
  if (config.optimizer === 'sgd') return new O.SGD(params, { lr: config.lr, momentum: 0.9, nesterov: true });
  if (config.optimizer === 'adamw') return new O.AdamW(params, { lr: config.lr });
  return new O.Adam(params, { lr: config.lr });
}

function makeSchedule(config: RunConfig, optimizer: wt.optim.Optimizer<{ lr: number }>, totalSteps: number): wt.optim.LRScheduler | null {
  if (config.schedule === 'onecycle') return new wt.optim.OneCycleLR(optimizer, config.lr, { totalSteps });
  if (config.schedule === 'cosine') return new wt.optim.CosineAnnealingLR(optimizer, totalSteps);
  return null;
}

/** Held-out loss, top-1 and top-5 accuracy, in eval mode without autograd. */
async function score(model: wt.nn.Module, loader: wt.DataLoader): Promise<{ loss: number; top1: number; top5: number }> {
  model.eval();
  const reads: Promise<number[]>[] = [];
  let n = 0;
  try {
    for (const b of loader) {
      const ts = wt.noGrad(() => {
        const logits = model.call(b.x);
        return [wt.nn.functional.crossEntropy(logits, b.y, { reduction: 'sum' }), wt.topkCorrect(logits, b.y, 1), wt.topkCorrect(logits, b.y, 5)];
      });
      reads.push(Promise.all(ts.map((t) => t.item())));
      n += b.size;
      b.x.dispose();
      b.y.dispose();
    }
  } finally {
    model.train();
  }
  const vals = await Promise.all(reads);
  const total = (i: number): number => vals.reduce((s, v) => s + v[i]!, 0);
  return { loss: total(0) / n, top1: total(1) / n, top5: total(2) / n };
}

/** Where the weights after an epoch come from, as the views say it. */
export function epochSource(e: RunEpoch): string {
  return `epoch ${e.epoch} of ${e.epochs}, held-out ${fmt.pct(e.testAccuracy)}`;
}

export class TrainingSession {
  private controller: AbortController | null = null;
  private current: RunInfo | null = null;
  private resume: (() => void) | null = null;
  private pausedAt: Promise<void> | null = null;
  /**
   * Called with the model whenever the views should show it: when a run starts, after each epoch,
   * when paused and resumed (main.ts makes it the page's model).
   */
  onWeights: (choice: ModelChoice, model: wt.nn.Module, source: string) => void = () => {};

  constructor(
    private data: DemoData,
    private readonly panels: readonly Panel[],
  ) {}

  /** The dataset of the next run (the page chose another). */
  setData(data: DemoData): void {
    this.data = data;
  }

  get running(): boolean {
    return this.controller !== null;
  }

  get isPaused(): boolean {
    return this.pausedAt !== null;
  }

  /** The run in progress, or the last one. */
  get run(): RunInfo | null {
    return this.current;
  }

  /** Starts a run; `from` is the page's current model, trained further when config.continueFrom. */
  async start(config: RunConfig, from: wt.nn.Module | null): Promise<RunEnd> {
    if (this.controller) throw new Error('A run is already in progress.');
    const controller = new AbortController();
    this.controller = controller;
    const t0 = performance.now();
    let run: RunInfo | null = null;
    let end: RunEnd;
    try {
      wt.manualSeed(SEED);
      const T = wt.transforms;
      const transform = config.augment ? new T.Compose([new T.RandomCrop(2), NORMALIZE]) : NORMALIZE;
      const train = new wt.DataLoader(this.data.train, { batchSize: config.batchSize, shuffle: true, seed: SEED, transform });
      const test = new wt.DataLoader(this.data.heldOut, { batchSize: 500, transform: NORMALIZE });
      const choice = modelById(config.model);
      const model = config.continueFrom && from ? from : choice.build();
      model.train();
      const optimizer = makeOptimizer(config, model.parameters());
      const totalSteps = config.epochs * train.length;
      const scheduler = makeSchedule(config, optimizer, totalSteps);
      const info: RunInfo = { config, choice, model, stepsPerEpoch: train.length, totalSteps, trainCount: this.data.train.count, heldOutCount: this.data.heldOut.count };
      run = this.current = info;
      this.emit((p) => p.runStarted?.(info));
      this.onWeights(choice, model, 'training…');
      await this.loop(info, optimizer, scheduler, train, test, controller.signal);
      end = { reason: controller.signal.aborted ? 'stopped' : 'finished', seconds: (performance.now() - t0) / 1000 };
    } catch (error) {
      end = { reason: 'failed', seconds: (performance.now() - t0) / 1000, error };
    } finally {
      this.controller = null;
      this.pausedAt = null;
      this.resume = null;
    }
    if (run) {
      const r = run;
      this.emit((p) => p.runEnded?.(end, r));
    }
    return end;
  }

  private async loop(
    info: RunInfo,
    optimizer: wt.optim.Optimizer<{ lr: number }>,
    scheduler: wt.optim.LRScheduler | null,
    train: wt.DataLoader,
    test: wt.DataLoader,
    signal: AbortSignal,
  ): Promise<void> {
    const { model, config } = info;
    let trainMs = 0;
    let trainImages = 0;
    let stepMs = 0;
    for (let epoch = 1; epoch <= config.epochs && !signal.aborted; epoch++) {
      const e0 = performance.now();
      let epochMs = 0;
      let seen = 0;
      let lossSum = 0;
      let top1 = 0;
      let top5 = 0;
      let step = 0;
      type Pending = { values: Promise<number[]>; size: number; step: number; lr: number };
      const queue: Pending[] = [];
      let last = performance.now();
      const settle = async (p: Pending): Promise<void> => {
        const [l, c1, c5] = await p.values;
        lossSum += l! * p.size;
        top1 += c1!;
        top5 += c5!;
        seen += p.size;
        const now = performance.now();
        const dt = now - last;
        last = now;
        epochMs += dt;
        trainMs += dt;
        trainImages += p.size;
        stepMs = stepMs === 0 ? dt : stepMs + PACE * (dt - stepMs);
        const globalStep = (epoch - 1) * info.stepsPerEpoch + p.step;
        const s: RunStep = {
          epoch,
          epochs: config.epochs,
          step: p.step,
          stepsPerEpoch: info.stepsPerEpoch,
          globalStep,
          loss: l!,
          accuracy: top1 / seen,
          top5: top5 / seen,
          lr: p.lr,
          imagesPerSec: trainImages / (trainMs / 1000),
          etaSeconds: ((info.totalSteps - globalStep) * stepMs) / 1000,
        };
        this.emit((panel) => panel.step?.(s, info));
      };
      for (const batch of train) {
        if (this.pausedAt) {
          // Settle the step in flight, so the paused model is whole for the views, then wait.
          while (queue.length > 0) await settle(queue.shift()!);
          this.emit((p) => p.paused?.(true, info));
          this.onWeights(info.choice, model, 'paused in training');
          await this.pausedAt;
          last = performance.now();
          if (!signal.aborted) {
            this.emit((p) => p.paused?.(false, info));
            this.onWeights(info.choice, model, 'training…');
          }
        }
        if (signal.aborted) {
          batch.x.dispose();
          batch.y.dispose();
          break;
        }
        step++;
        const lr = optimizer.paramGroups[0]!.lr;
        const logits = model.call(batch.x);
        const loss = wt.nn.functional.crossEntropy(logits, batch.y);
        const c1 = wt.topkCorrect(logits, batch.y, 1);
        const c5 = wt.topkCorrect(logits, batch.y, 5);
        loss.backward();
        optimizer.step();
        scheduler?.step();
        optimizer.zeroGrad();
        const values = Promise.all([loss.item(), c1.item(), c5.item()]);
        values.catch(() => {});
        queue.push({ values, size: batch.size, step, lr });
        batch.x.dispose();
        batch.y.dispose();
        if (queue.length > 1) await settle(queue.shift()!);
        await nextTask();
      }
      while (queue.length > 0) await settle(queue.shift()!);
      if (step === 0) break;
      this.emit((p) => p.evaluating?.(info));
      const r = await score(model, test);
      const e: RunEpoch = {
        epoch,
        epochs: config.epochs,
        trainLoss: lossSum / seen,
        trainAccuracy: top1 / seen,
        trainTop5: top5 / seen,
        testLoss: r.loss,
        testAccuracy: r.top1,
        testTop5: r.top5,
        stepsDone: step,
        globalStep: (epoch - 1) * info.stepsPerEpoch + step,
        imagesPerSec: seen / (epochMs / 1000),
        seconds: (performance.now() - e0) / 1000,
      };
      this.emit((p) => p.epochEnded?.(e, info));
      const source = epochSource(e);
      this.onWeights(info.choice, model, source);
      // Kept in the browser after every epoch, for a resume after a lost device. The copies are
      // taken now, so later steps do not change what is written.
      void storeCheckpoint(info.choice, snapshot(model), source).then(
        () => this.emit((p) => p.kept?.(e.epoch, null)),
        (err: unknown) => this.emit((p) => p.kept?.(e.epoch, err instanceof Error ? err.message : String(err))),
      );
    }
  }

  /** Pauses after the step in flight; resume() continues. */
  pause(): void {
    if (!this.controller || this.pausedAt) return;
    this.pausedAt = new Promise((r) => (this.resume = r));
  }

  resumeRun(): void {
    const r = this.resume;
    this.pausedAt = null;
    this.resume = null;
    r?.();
  }

  /** Stops after the current step (or at once when paused); the stopped model is then scored. */
  stop(): void {
    if (!this.controller || this.controller.signal.aborted) return;
    this.controller.abort();
    const run = this.current;
    if (run) this.emit((p) => p.evaluating?.(run));
    this.resumeRun();
  }

  private emit(f: (p: Panel) => void): void {
    for (const p of this.panels) f(p);
  }
}
