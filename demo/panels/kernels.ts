/** Hand-made kernels applied to a digit through webtrain's conv2d: what one convolution does. */
import * as wt from '../../src/index.js';
import type { App } from '../app.js';
import { canvasEl, paint } from '../canvas.js';
import { el, figures } from '../panel.js';
import { ModelView } from '../view.js';

const SCALE = 6;

export class KernelsPanel extends ModelView {
  private readonly input = canvasEl('the image', 'view kernel-io');
  private readonly output = canvasEl('the filtered image', 'view kernel-io');
  private readonly weights = el('table', 'kernel-weights');
  private readonly buttons: HTMLButtonElement[] = [];
  private readonly source = el('select');
  private kernel = 1;

  constructor(
    app: () => App | null,
    private readonly drawn: () => Float32Array | null,
  ) {
    super('play', app, 'Convolution kernels', 'kernels', 'A convolution slides a small grid of weights over the image and sums the products. These are made by hand; a CNN learns its own.');
    const body = this.body;
    const group = el('div', 'buttons segmented');
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', 'kernel');
    wt.viz.HAND_KERNELS.forEach((k, i) => {
      const b = el('button', 'button', k.name);
      b.type = 'button';
      b.dataset['kernel'] = k.name;
      b.addEventListener('click', () => {
        this.kernel = i;
        void this.refresh();
      });
      this.buttons.push(b);
      group.append(b);
    });
    for (const [v, t] of [
      ['heldout', 'the chosen held-out digit'],
      ['drawn', 'your drawing'],
    ]) {
      const o = el('option', '', t);
      o.value = v!;
      this.source.append(o);
    }
    this.source.id = 'kernel-source';
    this.source.addEventListener('change', () => void this.refresh());
    const label = el('label', 'field inline');
    label.append(el('span', 'field-name', 'Image'), this.source);
    body.append(group, label, figures([this.input, 'input'], [this.weights, 'kernel'], [this.output, 'conv2d output']), this.caption);
  }

  protected async draw(a: App): Promise<void> {
    const drawn = this.drawn();
    const pixels = this.source.value === 'drawn' && drawn ? drawn : a.digit().pixels;
    const k = wt.viz.HAND_KERNELS[this.kernel]!;
    this.buttons.forEach((b, i) => b.setAttribute('aria-pressed', String(i === this.kernel)));
    const out = await wt.viz.applyKernel(pixels, 28, 28, k.weights);
    const signed = Math.abs(k.weights.flat().reduce((s, v) => s + v, 0)) < 1e-6;
    paint(this.input, wt.viz.upscale(wt.viz.toImage(pixels, 28, 28, { colormap: 'gray', range: [0, 1] }), SCALE));
    paint(this.output, wt.viz.upscale(wt.viz.toImage(out, 28, 28, signed ? { colormap: 'diverging', range: 'symmetric' } : { colormap: 'gray', range: [0, 1] }), SCALE));
    this.weights.replaceChildren(
      ...k.weights.map((row) => {
        const tr = el('tr');
        for (const v of row) tr.append(el('td', v > 0 ? 'pos' : v < 0 ? 'neg' : '', Number.isInteger(v) ? String(v) : v.toFixed(2)));
        return tr;
      }),
    );
    this.caption.textContent = `${k.name}: ${k.about}${signed ? ' Its weights sum to 0, so flat regions give 0 (white); red is positive, blue negative.' : ''}`;
  }
}
