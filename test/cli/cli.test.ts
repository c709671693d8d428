// The main job's command line and Node's adapter errors, run as real processes (node project only).
import { spawnSync } from 'node:child_process';
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
