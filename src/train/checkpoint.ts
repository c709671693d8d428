/**
 * Checkpoints: model + optimizer + schedule + random-generator states + epoch/step (+ anything
 * JSON the caller adds) as ONE safetensors file. Tensors: the model's state dict under `model.` and
 * the optimizer's per-parameter state tensors under `optimizer.<index>.<name>`; everything else is
 * JSON in the header's `__metadata__` under `webtrain.checkpoint`. So the model part is an ordinary
 * state dict that PyTorch can read too (strip the `model.` prefix).
 *
 * Node: `saveCheckpoint(path, parts)` writes atomically (a temporary file, flushed, renamed), so a
 * crash mid-write never replaces the last good checkpoint. Browser: without a path it returns a
 * Blob (a download, IndexedDB, OPFS). Loading restores every part given, after checking the file is
 * a checkpoint of this version; resuming continues bit for bit (test/gpu/checkpoint.test.ts).
 */
import { FileFormatError } from '../errors.js';
import { readSafetensors, saveSafetensors, type SafetensorsSource } from '../io/safetensors.js';
import type { Module } from '../nn/module.js';
import type { LRScheduler, SchedulerStateDict } from '../optim/lr-scheduler.js';
import type { Optimizer, OptimizerStateDict, StateValue } from '../optim/optimizer.js';
import { Tensor } from '../tensor/tensor.js';
import type { Generator, GeneratorState } from '../util/random.js';

export interface CheckpointParts {
  model: Module;
  optimizer?: Optimizer | null;
  scheduler?: LRScheduler | null;
  /** Generators whose streams must continue (the loader's shuffling and augmentation, the default one). */
  generators?: Record<string, Generator>;
}

export interface CheckpointInfo {
  /** Epochs completed. */
  epoch: number;
  /** Optimizer steps completed. */
  step: number;
  /** JSON the caller stored (history, options ...). */
  extra: Record<string, unknown>;
}

const KEY = 'webtrain.checkpoint';
const VERSION = 1;

interface Meta {
  version: number;
  epoch: number;
  step: number;
  optimizer: { class: string; paramGroups: OptimizerStateDict<{ lr: number }>['paramGroups']; numbers: Record<string, Record<string, number>> } | null;
  scheduler: { class: string; state: SchedulerStateDict } | null;
  generators: Record<string, GeneratorState>;
  extra: Record<string, unknown>;
}

function tensorsAndMeta(parts: CheckpointParts, info: Partial<CheckpointInfo>): { tensors: Record<string, Tensor>; meta: Meta } {
  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(parts.model.stateDict())) tensors[`model.${k}`] = t;
  let optimizer: Meta['optimizer'] = null;
  if (parts.optimizer) {
    const sd = parts.optimizer.stateDict();
    const numbers: Record<string, Record<string, number>> = {};
    for (const [i, s] of Object.entries(sd.state)) {
      for (const [name, v] of Object.entries(s as Record<string, StateValue>)) {
        if (v instanceof Tensor) tensors[`optimizer.${i}.${name}`] = v;
        else (numbers[i] ??= {})[name] = v;
      }
    }
    optimizer = { class: parts.optimizer.constructor.name, paramGroups: sd.paramGroups, numbers };
  }
  const generators: Record<string, GeneratorState> = {};
  for (const [name, g] of Object.entries(parts.generators ?? {})) generators[name] = g.getState();
  const meta: Meta = {
    version: VERSION,
    epoch: info.epoch ?? 0,
    step: info.step ?? parts.optimizer?.stepCount ?? 0,
    optimizer,
    scheduler: parts.scheduler ? { class: parts.scheduler.constructor.name, state: parts.scheduler.stateDict() } : null,
    generators,
    extra: info.extra ?? {},
  };
  return { tensors, meta };
}

