// The main job's command line and Node's adapter errors, run as real processes (node project only).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;

function run(args: string[], env: Record<string, string> = {}, entry = 'src/cli/main.ts') {
  const r = spawnSync(process.execPath, ['scripts/vite-run.mjs', entry, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run train: bad options name the option and what it allows', () => {
  it('rejects --epochs 0', () => {
    const r = run(['train', '--epochs', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--epochs <n>");
    expect(r.stderr).toMatch(/positive integer/);
  });

  it('rejects an unknown optimizer and lists the choices', () => {
    const r = run(['train', '--optimizer', 'rmsprop']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--optimizer');
    expect(r.stderr).toMatch(/adam.*adamw.*sgd/);
  });

  it('rejects a learning rate that is not a positive number', () => {
    const r = run(['train', '--lr', '-1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--lr <x>');
    expect(r.stderr).toMatch(/number > 0/);
  });

  it('rejects an unknown option', () => {
    const r = run(['train', '--epoch', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--epoch'/);
  });

  it('prints help and exits 0', () => {
    const r = run(['train', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--batch-size');
  });
});

describe('Node adapter errors say how to get an adapter', () => {
  it('a Vulkan driver path that does not exist gives an AdapterError with instructions', () => {
    const r = run(['train', '--epochs', '1'], { VK_ICD_FILENAMES: '/nonexistent/vk_icd.json', WEBTRAIN_ADAPTER: 'swiftshader' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('AdapterError');
    expect(r.stderr).toContain('/nonexistent/vk_icd.json');
    expect(r.stderr).toMatch(/apt-get install chromium/);
  });

  it('an invalid adapter choice is an AdapterError naming the allowed values', () => {
    const r = run(['train', '--epochs', '1'], { WEBTRAIN_ADAPTER: 'tpu' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/adapter must be 'auto', 'gpu' or 'swiftshader', got 'tpu'/);
  });
});

describe('npm run train: checkpoints resume exactly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wt-cli-'));
  const common = ['train', '--train-size', '256', '--batch-size', '32', '--schedule', 'constant', '--no-progress', '--json'];
  const TIMING = new Set(['imagesPerSec', 'trainSeconds', 'wallSeconds', 'seconds']);
  const untimed = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(untimed) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k]) => !TIMING.has(k)).map(([k, x]) => [k, untimed(x)])) : v;

  /** The bytes of every model tensor in a checkpoint file, by name (read from the file, no GPU). */
  async function modelBytes(path: string): Promise<Record<string, string>> {
    const { readSafetensorsHeader } = await import('../../src/io/safetensors.js');
    const h = await readSafetensorsHeader(path);
    const file = readFileSync(path);
    return Object.fromEntries(h.entries.filter(([k]) => k.startsWith('model.')).map(([k, e]) => [k, file.subarray(e.begin, e.end).toString('base64')]));
  }

  it('--epochs 1 --checkpoint c, then --resume c --epochs 2, ends as an uninterrupted --epochs 2 run: same weights and JSON summary', async () => {
    const straight = run([...common, '--epochs', '2', '--checkpoint', join(dir, 'straight.ckpt')]);
    expect(straight.code, straight.stderr).toBe(0);
    const first = run([...common, '--epochs', '1', '--checkpoint', join(dir, 'resumed.ckpt')]);
    expect(first.code, first.stderr).toBe(0);
    const resumed = run([...common, '--epochs', '2', '--resume', join(dir, 'resumed.ckpt'), '--checkpoint', join(dir, 'resumed.ckpt')]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('1 of 2 epochs done, step 8');
    const a = JSON.parse(straight.stdout) as { history: unknown[] };
    const b = JSON.parse(resumed.stdout) as { history: unknown[] };
    expect(b.history).toHaveLength(2);
    expect(untimed(b)).toEqual(untimed(a));
    expect(await modelBytes(join(dir, 'resumed.ckpt'))).toEqual(await modelBytes(join(dir, 'straight.ckpt')));
  }, 300_000);

  it('--resume refuses a checkpoint of another run and one with nothing left to do, naming the option', () => {
    const other = run([...common.filter((a) => a !== '--json'), '--epochs', '2', '--seed', '3', '--resume', join(dir, 'straight.ckpt')]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/--resume .*straight\.ckpt: the checkpoint was made with seed 0, this run has 3/);
    const done = run([...common, '--epochs', '2', '--resume', join(dir, 'straight.ckpt')]);
    expect(done.code).toBe(1);
    expect(done.stderr).toMatch(/has done 2 epochs, --epochs is 2: nothing left to train/);
    const missing = run([...common, '--epochs', '2', '--resume', join(dir, 'none.ckpt')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/none\.ckpt: cannot open/);
  }, 120_000);
});
