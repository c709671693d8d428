/** The feature maps of every conv stage for the chosen digit, one grid per stage. */
import * as wt from '../../src/index.js';
import type { App } from '../app.js';
import { canvasEl, paint } from '../canvas.js';
import { el, fmt } from '../panel.js';
import { ModelView } from '../view.js';

const GAP = 3;

/** Tiles of about `target` pixels a side, at an integer scale. */
export function mapsImage(m: wt.viz.FeatureMap, target: number, cols: number): wt.viz.RGBAImage {
  const scale = tileScale(m, target);
  const tiles = Array.from({ length: m.channels }, (_, c) =>
    wt.viz.upscale(wt.viz.toImage(m.data.subarray(c * m.height * m.width, (c + 1) * m.height * m.width), m.height, m.width, { colormap: 'viridis' }), scale),
  );
  return wt.viz.imageGrid(tiles, { cols, gap: GAP });
}

function tileScale(m: wt.viz.FeatureMap, target: number): number {
  return Math.max(1, Math.round(target / m.width));
}

/** The unit under a point of the grid (in its pixels), or null on a gap. */
export function unitAt(m: wt.viz.FeatureMap, target: number, cols: number, x: number, y: number): { channel: number; row: number; col: number } | null {
  const scale = tileScale(m, target);
  const tw = m.width * scale;
  const th = m.height * scale;
  const tx = Math.floor((x - GAP) / (tw + GAP));
  const ty = Math.floor((y - GAP) / (th + GAP));
  const ox = x - GAP - tx * (tw + GAP);
  const oy = y - GAP - ty * (th + GAP);
  const channel = ty * cols + tx;
  if (tx < 0 || ty < 0 || tx >= cols || ox >= tw || oy >= th || channel >= m.channels) return null;
  return { channel, row: Math.floor(oy / scale), col: Math.floor(ox / scale) };
}

export class FeatureMapsPanel extends ModelView {
  private readonly grids = el('div', 'maps');

  constructor(app: () => App | null) {
    super('understand', app, 'Feature maps', 'featuremaps', 'What every channel of each conv layer computes from the digit (after its activation); bright is strong. Later layers see larger, more abstract parts. Click a unit to see its receptive field.');
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
      const target = m.width >= 20 ? 56 : 40;
      const cols = m.channels <= 6 ? m.channels : 8;
      paint(canvas, mapsImage(m, target, cols));
      // A click picks the unit whose receptive field the next panel shows (the keyboard way is there).
      canvas.classList.add('pickable');
      canvas.addEventListener('click', (ev) => {
        const r = canvas.getBoundingClientRect();
        const u = unitAt(m, target, cols, ((ev.clientX - r.left) * canvas.width) / r.width, ((ev.clientY - r.top) * canvas.height) / r.height);
        if (u) a.setUnit({ stage: m.stage, ...u });
      });
      fig.append(el('figcaption', '', `${m.stage}: ${m.channels} channels of ${m.height}x${m.width}`), canvas);
      return fig;
    });
    this.grids.replaceChildren(...figures);
    this.caption.textContent = `Digit ${a.input} (label ${a.className(label)}): predicted ${a.className(prediction.label)} with ${fmt.pct(prediction.probs[prediction.label])}.`;
  }
}
