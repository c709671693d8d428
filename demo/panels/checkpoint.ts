/** Save and load the model's weights: a safetensors file download/upload, and the browser's IndexedDB. */
import type { App } from '../app.js';
import { checkpointBlob, readCheckpoint, storeCheckpoint, storedCheckpoint } from '../checkpoint.js';
import { describeError } from '../notice.js';
import { button, card, el, fmt, type Panel } from '../panel.js';

export class CheckpointPanel implements Panel {
  readonly root: HTMLElement;
  readonly slot = 'train-side';
  private readonly statusLine = el('p', 'status');
  private readonly buttons: HTMLButtonElement[];
  private readonly fileInput = el('input');
  private busy = false;
  private training = false;
  private lost = false;
  /** Set by main.ts: a loaded checkpoint becomes the page's model. */
  onLoaded: () => void = () => {};

  constructor(private readonly app: () => App | null) {
    const { root, body } = card('Checkpoints', 'checkpoint', 'The weights as a safetensors file (PyTorch can read it), or kept in this browser.');
    this.root = root;
    Object.assign(this.fileInput, { type: 'file', accept: '.safetensors,application/octet-stream', id: 'checkpoint-file', hidden: true });
    this.fileInput.addEventListener('change', () => {
      const f = this.fileInput.files?.[0];
      if (f) void this.guard('Loading…', () => this.load(f, f.name));
      this.fileInput.value = '';
    });
    const save = button('Save file', 'button', () => void this.guard('Saving…', () => this.saveFile()));
    save.id = 'checkpoint-save';
    const load = button('Load file…', 'button', () => this.fileInput.click());
    load.id = 'checkpoint-load';
    const store = button('Keep in browser', 'button', () => void this.guard('Saving…', () => this.store()));
    store.id = 'checkpoint-store';
    const restore = button('Load from browser', 'button', () => void this.guard('Loading…', () => this.restore()));
    restore.id = 'checkpoint-restore';
    this.buttons = [save, load, store, restore];
    const row = el('div', 'buttons');
    row.append(...this.buttons);
    this.statusLine.id = 'checkpoint-status';
    this.statusLine.setAttribute('aria-live', 'polite');
    body.append(row, this.fileInput, this.statusLine);
    this.enable(false);
  }

  /** Enabled once the page has a model, and not while training. */
  enable(on: boolean): void {
    for (const b of this.buttons) b.disabled = !on || this.busy || this.training || this.lost;
  }

  /** The device is gone: nothing can be read from it or loaded onto it any more. */
  deviceLost(): void {
    this.lost = true;
    this.enable(false);
  }

  private async guard(what: string, f: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.enable(false);
    this.statusLine.textContent = what;
    try {
      await f();
    } catch (e) {
      this.statusLine.textContent = `Failed: ${describeError(e)}`;
    } finally {
      this.busy = false;
      this.enable(this.app() !== null);
    }
  }

  private async saveFile(): Promise<void> {
    const app = this.app()!;
    const blob = await checkpointBlob(app.choice, app.model.stateDict(), app.source);
    const a = el('a');
    const name = `${app.choice.id}.safetensors`;
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    this.statusLine.textContent = `Saved ${name} (${fmt.int(blob.size / 1024)} KiB, ${app.source}).`;
  }

  private async load(source: Blob | Uint8Array, name: string): Promise<void> {
    const c = await readCheckpoint(source, name);
    this.app()!.setModel(c.choice, c.model, c.source);
    this.onLoaded();
    this.statusLine.textContent = `Loaded ${c.choice.label} from ${c.source}.`;
  }

  private async store(): Promise<void> {
    const app = this.app()!;
    await storeCheckpoint(app.choice, app.model.stateDict(), app.source);
    this.statusLine.textContent = `Kept in this browser (${app.source}).`;
  }

  private async restore(): Promise<void> {
    const s = await storedCheckpoint();
    if (!s) {
      this.statusLine.textContent = 'No checkpoint is kept in this browser yet.';
      return;
    }
    await this.load(s.bytes, `the browser's checkpoint of ${new Date(s.saved).toLocaleString('en-GB')}`);
  }

  runStarted(): void {
    this.training = true;
    this.enable(false);
  }

  kept(epoch: number, error: string | null): void {
    this.statusLine.textContent = error === null ? `Kept epoch ${epoch} in this browser.` : `Could not keep the checkpoint: ${error}`;
  }

  runEnded(): void {
    this.training = false;
    this.enable(this.app() !== null);
  }
}