/** Writes a checkpoint to `path` (Node, atomically), or returns it as a Blob when no path is given. */
export async function saveCheckpoint(path: string, parts: CheckpointParts, info?: Partial<CheckpointInfo>): Promise<void>;
export async function saveCheckpoint(parts: CheckpointParts, info?: Partial<CheckpointInfo>): Promise<Blob>;
export async function saveCheckpoint(a: string | CheckpointParts, b?: CheckpointParts | Partial<CheckpointInfo>, c?: Partial<CheckpointInfo>): Promise<void | Blob> {
  const path = typeof a === 'string' ? a : null;
  const parts = (path === null ? a : b) as CheckpointParts;
  const info = ((path === null ? b : c) ?? {}) as Partial<CheckpointInfo>;
  const { tensors, meta } = tensorsAndMeta(parts, info);
  const metadata = { [KEY]: JSON.stringify(meta) };
  if (path !== null) return saveSafetensors(tensors, path, { metadata });
  return saveSafetensors(tensors, { metadata });
}

/**
 * Restores `parts` from a checkpoint (a path in Node, bytes, a Blob/File) and returns its epoch,
 * step and extra JSON. The model's state dict is loaded strictly; an optimizer or schedule of
 * another class than the saved one, or a part the file does not hold, is an error naming the file.
 */
export async function loadCheckpoint(source: SafetensorsSource, parts: CheckpointParts): Promise<CheckpointInfo> {
  const name = typeof source === 'string' ? source : (source as { name?: string }).name || 'checkpoint';
  const { tensors, metadata } = await readSafetensors(source);
  const raw = metadata[KEY];
  if (raw === undefined) throw new FileFormatError(`${name}: not a webtrain checkpoint (no '${KEY}' in the safetensors metadata)`);
  let meta: Meta;
  try {
    meta = JSON.parse(raw) as Meta;
  } catch (e) {
    throw new FileFormatError(`${name}: the checkpoint metadata is not valid JSON: ${(e as Error).message}`);
  }
  if (meta.version !== VERSION) throw new FileFormatError(`${name}: checkpoint version ${String(meta.version)}, this webtrain reads version ${VERSION}`);
  const model: Record<string, Tensor> = {};
  const optState: Record<string, Record<string, StateValue>> = {};
  for (const [k, t] of Object.entries(tensors)) {
    if (k.startsWith('model.')) model[k.slice(6)] = t;
    else if (k.startsWith('optimizer.')) {
      const [, i, stateName] = k.split('.', 3) as [string, string, string];
      (optState[i] ??= {})[stateName] = t;
    } else throw new FileFormatError(`${name}: unexpected tensor '${k}' in a checkpoint`);
  }
  try {
    parts.model.loadStateDict(model);
  } catch (e) {
    throw new FileFormatError(`${name}: ${(e as Error).message}`, { cause: e });
  }
  if (parts.optimizer) {
    if (!meta.optimizer) throw new FileFormatError(`${name}: the checkpoint holds no optimizer state`);
    if (meta.optimizer.class !== parts.optimizer.constructor.name) {
      throw new FileFormatError(`${name}: the checkpoint's optimizer is ${meta.optimizer.class}, not ${parts.optimizer.constructor.name}`);
    }
    for (const [i, nums] of Object.entries(meta.optimizer.numbers)) Object.assign((optState[i] ??= {}), nums);
    parts.optimizer.loadStateDict({ state: optState as Record<number, object>, paramGroups: meta.optimizer.paramGroups });
    parts.optimizer.stepCount = meta.step;
  }
  if (parts.scheduler) {
    if (!meta.scheduler) throw new FileFormatError(`${name}: the checkpoint holds no schedule`);
    if (meta.scheduler.class !== parts.scheduler.constructor.name) {
      throw new FileFormatError(`${name}: the checkpoint's schedule is ${meta.scheduler.class}, not ${parts.scheduler.constructor.name}`);
    }
    parts.scheduler.loadStateDict(meta.scheduler.state);
  }
  for (const [gname, g] of Object.entries(parts.generators ?? {})) {
    const state = meta.generators[gname];
    if (!state) throw new FileFormatError(`${name}: the checkpoint holds no state for generator '${gname}' (it has: ${Object.keys(meta.generators).join(', ') || 'none'})`);
    g.setState(state);
  }
  return { epoch: meta.epoch, step: meta.step, extra: meta.extra ?? {} };
}
