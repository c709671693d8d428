/**
 * The demo is a set of panels, one per view, in the slots of three tabs (Train, Understand, Play).
 * A new view is a class implementing Panel, mounted in main.ts; training panels get the run when it
 * starts and are told about every step and epoch; the views of a model get `refresh` when they are
 * shown and whenever the model changes (an epoch ended, a checkpoint was loaded).
 */
import type * as wt from '../src/index.js';
import type { ModelChoice } from './models.js';

export type OptimizerName = 'adam' | 'adamw' | 'sgd';
export type ScheduleName = 'onecycle' | 'cosine' | 'constant';

/** What a run trains with; chosen in the controls panel. */
export interface RunConfig {
  model: string;
  optimizer: OptimizerName;
  schedule: ScheduleName;
  epochs: number;
  batchSize: number;
  lr: number;
  augment: boolean;
  /** Start from the weights of the current model (of the same architecture) instead of new ones. */
  continueFrom: boolean;
}

export interface RunInfo {
  config: RunConfig;
  choice: ModelChoice;
  /** The model being trained; views may read it between steps. */
  model: wt.nn.Module;
  stepsPerEpoch: number;
  totalSteps: number;
  trainCount: number;
  heldOutCount: number;
}

export interface RunStep {
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  /** Steps since the run began, 1-based. */
  globalStep: number;
  loss: number;
  /** Running top-1 and top-5 training accuracy of this epoch, in [0, 1]. */
  accuracy: number;
  top5: number;
  lr: number;
  /** Training images per second over the run, pauses excluded. */
  imagesPerSec: number;
  /** Seconds of training left at the recent pace. */
  etaSeconds: number;
}

export interface RunEpoch {
  epoch: number;
  epochs: number;
  trainLoss: number;
  trainAccuracy: number;
  trainTop5: number;
  testLoss: number;
  testAccuracy: number;
  testTop5: number;
  /** Steps this epoch ran: stepsPerEpoch, or fewer when the run was stopped during it. */
  stepsDone: number;
  globalStep: number;
  imagesPerSec: number;
  seconds: number;
}

export type RunEnd =
  | { reason: 'finished' | 'stopped'; seconds: number }
  | { reason: 'failed'; seconds: number; error: unknown };

export type Slot = 'train-side' | 'train-main' | 'train-wide' | 'understand' | 'play' | 'bench';

/** A view of the demo. Every hook is optional. */
export interface Panel {
  /** The panel's card, placed in one of the page's slots. */
  readonly root: HTMLElement;
  readonly slot: Slot;
  runStarted?(run: RunInfo): void;
  step?(s: RunStep, run: RunInfo): void;
  /** The model is being scored on the held-out digits (end of an epoch, or after Stop). */
  evaluating?(run: RunInfo): void;
  epochEnded?(e: RunEpoch, run: RunInfo): void;
  paused?(paused: boolean, run: RunInfo): void;
  /** The weights after an epoch were kept in the browser (IndexedDB), or could not be (error). */
  kept?(epoch: number, error: string | null): void;
  runEnded?(end: RunEnd, run: RunInfo): void;
  /** Redraws from the current model (only called while the panel's tab is shown). */
  refresh?(): Promise<void>;
  /** A view whose refresh takes long (it scores every held-out digit): it is refreshed after the others. */
  readonly heavy?: boolean;
}

/** A titled card: `<section class="panel"><h2>title</h2><div class="panel-body"></div></section>`. */
export function card(title: string, name: string, about = ''): { root: HTMLElement; body: HTMLElement } {
  const root = document.createElement('section');
  root.className = `panel panel-${name}`;
  root.dataset['panel'] = name;
  const h = document.createElement('h2');
  h.textContent = title;
  root.append(h);
  if (about) root.append(el('p', 'panel-about', about));
  const body = document.createElement('div');
  body.className = 'panel-body';
  root.append(body);
  return { root, body };
}

/** Creates an element with a class and optional text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text = ''): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text) e.textContent = text;
  return e;
}

/** A button that is never a form's submit button unless asked. */
export function button(text: string, className = 'button', onClick?: () => void): HTMLButtonElement {
  const b = el('button', className, text);
  b.type = 'button';
  if (onClick) b.addEventListener('click', onClick);
  return b;
}

/** Images (or any elements) side by side, each with its caption under it. */
export function figures(...items: [HTMLElement, string][]): HTMLElement {
  const row = el('div', 'pair');
  for (const [content, caption] of items) {
    const f = el('figure');
    f.append(content, el('figcaption', '', caption));
    row.append(f);
  }
  return row;
}

export const fmt = {
  pct: (x: number | null | undefined): string => (x == null || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(1)}%`),
  loss: (x: number | null | undefined): string => (x == null || !Number.isFinite(x) ? '–' : x.toFixed(4)),
  int: (x: number): string => Math.round(x).toLocaleString('en-US'),
  /** A short duration for a tile: '42 s', '3m 05s', '1h 02m'. */
  eta: (s: number): string => {
    if (!Number.isFinite(s)) return '–';
    const t = Math.max(0, Math.round(s));
    if (t < 60) return `${t} s`;
    if (t < 3600) return `${Math.floor(t / 60)}m ${String(t % 60).padStart(2, '0')}s`;
    return `${Math.floor(t / 3600)}h ${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m`;
  },
  seconds: (s: number): string => (!Number.isFinite(s) ? '–' : s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`),
};
