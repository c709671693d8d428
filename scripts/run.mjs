#!/usr/bin/env node
// The entry behind `npm run train|test|demo|bench`. It needs nothing but Node, so it works on a
// fresh clone: it installs the npm packages when node_modules is missing or older than the lockfile,
// installs Debian's `chromium` (SwiftShader, WebGPU on the CPU, and the browser for the browser
// tests) when a Linux machine needs it and lacks it, builds what the command runs, and runs it.
//
//   node scripts/run.mjs train [options]   train LeNet-5 on MNIST (options: --help)
//   node scripts/run.mjs test [vitest args] type-check, then every test in Node and in Chromium
//   node scripts/run.mjs demo               serve the browser demo
//   node scripts/run.mjs bench [options]    webtrain vs TensorFlow.js benchmarks
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
  return existsSync('/dev/nvidia0') || (existsSync('/dev/dri') && readdirSync('/dev/dri').some((f) => f.startsWith('renderD')));
}

/** Debian/Ubuntu's chromium package: SwiftShader for WebGPU without a GPU, and the test browser. */
function ensureChromium(why) {
  if (process.platform !== 'linux') return;
  const haveIcd = SWIFTSHADER_ICDS.some((p) => existsSync(p)) || process.env.WEBTRAIN_SWIFTSHADER_ICD;
  const haveBrowser = CHROMIUMS.some((p) => existsSync(p)) || process.env.WEBTRAIN_CHROMIUM;
  if (haveIcd && haveBrowser) return;
  const hasApt = existsSync('/usr/bin/apt-get');
  const isRoot = process.getuid?.() === 0;
  if (!hasApt) {
    say(`${why}, but no Chromium was found. Install Chromium (it ships SwiftShader), or set WEBTRAIN_CHROMIUM and WEBTRAIN_SWIFTSHADER_ICD.`);
    process.exit(1);
  }
  const sudo = isRoot ? [] : ['sudo', '-n'];
  say(`${why}: installing Debian's chromium package (apt-get install chromium)...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const exec = (argv) => run(sudo.length ? sudo[0] : argv[0], sudo.length ? [...sudo.slice(1), ...argv] : argv.slice(1), { env });
  if (exec(['apt-get', 'update', '-qq']) !== 0 || exec(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'chromium']) !== 0) {
    say('Installing chromium failed. Run `sudo apt-get install chromium` yourself, then run this command again.');
    process.exit(1);
  }
}

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
      if (!hasGpuDevice()) ensureChromium('No GPU was found, so WebGPU will run on SwiftShader (the CPU)');
      const cli = await buildCli();
      process.argv = [process.argv[0], cli, 'train', ...args];
      await import(pathToFileURL(join(root, cli)).href);
      return;
    }
    case 'test': {
      ensureNodeModules();
      ensureChromium('The tests run WebGPU in Node and inside Chromium');
      say('type-checking (tsc --noEmit)...');
      if (run(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', 'tsconfig.json']) !== 0) process.exit(1);
      process.exitCode = run(process.execPath, [join('node_modules', 'vitest', 'vitest.mjs'), 'run', ...args]);
      return;
    }
    case 'demo': {
      ensureNodeModules();
      ensureChromium('The demo needs a browser with WebGPU');
      say('serving the demo at http://localhost:5173/demo/ (open it in Chrome/Edge with WebGPU)');
      process.exitCode = run(process.execPath, [join('node_modules', 'vite', 'bin', 'vite.js'), '--open', '/demo/', ...args]);
      return;
    }
    case 'bench': {
      ensureNodeModules();
      ensureChromium('The benchmarks run WebGPU on this machine and can run inside Chromium');
      process.exitCode = run(process.execPath, [join('scripts', 'vite-run.mjs'), 'bench/run.ts', ...args]);
      return;
    }
    case 'build': {
      ensureNodeModules();
      process.exitCode = run(process.execPath, [join('scripts', 'build.mjs'), ...args]);
      return;
    }
    default:
      say('usage: node scripts/run.mjs <train|test|demo|bench|build> [options]');
      process.exitCode = 2;
  }
}

await main();
