/**
 * Draw a digit and see what the model says, live. The drawing is prepared as MNIST's digits were:
 * the ink's bounding box scaled into 20x20 pixels, centred by its centre of mass in 28x28.
 */
import * as wt from '../../src/index.js';
import type { App } from '../app.js';
import { canvasEl, paint } from '../canvas.js';
import { button, el, figures, fmt } from '../panel.js';
import { ModelView } from '../view.js';
import { ProbabilityBars } from './probs.js';

const SIZE = 280;

/** A drawing (grey levels in [0, 1], side x side) as a 28x28 MNIST-style digit; null when blank. */
export function toMnist(gray: Float32Array, side: number): Float32Array | null {
  let x0 = side;
  let y0 = side;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++)
      if (gray[y * side + x]! > 0.05) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
  if (x1 < 0) return null;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const scale = 20 / Math.max(w, h);
  const out = new Float32Array(28 * 28);
  // Area sampling: each output pixel averages the drawing pixels that fall in it.
  const ow = Math.max(1, Math.round(w * scale));
  const oh = Math.max(1, Math.round(h * scale));
  const ox = Math.floor((28 - ow) / 2);
  const oy = Math.floor((28 - oh) / 2);
  const sums = new Float32Array(28 * 28);
  const counts = new Float32Array(28 * 28);
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      const tx = ox + Math.min(ow - 1, Math.floor((x - x0) * scale));
      const ty = oy + Math.min(oh - 1, Math.floor((y - y0) * scale));
      sums[ty * 28 + tx]! += gray[y * side + x]!;
      counts[ty * 28 + tx]!++;
    }
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = counts[i]! ? Math.min(1, sums[i]! / counts[i]!) : 0;
    mass += out[i]!;
    cx += (i % 28) * out[i]!;
    cy += Math.floor(i / 28) * out[i]!;
  }
  return wt.viz.shiftPlane(out, 28, 28, Math.round(13.5 - cx / mass), Math.round(13.5 - cy / mass));
}

export class DrawPanel extends ModelView {
  readonly pad = el('canvas', 'draw-pad');
  private readonly seen = canvasEl('what the model sees (28x28)', 'view seen');
  private readonly bars = new ProbabilityBars();
  private readonly verdict = el('p', 'verdict', 'Draw a digit in the box.');
  private drawing = false;
  private last: [number, number] | null = null;
  private timer = 0;
  private predicting: Promise<void> | null = null;
  private again = false;
  /** The latest 28x28 digit drawn (the kernels panel can use it). */
  digit: Float32Array | null = null;
  /** Called after each new digit (main.ts tells the kernels panel). */
  onDigit: () => void = () => {};

  constructor(app: () => App | null) {
    super('play', app, 'Draw a digit', 'draw', 'Draw with the mouse, a finger or a pen; the model predicts as you draw.');
    const body = this.body;
    this.pad.width = SIZE;
    this.pad.height = SIZE;
    this.pad.id = 'draw-pad';
    this.pad.setAttribute('aria-label', 'drawing area: draw a digit');
    this.verdict.id = 'draw-prediction';
    this.verdict.setAttribute('aria-live', 'polite');
    this.clear();
    this.pad.addEventListener('pointerdown', (e) => {
      this.pad.setPointerCapture(e.pointerId);
      this.drawing = true;
      this.last = this.point(e);
      this.stroke(this.last);
    });
    this.pad.addEventListener('pointermove', (e) => {
      if (!this.drawing) return;
      const p = this.point(e);
      this.stroke(p);
      this.last = p;
      if (!this.timer) this.timer = window.setTimeout(() => ((this.timer = 0), this.predictSoon()), 120);
    });
    const end = (): void => {
      if (!this.drawing) return;
      this.drawing = false;
      this.last = null;
      this.predictSoon();
    };
    this.pad.addEventListener('pointerup', end);
    this.pad.addEventListener('pointercancel', end);
    const clear = button('Clear', 'button', () => {
      this.clear();
      this.digit = null;
      this.bars.show(null);
      paint(this.seen, wt.viz.toImage(new Float32Array(784), 28, 28, { colormap: 'gray', range: [0, 1] }));
      this.verdict.textContent = 'Draw a digit in the box.';
    });
    clear.id = 'draw-clear';
    const sample = button('Use the chosen held-out digit', 'button', () => this.useSample());
    const left = el('div', 'draw-left');
    const row = el('div', 'buttons');
    row.append(clear, sample);
    left.append(this.pad, row);
    const right = el('div', 'draw-right');
    right.append(this.verdict, this.bars.root, figures([this.seen, 'what the model sees']));
    body.classList.add('draw-body');
    body.append(left, right);
    paint(this.seen, wt.viz.toImage(new Float32Array(784), 28, 28, { colormap: 'gray', range: [0, 1] }));
  }

  private point(e: PointerEvent): [number, number] {
    const r = this.pad.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * SIZE, ((e.clientY - r.top) / r.height) * SIZE];
  }

  private stroke(p: [number, number]): void {
    const ctx = this.pad.getContext('2d')!;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 20;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    const from = this.last ?? p;
    ctx.moveTo(from[0], from[1]);
    ctx.lineTo(p[0] + 0.01, p[1]);
    ctx.stroke();
  }

  private clear(): void {
    const ctx = this.pad.getContext('2d')!;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, SIZE, SIZE);
  }

  /** Puts the Understand tab's digit on the pad (scaled up), as if drawn. */
  private useSample(): void {
    const a = this.app();
    if (!a) return;
    const img = wt.viz.upscale(wt.viz.toImage(a.digit().pixels, 28, 28, { colormap: 'gray', range: [0, 1] }), 10);
    this.pad.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(img.data), SIZE, SIZE), 0, 0);
    this.predictSoon();
  }

  /** Predicts now, or once more after the prediction in flight. */
  predictSoon(): void {
    if (this.predicting) {
      this.again = true;
      return;
    }
    this.predicting = (async () => {
      await null; // the assignment above happens before this clears it
      do {
        this.again = false;
        await this.predict();
      } while (this.again);
      this.predicting = null;
    })();
  }

  private async predict(): Promise<void> {
    const a = this.app();
    if (!a) return;
    const rgba = this.pad.getContext('2d')!.getImageData(0, 0, SIZE, SIZE).data;
    const gray = new Float32Array(SIZE * SIZE);
    for (let i = 0; i < gray.length; i++) gray[i] = rgba[4 * i]! / 255;
    const digit = toMnist(gray, SIZE);
    if (!digit) return;
    this.digit = digit;
    paint(this.seen, wt.viz.toImage(digit, 28, 28, { colormap: 'gray', range: [0, 1] }));
    const x = a.inputTensor(digit);
    const p = await wt.viz.predict(a.staged, x);
    x.dispose();
    this.bars.show(p.probs);
    this.verdict.textContent = `It looks like a ${p.label} (${fmt.pct(p.probs[p.label])}).`;
    this.onDigit();
  }

  /** A new model predicts the digit on the pad again. */
  protected async draw(): Promise<void> {
    if (this.digit) this.predictSoon();
  }
}
