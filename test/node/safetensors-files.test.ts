/**
 * safetensors files by path (Node), and the round trip with PyTorch:
 * - a file PyTorch wrote (test/fixtures/gen_safetensors.py, committed) loads into the same model
 *   built from wt.nn and gives PyTorch's eval logits;
 * - saving is atomic: a failed save leaves the previous file as it was, and no temporary file;
 * - with Debian's python3-torch present: a model trained here is saved, loaded by PyTorch with
 *   load_state_dict(strict=True), and gives the same logits there; then PyTorch trains it on.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as wt from '../../src/index.js';
import { expectClose } from '../helpers.js';
import tiny from '../fixtures/safetensors/tiny.json';

const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;

class Tiny extends wt.nn.Module {
  conv1 = new wt.nn.Conv2d(3, 4, 3, { padding: 1 });
  bn1 = new wt.nn.BatchNorm2d(4);
  fc = new wt.nn.Linear(4, 5);
  forward(x: wt.Tensor): wt.Tensor {
    return this.fc.call(wt.nn.functional.relu(this.bn1.call(this.conv1.call(x))).mean([2, 3]));
  }
}

beforeAll(async () => {
  await wt.init();
});

const input = (): wt.Tensor => wt.tensor(Float32Array.from(tiny.input.data), { shape: tiny.input.shape });

describe('safetensors files', () => {
  it('a state dict PyTorch saved loads as it is and gives PyTorch eval logits', async () => {
    const sd = await wt.io.loadSafetensors(join(FIXTURES, 'safetensors/tiny.safetensors'));
    expect(sd['bn1.num_batches_tracked']!.dtype).toBe('int32');
    const m = new Tiny();
    const r = m.loadStateDict(sd);
    expect(r).toEqual({ missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] });
    expect(await m.bn1.numBatchesTracked!.item()).toBe(7);
    m.eval();
    expectClose(await wt.noGrad(() => m.call(input())).data(), tiny.logits.data, 1e-5, 'Tiny logits vs PyTorch');
    const { metadata } = await wt.io.readSafetensors(join(FIXTURES, 'safetensors/tiny.safetensors'));
    expect(metadata).toEqual({ format: 'pt', source: 'gen_safetensors.py' });
  });

  it('a missing file names the path', async () => {
    await expect(wt.io.loadSafetensors('/nonexistent/w.safetensors')).rejects.toThrow(/\/nonexistent\/w\.safetensors: cannot open/);
  });

  it('a truncated file names the path and the byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-st-'));
    const path = join(dir, 'cut.safetensors');
    writeFileSync(path, readFileSync(join(FIXTURES, 'safetensors/tiny.safetensors')).subarray(0, 900));
    await expect(wt.io.loadSafetensors(path)).rejects.toThrow(new RegExp(`${path}: not a valid safetensors file: entry '.*' ends at data byte \\d+, past the \\d+ bytes of data`));
  });

  it('saving is atomic: a failed save keeps the old file and leaves no temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-st-'));
    const path = join(dir, 'model.safetensors');
    const m = new Tiny();
    await wt.io.saveSafetensors(m.stateDict(), path, { metadata: { step: '1' } });
    const first = readFileSync(path);
    const gone = wt.tensor(Float32Array.of(1, 2, 3));
    gone.dispose();
    await expect(wt.io.saveSafetensors({ ...m.stateDict(), gone }, path)).rejects.toThrow(wt.TensorStateError);
    expect(readFileSync(path).equals(first)).toBe(true);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
    const back = await wt.io.readSafetensors(path);
    expect(back.metadata).toEqual({ step: '1' });
    expect(Object.keys(back.tensors)).toEqual(Object.keys(m.stateDict()));
  });
});

const python = process.env['WEBTRAIN_PYTHON'] ?? '/usr/bin/python3';
const torchCheck = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
const hasTorch = torchCheck.status === 0;

describe.runIf(hasTorch)(`round trip with PyTorch ${hasTorch ? torchCheck.stdout.trim() : '(needs python3-torch)'}`, () => {
  it('trained here, loaded by PyTorch strictly: same logits there, and PyTorch trains on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-st-'));
    wt.manualSeed(5);
    const m = new Tiny();
    const opt = new wt.optim.SGD(m.parameters(), { lr: 0.1, momentum: 0.9 });
    const x = input();
    const y = wt.tensor(Int32Array.of(1, 3), { dtype: 'int32' });
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      const loss = wt.nn.functional.crossEntropy(m.call(x), y);
      loss.backward();
      opt.step();
      await loss.item();
    }
    m.eval();
    const ours = await wt.noGrad(() => m.call(x)).data();
    const path = join(dir, 'trained.safetensors');
    await wt.io.saveSafetensors(m.stateDict(), path);
    const script = `
import json, sys, torch
sys.path.insert(0, ${JSON.stringify(FIXTURES)})
from safetensors_min import load_file
from gen_safetensors import Tiny
m = Tiny()
sd = load_file(${JSON.stringify(path)})
m.load_state_dict(sd, strict=True)
m.eval()
x = torch.tensor(${JSON.stringify(tiny.input.data)}).reshape(${JSON.stringify(tiny.input.shape)})
with torch.no_grad():
    logits = m(x)
m.train()
opt = torch.optim.SGD(m.parameters(), lr=0.1)
for _ in range(3):
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(m(x), torch.tensor([1, 3]))
    loss.backward()
    opt.step()
print(json.dumps({"logits": logits.reshape(-1).tolist(), "steps": int(sd["bn1.num_batches_tracked"]), "loss": float(loss)}))
`;
    const r = spawnSync(python, ['-c', script], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { logits: number[]; steps: number; loss: number };
    expect(out.steps).toBe(3);
    expect(Number.isFinite(out.loss)).toBe(true);
    expectClose(out.logits, ours, 1e-5, 'PyTorch logits of the weights trained here');
  });
});
