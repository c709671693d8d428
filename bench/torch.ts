/**
 * Node only: the PyTorch CPU reference. Where Debian's python3-torch is installed, runs
 * bench/torch_cases.py on the same cases (same shapes, same timing rule) and returns per-case
 * results, printed beside the WebGPU figures but never part of their ratios.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchCase } from './cases.ts';
import { epochSubset } from './data.ts';
import { median, type SideResult } from './suite.ts';
import type * as wt from '../src/index.ts';

export const PYTHON = process.env['WEBTRAIN_PYTHON'] ?? '/usr/bin/python3';

export function torchAvailable(): { ok: true; version: string } | { ok: false; why: string } {
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (r.error) return { ok: false, why: `${PYTHON} not found` };
  if (r.status !== 0) return { ok: false, why: `${PYTHON} has no torch (Debian: apt-get install python3-torch)` };
  return { ok: true, version: r.stdout.trim() };
}

export interface TorchRun {
  version: string;
  threads: number;
  results: Map<string, SideResult>;
}

export async function runTorch(
  cases: readonly BenchCase[],
  options: { threads: number; mnist: () => Promise<wt.MnistData>; log: (s: string) => void },
): Promise<TorchRun> {
  const jobCases = cases
    .filter((c) => c.torch)
    .map((c) => ({ id: c.id, kind: c.torch!.kind, params: c.torch!.params, warmup: c.warmup, reps: c.reps, targetRepMs: c.targetRepMs, maxInner: c.maxInner }));
  const dir = mkdtempSync(join(tmpdir(), 'webtrain-bench-'));
  try {
    const job: Record<string, unknown> = { threads: options.threads, cases: jobCases };
    const epoch = jobCases.find((c) => c.kind === 'mnist_epoch');
    if (epoch) {
      const d = epochSubset(await options.mnist(), epoch.params['images']!);
      const bytes = new Uint8Array(d.count + d.images.length);
      bytes.set(Uint8Array.from(d.labels), 0);
      bytes.set(d.images as Uint8Array, d.count);
      const path = join(dir, 'mnist-epoch.bin');
      writeFileSync(path, bytes);
      job['mnist'] = { path, count: d.count };
    }
    const out = await new Promise<string>((resolve, reject) => {
      // Passive OpenMP waits: with the default spin-waiting, PyTorch's threads collapse 5-15x as
      // soon as anything else runs on these shared cores (seen: a LeNet step 20 ms idle, 115-470 ms
      // under load with 2 threads, 36-50 ms with passive waits).
      const env = { ...process.env, OMP_WAIT_POLICY: process.env['OMP_WAIT_POLICY'] ?? 'PASSIVE' };
      const child = spawn(PYTHON, ['bench/torch_cases.py'], { stdio: ['pipe', 'pipe', 'pipe'], env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
        for (const line of b.toString().split('\n')) if (line.trim()) options.log(line);
      });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`torch_cases.py exited with ${code}: ${stderr.slice(-2000)}`))));
      child.stdin.end(JSON.stringify(job));
    });
    const parsed = JSON.parse(out) as { torch: string; threads: number; results: Record<string, { timesMs: number[]; inner: number }> };
    const results = new Map<string, SideResult>();
    for (const c of cases) {
      const r = parsed.results[c.id];
      if (!r) continue;
      const med = median(r.timesMs);
      results.set(c.id, {
        timesMs: r.timesMs,
        medianMs: med,
        minMs: Math.min(...r.timesMs),
        maxMs: Math.max(...r.timesMs),
        inner: r.inner,
        throughput: c.unit === 'GFLOP/s' ? c.workPerIter / (med / 1000) / 1e9 : c.workPerIter / (med / 1000),
        peakBytes: 0,
      });
    }
    return { version: parsed.torch, threads: parsed.threads, results };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
