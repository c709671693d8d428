/** The feature maps of every conv stage for the chosen digit, one grid per stage. */
import * as wt from '../../src/index.js';
import type { App } from '../app.js';
import { canvasEl, paint } from '../canvas.js';
import { el, fmt } from '../panel.js';
import { ModelView } from '../view.js';

/** Tiles of about `target` pixels a side, at an integer scale. */
export function mapsImage(m: wt.viz.FeatureMap, target: number, cols: number): wt.viz.RGBAImage {
  const scale = Math.max(1, Math.round(target / m.width));
  const tiles = Array.from({ length: m.channels }, (_, c) =>
    wt.viz.upscale(wt.viz.toImage(m.data.subarray(c * m.height * m.width, (c + 1) * m.height * m.width), m.height, m.width, { colormap: 'viridis' }), scale),
  );
  return wt.viz.imageGrid(tiles, { cols, gap: 3 });
}

export class FeatureMapsPanel extends ModelView {
  private readonly grids = el('div', 'maps');

  constructor(app: () => App | null) {
    super('understand', app, 'Feature maps', 'featuremaps', 'What every channel of each conv layer computes from the digit (after its activation); bright is strong. Later layers see larger, more abstract parts.');
    const body = this.body;
    body.append(this.caption, this.grids);
  }

  protected override key(a: App): string {
    return `${a.version}/${a.input}`;
  }

  protected async draw(a: App): Promise<void> {
    const { pixels, label } = a.digit();
    const x = a.inputTensor(pixels);
    const { maps, prediction } = await wt.viz.featureMaps(a.staged, x);
    x.dispose();
    const figures = maps.map((m) => {
      const fig = el('figure', 'map');
      const canvas = canvasEl(`feature maps of ${m.stage}`, 'view');
      canvas.dataset['stage'] = m.stage;
      paint(canvas, mapsImage(m, m.width >= 20 ? 56 : 40, m.channels <= 6 ? m.channels : 8));
      fig.append(el('figcaption', '', `${m.stage}: ${m.channels} channels of ${m.height}x${m.width}`), canvas);
      return fig;
    });
    this.grids.replaceChildren(...figures);
    this.caption.textContent = `Digit ${a.input} (label ${label}): predicted ${prediction.label} with ${fmt.pct(prediction.probs[prediction.label])}.`;
  }
}
