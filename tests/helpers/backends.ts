import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe } from 'vitest';
import { installWasmTrainingKernels, uninstallWasmTrainingKernels } from '../../src/wasm';

export const BACKENDS = ['cpu', 'wasm'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Runs `body` once per backend, with that backend active for its tests (tfjs's describeWithFlags, simplified). */
export function describeEachBackend(name: string, body: (backend: BackendName) => void): void {
  describe.each(BACKENDS)(`${name} [%s]`, (backend) => {
    beforeAll(async () => {
      await tf.setBackend(backend);
      await tf.ready();
    });
    // Blocks after this one run on the file's default backend, not on whichever ran last.
    afterAll(async () => {
      await tf.setBackend('cpu');
    });
    body(backend);
  });
}

/** Inside a describe block: its tests run on wasm with the library's training kernels, and cpu is restored after. */
export function useWasmTrainingKernels(): void {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    installWasmTrainingKernels();
  });
  afterAll(async () => {
    uninstallWasmTrainingKernels();
    await tf.setBackend('cpu');
  });
}
