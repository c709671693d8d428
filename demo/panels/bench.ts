/**
 * The Benchmark tab: the repo's benchmark cases (bench/cases.ts, the same ones `npm run bench`
 * runs) on this browser's GPU, webtrain beside TensorFlow.js's WebGPU backend, alternating, with
 * the runner of bench/suite.ts. The bench code and tfjs (a few MB) are loaded only when a run
 * starts. It runs on the page's thread, on the page's device (tfjs gets its own device on the same
 * adapter); a run is refused while training runs, since both would share the GPU.
 *
 * The bench cases reach two internals (src/internal.ts: wt.ops.matmul and the engine's flush), so
 * this tab is the one part of the demo that goes beyond the public API, through the bench.
 */
import * as wt from '../../src/index.js';
import type { CaseResult, SideResult } from '../../bench/suite.ts';
import { button, card, el, type Panel } from '../panel.js';

interface Preset {
  id: string;
  label: string;
  hint: string;
  smoke: boolean;
  warmup: number;
  reps: number;
  budgetSeconds?: number;
  /** Case ids left out. */
  skip?: readonly string[];
}

const PRESETS: readonly Preset[] = [
  {
    id: 'quick',
    label: 'Quick (tiny shapes)',
    hint: 'The cases at the bench’s smoke shapes, one warm-up and three timed repetitions per library, and a check that both compute the same numbers; the MNIST epoch case (long for tfjs) is in Full. Under a minute on a CPU adapter, most of it compiling shaders.',
    smoke: true,
    warmup: 1,
    reps: 3,
    skip: ['mnist-epoch'],
  },
  {
    id: 'full',
    label: 'Full (the bench’s shapes)',
    hint: 'The shapes of `npm run bench` (LeNet-5 batch 64, conv 64->64 at 32x32, matmul 1024 ...), five repetitions; cases that would not finish within 5 minutes are skipped. Minutes on a CPU adapter.',
    smoke: false,
    warmup: 1,
    reps: 5,
    budgetSeconds: 300,
  },
];

const isSide = (s: SideResult | { na: string } | undefined): s is SideResult => !!s && 'medianMs' in s;

