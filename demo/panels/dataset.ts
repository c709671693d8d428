/**
 * The dataset to train on: the shipped digits, or files dropped here (or chosen with the file and
 * folder buttons, the keyboard way): Fashion-MNIST / MNIST IDX pairs, CIFAR-10 batches, a folder
 * of images. Reading happens on the page (datasets.ts); main.ts hands the result to the views and to
 * the training session. Fixed in place while training runs.
 */
import { DatasetError, droppedFiles, loadDropped, pickedFiles, type DroppedFile } from '../datasets.js';
import { button, card, el, fmt, type Panel } from '../panel.js';
import type { DemoData } from '../session.js';

export class DatasetPanel implements Panel {
  readonly root: HTMLElement;
  readonly slot = 'train-side' as const;
  /** Set by main.ts: use this dataset (null: the shipped digits). */
  onChoose: (data: DemoData | null) => void = () => {};
  private readonly zone = el('div', 'dropzone');
  private readonly idxKind = el('select');
  private readonly files = el('input');
  private readonly folder = el('input');
  private readonly shipped = button('Use the shipped digits', 'button');
  private readonly status = el('p', 'muted dataset-status');
  private readonly note = el('p', 'field-hint dataset-note');
  private busy = false;
  private training = false;
  private ready = false;
  private isShipped = true;

  constructor() {
    const c = card('Dataset', 'dataset');
    this.root = c.root;
    this.zone.id = 'dataset-drop';
    this.zone.append(
      el('strong', '', 'Drop dataset files here'),
      el('span', '', 'Fashion-MNIST or MNIST IDX files (plain or .gz), CIFAR-10 .bin batches, or a folder of images with a sub-folder per class.'),
    );
    Object.assign(this.files, { type: 'file', multiple: true, id: 'dataset-files' });
    Object.assign(this.folder, { type: 'file', multiple: true, id: 'dataset-folder' });
    this.folder.webkitdirectory = true;
    const pick = (input: HTMLInputElement, text: string): HTMLLabelElement => {
      const l = el('label', 'button file-button');
      input.className = 'visually-hidden';
      l.append(text, input);
      return l;
    };
    this.idxKind.id = 'dataset-idx-kind';
    this.idxKind.append(new Option('Fashion-MNIST', 'fashion'), new Option('MNIST digits', 'digits'));
    const kind = el('label', 'field inline');
    kind.append(el('span', 'field-name', 'IDX files are'), this.idxKind);
    const row = el('div', 'buttons');
    row.append(pick(this.files, 'Choose files…'), pick(this.folder, 'Choose a folder…'), this.shipped);
    this.status.id = 'dataset-status';
    this.status.setAttribute('aria-live', 'polite');
    this.note.id = 'dataset-note';
    c.body.append(this.status, this.zone, kind, row, this.note);

    this.files.addEventListener('change', () => void this.load(pickedFiles(this.files.files!)));
    this.folder.addEventListener('change', () => void this.load(pickedFiles(this.folder.files!)));
    this.shipped.addEventListener('click', () => {
      this.onChoose(null);
    });
    this.root.addEventListener('dragover', (e) => {
      if (!this.enabled) return;
      e.preventDefault();
      this.zone.classList.add('over');
    });
    this.root.addEventListener('dragleave', () => this.zone.classList.remove('over'));
    this.root.addEventListener('drop', (e) => {
      e.preventDefault();
      this.zone.classList.remove('over');
      if (!this.enabled || !e.dataTransfer) return;
      const dt = e.dataTransfer;
      void droppedFiles(dt).then((fs) => this.load(fs), (err: unknown) => this.failed(err));
    });
    this.update();
  }

  private get enabled(): boolean {
    return this.ready && !this.busy && !this.training;
  }

  /** Shows the dataset in use. */
  show(data: DemoData, shipped: boolean): void {
    this.status.textContent = `${data.name}: ${fmt.int(data.train.count)} training images, ${fmt.int(data.heldOut.count)} held out; classes ${data.classes.join(', ')}.`;
    this.note.textContent = data.note ?? (shipped ? 'The default. LeNet-5 reads 28x28 grey images; other datasets are brought to that.' : '');
    this.isShipped = shipped;
    this.ready = true;
    this.update();
  }

  runStarted(): void {
    this.training = true;
    this.update();
  }

  runEnded(): void {
    this.training = false;
    this.update();
  }

  private update(): void {
    const on = this.enabled;
    for (const i of [this.files, this.folder, this.idxKind]) i.disabled = !on;
    // Disabled rather than hidden while the digits are in use: nothing below it moves.
    this.shipped.disabled = !on || this.isShipped;
    this.root.classList.toggle('disabled', !on);
  }

  private failed(e: unknown): void {
    this.note.textContent = e instanceof DatasetError || e instanceof Error ? `Could not use these files: ${e.message}` : `Could not use these files: ${String(e)}`;
    this.note.classList.add('error');
  }

  private async load(files: DroppedFile[]): Promise<void> {
    if (!this.enabled || files.length === 0) return;
    this.busy = true;
    this.update();
    this.note.classList.remove('error');
    this.note.textContent = `Reading ${files.length} file${files.length > 1 ? 's' : ''}…`;
    try {
      const data = await loadDropped(files, this.idxKind.value as 'fashion' | 'digits', (t) => (this.note.textContent = t));
      this.onChoose(data);
    } catch (e) {
      this.failed(e);
    } finally {
      this.busy = false;
      this.files.value = '';
      this.folder.value = '';
      this.update();
    }
  }
}
