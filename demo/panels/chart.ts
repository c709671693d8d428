/**
 * Live charts (uPlot) against the step: the loss (raw and its moving average), accuracy (running
 * training top-1 and top-5 of the epoch, held-out top-1 and top-5 as dots after each epoch) and the
 * learning rate. The root carries data-points and data-last-loss so tests can see the data move.
 * Charts have fixed heights, so the page never moves while they fill.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { card, el, type Panel, type RunEpoch, type RunStep } from '../panel.js';

const HEIGHT = 220;
/** Weight of the newest step in the moving average of the loss. */
const SMOOTHING = 0.1;

const C = {
  loss: '#4f46e5',
  lossRaw: 'rgba(79, 70, 229, 0.25)',
  train: '#0d9488',
  train5: 'rgba(13, 148, 136, 0.45)',
  heldOut: '#ea580c',
  heldOut5: '#f59e0b',
  lr: '#7c3aed',
  grid: '#eceef3',
  axis: '#6b7280',
};

const axis = { stroke: C.axis, grid: { stroke: C.grid, width: 1 }, ticks: { stroke: C.grid, width: 1 } };
// Whole steps only, however few there are.
const stepAxis = { ...axis, label: 'step', incrs: [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000] };
const pct = (_u: uPlot, v: number | null): string => (v == null ? '–' : `${v.toFixed(1)}%`);
const dots = (label: string, color: string): uPlot.Series => ({
  label,
  scale: 'pct',
  stroke: color,
  fill: color,
  width: 0,
  paths: () => null,
  points: { show: true, size: 9, stroke: color, fill: color },
  value: pct,
});

interface Chart {
  plot: uPlot;
  body: HTMLElement;
}

export class ChartPanel implements Panel {
  readonly root: HTMLElement;
  readonly slot = 'train-main';
  private readonly charts: Chart[] = [];
  private readonly steps: number[] = [];
  private readonly loss: number[] = [];
  private readonly lossAvg: number[] = [];
  private readonly top1: number[] = [];
  private readonly top5: number[] = [];
  private readonly heldOut1: (number | null)[] = [];
  private readonly heldOut5: (number | null)[] = [];
  private readonly lr: number[] = [];
  private frame = 0;

  constructor() {
    const { root, body } = card('Loss, accuracy and learning rate', 'chart');
    this.root = root;
    body.classList.add('charts');
    const loss = (_u: uPlot, v: number | null): string => (v == null ? '–' : v.toFixed(4));
    this.add(body, 'Loss', {
      scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(0.5, max * 1.05)] } },
      axes: [stepAxis, { ...axis, label: 'loss' }],
      series: [{ label: 'step' }, { label: 'loss', stroke: C.lossRaw, width: 1, value: loss }, { label: 'average', stroke: C.loss, width: 2, value: loss }],
    });
    this.add(body, 'Accuracy', {
      scales: { x: { time: false }, pct: { range: [0, 100] } },
      axes: [stepAxis, { ...axis, scale: 'pct', label: 'accuracy', values: (_u, ticks) => ticks.map((t) => `${t}%`) }],
      series: [
        { label: 'step' },
        { label: 'train top-1', scale: 'pct', stroke: C.train, width: 2, value: pct },
        { label: 'train top-5', scale: 'pct', stroke: C.train5, width: 2, dash: [6, 4], value: pct },
        dots('held-out top-1', C.heldOut),
        dots('held-out top-5', C.heldOut5),
      ],
    });
    this.add(body, 'Learning rate', {
      scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1e-6, max * 1.1)] } },
      axes: [stepAxis, { ...axis, label: 'lr', values: (_u, ticks) => ticks.map((t) => t.toPrecision(2)) }],
      series: [{ label: 'step' }, { label: 'learning rate', stroke: C.lr, width: 2, value: (_u, v) => (v == null ? '–' : v.toPrecision(3)) }],
    });
    // Resized in the next frame, not inside the observer, so the new canvas size never re-triggers it.
    new ResizeObserver(() =>
      requestAnimationFrame(() => {
        for (const c of this.charts) {
          const width = Math.floor(c.body.clientWidth);
          if (width > 0 && width !== c.plot.width) c.plot.setSize({ width, height: HEIGHT });
        }
      }),
    ).observe(body);
    this.publish();
  }

  private add(parent: HTMLElement, title: string, opts: Omit<uPlot.Options, 'width' | 'height'>): void {
    const box = el('figure', 'chart');
    box.dataset['chart'] = title.toLowerCase().replace(/ /g, '-');
    const caption = el('figcaption', 'chart-title', title);
    const body = el('div', 'chart-body');
    box.append(caption, body);
    parent.append(box);
    const plot = new uPlot({ ...opts, width: 400, height: HEIGHT, legend: { live: true }, cursor: { drag: { x: false, y: false } } }, opts.series.map(() => []) as unknown as uPlot.AlignedData, body);
    this.charts.push({ plot, body });
  }

  runStarted(): void {
    for (const a of [this.steps, this.loss, this.lossAvg, this.top1, this.top5, this.heldOut1, this.heldOut5, this.lr]) a.length = 0;
    this.redraw();
  }

  step(s: RunStep): void {
    const prev = this.lossAvg[this.lossAvg.length - 1];
    this.steps.push(s.globalStep);
    this.loss.push(s.loss);
    this.lossAvg.push(prev === undefined ? s.loss : prev + SMOOTHING * (s.loss - prev));
    this.top1.push(s.accuracy * 100);
    this.top5.push(s.top5 * 100);
    this.heldOut1.push(null);
    this.heldOut5.push(null);
    this.lr.push(s.lr);
    this.redraw();
  }

  epochEnded(e: RunEpoch): void {
    const i = this.steps.lastIndexOf(e.globalStep);
    if (i >= 0) {
      this.heldOut1[i] = e.testAccuracy * 100;
      this.heldOut5[i] = e.testTop5 * 100;
    }
    this.redraw();
  }

  /** Redraws at most once per frame, however fast the steps come. */
  private redraw(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const data = [
        [this.steps, this.loss, this.lossAvg],
        [this.steps, this.top1, this.top5, this.heldOut1, this.heldOut5],
        [this.steps, this.lr],
      ];
      this.charts.forEach((c, i) => {
        c.plot.setData(data[i] as uPlot.AlignedData);
        // Unless the pointer is over the chart, the legend shows the latest values.
        if (this.steps.length > 0 && (c.plot.cursor.left ?? -1) < 0) c.plot.setLegend({ idx: this.steps.length - 1 });
      });
      this.publish();
    });
  }

  private publish(): void {
    this.root.dataset['points'] = String(this.steps.length);
    this.root.dataset['lastLoss'] = this.loss.length ? String(this.loss[this.loss.length - 1]) : '';
  }
}
