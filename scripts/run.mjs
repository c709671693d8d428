#!/usr/bin/env node
// The entry behind `npm run train|test|demo|bench`. It needs nothing but Node, so it works on a
// fresh clone: it installs the npm packages when node_modules is missing or older than the lockfile,
// installs the Debian packages a Linux machine lacks (see missingPackages: `chromium` for SwiftShader
// and the test browser, `libvulkan1` for Dawn, a font for screenshots), builds what the command
// runs, and runs it.
//
//   node scripts/run.mjs train [options]   train LeNet-5 on MNIST (options: --help)
//   node scripts/run.mjs test [vitest args] type-check, then every test in Node and in Chromium
//   node scripts/run.mjs demo               serve the browser demo
//   node scripts/run.mjs bench [options]    webtrain vs TensorFlow.js benchmarks
//   node scripts/run.mjs setup              install every system and npm package of all the above
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const [command, ...args] = process.argv.slice(2);

const SWIFTSHADER_ICDS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/usr/lib64/chromium-browser/vk_swiftshader_icd.json',
];
const CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

function say(msg) {
  process.stderr.write(`[webtrain] ${msg}\n`);
}

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function ensureNodeModules() {
  const marker = join('node_modules', '.package-lock.json');
  const stale = !existsSync(marker) || statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs;
  if (!stale) return;
  say('installing npm packages (npm ci)...');
  if (run('npm', ['ci', '--no-audit', '--no-fund']) !== 0) {
    say('npm ci failed; see the output above.');
    process.exit(1);
  }
}

function hasGpuDevice() {
  return existsSync('/dev/nvidia0') || existsSync('/dev/dxg') || (existsSync('/dev/dri') && readdirSync('/dev/dri').some((f) => f.startsWith('renderD')));
}

/** The system's Vulkan loader, which Dawn (the `webgpu` package) loads to reach any Vulkan driver. */
function hasSystemVulkanLoader() {
  const r = spawnSync('/sbin/ldconfig', ['-p'], { encoding: 'utf8' });
  if (r.status === 0 && /^\s*libvulkan\.so\.1\s/m.test(r.stdout)) return true;
  return ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'].some((d) => existsSync(join(d, 'libvulkan.so.1')));
}

function hasFonts() {
  const has = (dir) => existsSync(dir) && readdirSync(dir, { withFileTypes: true }).some((e) => (e.isDirectory() ? has(join(dir, e.name)) : /\.(ttf|otf|ttc|pfb)$/i.test(e.name)));
  return has('/usr/share/fonts') || has('/usr/local/share/fonts');
}

/**
 * The Debian/Ubuntu packages a command needs and this machine lacks:
 * - chromium: SwiftShader (WebGPU on the CPU when there is no GPU) and the browser of the browser
 *   tests, the bench and the demo;
 * - libvulkan1: the Vulkan loader Dawn loads in Node. Debian's chromium bundles a copy for itself
 *   but does not depend on libvulkan1; webtrain falls back to that copy (src/device/node-gpu.ts),
 *   but the system loader is the one GPU drivers are installed against, so the commands install it;
 * - fonts-dejavu-core: text in the demo's screenshots (a minimal Debian has no font at all).
 * Nothing else is needed: npm uses Node's own CA certificates, Node and Chromium need no locale,
 * Playwright starts Chromium with --disable-dev-shm-usage (no /dev/shm size limit applies), and
 * Python (Debian's python3-torch) is only for regenerating fixtures and the bench's PyTorch column.
 */
function missingPackages(needs) {
  const missing = [];
  if (needs.swiftshader || needs.browser) {
    const haveIcd = SWIFTSHADER_ICDS.some((p) => existsSync(p)) || process.env.WEBTRAIN_SWIFTSHADER_ICD;
    const haveBrowser = CHROMIUMS.some((p) => existsSync(p)) || process.env.WEBTRAIN_CHROMIUM;
    if ((needs.swiftshader && !haveIcd) || (needs.browser && !haveBrowser)) missing.push('chromium');
  }
  if (needs.vulkan && !hasSystemVulkanLoader()) missing.push('libvulkan1');
  if (needs.fonts && !hasFonts()) missing.push('fonts-dejavu-core');
  return missing;
}

