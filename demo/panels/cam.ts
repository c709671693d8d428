/** Grad-CAM: where in the digit the evidence for a class lies, as the last conv layer sees it. */
import * as wt from '../../src/index.js';
import type { App } from '../app.js';
import { canvasEl, paint } from '../canvas.js';
import { el, figures, fmt } from '../panel.js';
import { ModelView } from '../view.js';

const SCALE = 8;

export class CamPanel extends ModelView {
  private readonly input = canvasEl('the digit', 'view cam');
  private readonly overlay = canvasEl('class-activation map over the digit', 'view cam');
  private readonly classSelect = el('select');

  constructor(app: () => App | null) {
    super('understand', app, 
      'Class-activation map (Grad-CAM)',
      'cam',
      'The gradient of a class score with respect to the last conv layer, averaged per channel, weights that layer’s maps: hot regions are where the evidence for the class lies.',
    );
    const body = this.body;
    this.classSelect.id = 'cam-class';
    const auto = el('option', '', 'the predicted class');
    auto.value = '';
    this.classSelect.append(auto);
    for (let c = 0; c < 10; c++) {
      const o = el('option', '', `class ${c}`);
      o.value = String(c);
      this.classSelect.append(o);
    }
    this.classSelect.addEventListener('change', () => this.app()?.refreshShown());
    const label = el('label', 'field inline');
    label.append(el('span', 'field-name', 'Explain'), this.classSelect);
    body.append(label, figures([this.input, 'input'], [this.overlay, 'Grad-CAM']), this.caption);
  }

  protected override key(a: App): string {
    return `${a.version}/${a.input}/${this.classSelect.value}`;
  }

  protected async draw(a: App): Promise<void> {
    const { pixels, label } = a.digit();
    const x = a.inputTensor(pixels);
    const chosen = this.classSelect.value === '' ? undefined : Number(this.classSelect.value);
    const r = await wt.viz.gradCam(a.staged, x, chosen === undefined ? {} : { classIndex: chosen });
    x.dispose();
    const base = wt.viz.toImage(pixels, 28, 28, { colormap: 'gray', range: [0, 1] });
    paint(this.input, wt.viz.upscale(base, SCALE));
    paint(this.overlay, wt.viz.upscale(wt.viz.overlay(base, r.heat, { alpha: 0.65 }), SCALE));
    const predicted = r.probs.indexOf(Math.max(...r.probs));
    this.caption.textContent = `Digit ${a.input} (label ${label}), predicted ${predicted} (${fmt.pct(r.probs[predicted])}). Map of class ${r.classIndex} (${fmt.pct(r.probs[r.classIndex])}) at ${r.stage}, ${r.camHeight}x${r.camWidth}, resized to the input.`;
  }
}
