/**
 * `npm run bench [-- options]`: webtrain vs TensorFlow.js (WebGPU backend) on the same adapter in the
 * same process, alternating, plus PyTorch on the CPU as this processor's reference. Prints the table
 * and writes bench/results/<date>-<adapter>-<runtime>[-<cases>].json.
 *
 *   npm run bench                      all cases in Node (Dawn; SwiftShader where there is no GPU)
 *   npm run bench -- --browser         the same cases inside Chromium (Playwright, Vite dev server)
 *   npm run bench -- --profile CASE    per-kernel GPU times of one webtrain step of CASE
 *   npm run bench -- --smoke           tiny shapes, one repetition, checks both libraries agree
 *   npm run bench -- --cases conv-fwd,matmul-512 --reps 7
 *
 * Loaded through scripts/vite-run.mjs, so WGSL `?raw` imports resolve as in the tests.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { CASE_IDS, benchCases } from './cases.ts';
import type { BenchRecord, RunInfo } from './report.ts';
import { formatAgreement, formatFooter, formatHeader, formatTable, resultFileName } from './report.ts';
import type { CaseResult } from './suite.ts';

interface Options {
  browser: boolean;
  profile?: string;
  smoke: boolean;
  cases: string[];
  reps?: number;
  warmup?: number;
  allSides: boolean;
  budget: number;
  torch: boolean;
  torchThreads: number;
  adapter: 'auto' | 'gpu' | 'swiftshader';
  boundsChecks: boolean | 'auto';
  write: boolean;
  updateDocs: boolean;
  json: boolean;
}

function positiveInt(min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be an integer >= ${min}, got '${v}'`);
    return n;
  };
}

function caseList(v: string): string[] {
  const ids = v.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = ids.filter((id) => !(CASE_IDS as readonly string[]).includes(id));
  if (bad.length) throw new InvalidArgumentError(`unknown case ${bad.join(', ')}; cases: ${CASE_IDS.join(', ')}`);
  return ids;
}

function parse(argv: string[]): Options {
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const p = new Command()
    .name('npm run bench --')
    .description('webtrain vs TensorFlow.js WebGPU on the same adapter, with PyTorch CPU as the reference')
    .addOption(new Option('--browser', 'run the cases inside Chromium (Playwright) instead of Node'))
    .addOption(new Option('--profile <case>', `per-kernel GPU times of one webtrain step (${CASE_IDS.join(', ')})`).argParser((v) => caseList(v)[0]!))
    .addOption(new Option('--smoke', 'tiny shapes, one repetition; checks that both libraries compute the same results'))
    .addOption(new Option('--cases <ids>', 'comma-separated case ids').argParser(caseList).default([]))
    .addOption(new Option('--reps <n>', 'timed repetitions per case (default: the case\'s, at least 5)').argParser(positiveInt(1)))
    .addOption(new Option('--warmup <n>', 'untimed warm-up runs per case').argParser(positiveInt(0)))
    .addOption(new Option('--all-sides', 'also time tfjs on cases webtrain cannot run yet'))
    .addOption(
      new Option('--budget <minutes>', 'time budget of the WebGPU cases (PyTorch takes about a minute more): a case whose repetitions would end past it is reported as not run')
        .argParser(positiveInt(1))
        .default(13),
    )
    .addOption(new Option('--no-torch', 'skip the PyTorch CPU reference'))
    .addOption(new Option('--torch-threads <n>', 'PyTorch CPU threads').argParser(positiveInt(1)).default(cores))
    .addOption(new Option('--adapter <name>', 'Node adapter').choices(['auto', 'gpu', 'swiftshader']).default('auto'))
    .addOption(
      new Option('--bounds-checks <on|off>', "Node: WebGPU's shader bounds checks for both libraries (on: as in browsers; --profile: off is the default of webtrain's main job on SwiftShader)")
        .choices(['on', 'off']),
    )
    .addOption(new Option('--no-write', 'do not write bench/results/*.json'))
    .addOption(new Option('--update-docs', `put the table into ${DOC_FILES.join(' and ')} between ${MARK_BEGIN} and ${MARK_END}, where those markers are`))
    .addOption(new Option('--json', 'print the JSON record on stdout (progress goes to stderr)'))
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  p.parse(argv, { from: 'user' });
  const o = p.opts<Record<string, unknown>>();
  return {
    browser: Boolean(o['browser']),
    profile: o['profile'] as string | undefined,
    smoke: Boolean(o['smoke']),
    cases: o['cases'] as string[],
    reps: o['reps'] as number | undefined,
    warmup: o['warmup'] as number | undefined,
    allSides: Boolean(o['allSides']),
    budget: o['budget'] as number,
    torch: o['torch'] as boolean,
    torchThreads: o['torchThreads'] as number,
    adapter: o['adapter'] as Options['adapter'],
    boundsChecks: o['boundsChecks'] === undefined ? (o['profile'] ? 'auto' : true) : o['boundsChecks'] === 'on',
    write: o['write'] as boolean,
    updateDocs: Boolean(o['updateDocs']),
    json: Boolean(o['json']),
  };
}

const DOC_FILES = ['README.md', 'bench/NOTES.md'];
const MARK_BEGIN = '<!-- bench:latest -->';
const MARK_END = '<!-- /bench:latest -->';

/** Replaces the text between the markers in each doc file that has them. */
function updateDocs(block: string): string[] {
  const done: string[] = [];
  for (const file of DOC_FILES) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    const a = text.indexOf(MARK_BEGIN);
    const b = text.indexOf(MARK_END);
    if (a < 0 || b < a) continue;
    writeFileSync(file, `${text.slice(0, a + MARK_BEGIN.length)}\n${block}\n${text.slice(b)}`);
    done.push(file);
  }
  return done;
}

