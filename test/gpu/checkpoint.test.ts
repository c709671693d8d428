/**
 * Checkpoints resume bit for bit (Node and Chromium): LeNet-5 with Adam, a one-cycle schedule,
 * dropout-free augmentation (random shifts) and seeded shuffling trains 2 epochs straight; a second
 * run trains 1 epoch, saves a checkpoint (a Blob here; files in test/node/checkpoint-files.test.ts),
 * and a third run builds everything anew, loads it and trains epoch 2. The weights, the optimizer
 * state, the learning rate and the per-step losses of epoch 2 are identical to the straight run's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';

let data: wt.ImageDataset;

beforeAll(async () => {
  await wt.init();
  const mnist = await wt.loadMnist();
  const all = wt.mnistDataset(mnist);
  data = wt.subset(all, wt.mnistSplit(mnist).train.subarray(0, 192));
});

interface Run {
  model: wt.LeNet5;
  optimizer: wt.optim.Adam;
  scheduler: wt.optim.OneCycleLR;
  train: wt.DataLoader;
  losses: number[];
}

function setup(): Run {
  wt.manualSeed(1);
  const model = new wt.LeNet5();
  const optimizer = new wt.optim.Adam(model.parameters(), 0.01);
  const train = new wt.DataLoader(data, { batchSize: 32, shuffle: true, seed: 5, transform: new wt.transforms.RandomCrop(2) });
  const scheduler = new wt.optim.OneCycleLR(optimizer, 0.01, { totalSteps: 2 * train.length });
  return { model, optimizer, scheduler, train, losses: [] };
}

async function fitEpochs(r: Run, epochs: number, initialEpoch = 0): Promise<void> {
  await wt.fit({ ...r, epochs, initialEpoch, onStep: (s) => r.losses.push(s.loss) });
}

async function weights(m: wt.nn.Module): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [k, t] of Object.entries(m.stateDict())) out[k] = [...(await t.data())];
  return out;
}

describe('checkpoints', () => {
  it('1 epoch + save + load into new objects + 1 epoch == 2 epochs, bit for bit', async () => {
    const straight = setup();
    await fitEpochs(straight, 2);

    const first = setup();
    await fitEpochs(first, 1);
    const blob = await wt.saveCheckpoint({ model: first.model, optimizer: first.optimizer, scheduler: first.scheduler, generators: { train: first.train.generator } }, { epoch: 1, extra: { losses: first.losses } });

    const resumed = setup();
    const info = await wt.loadCheckpoint(blob, { model: resumed.model, optimizer: resumed.optimizer, scheduler: resumed.scheduler, generators: { train: resumed.train.generator } });
    expect(info.epoch).toBe(1);
    expect(info.step).toBe(first.train.length);
    expect(info.extra['losses']).toEqual(first.losses);
    await fitEpochs(resumed, 2, info.epoch);

    const steps = straight.train.length;
    expect(resumed.losses).toEqual(straight.losses.slice(steps));
    expect(resumed.optimizer.paramGroups[0]!.lr).toBe(straight.optimizer.paramGroups[0]!.lr);
    expect(resumed.scheduler.lastEpoch).toBe(straight.scheduler.lastEpoch);
    expect(await weights(resumed.model)).toEqual(await weights(straight.model));
    const sOpt = straight.optimizer.state.get(straight.model.conv1.weight)!;
    const rOpt = resumed.optimizer.state.get(resumed.model.conv1.weight)!;
    expect(rOpt.step).toBe(sOpt.step);
    expect([...(await rOpt.expAvgSq.data())]).toEqual([...(await sOpt.expAvgSq.data())]);
  }, 300_000);

  it('refuses a file that is not a checkpoint, and a part of another class, naming the file', async () => {
    const r = setup();
    const plain = await wt.io.saveSafetensors(r.model.stateDict());
    await expect(wt.loadCheckpoint(plain, { model: r.model })).rejects.toThrow(/checkpoint: not a webtrain checkpoint/);
    const ckpt = await wt.saveCheckpoint({ model: r.model, optimizer: r.optimizer });
    const sgd = new wt.optim.SGD(r.model.parameters(), 0.1);
    await expect(wt.loadCheckpoint(ckpt, { model: r.model, optimizer: sgd })).rejects.toThrow(/the checkpoint's optimizer is Adam, not SGD/);
    await expect(wt.loadCheckpoint(ckpt, { model: r.model, scheduler: r.scheduler })).rejects.toThrow(/holds no schedule/);
    await expect(wt.loadCheckpoint(ckpt, { model: new wt.LeNet5({ numClasses: 5 }) })).rejects.toThrow(/mismatched: fc3.weight: expected \[5, 84\] float32, found \[10, 84\] float32/);
  });
});
