/**
 * A training run saved in the browser's IndexedDB, so that a reload carries on where the run was: the model's state
 * (`getState()`), the Trainer's position and the settings the run was built with, stored with the library's
 * `saveState` under an `indexeddb://` URL. Plain tfjs and the library only, no DOM: the Web Worker uses it too.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  isStateError,
  loadState,
  saveState,
  type GANState,
  type StateTree,
  type TrainerPosition,
  type VAEState,
} from 'tfjs-generative';

/** What a run is built from: a saved run is resumed only into a model built the same way. */
export interface RunSettings {
  readonly kind: 'gan' | 'vae';
  readonly recipe: string;
  readonly seed: number;
  readonly batchSize: number;
}

/** What is stored: the model's state, where the Trainer was, and the settings. */
export interface SavedRun {
  readonly model: GANState | VAEState;
  readonly trainer: TrainerPosition;
  readonly settings: RunSettings;
}

/** A model whose state can be saved and restored: the library's GAN and VAE. */
export interface StatefulModel {
  getState(): Promise<GANState | VAEState>;
  setState(state: GANState | VAEState): void;
}

/** The `indexeddb://` URL of a saved run; one slot per name (the page keeps one per tab). */
export const savedRunUrl = (name: string): string => `indexeddb://tfjs-generative-page/${name}`;

/** Saves `run` under `url`, replacing what was there. */
export async function saveRun(url: string, run: SavedRun): Promise<void> {
  await saveState(run, url);
}

/**
 * The run saved under `url`, or `undefined` when there is none. A saved run that is unreadable, or not one of the
 * page's, is deleted and reported as none: it could never be resumed.
 */
export async function loadRun(url: string): Promise<SavedRun | undefined> {
  if (!(url in (await tf.io.listModels()))) return undefined;
  let tree: StateTree;
  try {
    tree = await loadState(url);
  } catch (e) {
    if (!isStateError(e)) throw e;
    await forgetRun(url);
    return undefined;
  }
  const run = tree as unknown as Partial<SavedRun>;
  if (typeof run.trainer?.step !== 'number' || typeof run.settings?.kind !== 'string' || run.model === undefined) {
    await forgetRun(url);
    return undefined;
  }
  return run as SavedRun;
}

/** Deletes the run saved under `url`, if any. */
export async function forgetRun(url: string): Promise<void> {
  if (url in (await tf.io.listModels())) await tf.io.removeModel(url);
}

/** Whether a saved run was made with `settings`, and so fits a model built from them. */
export function sameSettings(a: RunSettings, b: RunSettings): boolean {
  return a.kind === b.kind && a.recipe === b.recipe && a.seed === b.seed && a.batchSize === b.batchSize;
}

/**
 * An FNV-1a hash over the bytes of every typed array in a state tree (weights and optimizer slots), in tree order,
 * as 8 hex digits: two states with the same checksum hold the same numbers, for the page's tests to compare.
 */
export function stateChecksum(tree: unknown): string {
  let hash = 0x811c9dc5;
  const visit = (node: unknown): void => {
    if (ArrayBuffer.isView(node)) {
      const bytes = new Uint8Array(node.buffer, node.byteOffset, node.byteLength);
      for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
    } else if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (typeof node === 'object' && node !== null) {
      for (const key of Object.keys(node).sort()) visit((node as Record<string, unknown>)[key]);
    }
  };
  visit(tree);
  return (hash >>> 0).toString(16).padStart(8, '0');
}