const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

async function main(argv: string[]): Promise<number> {
  let o: Options;
  try {
    o = parse(argv);
  } catch (e) {
    const code = (e as { code?: string }).code;
    return code === 'commander.helpDisplayed' ? 0 : 2;
  }
  if (o.profile) {
    const { runProfile } = await import('./profile.ts');
    return runProfile(o.profile, { adapter: o.adapter, boundsChecks: o.boundsChecks, log });
  }

  const wall0 = performance.now();
  const loadStart = os.loadavg();
  const cases = benchCases({ smoke: o.smoke }).filter((c) => o.cases.length === 0 || o.cases.includes(c.id));
  const suite = { smoke: o.smoke, only: o.cases, reps: o.reps, warmup: o.warmup, allSides: o.allSides, budgetSeconds: o.budget * 60, log };
  let results: CaseResult[];
  let adapter: RunInfo['adapter'];
  const versions: Record<string, string> = { node: process.versions.node };
  let mnist: () => Promise<import('../src/index.ts').MnistData>;
  if (o.browser) {
    const { runInBrowser } = await import('./browser.ts');
    const r = await runInBrowser(suite, log);
    results = r.results;
    adapter = r.adapter;
    Object.assign(versions, r.versions);
    const wt = await import('../src/index.ts');
    mnist = () => wt.loadMnist();
  } else {
    const { nodeBenchContext } = await import('./node-env.ts');
    const { runSuite, adapterOf } = await import('./suite.ts');
    const { tf } = await import('./tfjs-backend.ts');
    const ctx = await nodeBenchContext({ smoke: o.smoke, adapter: o.adapter, boundsChecks: o.boundsChecks !== false });
    adapter = adapterOf(ctx);
    versions['tfjs'] = tf.version.tfjs;
    log(`adapter: ${adapter.webtrain}${adapter.same ? ' (tfjs on the same adapter)' : ` / tfjs: ${adapter.tfjs}`}`);
    results = await runSuite(cases, ctx, suite);
    mnist = ctx.mnist;
    ctx.tfjs.backend.dispose();
    ctx.device.destroy();
  }

  let torchInfo: RunInfo['torch'];
  if (!o.torch) {
    torchInfo = { na: 'skipped (--no-torch)' };
  } else {
    const { runTorch, torchAvailable } = await import('./torch.ts');
    const avail = torchAvailable();
    if (!avail.ok) {
      torchInfo = { na: avail.why };
    } else {
      log(`PyTorch ${avail.version} on the CPU, ${o.torchThreads} threads (reference only)`);
      const torchCases = cases.map((c) => ({ ...c, reps: Math.max(1, o.reps ?? c.reps), warmup: o.warmup ?? c.warmup }));
      const t = await runTorch(torchCases, { threads: o.torchThreads, mnist, log });
      torchInfo = { version: t.version, threads: t.threads };
      for (const r of results) r.torch = t.results.get(r.id) ?? { na: 'no PyTorch case' };
    }
  }
  if ('na' in torchInfo) for (const r of results) r.torch = { na: `PyTorch: ${torchInfo.na}` };

  const cpus = os.cpus();
  const info: RunInfo = {
    date: new Date().toISOString().slice(0, 10),
    runtime: o.browser ? 'browser' : 'node',
    adapter,
    smoke: o.smoke,
    versions,
    machine: { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, loadAverage: { start: loadStart, end: os.loadavg() } },
    torch: torchInfo,
    wallSeconds: (performance.now() - wall0) / 1000,
  };
  const record: BenchRecord = { ...info, cases: results };
  const out = [formatHeader(info), '', formatTable(record), '', formatFooter(record)];
  const agreement = formatAgreement(record);
  if (agreement) out.push('', agreement);
  const text = out.join('\n');
  if (o.json) {
    log(text);
    process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
  } else {
    process.stdout.write(`\n${text}\n`);
  }
  if (o.write && !o.smoke) {
    const dir = join('bench', 'results');
    mkdirSync(dir, { recursive: true });
    // A run of chosen cases gets their ids in the name, so it does not overwrite the day's full run.
    const base = resultFileName(info);
    const file = join(dir, o.cases.length ? base.replace(/\.json$/, `-${o.cases.join('+')}.json`) : base);
    writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
    log(`results written to ${file}`);
  }
  if (o.updateDocs && !o.smoke) {
    const files = updateDocs(['```', formatHeader(info), '', formatTable(record), '```'].join('\n'));
    log(files.length ? `table written into ${files.join(', ')}` : `--update-docs: no ${MARK_BEGIN} markers in ${DOC_FILES.join(', ')}`);
  }
  const disagree = results.some((r) => (r.agreement ?? []).some((a) => !(a.relError <= a.tolerance)));
  return disagree ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
