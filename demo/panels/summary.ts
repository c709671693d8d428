/** The model summary (wt.summary): per layer, the output shape, parameters, multiply-adds and receptive field. */
import * as wt from '../../src/index.js';
import type { App } from '../app.js';
import { el, fmt } from '../panel.js';
import { ModelView } from '../view.js';

function field(r: wt.ReceptiveField | null): string {
  if (!r) return '';
  if (!Number.isFinite(r.size[0])) return 'whole input';
  return `${r.size[0]}x${r.size[1]} (jump ${r.jump[0]})`;
}

export class SummaryPanel extends ModelView {
  private readonly table = el('table', 'summary');

  constructor(app: () => App | null) {
    super('understand', app, 'Model summary', 'summary', 'The layers with their output shapes, parameters, multiply-adds per image and receptive field: how many input pixels one output sees.');
    const body = this.body;
    this.table.id = 'summary';
    const wrap = el('div', 'table-wrap');
    wrap.append(this.table);
    body.append(wrap, this.caption);
  }

  /** The architecture alone: training changes no shape. */
  protected override key(a: App): string {
    return a.choice.id;
  }

  protected async draw(a: App): Promise<void> {
    const s = wt.summary(a.model, [...a.choice.inputShape]);
    const head = el('thead');
    const hr = head.insertRow();
    for (const h of ['Layer', 'Type', 'Output shape', 'Parameters', 'Mult-adds', 'Receptive field']) hr.append(el('th', '', h));
    const body = el('tbody');
    for (const r of s.rows) {
      if (r.path === '') continue;
      const row = body.insertRow();
      row.append(
        el('td', 'mono', r.path),
        el('td', '', r.type),
        el('td', 'mono', r.outputShape.map((o) => `[${o.join(', ')}]`).join(' ')),
        el('td', 'num', r.params ? fmt.int(r.params) : '–'),
        el('td', 'num', r.macs ? fmt.int(r.macs) : '–'),
        el('td', '', field(r.receptiveField)),
      );
    }
    const foot = el('tfoot');
    const fr = foot.insertRow();
    fr.append(el('td', '', 'Total'), el('td'), el('td'), el('td', 'num', fmt.int(s.totalParams)), el('td', 'num', fmt.int(s.totalMacs)), el('td'));
    this.table.replaceChildren(head, body, foot);
    this.caption.textContent = `${a.choice.label} on one ${s.inputShape.slice(1).join('x')} image: ${fmt.int(s.totalParams)} parameters (${fmt.int(s.paramBytes / 1024)} KiB), ${(s.totalMacs / 1e6).toFixed(2)} M multiply-adds.`;
  }
}
