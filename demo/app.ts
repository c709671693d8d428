/**
 * What the views of the page share: the data, the current model (untrained at first, then the one
 * being trained, or one loaded from a checkpoint), the chosen input digit, and the refresh of the
 * views that are on screen. Refreshes run one at a time: a change during one runs another after it.
 */
import * as wt from '../src/index.js';
import { modelById, staged, type ModelChoice } from './models.js';
import type { Panel } from './panel.js';
import { NORMALIZE, type DemoData } from './session.js';

/** One element of a conv stage's output: channel, row and column of its map. */
export interface Unit {
  stage: string;
  channel: number;
  row: number;
  col: number;
}

export class App {
  choice: ModelChoice;
  model: wt.nn.Module;
  /** Where the model's weights come from, shown in the views ('untrained', 'epoch 2 of 3'...). */
  source = 'untrained';
  /** Bumped whenever the weights change, so views can skip work they already did. */
  version = 0;
  /** Index of the chosen held-out digit. */
  input = 0;
  /** The unit of a conv stage whose receptive field is shown (chosen on the feature maps). */
  unit: Unit = { stage: 'conv2', channel: 0, row: 4, col: 4 };
  private readonly views: Panel[] = [];
  private refreshing: Promise<void> | null = null;
  private again = false;
  private readonly listeners: (() => void)[] = [];

  constructor(
    public data: DemoData,
    readonly adapter: wt.AdapterSummary,
    modelId: string,
  ) {
    this.choice = modelById(modelId);
    this.model = this.choice.build();
  }

  addViews(panels: readonly Panel[]): void {
    this.views.push(...panels.filter((p) => p.refresh));
    // Quick views first, so a slow one never holds the others back.
    this.views.sort((a, b) => Number(a.heavy ?? false) - Number(b.heavy ?? false));
  }

  /** Called when the model or its source changes (the Understand header shows it). */
  onChange(f: () => void): void {
    this.listeners.push(f);
  }

  setModel(choice: ModelChoice, model: wt.nn.Module, source: string): void {
    this.choice = choice;
    this.model = model;
    this.weightsChanged(source);
  }

  weightsChanged(source: string): void {
    this.source = source;
    this.version++;
    for (const f of this.listeners) f();
    this.refreshShown();
  }

  setInput(index: number): void {
    const n = this.data.heldOut.count;
    this.input = ((index % n) + n) % n;
    for (const f of this.listeners) f();
    this.refreshShown();
  }

  get staged(): wt.viz.StagedModel {
    return staged(this.choice, this.model);
  }

  /** The chosen held-out digit: pixels in [0, 1] and its label. */
  digit(index = this.input): { pixels: Float32Array; label: number } {
    const d = this.data.heldOut;
    const per = d.height * d.width;
    const pixels = Float32Array.from(d.images.subarray(index * per, (index + 1) * per), (v) => v / 255);
    return { pixels, label: d.labels[index]! };
  }

  /** A 28x28 plane of pixels in [0, 1] as the model's input [1, 1, 28, 28], normalized as in training. */
  inputTensor(pixels: Float32Array): wt.Tensor {
    const x = pixels.slice();
    NORMALIZE.apply(x, { batch: 1, channels: 1, height: 28, width: 28 });
    return wt.tensor(x, { shape: [1, 1, 28, 28] });
  }

  /** Another dataset: the views show its held-out images from the first. */
  setData(data: DemoData): void {
    this.data = data;
    this.input = 0;
    this.version++;
    for (const f of this.listeners) f();
    this.refreshShown();
  }

  /** The name of class i in the current dataset. */
  className(i: number): string {
    return this.data.classes[i] ?? String(i);
  }

  setUnit(u: Unit): void {
    this.unit = u;
    for (const f of this.listeners) f();
    this.refreshShown();
  }

  /** Refreshes the views on screen, now or after the refresh in progress. */
  refreshShown(): void {
    if (this.refreshing) {
      this.again = true;
      return;
    }
    this.refreshing = (async () => {
      // Yield first: the assignment above must happen before this clears it, even with nothing to do.
      await null;
      do {
        this.again = false;
        for (const v of this.views) {
          if (!isShown(v.root)) continue;
          try {
            await v.refresh!();
          } catch (e) {
            console.warn(`view ${v.root.dataset['panel']}:`, e);
          }
        }
      } while (this.again);
      this.refreshing = null;
    })();
  }

  /** Resolves when no refresh is running (tests and the device-lost path wait on it). */
  async settled(): Promise<void> {
    while (this.refreshing) await this.refreshing;
  }
}

export function isShown(e: HTMLElement): boolean {
  const tab = e.closest<HTMLElement>('[role="tabpanel"]');
  return !tab || !tab.hidden;
}
