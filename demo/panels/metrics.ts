/** The run's numbers at a glance: step, epoch, loss, accuracies and throughput. */
import { card, el, fmt, type Panel, type RunEpoch, type RunInfo, type RunStep } from '../panel.js';

const TILES = [
  ['step', 'Step'],
  ['epoch', 'Epoch'],
  ['loss', 'Loss'],
  ['train-acc', 'Train acc.'],
  ['held-out-acc', 'Held-out acc.'],
  ['speed', 'Images / s'],
] as const;

type TileKey = (typeof TILES)[number][0];

export class MetricsPanel implements Panel {
  readonly root: HTMLElement;
  readonly slot = 'main';
  private readonly values = new Map<TileKey, HTMLElement>();
  private readonly notes = new Map<TileKey, HTMLElement>();

  constructor() {
    const { root, body } = card('Now', 'metrics');
    this.root = root;
    body.classList.add('tiles');
    for (const [key, label] of TILES) {
      const tile = el('div', 'tile');
      const value = el('div', 'tile-value', '–');
      value.id = `metric-${key}`;
      const note = el('div', 'tile-note');
      tile.append(el('div', 'tile-label', label), value, note);
      body.append(tile);
      this.values.set(key, value);
      this.notes.set(key, note);
    }
  }

  private set(key: TileKey, value: string, note = ''): void {
    this.values.get(key)!.textContent = value;
    this.notes.get(key)!.textContent = note;
  }

  runStarted(run: RunInfo): void {
    this.set('step', '0', `of ${fmt.int(run.totalSteps)}`);
    this.set('epoch', '1', `of ${run.config.epochs}`);
    for (const k of ['loss', 'train-acc', 'held-out-acc', 'speed'] as const) this.set(k, '–');
  }

  step(s: RunStep, run: RunInfo): void {
    this.set('step', fmt.int(s.globalStep), `of ${fmt.int(run.totalSteps)}`);
    this.set('epoch', String(s.epoch), `of ${s.epochs}`);
    this.set('loss', fmt.loss(s.loss), `lr ${s.lr.toPrecision(2)}`);
    this.set('train-acc', fmt.pct(s.accuracy), 'this epoch so far');
    this.set('speed', fmt.int(s.imagesPerSec), `batch ${run.config.batchSize}`);
  }

  epochEnded(e: RunEpoch, run: RunInfo): void {
    this.set('held-out-acc', fmt.pct(e.testAccuracy), `${fmt.int(run.heldOutCount)} digits`);
  }
}