function ms(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

export class BenchPanel implements Panel {
  readonly root: HTMLElement;
  readonly slot = 'bench' as const;
  private readonly preset = el('select');
  private readonly run = button('Run the benchmark', 'button primary');
  private readonly status = el('p', 'status bench-status');
  private readonly adapter = el('p', 'muted bench-adapter');
  private readonly table = el('table', 'summary bench');
  private readonly log = el('pre', 'bench-log');
  private training = false;
  private running = false;

  constructor() {
    const c = card(
      'Benchmark',
      'bench',
      'The benchmark cases of this repository (`npm run bench`) on this browser’s GPU: each case runs on webtrain and on TensorFlow.js’s WebGPU backend, alternating, and shows the median time per iteration of each and their ratio.',
    );
    this.root = c.root;
    this.preset.id = 'bench-preset';
    for (const p of PRESETS) this.preset.append(new Option(p.label, p.id));
    const hint = el('p', 'muted bench-hint', PRESETS[0]!.hint);
    this.preset.addEventListener('change', () => (hint.textContent = this.chosen().hint));
    const field = el('label', 'field inline');
    field.append(el('span', 'field-name', 'Cases'), this.preset);
    this.run.id = 'bench-run';
    this.run.addEventListener('click', () => void this.start());
    const row = el('div', 'buttons');
    row.append(this.run);
    this.status.id = 'bench-status';
    this.status.setAttribute('role', 'status');
    this.status.textContent = 'Not run yet.';
    this.adapter.id = 'bench-adapter';
    this.table.id = 'bench-table';
    this.head();
    const wrap = el('div', 'table-wrap');
    wrap.append(this.table);
    this.log.id = 'bench-log';
    this.log.setAttribute('aria-label', 'benchmark progress');
    this.log.tabIndex = 0;
    const note = el(
      'p',
      'muted',
      'Ratio = tfjs time / webtrain time: above 1, webtrain is faster. Only figures from the same run on the same adapter compare honestly; a CPU adapter (SwiftShader) says little about a real GPU.',
    );
    c.body.append(field, hint, row, this.status, this.adapter, wrap, note, this.log);
  }

  private chosen(): Preset {
    return PRESETS.find((p) => p.id === this.preset.value) ?? PRESETS[0]!;
  }

  runStarted(): void {
    this.training = true;
    this.update();
  }

  runEnded(): void {
    this.training = false;
    this.update();
  }

  private update(): void {
    this.run.disabled = this.running || this.training;
    this.preset.disabled = this.running;
    if (this.training && !this.running) this.status.textContent = 'Training is running: the benchmark waits until it ends, as both would share the GPU.';
    else if (!this.training && !this.running && /Training is running/.test(this.status.textContent ?? '')) this.status.textContent = 'Ready.';
  }

  private head(): void {
    const head = el('thead');
    const hr = head.insertRow();
    for (const h of ['Case', 'webtrain ms', 'tfjs ms', 'Ratio', 'Agree']) hr.append(el('th', '', h));
    this.table.replaceChildren(head, el('tbody'));
  }

  private addRow(r: CaseResult): void {
    const row = (this.table.tBodies[0] ?? this.table.createTBody()).insertRow();
    row.dataset['case'] = r.id;
    const cell = (s: SideResult | { na: string }, lib: string): HTMLTableCellElement => {
      const td = el('td', 'num', isSide(s) ? ms(s.medianMs) : '–');
      td.dataset['lib'] = lib;
      if (!isSide(s)) td.title = s.na;
      else td.title = `median of ${s.timesMs.length} repetitions (${s.inner} iteration${s.inner > 1 ? 's' : ''} each), min ${ms(s.minMs)}, max ${ms(s.maxMs)} ms`;
      return td;
    };
    const ratio = el('td', 'num', r.speedup === null ? '–' : `${r.speedup.toFixed(2)}x`);
    ratio.dataset['lib'] = 'ratio';
    const agree = r.agreement ?? [];
    const ok = agree.every((a) => a.relError <= a.tolerance);
    const agreeCell = el('td', '', agree.length === 0 ? '' : ok ? 'yes' : 'NO');
    agreeCell.title = agree.map((a) => `${a.what}: relative error ${a.relError.toExponential(1)} (tolerance ${a.tolerance})`).join('\n');
    const title = el('td');
    title.append(el('span', 'mono', r.id), el('br'), el('span', 'muted', r.title));
    row.append(title, cell(r.webtrain, 'webtrain'), cell(r.tfjs, 'tfjs'), ratio, agreeCell);
  }

  private say(line: string): void {
    this.log.textContent += `${line}\n`;
    this.log.scrollTop = this.log.scrollHeight;
  }

  private async start(): Promise<void> {
    if (this.running || this.training) return;
    this.running = true;
    this.update();
    const p = this.chosen();
    this.head();
    this.log.textContent = '';
    this.status.textContent = 'Loading the benchmark and TensorFlow.js…';
    const t0 = performance.now();
    let tfjs: import('../../bench/tfjs-backend.ts').TfjsWebGPU | null = null;
    try {
      const [{ benchCases }, suite, tb] = await Promise.all([import('../../bench/cases.ts'), import('../../bench/suite.ts'), import('../../bench/tfjs-backend.ts')]);
      const device = await wt.init();
      tfjs = await tb.useTfjsWebGPU(navigator.gpu);
      let mnist: Promise<wt.MnistData> | null = null;
      const ctx = { device, tfjs, smoke: p.smoke, mnist: () => (mnist ??= wt.loadMnist()) };
      const a = suite.adapterOf(ctx);
      this.adapter.textContent = `Adapter: ${a.webtrain}${a.same ? ' (tfjs on the same adapter)' : `; tfjs on: ${a.tfjs}`} · TensorFlow.js ${tb.tf.version.tfjs}`;
      const cases = benchCases({ smoke: p.smoke }).filter((c) => !p.skip?.includes(c.id));
      let done = 0;
      this.status.textContent = `Running ${cases.length} cases…`;
      for (const c of cases) {
        this.status.textContent = `Case ${done + 1} of ${cases.length}: ${c.id}…`;
        const remaining = p.budgetSeconds ? Math.max(1, p.budgetSeconds - (performance.now() - t0) / 1000) : undefined;
        const [r] = await suite.runSuite([c], ctx, { smoke: p.smoke, warmup: p.warmup, reps: p.reps, budgetSeconds: remaining, log: (l) => this.say(l) });
        if (r) this.addRow(r);
        done++;
      }
      this.status.textContent = `Done: ${cases.length} cases in ${((performance.now() - t0) / 1000).toFixed(1)} s.`;
      this.root.dataset['done'] = 'true';
    } catch (e) {
      console.warn('benchmark:', e);
      this.status.textContent = `The benchmark failed: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      tfjs?.backend.dispose();
      this.running = false;
      this.update();
    }
  }
}
