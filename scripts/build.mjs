#!/usr/bin/env node
// `npm run build`: the library (ESM + .d.ts into dist/lib/, what package.json's exports name) and the
// demo (vite build into dist/demo/). `node scripts/build.mjs lib` builds only the library (npm pack
// runs that as prepack).
//
// The library is one ES module plus a chunk for Node's adapter (src/device/node-gpu.ts, loaded by a
// dynamic import only in Node). WGSL shaders are inlined as strings by Vite's `?raw` imports, so the
// package needs no loader of its own; Node-only modules (node:fs, webgpu ...) are imported through
// variable specifiers at run time, so a web app's bundler leaves them out.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const what = process.argv[2] ?? 'all';
if (!['all', 'lib', 'demo'].includes(what)) {
  process.stderr.write('usage: node scripts/build.mjs [all|lib|demo]\n');
  process.exit(2);
}
const say = (msg) => process.stderr.write(`[webtrain] ${msg}\n`);
const { build } = await import('vite');

if (what !== 'demo') {
  const outDir = join(root, 'dist', 'lib');
  if (existsSync(outDir)) rmSync(outDir, { recursive: true });
  say('building the library into dist/lib/ (vite, ESM)...');
  await build({
    root,
    configFile: false,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: false,
      target: 'es2022',
      sourcemap: true,
      minify: false,
      lib: { entry: join(root, 'src', 'index.ts'), formats: ['es'], fileName: () => 'webtrain.js' },
    },
  });
  say('writing type declarations (tsc -p tsconfig.build.json)...');
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}

if (what !== 'lib') {
  say('building the demo into dist/demo/ (vite build)...');
  await build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
}
say(`built ${what === 'all' ? 'dist/lib and dist/demo' : `dist/${what}`}`);
