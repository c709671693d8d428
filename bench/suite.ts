/**
 * Runs the cases: for each, both sides are built, warmed up (excluded from the timings), then timed
 * in alternation (webtrain, tfjs, then tfjs, webtrain, ...) so drift in the machine's load hits both
 * alike. A repetition is `inner` iterations followed by one wait for the GPU; `inner` is chosen
 * after the warm-up by the same rule for both libraries (enough iterations to last targetRepMs).
 * Works in Node and in the browser.
 */
import * as wt from '../src/index.ts';
import type { Agreement, BenchCase, BenchContext, Impl } from './cases.ts';

export interface SideResult {
  /** Milliseconds per iteration of each timed repetition. */
  timesMs: number[];
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Iterations per repetition. */
  inner: number;
  /** Images/s or GFLOP/s at the median. */
  throughput: number;
  /** Highest GPU bytes in use during the case, above what was in use when it began. */
  peakBytes: number;
}

export interface CaseResult {
  id: string;
  title: string;
  unit: BenchCase['unit'];
  flopsPerIter: number;
  workPerIter: number;
  webtrain: SideResult | { na: string };
  tfjs: SideResult | { na: string };
  /** tfjs median / webtrain median (> 1: webtrain is faster), null when a side did not run. */
  speedup: number | null;
  agreement?: Agreement[];
  /** Filled in by the caller from bench/torch_cases.py (never part of the speedup). */
  torch?: SideResult | { na: string };
}

export interface SuiteOptions {
  smoke: boolean;
  /** Case ids to run (all when empty). */
  only?: readonly string[];
  /** Overrides every case's repetitions (at least 1) and warm-up runs. */
  reps?: number;
  warmup?: number;
  /**
   * Also time tfjs where webtrain cannot run a case yet (no ratio comes of it, so by default only
   * smoke mode does, to check that the tfjs side still builds).
   */
  allSides?: boolean;
  /**
   * Wall-clock budget of the whole suite in seconds. After a case's warm-up, if its timed
   * repetitions (projected from the warm-up) would end past the budget, the case is reported as
   * not run, with the projection, instead of being timed.
   */
  budgetSeconds?: number;
  log?: (line: string) => void;
}

export const TFJS_NOT_RUN = 'not run: no webtrain side to compare with (--all-sides runs it)';

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function timeRep(impl: Impl, inner: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < inner; i++) await impl.iter();
  await impl.sync();
  return (performance.now() - t0) / inner;
}

function sideResult(c: BenchCase, times: number[], inner: number, peakBytes: number): SideResult {
  const med = median(times);
  const perSec = 1000 / med;
  return {
    timesMs: times,
    medianMs: med,
    minMs: Math.min(...times),
    maxMs: Math.max(...times),
    inner,
    throughput: c.unit === 'GFLOP/s' ? (c.workPerIter * perSec) / 1e9 : c.workPerIter * perSec,
    peakBytes,
  };
}

function innerFor(c: BenchCase, oneIterMs: number): number {
  if (c.targetRepMs <= 0) return 1;
  return Math.max(1, Math.min(c.maxInner, Math.ceil(c.targetRepMs / Math.max(oneIterMs, 1e-3))));
}

/** FLOP rate (FLOPs per ms at the median) of each library on each case run so far, by case id. */
export interface Rates {
  webtrain: Map<string, number>;
  tfjs: Map<string, number>;
}

function notRun(c: BenchCase, why: string, missing: string | null): CaseResult {
  return { id: c.id, title: c.title, unit: c.unit, flopsPerIter: c.flopsPerIter, workPerIter: c.workPerIter, webtrain: { na: missing ?? why }, tfjs: { na: why }, speedup: null };
}

