/** Ten bars of class probabilities, the most likely one highlighted; fixed size, so nothing moves. */
import { el, fmt } from '../panel.js';

export class ProbabilityBars {
  readonly root = el('div', 'probs');
  private readonly bars: HTMLElement[] = [];
  private readonly values: HTMLElement[] = [];

  constructor(classes = 10) {
    this.root.setAttribute('role', 'list');
    for (let c = 0; c < classes; c++) {
      const row = el('div', 'prob');
      row.setAttribute('role', 'listitem');
      const track = el('div', 'prob-track');
      const bar = el('div', 'prob-bar');
      track.append(bar);
      const value = el('span', 'prob-value', '–');
      row.append(el('span', 'prob-class', String(c)), track, value);
      this.root.append(row);
      this.bars.push(bar);
      this.values.push(value);
    }
  }

  show(probs: ArrayLike<number> | null): void {
    let best = -1;
    if (probs) for (let c = 0; c < probs.length; c++) if (best < 0 || probs[c]! > probs[best]!) best = c;
    this.bars.forEach((b, c) => {
      const p = probs ? probs[c]! : 0;
      b.style.width = `${(p * 100).toFixed(1)}%`;
      b.parentElement!.parentElement!.classList.toggle('best', c === best);
      this.values[c]!.textContent = probs ? fmt.pct(p) : '–';
    });
  }
}
