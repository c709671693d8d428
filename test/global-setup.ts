/**
 * Once per `npm test`: says in one line which WebGPU adapter the Node tests run on (and which Vulkan
 * loader Dawn mapped), from a separate process so no Dawn instance lives in Vitest's own process.
 * A machine with no adapter fails here first, with the AdapterError's instructions.
 */
import { spawnSync } from 'node:child_process';

export default function setup(): void {
  const root = new URL('..', import.meta.url).pathname;
  const r = spawnSync(process.execPath, ['scripts/vite-run.mjs', 'test/node/adapter-probe.ts'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  let probe: { adapter?: string; error?: string; message?: string } = {};
  try {
    probe = JSON.parse(line) as typeof probe;
  } catch {
    probe = { error: 'probe failed', message: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() || String(r.error) };
  }
  if (probe.adapter) process.stderr.write(`[webtrain] Node tests run on: ${probe.adapter}\n`);
  else throw new Error(`No WebGPU adapter for the Node tests: ${probe.error}: ${probe.message}`);
}
