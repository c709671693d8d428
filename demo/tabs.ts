/** The Train / Understand / Play tabs (WAI-ARIA tabs: arrow keys, Home and End move between them). */
export class Tabs {
  private readonly tabs: HTMLButtonElement[];
  /** Called with the id of the tab panel that was shown. */
  onShow: (panelId: string) => void = () => {};

  constructor(list: HTMLElement) {
    this.tabs = [...list.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
    for (const t of this.tabs) t.addEventListener('click', () => this.select(t));
    list.addEventListener('keydown', (e) => {
      const i = this.tabs.indexOf(document.activeElement as HTMLButtonElement);
      if (i < 0) return;
      const n = this.tabs.length;
      const j = e.key === 'ArrowRight' ? (i + 1) % n : e.key === 'ArrowLeft' ? (i + n - 1) % n : e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : -1;
      if (j < 0) return;
      e.preventDefault();
      this.tabs[j]!.focus();
      this.select(this.tabs[j]!);
    });
    // #understand, #play in the address open that tab.
    const fromHash = this.tabs.find((t) => t.id === `tab-${location.hash.slice(1)}`);
    if (fromHash) this.select(fromHash);
  }

  select(tab: HTMLButtonElement): void {
    for (const t of this.tabs) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute('aria-controls')!)!.hidden = !on;
    }
    this.onShow(tab.getAttribute('aria-controls')!);
  }
}
