/**
 * The bench's smoke mode (tiny shapes, one repetition), so the harness cannot rot: every case runs on
 * webtrain and on tfjs-webgpu on the same adapter, and where both run, their results agree on
 * identical inputs and weights. Speed is not asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchCases, type BenchContext } from '../../bench/cases.ts';
import { relativeError } from '../../bench/data.ts';
import { nodeBenchContext } from '../../bench/node-env.ts';
import { formatAgreement, formatTable, type BenchRecord } from '../../bench/report.ts';
import { adapterOf, runSuite, type CaseResult } from '../../bench/suite.ts';
import { runTorch, torchAvailable } from '../../bench/torch.ts';

const cases = benchCases({ smoke: true });
let ctx: BenchContext;
let results: CaseResult[];

beforeAll(async () => {
  ctx = await nodeBenchContext({ smoke: true });
}, 120_000);

afterAll(() => {
  ctx?.tfjs.backend.dispose();
});

function record(rs: CaseResult[]): BenchRecord {
  return {
    date: 'smoke',
    runtime: 'node',
    adapter: adapterOf(ctx),
    smoke: true,
    versions: {},
    machine: null,
    torch: { na: 'not run' },
    wallSeconds: 0,
    cases: rs,
  };
}

describe('bench smoke', () => {
  it('runs tfjs on the same adapter as webtrain', () => {
    const a = adapterOf(ctx);
    expect(a.same, `webtrain: ${a.webtrain}; tfjs: ${a.tfjs}`).toBe(true);
  });

  it('runs every case on both libraries, and their results agree', async () => {
    results = await runSuite(cases, ctx, { smoke: true });
    expect(results.map((r) => r.id)).toEqual(cases.map((c) => c.id));
    for (const r of results) {
      const c = cases.find((x) => x.id === r.id)!;
      expect('medianMs' in r.tfjs, `${r.id}: tfjs did not run`).toBe(true);
      if ('medianMs' in r.tfjs) expect(r.tfjs.medianMs, r.id).toBeGreaterThan(0);
      expect(c.webtrainMissing(), r.id).toBeNull();
      expect('medianMs' in r.webtrain, `${r.id}: webtrain did not run`).toBe(true);
      if ('medianMs' in r.webtrain) {
        expect(r.webtrain.medianMs, r.id).toBeGreaterThan(0);
        expect(r.webtrain.peakBytes, `${r.id}: webtrain peak memory`).toBeGreaterThan(0);
      }
      expect(r.speedup, r.id).toBeGreaterThan(0);
      if (c.check) {
        expect(r.agreement?.length, `${r.id}: no agreement check ran`).toBeGreaterThan(0);
        for (const a of r.agreement ?? []) {
          expect(a.relError, `${r.id}: ${a.what}`).toBeLessThanOrEqual(a.tolerance);
        }
      }
    }
    const table = formatTable(record(results));
    for (const c of cases) expect(table).toContain(c.id);
  }, 900_000);

  it('reports a disagreement as DIFFER', () => {
    const wrong: CaseResult = {
      id: 'made-up',
      title: 'made up',
      unit: 'GFLOP/s',
      flopsPerIter: 1,
      workPerIter: 1,
      webtrain: { na: 'not run' },
      tfjs: { na: 'not run' },
      speedup: null,
      agreement: [{ what: 'made-up output', relError: relativeError([1, 2, 3], [1, 2, 4]), tolerance: 1e-4 }],
    };
    expect(formatAgreement(record([wrong]))).toContain('DIFFER');
  });

  const torch = torchAvailable();
  it.skipIf(!torch.ok)(`runs the PyTorch CPU reference (${torch.ok ? `torch ${torch.version}` : torch.why})`, async () => {
    const run = await runTorch(cases, { threads: 1, mnist: ctx.mnist, log: () => {} });
    for (const c of cases) {
      const r = run.results.get(c.id);
      expect(r, `${c.id}: no PyTorch result`).toBeDefined();
      expect(r!.medianMs, c.id).toBeGreaterThan(0);
    }
  }, 300_000);
});
