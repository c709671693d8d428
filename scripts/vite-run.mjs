#!/usr/bin/env node
// Runs a TypeScript module through Vite's SSR loader, so it sees the project exactly as the tests and
// the demo do (WGSL `?raw` imports included): node scripts/vite-run.mjs bench/run.ts [args...]
import { createServer } from 'vite';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: node scripts/vite-run.mjs <module.ts> [args...]\n');
  process.exit(2);
}
process.argv = [process.argv[0], resolve(entry), ...rest];
const server = await createServer({
  root,
  configFile: join(root, 'vite.config.ts'),
  server: { middlewareMode: true, hmr: false, ws: false },
  appType: 'custom',
  logLevel: 'error',
  optimizeDeps: { noDiscovery: true, include: [] },
});
try {
  await server.ssrLoadModule(resolve(entry));
} finally {
  await server.close();
}
