/**
 * The receptive field of one unit of a conv layer, drawn on the input digit: the unit is chosen by a
 * click on the feature maps, or here with the fields (and the arrow keys on its map). The window
 * comes from wt.viz.stageWindow (the kernels, strides and paddings of the stages up to the layer;
 * its size and jump are wt.summary's receptive field): dashed, the whole window, part of it in the
 * padding for units near the border; solid, the input pixels the unit depends on.
 */
import * as wt from '../../src/index.js';
import type { App, Unit } from '../app.js';
import { canvasEl, paint } from '../canvas.js';
import { el, figures } from '../panel.js';
import { ModelView } from '../view.js';

/** Canvas pixels per input pixel, and the margin (input pixels) shown around the digit for the padding. */
const SCALE = 6;
const MARGIN = 4;
const SEEN = '#e11d48';
const WINDOW = '#f59e0b';

function numberField(id: string, label: string): { label: HTMLLabelElement; input: HTMLInputElement } {
  const l = el('label', 'field');
  const input = el('input');
  Object.assign(input, { type: 'number', min: '0', step: '1', value: '0', id });
  l.append(el('span', 'field-name', label), input);
  return { label: l, input };
}

export class ReceptivePanel extends ModelView {
  private readonly input = canvasEl('the digit with the receptive field of the chosen unit', 'view rf');
  private readonly map = canvasEl('the chosen unit on its feature map', 'view rf');
  private readonly stage = el('select');
  private readonly channel = numberField('rf-channel', 'Channel');
  private readonly row = numberField('rf-row', 'Row');
  private readonly col = numberField('rf-col', 'Column');

  constructor(app: () => App | null) {
    super(
      'understand',
      app,
      'Receptive field',
      'receptive',
      'The input pixels one unit of a conv layer sees. Click a unit on the feature maps, or choose it here (arrow keys on its map move it). Later layers see larger windows.',
    );
    this.stage.id = 'rf-stage';
    const stageField = el('label', 'field');
    stageField.append(el('span', 'field-name', 'Layer'), this.stage);
    const fields = el('div', 'rf-fields');
    fields.append(stageField, this.channel.label, this.row.label, this.col.label);
    const changed = (): void => this.choose({ stage: this.stage.value, channel: +this.channel.input.value || 0, row: +this.row.input.value || 0, col: +this.col.input.value || 0 });
    for (const f of [this.stage, this.channel.input, this.row.input, this.col.input]) f.addEventListener('change', changed);
    this.map.tabIndex = 0;
    this.map.addEventListener('keydown', (e) => {
      const d = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[e.key];
      const a = this.app();
      if (!d || !a) return;
      e.preventDefault();
      this.choose({ ...a.unit, row: a.unit.row + d[0]!, col: a.unit.col + d[1]! });
    });
    this.body.append(fields, figures([this.input, 'the input and the window'], [this.map, 'the unit on its map']), this.caption);
  }

  /** Sets the app's unit, kept inside the maps (refresh clamps it to the layer's size). */
  private choose(u: Unit): void {
    this.app()?.setUnit(u);
  }

  protected override key(a: App): string {
    const u = a.unit;
    return `${a.version}/${a.input}/${a.choice.id}/${u.stage}/${u.channel}/${u.row}/${u.col}`;
  }

