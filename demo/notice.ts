/** The banner under the header that says why the demo cannot train (no WebGPU, device lost, errors). */
import { el } from './panel.js';

export class Notice {
  constructor(private readonly root: HTMLElement) {}

  /** Shows a headline, an explanation, an optional technical detail, an optional action and optionally a reload button. */
  show(kind: 'error' | 'warning', title: string, text: string, options: { detail?: string; reload?: boolean; action?: { label: string; run: () => void } } = {}): void {
    const body = el('div', 'notice-body');
    body.append(el('strong', 'notice-title', title), el('p', '', text));
    if (options.detail) body.append(el('code', 'notice-detail', options.detail));
    this.root.replaceChildren(body);
    const buttons = el('div', 'notice-buttons');
    if (options.action) {
      const action = el('button', 'button primary', options.action.label);
      action.type = 'button';
      action.id = 'notice-action';
      action.addEventListener('click', options.action.run);
      buttons.append(action);
    }
    if (options.reload) {
      const button = el('button', 'button', 'Reload the page');
      button.type = 'button';
      button.addEventListener('click', () => location.reload());
      buttons.append(button);
    }
    if (buttons.childElementCount) this.root.append(buttons);
    this.root.className = `notice notice-${kind}`;
    this.root.dataset['kind'] = kind;
    this.root.hidden = false;
  }

  get shown(): boolean {
    return !this.root.hidden;
  }
}

/** "Name: message" of an error, for the detail line. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
