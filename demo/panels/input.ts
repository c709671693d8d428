/** The held-out digit the Understand views look at: previous / next / random, or by number. */
import * as wt from '../../src/index.js';
import type { App } from '../app.js';
import { canvasEl, paint } from '../canvas.js';
import { button, card, el, type Panel } from '../panel.js';

export class InputPanel implements Panel {
  readonly root: HTMLElement;
  readonly slot = 'understand';
  private readonly canvas = canvasEl('the chosen digit', 'view digit');
  private readonly index = el('input');
  private readonly caption = el('p', 'muted');

  constructor(private readonly app: () => App | null) {
    const { root, body } = card('The input', 'input', 'A held-out digit: the views below show how the model sees it.');
    this.root = root;
    Object.assign(this.index, { type: 'number', min: '0', max: '1999', value: '0', id: 'input-index' });
    this.index.setAttribute('aria-label', 'held-out digit number');
    this.index.addEventListener('change', () => this.app()?.setInput(Number(this.index.value) || 0));
    const go = (d: number) => () => {
      const a = this.app();
      if (a) a.setInput(a.input + d);
    };
    const random = button('Random', 'button', () => {
      const a = this.app();
      if (a) a.setInput(Math.floor(Math.random() * a.data.heldOut.count));
    });
    const row = el('div', 'buttons');
    row.append(button('◀ Previous', 'button', go(-1)), this.index, button('Next ▶', 'button', go(1)), random);
    const side = el('div', 'input-side');
    side.append(row, this.caption);
    body.classList.add('input-body');
    body.append(this.canvas, side);
  }

  async refresh(): Promise<void> {
    const a = this.app();
    if (!a) return;
    const { pixels, label } = a.digit();
    this.index.value = String(a.input);
    paint(this.canvas, wt.viz.toImage(pixels, 28, 28, { colormap: 'gray', range: [0, 1] }));
    this.caption.textContent = `Held-out digit ${a.input} of ${a.data.heldOut.count}, labelled ${label}. Model: ${a.choice.label}, ${a.source}.`;
  }
}
