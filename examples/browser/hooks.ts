/**
 * What the page exposes on `window` for tests and for the curious (open the console): its live state, a cross-backend
 * parity run, and a training run in a Web Worker. tests/browser/page.test.ts reads these rather than scraping text.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendCapabilities, StepLogs } from 'tfjs-generative';
import type { ParityModel, ParityReport } from '../../tests/helpers/parity';
import type { SessionState } from './session';
import type { WorkerReply, WorkerRequest } from './worker';

/** The page's state, updated in place as it trains. */
export interface PageState {
  ready: boolean;
  error: string | null;
  backend: string;
  webglVersion: number;
  textureFloat: string;
  crossOriginIsolated: boolean;
  wasmThreads: number;
  capabilities: BackendCapabilities | null;
  model: 'gan' | 'vae';
  state: SessionState;
  steps: number;
  /** The logs of this page's steps; `losses[i]` is step `lossesFrom + i` (0-based), after a restore too. */
  losses: StepLogs[];
  lossesFrom: number;
  /** The run saved in IndexedDB for the current tab: its step and a checksum of its state (`stateChecksum`). */
  saved: { step: number; checksum: string } | null;
  /** Saves this page has made since it loaded. */
  saves: number;
  /** The saved run this tab's run was restored from, with the checksum of the state read back from the model. */
  restored: { step: number; checksum: string } | null;
  stepsPerSecond: number;
  /** Sample-grid redraws since the page loaded. */
  redraws: number;
  /** Delay between each click's input event and its handler running, in ms. */
  clickLatencies: number[];
  numTensors: number;
}

export interface ParityRequest {
  readonly steps?: number;
  readonly models?: readonly ParityModel[];
  /** Backend compared with cpu. */
  readonly other?: string;
  /** Also run the GAN with tfjs's default Adam ε (a control: it should drift on webgl). */
  readonly control?: boolean;
}

export interface ParityResult {
  readonly reports: readonly ParityReport[];
  readonly control?: ParityReport;
}

declare global {
  interface Window {
    __tfjsGenerative: PageState;
    __runParity: (request?: ParityRequest) => Promise<ParityResult>;
    __runInWorker: (request: Omit<WorkerRequest, 'digitsUrl'>) => Promise<WorkerReply>;
  }
}

export const pageState: PageState = {
  ready: false,
  error: null,
  backend: '',
  webglVersion: 0,
  textureFloat: 'n/a',
  crossOriginIsolated: globalThis.crossOriginIsolated === true,
  wasmThreads: 0,
  capabilities: null,
  model: 'gan',
  state: 'idle',
  steps: 0,
  losses: [],
  lossesFrom: 0,
  saved: null,
  saves: 0,
  restored: null,
  stepsPerSecond: 0,
  redraws: 0,
  clickLatencies: [],
  numTensors: 0,
};

/**
 * Installs the hooks. `stopTraining` resets the page's run (parity switches backends, which must not happen under a
 * running Trainer) and `restoreBackend` switches back afterwards.
 */
export function installHooks(stopTraining: () => Promise<void>, restoreBackend: () => Promise<void>): void {
  window.__tfjsGenerative = pageState;
  const bothModels: readonly ParityModel[] = ['gan', 'vae'];
  window.__runParity = async ({ steps = 5, models = bothModels, other = 'webgl', control = false } = {}) => {
    await stopTraining();
    // Loaded on demand: the harness is test code, shared with tests/parity/cpu-wasm.test.ts.
    const { runParity } = await import('../../tests/helpers/parity');
    try {
      const reports: ParityReport[] = [];
      for (const model of models) reports.push(await runParity(model, 'cpu', other, { steps }));
      if (!control) return { reports };
      const drift = await runParity('gan', 'cpu', other, { steps, tfjsDefaultEpsilon: true });
      return { reports, control: drift };
    } finally {
      await restoreBackend();
    }
  };
  window.__runInWorker = (request) =>
    new Promise<WorkerReply>((resolve, reject) => {
      const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
      const done = (): void => worker.terminate();
      worker.onmessage = (event: MessageEvent<WorkerReply>) => {
        done();
        resolve(event.data);
      };
      worker.onerror = (event) => {
        done();
        reject(new Error(`worker failed: ${event.message}`));
      };
      worker.postMessage({ ...request, digitsUrl: new URL('mnist-digits.bin', document.baseURI).href });
    });
}

/** Refreshes the fields that come from tfjs. */
export function refreshTfState(): void {
  pageState.numTensors = tf.memory().numTensors;
}
