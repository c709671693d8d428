/** Hand-made kernels applied to a digit through webtrain's conv2d: what one convolution does. */
import * as wt from '../../src/index.js';
import type { App } from '../app.js';
import { canvasEl, paint } from '../canvas.js';
import { card, el, type Panel } from '../panel.js';

const SCALE = 6;

export class KernelsPanel implements Panel {
  readonly root: HTMLElement;
  readonly slot = 'play';
  private readonly input = canvasEl('the image', 'view kernel-io');
  private readonly output = canvasEl('the filtered image', 'view kernel-io');
  private readonly weights = el('table', 'kernel-weights');
  private readonly about = el('p', 'muted');
  private readonly buttons: HTMLButtonElement[] = [];
  private readonly source = el('select');
  private kernel = 1;

  constructor(
    private readonly app: () => App | null,
    private readonly drawn: () => Float32Array | null,
  ) {
    const { root, body } = card('Convolution kernels', 'kernels', 'A convolution slides a small grid of weights over the image and sums the products. These are made by hand; a CNN learns its own.');
    this.root = root;
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
    const pics = el('div', 'pair');
    const f1 = el('figure');
    f1.append(this.input, el('figcaption', '', 'input'));
    const fk = el('figure');
    fk.append(this.weights, el('figcaption', '', 'kernel'));
    const f2 = el('figure');
    f2.append(this.output, el('figcaption', '', 'conv2d output'));
    pics.append(f1, fk, f2);
    body.append(group, label, pics, this.about);
  }

  async refresh(): Promise<void> {
    const a = this.app();
    if (!a) return;
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
    this.about.textContent = `${k.name}: ${k.about}${signed ? ' Its weights sum to 0, so flat regions give 0 (white); red is positive, blue negative.' : ''}`;
  }
}
