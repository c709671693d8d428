/** The run at a glance: a progress bar (epoch, step, images/s, ETA) and tiles of the latest numbers. */
import { card, el, fmt, type Panel, type RunEpoch, type RunInfo, type RunStep } from '../panel.js';

const TILES = [
  ['step', 'Step'],
  ['epoch', 'Epoch'],
  ['loss', 'Loss'],
  ['train-acc', 'Train top-1'],
  ['train-top5', 'Train top-5'],
  ['held-out-acc', 'Held-out top-1'],
  ['held-out-top5', 'Held-out top-5'],
  ['speed', 'Images / s'],
  ['eta', 'Time left'],
  ['lr', 'Learning rate'],
] as const;

type TileKey = (typeof TILES)[number][0];

export class MetricsPanel implements Panel {
  readonly root: HTMLElement;
  readonly slot = 'train-main';
  private readonly values = new Map<TileKey, HTMLElement>();
  private readonly notes = new Map<TileKey, HTMLElement>();
  private readonly bar = el('div', 'progress-fill');
  private readonly track = el('div', 'progress');
  private readonly label = el('div', 'progress-label', 'Not started.');

  constructor() {
    const { root, body } = card('Progress', 'metrics');
    this.root = root;
    this.track.id = 'progress';
    this.track.setAttribute('role', 'progressbar');
    this.track.setAttribute('aria-valuemin', '0');
    this.track.setAttribute('aria-valuemax', '100');
    this.track.setAttribute('aria-valuenow', '0');
    this.track.setAttribute('aria-label', 'Training progress');
    this.track.append(this.bar);
    this.label.id = 'progress-label';
    const tiles = el('div', 'tiles');
    for (const [key, label] of TILES) {
      const tile = el('div', 'tile');
      const value = el('div', 'tile-value', '–');
      value.id = `metric-${key}`;
      const note = el('div', 'tile-note', '\u00a0');
      tile.append(el('div', 'tile-label', label), value, note);
      tiles.append(tile);
      this.values.set(key, value);
      this.notes.set(key, note);
    }
    body.append(this.track, this.label, tiles);
  }

  private set(key: TileKey, value: string, note = '\u00a0'): void {
    this.values.get(key)!.textContent = value;
    this.notes.get(key)!.textContent = note;
  }

  private progress(fraction: number, text: string): void {
    const pct = Math.max(0, Math.min(100, fraction * 100));
    this.bar.style.width = `${pct}%`;
    this.track.setAttribute('aria-valuenow', pct.toFixed(0));
    this.label.textContent = text;
  }

  runStarted(run: RunInfo): void {
    this.set('step', '0', `of ${fmt.int(run.totalSteps)}`);
    this.set('epoch', '1', `of ${run.config.epochs}`);
    for (const k of ['loss', 'train-acc', 'train-top5', 'held-out-acc', 'held-out-top5', 'speed', 'eta', 'lr'] as const) this.set(k, '–');
    this.progress(0, `${run.choice.label}: preparing the GPU kernels…`);
  }

  step(s: RunStep, run: RunInfo): void {
    this.set('step', fmt.int(s.globalStep), `of ${fmt.int(run.totalSteps)}`);
    this.set('epoch', String(s.epoch), `of ${s.epochs}`);
    this.set('loss', fmt.loss(s.loss), 'this step');
    this.set('train-acc', fmt.pct(s.accuracy), 'this epoch so far');
    this.set('train-top5', fmt.pct(s.top5), 'this epoch so far');
    this.set('speed', fmt.int(s.imagesPerSec), `batch ${run.config.batchSize}`);
    this.set('eta', fmt.eta(s.etaSeconds), 'of training');
    this.set('lr', s.lr.toPrecision(2), run.config.schedule);
    this.progress(
      s.globalStep / run.totalSteps,
      `Epoch ${s.epoch} of ${s.epochs} · step ${fmt.int(s.step)} of ${fmt.int(s.stepsPerEpoch)} · ${fmt.int(s.imagesPerSec)} images/s · ${fmt.eta(s.etaSeconds)} left`,
    );
  }

  paused(paused: boolean): void {
    this.track.classList.toggle('paused', paused);
    if (paused) this.label.textContent = `Paused · ${this.label.textContent?.replace(/^Paused · /, '') ?? ''}`;
  }

  epochEnded(e: RunEpoch, run: RunInfo): void {
    this.set('held-out-acc', fmt.pct(e.testAccuracy), `${fmt.int(run.heldOutCount)} digits`);
    this.set('held-out-top5', fmt.pct(e.testTop5), `after epoch ${e.epoch}`);
  }

  runEnded(): void {
    this.track.classList.remove('paused');
  }
}
