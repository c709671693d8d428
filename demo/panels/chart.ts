/**
 * Loss and accuracy against the step, live (uPlot). Raw loss per step, its moving average, the
 * running training accuracy of the epoch, and a dot for the held-out accuracy after each epoch.
 * The root carries data-points and data-last-loss so tests can see the data move.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { card, type Panel, type RunEpoch, type RunStep } from '../panel.js';

const HEIGHT = 320;
/** Weight of the newest step in the moving average of the loss. */
const SMOOTHING = 0.1;

const COLORS = { loss: '#4f46e5', lossRaw: 'rgba(79, 70, 229, 0.25)', train: '#0d9488', heldOut: '#ea580c', grid: '#eceef3', axis: '#6b7280' };

export class ChartPanel implements Panel {
  readonly root: HTMLElement;
  readonly slot = 'main';
  private readonly plot: uPlot;
  private readonly steps: number[] = [];
  private readonly loss: number[] = [];
  private readonly lossAvg: number[] = [];
  private readonly trainAcc: number[] = [];
  private readonly heldOutAcc: (number | null)[] = [];
  private frame = 0;

  constructor() {
    const { root, body } = card('Loss and accuracy', 'chart');
    this.root = root;
    body.classList.add('chart');
    const axis = { stroke: COLORS.axis, grid: { stroke: COLORS.grid, width: 1 }, ticks: { stroke: COLORS.grid, width: 1 } };
    const pct = (_u: uPlot, v: number | null): string => (v == null ? '–' : `${v.toFixed(1)}%`);
    this.plot = new uPlot(
      {
        width: 600,
        height: HEIGHT,
        scales: { x: { time: false }, loss: { range: (_u, _min, max) => [0, Math.max(0.5, max * 1.05)] }, pct: { range: [0, 100] } },
        axes: [
          // Whole steps only, however few there are.
          { ...axis, label: 'step', incrs: [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000] },
          { ...axis, scale: 'loss', label: 'loss' },
          { ...axis, scale: 'pct', side: 1, label: 'accuracy', values: (_u, ticks) => ticks.map((t) => `${t}%`), grid: { show: false } },
        ],
        series: [
          { label: 'step' },
          { label: 'loss', scale: 'loss', stroke: COLORS.lossRaw, width: 1, value: (_u, v) => (v == null ? '–' : v.toFixed(4)) },
          { label: 'loss (average)', scale: 'loss', stroke: COLORS.loss, width: 2, value: (_u, v) => (v == null ? '–' : v.toFixed(4)) },
          { label: 'train accuracy (epoch so far)', scale: 'pct', stroke: COLORS.train, width: 2, value: pct },
          {
            label: 'held-out accuracy',
            scale: 'pct',
            stroke: COLORS.heldOut,
            fill: COLORS.heldOut,
            width: 0,
            paths: () => null,
            points: { show: true, size: 9, stroke: COLORS.heldOut, fill: COLORS.heldOut },
            value: pct,
          },
        ],
        legend: { live: true },
        cursor: { drag: { x: false, y: false } },
      },
      [[], [], [], [], []],
      body,
    );
    // Resized in the next frame, not inside the observer, so the new canvas size never re-triggers it.
    new ResizeObserver(() =>
      requestAnimationFrame(() => {
        const width = Math.floor(body.clientWidth);
        if (width > 0 && width !== this.plot.width) this.plot.setSize({ width, height: HEIGHT });
      }),
    ).observe(body);
    this.publish();
  }

  runStarted(): void {
    for (const a of [this.steps, this.loss, this.lossAvg, this.trainAcc, this.heldOutAcc]) a.length = 0;
    this.redraw();
  }

  step(s: RunStep): void {
    const prev = this.lossAvg[this.lossAvg.length - 1];
    this.steps.push(s.globalStep);
    this.loss.push(s.loss);
    this.lossAvg.push(prev === undefined ? s.loss : prev + SMOOTHING * (s.loss - prev));
    this.trainAcc.push(s.accuracy * 100);
    this.heldOutAcc.push(null);
    this.redraw();
  }

  epochEnded(e: RunEpoch): void {
    if (e.testAccuracy == null) return;
    const i = this.steps.lastIndexOf(e.globalStep);
    if (i >= 0) this.heldOutAcc[i] = e.testAccuracy * 100;
    this.redraw();
  }

  /** Redraws at most once per frame, however fast the steps come. */
  private redraw(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.plot.setData([this.steps, this.loss, this.lossAvg, this.trainAcc, this.heldOutAcc]);
      // Unless the pointer is over the chart, the legend shows the latest values.
      if (this.steps.length > 0 && (this.plot.cursor.left ?? -1) < 0) this.plot.setLegend({ idx: this.steps.length - 1 });
      this.publish();
    });
  }

  private publish(): void {
    this.root.dataset['points'] = String(this.steps.length);
    this.root.dataset['lastLoss'] = this.loss.length ? String(this.loss[this.loss.length - 1]) : '';
  }
}