  protected async draw(a: App): Promise<void> {
    const { pixels } = a.digit();
    const x = a.inputTensor(pixels);
    const { maps } = await wt.viz.featureMaps(a.staged, x);
    x.dispose();
    if (this.stage.options.length !== maps.length || maps.some((m, i) => this.stage.options[i]!.value !== m.stage)) {
      this.stage.replaceChildren(...maps.map((m) => new Option(`${m.stage} (${m.channels} x ${m.height}x${m.width})`, m.stage)));
    }
    const m = maps.find((f) => f.stage === a.unit.stage) ?? maps[maps.length - 1]!;
    const clamp = (v: number, n: number): number => Math.max(0, Math.min(n - 1, Math.round(v)));
    const u: Unit = { stage: m.stage, channel: clamp(a.unit.channel, m.channels), row: clamp(a.unit.row, m.height), col: clamp(a.unit.col, m.width) };
    a.unit = u; // quietly: the key below is the clamped unit's
    this.stage.value = u.stage;
    for (const [f, v, n] of [[this.channel, u.channel, m.channels], [this.row, u.row, m.height], [this.col, u.col, m.width]] as const) {
      f.input.max = String(n - 1);
      f.input.value = String(v);
    }
    const w = wt.viz.stageWindow(a.staged, u.stage, u.row, u.col, [28, 28]);

    // The digit inside a margin (the padding), the whole window dashed, what the unit sees solid.
    const side = 28 + 2 * MARGIN;
    const plane = new Float32Array(side * side);
    for (let r = 0; r < 28; r++) plane.set(pixels.subarray(r * 28, (r + 1) * 28), (r + MARGIN) * side + MARGIN);
    const img = wt.viz.upscale(wt.viz.toImage(plane, side, side, { colormap: 'gray', range: [0, 1] }), SCALE);
    // The margin is padding, not black ink: a light grey.
    for (let r = 0; r < side * SCALE; r++)
      for (let c = 0; c < side * SCALE; c++) {
        const ir = Math.floor(r / SCALE) - MARGIN;
        const ic = Math.floor(c / SCALE) - MARGIN;
        if (ir < 0 || ic < 0 || ir >= 28 || ic >= 28) img.data.set([214, 218, 225, 255], (r * side * SCALE + c) * 4);
      }
    paint(this.input, img);
    const ctx = this.input.getContext('2d')!;
    const box = (b: wt.viz.PixelBox, color: string, dashed: boolean): void => {
      ctx.save();
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.setLineDash(dashed ? [5, 4] : []);
      ctx.strokeRect((b.left + MARGIN) * SCALE + 1, (b.top + MARGIN) * SCALE + 1, b.width * SCALE - 2, b.height * SCALE - 2);
      ctx.restore();
    };
    box(w, WINDOW, true);
    box(w.seen, SEEN, false);
    this.input.dataset['window'] = [w.top, w.left, w.height, w.width].join(',');
    this.input.dataset['seen'] = [w.seen.top, w.seen.left, w.seen.height, w.seen.width].join(',');
    this.input.dataset['scale'] = String(SCALE);
    this.input.dataset['margin'] = String(MARGIN);

    // The unit's channel, with the unit outlined.
    const ms = Math.max(2, Math.round(120 / m.width));
    const plane2 = m.data.subarray(u.channel * m.height * m.width, (u.channel + 1) * m.height * m.width);
    paint(this.map, wt.viz.upscale(wt.viz.toImage(plane2, m.height, m.width, { colormap: 'viridis' }), ms));
    const c2 = this.map.getContext('2d')!;
    c2.strokeStyle = SEEN;
    c2.lineWidth = 2;
    c2.strokeRect(u.col * ms + 1, u.row * ms + 1, ms - 2, ms - 2);
    this.map.dataset['unit'] = `${u.stage}/${u.channel}/${u.row}/${u.col}`;

    const v = plane2[u.row * m.width + u.col]!;
    const s = w.seen;
    const part = s.height === w.height && s.width === w.width ? 'all of it inside the digit' : `of which it sees ${s.height}x${s.width} pixels, the rest lies in the padding`;
    this.caption.textContent = `${u.stage}, channel ${u.channel}, unit (row ${u.row}, column ${u.col}) = ${v.toFixed(3)}: a ${w.height}x${w.width} window of input pixels (neighbouring units are ${w.jump[0]} pixels apart), ${part}: rows ${s.top}–${s.top + s.height - 1}, columns ${s.left}–${s.left + s.width - 1}.`;
  }
}
