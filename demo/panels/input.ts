/** The held-out digit the Understand views look at: previous / next / random, or by number. */
import * as wt from '../../src/index.js';
import type { App } from '../app.js';
import { canvasEl, paint } from '../canvas.js';
import { button, el } from '../panel.js';
import { ModelView } from '../view.js';

export class InputPanel extends ModelView {
  private readonly canvas = canvasEl('the chosen digit', 'view digit');
  private readonly index = el('input');

  constructor(app: () => App | null) {
    super('understand', app, 'The input', 'input', 'A held-out digit: the views below show how the model sees it.');
    const body = this.body;
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

  protected async draw(a: App): Promise<void> {
    const { pixels, label } = a.digit();
    this.index.max = String(a.data.heldOut.count - 1);
    this.index.value = String(a.input);
    paint(this.canvas, wt.viz.toImage(pixels, 28, 28, { colormap: 'gray', range: [0, 1] }));
    this.caption.textContent = `Held-out ${a.data.name.startsWith('MNIST digits') ? 'digit' : 'image'} ${a.input} of ${a.data.heldOut.count}, labelled ${a.className(label)}. Model: ${a.choice.label}, ${a.source}.`;
  }
}
