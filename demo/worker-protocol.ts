/** The messages between the page and the training worker (train-worker.ts). */
import type { RunConfig, RunEnd, RunEpoch, RunStep } from './panel.js';
import type { DemoData } from './session.js';

export type ToWorker =
  | { type: 'start'; config: RunConfig; /** safetensors bytes of the weights to continue from */ from: Uint8Array | null }
  /** The dataset of the next runs (the page's choice; the shipped digits until one comes). */
  | { type: 'data'; data: DemoData }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' };

/** A run as the page sees it, without the model (which lives in the worker). */
export interface RunShape {
  config: RunConfig;
  stepsPerEpoch: number;
  totalSteps: number;
  trainCount: number;
  heldOutCount: number;
}

export type FromWorker =
  | { type: 'ready'; adapter: string }
  | { type: 'unavailable'; reason: string }
  | { type: 'runStarted'; run: RunShape }
  | { type: 'step'; step: RunStep }
  | { type: 'evaluating' }
  | { type: 'epochEnded'; epoch: RunEpoch }
  | { type: 'paused'; paused: boolean }
  | { type: 'kept'; epoch: number; error: string | null }
  /** The weights the views should show now, as safetensors bytes with the registry id in the metadata. */
  | { type: 'weights'; source: string; bytes: Uint8Array }
  | { type: 'runEnded'; end: RunEnd | { reason: 'failed'; seconds: number; error: string } }
  | { type: 'lost'; reason: string };