/** Installs what missingPackages() finds missing (apt-get, as root or with password-less sudo). */
function ensureSystemPackages(why, needs) {
  if (process.platform !== 'linux') return;
  const missing = missingPackages(needs);
  if (missing.length === 0) return;
  const list = missing.join(' ');
  if (!existsSync('/usr/bin/apt-get')) {
    say(`${why}, and this machine lacks ${list} (Debian's names). Install them with your package manager ` +
      '(Chromium ships SwiftShader; the Vulkan loader is libvulkan.so.1), or set WEBTRAIN_CHROMIUM and WEBTRAIN_SWIFTSHADER_ICD.');
    process.exit(1);
  }
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  say(`${why}: installing ${list} (apt-get install --no-install-recommends ${list})...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const exec = (argv) => run(sudo.length ? sudo[0] : argv[0], sudo.length ? [...sudo.slice(1), ...argv] : argv.slice(1), { env });
  if (exec(['apt-get', 'update', '-qq']) !== 0 || exec(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing]) !== 0) {
    say(`Installing ${list} failed. Run \`sudo apt-get install --no-install-recommends ${list}\` yourself, then run this command again.`);
    process.exit(1);
  }
  const still = missingPackages(needs);
  if (still.length > 0) {
    say(`apt-get installed ${list}, but ${still.join(' ')} is still not found.`);
    process.exit(1);
  }
}

/** What each command needs from the system. */
const NEEDS = {
  // Node/Dawn always goes through the Vulkan loader on Linux; SwiftShader only without a GPU.
  train: () => ({ vulkan: true, swiftshader: !hasGpuDevice() }),
  test: () => ({ vulkan: true, swiftshader: true, browser: true, fonts: true }),
  demo: () => ({ browser: true }),
  bench: () => ({ vulkan: true, swiftshader: true, browser: true }),
};

async function buildCli() {
  const out = join('dist', 'cli', 'main.js');
  const sources = Math.max(newestMtime('src'), newestMtime('shaders'));
  if (existsSync(out) && statSync(out).mtimeMs >= sources) return out;
  const { build } = await import('vite');
  await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      ssr: 'src/cli/main.ts',
      outDir: 'dist/cli',
      emptyOutDir: true,
      target: 'node20',
      sourcemap: true,
      rollupOptions: { output: { entryFileNames: 'main.js' } },
    },
  });
  return out;
}

async function main() {
  switch (command) {
    case 'train': {
      ensureNodeModules();
      ensureSystemPackages(hasGpuDevice() ? 'WebGPU in Node needs the Vulkan loader' : 'No GPU was found, so WebGPU will run on SwiftShader (the CPU)', NEEDS.train());
      const cli = await buildCli();
      process.argv = [process.argv[0], cli, 'train', ...args];
      await import(pathToFileURL(join(root, cli)).href);
      return;
    }
    case 'test': {
      ensureNodeModules();
      ensureSystemPackages('The tests run WebGPU in Node and inside Chromium', NEEDS.test());
      say('type-checking (tsc --noEmit)...');
      if (run(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', 'tsconfig.json']) !== 0) process.exit(1);
      process.exitCode = run(process.execPath, [join('node_modules', 'vitest', 'vitest.mjs'), 'run', ...args]);
      return;
    }
    case 'demo': {
      ensureNodeModules();
      ensureSystemPackages('The demo needs a browser with WebGPU', NEEDS.demo());
      say('serving the demo at http://localhost:5173/demo/ (open it in Chrome/Edge with WebGPU)');
      process.exitCode = run(process.execPath, [join('node_modules', 'vite', 'bin', 'vite.js'), '--open', '/demo/', ...args]);
      return;
    }
    case 'bench': {
      ensureNodeModules();
      ensureSystemPackages('The benchmarks run WebGPU on this machine and can run inside Chromium', NEEDS.bench());
      process.exitCode = run(process.execPath, [join('scripts', 'vite-run.mjs'), 'bench/run.ts', ...args]);
      return;
    }
    case 'setup': {
      // Everything any command needs, at once (.ci/run, or a machine being prepared offline later).
      ensureSystemPackages('Setting up this machine for every command', { vulkan: true, swiftshader: true, browser: true, fonts: true });
      ensureNodeModules();
      say('system packages and npm packages are in place');
      return;
    }
    case 'build': {
      ensureNodeModules();
      process.exitCode = run(process.execPath, [join('scripts', 'build.mjs'), ...args]);
      return;
    }
    default:
      say('usage: node scripts/run.mjs <train|test|demo|bench|build|setup> [options]');
      process.exitCode = 2;
  }
}

await main();
