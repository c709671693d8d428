/**
 * Shift or flip the input and watch: the first layer's feature maps move with it (a convolution is
 * shift-equivariant), while the prediction stays for small shifts (pooling and the classifier make
 * the model roughly shift-invariant). A mirror image is another matter.
 */
import * as wt from '../../src/index.js';
import type { App } from '../app.js';
import { canvasEl, paint } from '../canvas.js';
import { button, el, figures, fmt } from '../panel.js';
import { ModelView } from '../view.js';
import { mapsImage } from './featuremaps.js';

const STEP = 2;

export class EquivariancePanel extends ModelView {
  private readonly input = canvasEl('the shifted input', 'view shifted');
  private readonly maps = canvasEl('first conv layer feature maps of the shifted input', 'view shifted-maps');
  private readonly verdict = el('p', 'verdict');
  private readonly detail = el('p', 'muted');
  private dx = 0;
  private dy = 0;
  private flip = false;

  constructor(app: () => App | null) {
    super('play', app, 'Shift and flip', 'equivariance', 'Move the digit: the feature maps move with it (equivariance) while the prediction stays (invariance), up to a point.');
    const body = this.body;
    const move = (dx: number, dy: number) => () => {
      this.dx = Math.max(-8, Math.min(8, this.dx + dx));
      this.dy = Math.max(-8, Math.min(8, this.dy + dy));
      void this.refresh();
    };
    const row = el('div', 'buttons');
    const flip = button('Flip ⇋', 'button', () => {
      this.flip = !this.flip;
      flip.setAttribute('aria-pressed', String(this.flip));
      void this.refresh();
    });
    flip.setAttribute('aria-pressed', 'false');
    const reset = button('Reset', 'button', () => {
      this.dx = this.dy = 0;
      this.flip = false;
      flip.setAttribute('aria-pressed', 'false');
      void this.refresh();
    });
    const arrows: [string, string, number, number][] = [
      ['←', 'shift left', -STEP, 0],
      ['→', 'shift right', STEP, 0],
      ['↑', 'shift up', 0, -STEP],
      ['↓', 'shift down', 0, STEP],
    ];
    for (const [t, label, dx, dy] of arrows) {
      const b = button(t, 'button', move(dx, dy));
      b.setAttribute('aria-label', label);
      b.dataset['shift'] = label.replace('shift ', '');
      row.append(b);
    }
    row.append(flip, reset);
    this.verdict.id = 'equivariance-prediction';
    body.append(row, figures([this.input, 'input'], [this.maps, 'conv1 feature maps']), this.verdict, this.detail);
  }

  private transform(p: Float32Array): Float32Array {
    const f = this.flip ? wt.viz.flipPlane(p, 28, 28) : p;
    return wt.viz.shiftPlane(f, 28, 28, this.dx, this.dy);
  }

  protected async draw(a: App): Promise<void> {
    const { pixels } = a.digit();
    const moved = this.transform(pixels);
    const x0 = a.inputTensor(pixels);
    const x1 = a.inputTensor(moved);
    const [orig, now] = await Promise.all([wt.viz.featureMaps(a.staged, x0), wt.viz.featureMaps(a.staged, x1)]);
    x0.dispose();
    x1.dispose();
    const m0 = orig.maps[0]!;
    const m1 = now.maps[0]!;
    paint(this.input, wt.viz.upscale(wt.viz.toImage(moved, 28, 28, { colormap: 'gray', range: [0, 1] }), 6));
    paint(this.maps, mapsImage(m1, 56, 3));
    const p0 = orig.prediction;
    const p1 = now.prediction;
    this.verdict.textContent = `Prediction ${p1.label} (${fmt.pct(p1.probs[p1.label])}); unmoved: ${p0.label} (${fmt.pct(p0.probs[p0.label])}).`;
    const what = `${this.flip ? 'mirrored, ' : ''}shifted by (${this.dx}, ${this.dy})`;
    if (this.flip) {
      this.detail.textContent = `Input ${what}. A mirror image is a different picture to the model: convolutions do not commute with flips.`;
      return;
    }
    // The maps of the shifted input against the shifted maps of the original, away from the borders.
    const hw = m0.height * m0.width;
    let diff = 0;
    let scale = 0;
    for (let c = 0; c < m0.channels; c++) {
      const shifted = wt.viz.shiftPlane(m0.data.subarray(c * hw, (c + 1) * hw), m0.height, m0.width, this.dx, this.dy);
      for (let y = 3 + Math.abs(this.dy); y < m0.height - 3 - Math.abs(this.dy); y++)
        for (let x = 3 + Math.abs(this.dx); x < m0.width - 3 - Math.abs(this.dx); x++) {
          const i = y * m0.width + x;
          diff = Math.max(diff, Math.abs(shifted[i]! - m1.data[c * hw + i]!));
          scale = Math.max(scale, Math.abs(m1.data[c * hw + i]!));
        }
    }
    this.detail.textContent = `Input ${what}. Away from the borders, conv1's maps are the unmoved maps shifted the same way: largest difference ${diff.toExponential(1)} (maps reach ${scale.toFixed(2)}).`;
  }
}
