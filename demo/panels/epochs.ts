/** One row per epoch: held-out top-1, top-5 and loss next to the training accuracy. */
import { card, el, fmt, type Panel, type RunEpoch, type RunInfo } from '../panel.js';

export class EpochsPanel implements Panel {
  readonly root: HTMLElement;
  readonly slot = 'train-side';
  private readonly rows: HTMLTableSectionElement;
  private readonly empty = el('p', 'muted', 'Scores appear here after each epoch, and when a run is stopped.');
  private readonly caption = el('p', 'muted caption', 'Digits the model never trains on.');

  constructor() {
    const { root, body } = card('Held-out digits', 'epochs');
    this.root = root;
    const table = el('table', 'epochs');
    table.id = 'epochs';
    const head = table.createTHead().insertRow();
    for (const h of ['Epoch', 'Top-1', 'Top-5', 'Loss', 'Train top-1']) head.append(el('th', '', h));
    this.rows = table.createTBody();
    body.append(this.caption, table, this.empty);
  }

  runStarted(run: RunInfo): void {
    this.caption.textContent = `${fmt.int(run.heldOutCount)} digits the model never trains on.`;
    this.rows.replaceChildren();
    this.empty.hidden = false;
  }

  epochEnded(e: RunEpoch, run: RunInfo): void {
    this.empty.hidden = true;
    const row = this.rows.insertRow();
    row.append(
      el('td', '', String(e.epoch)),
      el('td', 'strong', fmt.pct(e.testAccuracy)),
      el('td', '', fmt.pct(e.testTop5)),
      el('td', '', fmt.loss(e.testLoss)),
      el('td', '', fmt.pct(e.trainAccuracy)),
    );
    row.title = `${fmt.int(e.imagesPerSec)} images/s, ${fmt.seconds(e.seconds)} of training`;
    if (e.stepsDone < run.stepsPerEpoch) {
      const note = this.rows.insertRow();
      note.className = 'note';
      const cell = el('td', 'muted', `Stopped at step ${e.stepsDone} of ${run.stepsPerEpoch} of this epoch.`);
      cell.colSpan = 5;
      note.append(cell);
    }
  }
}
