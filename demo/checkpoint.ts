/**
 * Checkpoints of the demo's model: the state dict as a safetensors file (wt.io), with the model's
 * registry id and where its weights came from in the file's metadata, so a file loads into the
 * right architecture. Files are downloaded and uploaded; the browser copy lives in IndexedDB (one
 * slot, 'last', written after every epoch, so a lost device can resume from it).
 */
import * as wt from '../src/index.js';
import { modelById, type ModelChoice } from './models.js';

export interface Checkpoint {
  choice: ModelChoice;
  model: wt.nn.Module;
  source: string;
}

export async function checkpointBlob(choice: ModelChoice, weights: Record<string, wt.Tensor>, source: string): Promise<Blob> {
  return wt.io.saveSafetensors(weights, { metadata: { model: choice.id, source, saved: new Date().toISOString() } });
}

/**
 * Copies of the weights as they are now, recorded at once: they are computed in the next flush
 * before any later optimizer update (the engine orders in-place updates after their readers), so a
 * checkpoint taken while training goes on is one consistent step.
 */
export function snapshot(model: wt.nn.Module): Record<string, wt.Tensor> {
  return Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, wt.noGrad(() => t.clone())]));
}

/** A checkpoint file (or bytes) as a model of its architecture, with every key checked. */
export async function readCheckpoint(source: Blob | Uint8Array, name: string): Promise<Checkpoint> {
  const { tensors, metadata } = await wt.io.readSafetensors(source);
  const choice = modelById(metadata['model'] ?? 'lenet5');
  const model = choice.build();
  model.loadStateDict(tensors);
  return { choice, model, source: metadata['source'] ? `${name}: ${metadata['source']}` : name };
}

const DB = 'webtrain-demo';
const STORE = 'checkpoints';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB could not be opened'));
  });
}

async function transact<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = f(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    });
  } finally {
    db.close();
  }
}

export interface StoredCheckpoint {
  bytes: Uint8Array;
  model: string;
  source: string;
  saved: string;
}

export async function storeCheckpoint(choice: ModelChoice, weights: Record<string, wt.Tensor>, source: string): Promise<StoredCheckpoint> {
  const bytes = new Uint8Array(await (await checkpointBlob(choice, weights, source)).arrayBuffer());
  const entry: StoredCheckpoint = { bytes, model: choice.id, source, saved: new Date().toISOString() };
  await transact('readwrite', (s) => s.put(entry, 'last'));
  return entry;
}

export async function storedCheckpoint(): Promise<StoredCheckpoint | null> {
  return ((await transact('readonly', (s) => s.get('last'))) as StoredCheckpoint | undefined) ?? null;
}
