/** The first conv layer's filters as images: what each of its channels looks for. */
import * as wt from '../../src/index.js';
import type { App } from '../app.js';
import { canvasEl, paint } from '../canvas.js';
import { card, el, type Panel } from '../panel.js';

/** The first Conv2d of a model, in module order. */
export function firstConv(model: wt.nn.Module): [string, wt.nn.Conv2d] | null {
  const found = model.namedModules().find(([, m]) => m instanceof wt.nn.Conv2d);
  return found ? [found[0], found[1] as wt.nn.Conv2d] : null;
}

export class FiltersPanel implements Panel {
  readonly root: HTMLElement;
  readonly slot = 'understand';
  private readonly canvas = canvasEl('first-layer filters', 'view filters');
  private readonly caption = el('p', 'muted');
  private drawn = -1;

  constructor(private readonly app: () => App | null) {
    const { root, body } = card('First-layer filters', 'filters', 'Each tile is one 5x5 kernel of the first convolution: red weights add brightness, blue ones subtract it.');
    this.root = root;
    body.append(this.canvas, this.caption);
  }

  async refresh(): Promise<void> {
    const a = this.app();
    if (!a || this.drawn === a.version) return;
    const conv = firstConv(a.model);
    if (!conv) return;
    const [name, layer] = conv;
    const img = await wt.viz.filterGrid(layer.weight, { scale: 10, gap: 4, cols: Math.min(8, layer.weight.shape[0]!) });
    paint(this.canvas, img);
    this.drawn = a.version;
    const [o, i, kh, kw] = layer.weight.shape;
    this.caption.textContent = `${name}: ${o} filters of ${i}x${kh}x${kw}, each scaled to its own largest weight (${a.source}).`;
  }
}
