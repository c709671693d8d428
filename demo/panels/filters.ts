/** The first conv layer's filters as images: what each of its channels looks for. */
import * as wt from '../../src/index.js';
import type { App } from '../app.js';
import { canvasEl, paint } from '../canvas.js';
import { ModelView } from '../view.js';

/** The first Conv2d of a model, in module order. */
export function firstConv(model: wt.nn.Module): [string, wt.nn.Conv2d] | null {
  const found = model.namedModules().find(([, m]) => m instanceof wt.nn.Conv2d);
  return found ? [found[0], found[1] as wt.nn.Conv2d] : null;
}

export class FiltersPanel extends ModelView {
  private readonly canvas = canvasEl('first-layer filters', 'view filters');

  constructor(app: () => App | null) {
    super('understand', app, 'First-layer filters', 'filters', 'Each tile is one 5x5 kernel of the first convolution: red weights add brightness, blue ones subtract it.');
    const body = this.body;
    body.append(this.canvas, this.caption);
  }

  protected override key(a: App): string {
    return String(a.version);
  }

  protected async draw(a: App): Promise<void> {
    const conv = firstConv(a.model);
    if (!conv) return;
    const [name, layer] = conv;
    const img = await wt.viz.filterGrid(layer.weight, { scale: 10, gap: 4, cols: Math.min(8, layer.weight.shape[0]!) });
    paint(this.canvas, img);
    const [o, i, kh, kw] = layer.weight.shape;
    this.caption.textContent = `${name}: ${o} filters of ${i}x${kh}x${kw}, each scaled to its own largest weight (${a.source}).`;
  }
}
