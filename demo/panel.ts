/**
 * The demo is a set of panels, one per view, that follow a training run. A new view (filters,
 * activations, CAM...) is a class implementing Panel, mounted in main.ts; it gets the run (with the
 * model being trained) when a run starts and is told about every step and epoch.
 */
import type * as wt from '../src/index.js';

/** What a run trains with; chosen in the controls panel. */
export interface RunConfig {
  epochs: number;
  batchSize: number;
  lr: number;
}

export interface RunInfo {
  config: RunConfig;
  /** The model being trained; views may read it (in noGrad) between steps. */
  model: wt.LeNet5;
  stepsPerEpoch: number;
  totalSteps: number;
  trainCount: number;
  heldOutCount: number;
}

export interface RunStep extends wt.StepInfo {
  /** Steps since the run began, 1-based. */
  globalStep: number;
}

export interface RunEpoch extends wt.EpochInfo {
  /** Steps this epoch ran: stepsPerEpoch, or fewer when the run was stopped during it. */
  stepsDone: number;
  globalStep: number;
}

export type RunEnd =
  | { reason: 'finished' | 'stopped'; seconds: number }
  | { reason: 'failed'; seconds: number; error: unknown };

/** A view of the demo. Every hook is optional. */
export interface Panel {
  /** The panel's card, placed in one of the page's slots. */
  readonly root: HTMLElement;
  readonly slot: 'side' | 'main' | 'wide';
  runStarted?(run: RunInfo): void;
  step?(s: RunStep, run: RunInfo): void;
  /** The model is being scored on the held-out digits (end of an epoch, or after Stop). */
  evaluating?(run: RunInfo): void;
  epochEnded?(e: RunEpoch, run: RunInfo): void;
  runEnded?(end: RunEnd, run: RunInfo): void;
}

/** A titled card: `<section class="panel"><h2>title</h2><div class="panel-body"></div></section>`. */
export function card(title: string, name: string): { root: HTMLElement; body: HTMLElement } {
  const root = document.createElement('section');
  root.className = `panel panel-${name}`;
  root.dataset['panel'] = name;
  const h = document.createElement('h2');
  h.textContent = title;
  const body = document.createElement('div');
  body.className = 'panel-body';
  root.append(h, body);
  return { root, body };
}

/** Creates an element with a class and optional text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text = ''): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text) e.textContent = text;
  return e;
}

export const fmt = {
  pct: (x: number | null | undefined): string => (x == null || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(1)}%`),
  loss: (x: number | null | undefined): string => (x == null || !Number.isFinite(x) ? '–' : x.toFixed(4)),
  int: (x: number): string => Math.round(x).toLocaleString('en-US'),
  seconds: (s: number): string => (s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`),
};
