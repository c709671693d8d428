/**
 * A view of the page's model: a card in a tab, redrawn by refresh() when it is shown or the model
 * or the input changes. A view says what its drawing depends on (key); refresh skips the work when
 * that has not changed since the last drawing.
 */
import type { App } from './app.js';
import { card, el, type Panel, type Slot } from './panel.js';

export abstract class ModelView implements Panel {
  readonly root: HTMLElement;
  protected readonly body: HTMLElement;
  /** The line under the view that says what it shows. */
  protected readonly caption = el('p', 'muted');
  private drawnKey: string | null = null;

  constructor(
    readonly slot: Slot,
    /** The page's model and data; null until the device and the digits are ready. */
    protected readonly app: () => App | null,
    title: string,
    name: string,
    about: string,
  ) {
    const c = card(title, name, about);
    this.root = c.root;
    this.body = c.body;
  }

  /** What the drawing depends on ('3/17': weights version 3, digit 17); null: draw every time. */
  protected key(_a: App): string | null {
    return null;
  }

  protected abstract draw(a: App): Promise<void>;

  async refresh(): Promise<void> {
    const a = this.app();
    if (!a) return;
    const k = this.key(a);
    if (k !== null && k === this.drawnKey) return;
    await this.draw(a);
    this.drawnKey = k;
  }
}
