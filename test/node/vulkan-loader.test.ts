/**
 * Dawn's Vulkan loader on Linux, checked so that a machine which already has one cannot fool the
 * check: each case runs a real process (a user's own Node program, test/node/adapter-probe.ts, or
 * the main job) in a private mount namespace (`unshare -rm`) where the loaders it must not use are
 * hidden behind /dev/null, and reads back which libvulkan.so.1 Dawn actually mapped
 * (/proc/self/maps of that process).
 *
 * - no loader hidden: the adapter is chosen without a Dawn/Vulkan warning and the line names it;
 * - the system loader (Debian's libvulkan1) hidden: webtrain loads the copy Chromium ships;
 * - both hidden: an AdapterError names libvulkan.so.1 and the command that installs it;
 * - the main job (one epoch) trains with the system loader hidden.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
const CHROMIUM_LOADER = '/usr/lib/chromium/libvulkan.so.1';

/** Every file the system's dynamic linker would open for libvulkan.so.1 (ldconfig's cache and the usual directories). */
function systemLoaderFiles(): string[] {
  let cache = '';
  try {
    cache = execFileSync('/sbin/ldconfig', ['-p'], { encoding: 'utf8' });
  } catch {
    // No ldconfig: the directories below still cover Debian, Ubuntu and Fedora.
  }
  const fromCache = cache
    .split('\n')
    .filter((l) => l.trim().startsWith('libvulkan.so.1 '))
    .map((l) => l.slice(l.indexOf('=>') + 2).trim());
  const dirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];
  const candidates = [...fromCache, ...dirs.map((d) => `${d}/libvulkan.so.1`)].filter((p) => existsSync(p));
  return [...new Set(candidates.map((p) => realpathSync(p)))];
}

const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * How to get a private mount namespace here: as anyone where user namespaces are allowed
 * (`unshare -rm`); else as root (`unshare -m`, e.g. inside a chroot, where user namespaces are
 * refused and / is not a mount point, so its propagation is left alone and the new namespace makes
 * its mounts private itself where it can).
 */
const NAMESPACE: string[] | null = (() => {
  for (const argv of [['-rm'], ['-m', '--propagation', 'unchanged']]) {
    if (spawnSync('unshare', [...argv, 'true']).status === 0) return argv;
  }
  return null;
})();

/** Runs `node scripts/vite-run.mjs <entry> <args>` with `hide` bind-mounted over by /dev/null. */
function runHiding(hide: readonly string[], entry: string, args: readonly string[] = [], timeout = 120_000): Run {
  if (!NAMESPACE) throw new Error('these checks need a private mount namespace: `unshare -rm` (user namespaces) or `unshare -m` as root (util-linux); neither works here');
  const mounts = hide.map((f) => `mount --bind /dev/null ${shq(f)} || exit 97; `).join('');
  const command = `mount --make-rprivate / 2>/dev/null; ${mounts}exec ${shq(process.execPath)} scripts/vite-run.mjs ${[entry, ...args].map(shq).join(' ')}`;
  const r = spawnSync('unshare', [...NAMESPACE, 'sh', '-c', command], { cwd: ROOT, encoding: 'utf8', timeout, env: { ...process.env, WEBTRAIN_ADAPTER: 'auto' } });
  if (r.error) throw new Error(`unshare could not run: ${r.error.message}`);
  if (r.status === 97) throw new Error(`could not hide ${hide.join(', ')} in a private mount namespace: ${r.stderr}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Probe {
  adapter?: string;
  loader?: { path: string; source: string } | null;
  mapped?: string | null;
  losses?: number[];
  error?: string;
  message?: string;
}

function probe(hide: readonly string[]): Probe & { stderr: string; code: number | null } {
  const r = runHiding(hide, 'test/node/adapter-probe.ts');
  const line = r.stdout.trim().split('\n').pop() ?? '';
  let parsed: Probe;
  try {
    parsed = JSON.parse(line) as Probe;
  } catch {
    throw new Error(`the probe printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { ...parsed, stderr: r.stderr, code: r.code };
}

/** What Dawn or a Vulkan driver prints when a probe is not quiet. */
const NOISE = /Warning:|vkCreateInstance|VK_ERROR|Couldn't load Vulkan|XDG_RUNTIME_DIR/;

function expectTrainedStep(p: Probe): void {
  expect(p.losses).toHaveLength(3);
  expect(p.losses!.every(Number.isFinite)).toBe(true);
  expect(p.losses![2]!).toBeLessThan(p.losses![0]!);
}

describe.runIf(process.platform === 'linux')(`Dawn's Vulkan loader (Linux; loaders hidden in a mount namespace: unshare ${NAMESPACE?.join(' ') ?? '(unavailable)'})`, () => {
  const system = systemLoaderFiles();

  it('Chromium ships the loader webtrain falls back to', () => {
    expect(existsSync(CHROMIUM_LOADER), `${CHROMIUM_LOADER} is missing: the test command installs Debian's chromium, which ships it`).toBe(true);
  });

  it('a plain run chooses its adapter quietly and names the loader Dawn mapped', () => {
    const p = probe([]);
    expect(p.error, p.message).toBeUndefined();
    expect(p.stderr).not.toMatch(NOISE);
    expect(p.mapped).toBeTruthy();
    expect(p.loader?.path).toBe(p.mapped);
    expect(p.adapter).toContain(`Vulkan loader ${p.mapped}`);
    expectTrainedStep(p);
  });

  it("with the system's libvulkan.so.1 hidden, Chromium's copy is loaded and a step trains", () => {
    const p = probe(system);
    expect(p.error, p.message).toBeUndefined();
    expect(p.loader).toEqual({ path: CHROMIUM_LOADER, source: 'chromium' });
    expect(p.mapped).toBe(CHROMIUM_LOADER);
    expect(p.adapter).toContain(`Vulkan loader ${CHROMIUM_LOADER} (chromium)`);
    expect(p.stderr).not.toMatch(NOISE);
    expectTrainedStep(p);
  });

  it('with no loader at all, the AdapterError names libvulkan.so.1 and how to install it', () => {
    const p = probe([...system, CHROMIUM_LOADER]);
    expect(p.code).toBe(1);
    expect(p.error).toBe('AdapterError');
    expect(p.message).toContain('libvulkan.so.1');
    expect(p.message).toContain('apt-get install libvulkan1');
    expect(p.stderr).not.toMatch(/Couldn't load Vulkan/);
  });

  it('the main job trains an epoch with the system loader hidden', () => {
    const r = runHiding(system, 'src/cli/main.ts', ['train', '--epochs', '1', '--no-progress', '--json'], 240_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(NOISE);
    const summary = JSON.parse(r.stdout) as { adapter: string; testAccuracy: number };
    expect(summary.adapter).toContain(`Vulkan loader ${CHROMIUM_LOADER} (chromium)`);
    expect(summary.testAccuracy).toBeGreaterThan(0.9);
  }, 300_000);
});
