/** The confusion matrix of the held-out digits: which digits the model mistakes for which. */
import * as wt from '../../src/index.js';
import type { App } from '../app.js';
import { canvasEl } from '../canvas.js';
import { fmt } from '../panel.js';
import { ModelView } from '../view.js';
import { NORMALIZE } from '../session.js';

const CELL = 34;
const TEAL = wt.viz.stops([
  [255, 255, 255],
  [13, 148, 136],
]);
const RED = wt.viz.stops([
  [255, 255, 255],
  [239, 68, 68],
]);
const MARGIN = 28;

export class ConfusionPanel extends ModelView {
  readonly heavy = true;
  private readonly canvas = canvasEl('confusion matrix of the held-out digits', 'view confusion');

  constructor(app: () => App | null) {
    super('understand', app, 'Confusion matrix', 'confusion', 'Rows are the true digits, columns what the model said; the diagonal is right. Off-diagonal cells show which digits look alike to it.');
    const body = this.body;
    body.append(this.canvas, this.caption);
  }

  protected override key(a: App): string {
    return String(a.version);
  }

  protected async draw(a: App): Promise<void> {
    this.caption.textContent = `Scoring the ${fmt.int(a.data.heldOut.count)} held-out digits…`;
    const loader = new wt.DataLoader(a.data.heldOut, { batchSize: 500, transform: NORMALIZE });
    const { predicted, labels } = await wt.viz.predictLabels(a.model, loader);
    const m = wt.viz.confusionMatrix(predicted, labels, a.data.heldOut.numClasses);
    this.drawMatrix(m);
    let worst = [0, 1, 0];
    for (let t = 0; t < m.classes; t++) for (let p = 0; p < m.classes; p++) if (t !== p && m.counts[t * m.classes + p]! > worst[2]!) worst = [t, p, m.counts[t * m.classes + p]!];
    const mistake = worst[2] ? ` Most common mistake: ${worst[0]} read as ${worst[1]} (${worst[2]} times).` : '';
    this.caption.textContent = `${fmt.int(m.total)} held-out digits, ${fmt.pct(m.accuracy)} right (${a.source}).${mistake}`;
  }

  private drawMatrix(m: wt.viz.ConfusionMatrix): void {
    const n = m.classes;
    const size = MARGIN + n * CELL + 2;
    const ratio = 2; // drawn at twice the CSS size, for sharp text
    this.canvas.width = size * ratio;
    this.canvas.height = size * ratio;
    const ctx = this.canvas.getContext('2d')!;
    ctx.scale(ratio, ratio);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, size, size);
    ctx.font = '12px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (let t = 0; t < n; t++) {
      let row = 0;
      for (let p = 0; p < n; p++) row += m.counts[t * n + p]!;
      ctx.fillStyle = '#6b7280';
      ctx.fillText(String(t), MARGIN / 2, MARGIN + t * CELL + CELL / 2);
      ctx.fillText(String(t), MARGIN + t * CELL + CELL / 2, MARGIN / 2);
      for (let p = 0; p < n; p++) {
        const c = m.counts[t * n + p]!;
        const share = row ? c / row : 0;
        // Right answers in teal, mistakes in red, both deeper with their share of the row.
        const [r, g, b] = t === p ? TEAL(share) : RED(Math.sqrt(share));
        ctx.fillStyle = `rgb(${r}, ${g}, ${b})`;
        ctx.fillRect(MARGIN + p * CELL, MARGIN + t * CELL, CELL - 1, CELL - 1);
        if (c > 0) {
          ctx.fillStyle = t === p ? (share > 0.6 ? '#111' : '#fff') : '#111';
          ctx.fillText(String(c), MARGIN + p * CELL + CELL / 2, MARGIN + t * CELL + CELL / 2);
        }
      }
    }
  }
}