export async function runCase(
  c: BenchCase,
  ctx: BenchContext,
  o: SuiteOptions,
  deadline = Infinity,
  rates: Rates = { webtrain: new Map(), tfjs: new Map() },
): Promise<CaseResult> {
  const log = o.log ?? (() => {});
  const missing = c.webtrainMissing();
  const warmup = o.warmup ?? c.warmup;
  const reps = Math.max(1, o.reps ?? c.reps);
  const runTfjs = !missing || o.smoke || o.allSides;
  const like = c.projectFrom;
  if (Number.isFinite(deadline) && like && c.flopsPerIter > 0 && !o.smoke) {
    // Before spending a long warm-up: project the case from the FLOP rates of a similar case.
    const names = [...(missing ? [] : ['webtrain' as const]), ...(runTfjs ? ['tfjs' as const] : [])];
    if (names.every((n) => rates[n].has(like))) {
      const perIter = names.reduce((sum, n) => sum + c.flopsPerIter / rates[n].get(like)!, 0);
      const projected = perIter * (reps + warmup / (c.warmScale ?? 1));
      const left = deadline - performance.now();
      if (projected > left) {
        const why = `not run: ~${(projected / 1000).toFixed(0)} s projected from the FLOP rates of ${like}, ${(Math.max(0, left) / 1000).toFixed(0)} s of the time budget left (run it alone: --cases ${c.id})`;
        log(`  ${why}`);
        return notRun(c, why, missing);
      }
    }
  }
  const pool = ctx.device.pool.stats;
  pool.peakInUseBytes = pool.inUseBytes;
  const wtBase = pool.inUseBytes;
  ctx.tfjs.resetPeak();
  const tfBase = ctx.tfjs.backend.memory() as { numBytesInGPU: number };
  const tfBaseBytes = tfBase.numBytesInGPU;

  const sides: { name: 'webtrain' | 'tfjs'; impl: Impl; times: number[]; inner: number; last: number; warmMs: number }[] = [];
  if (!missing) sides.push({ name: 'webtrain', impl: await c.webtrain(ctx), times: [], inner: 1, last: 0, warmMs: 0 });
  if (runTfjs) sides.push({ name: 'tfjs', impl: await c.tfjs(ctx), times: [], inner: 1, last: 0, warmMs: 0 });
  if (missing) log(`  webtrain: ${missing}${runTfjs ? '' : `; tfjs ${TFJS_NOT_RUN}`}`);
  try {
    for (let w = 0; w < warmup; w++) {
      for (const s of sides) {
        const t0 = performance.now();
        if (s.impl.warm) {
          await s.impl.warm();
          await s.impl.sync();
        } else {
          s.last = await timeRep(s.impl, 1);
        }
        s.warmMs = performance.now() - t0;
        log(`  warm-up ${w + 1}/${warmup} ${s.name}: ${s.warmMs.toFixed(1)} ms`);
      }
    }
    for (const s of sides) s.inner = warmup > 0 && !s.impl.warm ? innerFor(c, s.last) : 1;
    if (warmup > 0 && Number.isFinite(deadline)) {
      // Warm-up times include compilation, so this overestimates a little.
      const projected = reps * sides.reduce((sum, s) => sum + s.inner * s.warmMs * (s.impl.warm ? (c.warmScale ?? 1) : 1), 0);
      const left = deadline - performance.now();
      if (projected > left) {
        const why = `not run: ${reps} repetitions would take ~${(projected / 1000).toFixed(0)} s after the warm-up, ${(Math.max(0, left) / 1000).toFixed(0)} s of the time budget left (run it alone: --cases ${c.id})`;
        log(`  ${why}`);
        return notRun(c, why, missing);
      }
    }
    for (let r = 0; r < reps; r++) {
      const order = r % 2 === 0 ? sides : [...sides].reverse();
      for (const s of order) {
        const t = await timeRep(s.impl, s.inner);
        s.times.push(t);
        log(`  rep ${r + 1}/${reps} ${s.name}: ${t.toFixed(1)} ms/iter (${s.inner} per rep)`);
      }
    }
  } finally {
    for (const s of sides) s.impl.dispose();
  }
  const wtSide = sides.find((s) => s.name === 'webtrain');
  const tfSide = sides.find((s) => s.name === 'tfjs');
  const webtrain = wtSide ? sideResult(c, wtSide.times, wtSide.inner, pool.peakInUseBytes - wtBase) : { na: missing! };
  const tfjs = tfSide ? sideResult(c, tfSide.times, tfSide.inner, ctx.tfjs.peakBytes() - tfBaseBytes) : { na: TFJS_NOT_RUN };
  const speedup = 'medianMs' in webtrain && 'medianMs' in tfjs ? tfjs.medianMs / webtrain.medianMs : null;
  return { id: c.id, title: c.title, unit: c.unit, flopsPerIter: c.flopsPerIter, workPerIter: c.workPerIter, webtrain, tfjs, speedup };
}

export async function runSuite(cases: readonly BenchCase[], ctx: BenchContext, o: SuiteOptions): Promise<CaseResult[]> {
  const log = o.log ?? (() => {});
  const results: CaseResult[] = [];
  const deadline = o.budgetSeconds ? performance.now() + o.budgetSeconds * 1000 : Infinity;
  const rates: Rates = { webtrain: new Map(), tfjs: new Map() };
  await settle(ctx);
  for (const c of cases) {
    if (o.only && o.only.length > 0 && !o.only.includes(c.id)) continue;
    log(`${c.id}: ${c.title}`);
    const t0 = performance.now();
    const r = await runCase(c, ctx, o, deadline, rates);
    for (const n of ['webtrain', 'tfjs'] as const) {
      const side = r[n];
      if ('medianMs' in side && c.flopsPerIter > 0) rates[n].set(c.id, c.flopsPerIter / side.medianMs);
    }
    if (o.smoke && c.check && !c.webtrainMissing()) r.agreement = await c.check(ctx);
    log(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    results.push(r);
    await settle(ctx);
  }
  return results;
}

/**
 * Between cases: let deferred releases run, and let webtrain's device forget the previous case's
 * submission latency. In Node it sleeps through most of the expected latency before waiting (so
 * Dawn's polling does not take a core from SwiftShader), and halves the estimate whenever the work
 * was already done; a wait with nothing submitted halves it, so a dozen bring a seconds-long
 * estimate from a heavy case down to nothing before a light one.
 */
async function settle(ctx: BenchContext): Promise<void> {
  for (let i = 0; i < 12; i++) await ctx.device.sync();
  await ctx.tfjs.sync();
}

/** Adapter descriptions of both sides: they must be the same adapter. */
export function adapterOf(ctx: BenchContext): { webtrain: string; tfjs: string; same: boolean } {
  const a = wt.describeAdapter(ctx.device.adapter);
  const t = ctx.tfjs.adapter;
  const tDesc = [t.description || t.device || t.architecture, t.vendor && `vendor ${t.vendor}`].filter(Boolean).join(', ');
  const same =
    ctx.device.adapter.description === t.description && ctx.device.adapter.vendor === t.vendor && ctx.device.adapter.architecture === t.architecture;
  return { webtrain: a, tfjs: tDesc, same };
}
