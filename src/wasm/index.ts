/**
 * Opt-in training kernels for `@tensorflow/tfjs-backend-wasm`, published as `tfjs-generative/wasm`. The main entry
 * never imports this module and stays backend-agnostic.
 * @module
 */
import { applyKernelPatches } from './kernel-patch';
import { batchMatMulPatch } from './batch-mat-mul';

let uninstall: (() => void) | undefined;

/**
 * Replaces wasm kernels that make training slow, and adds ones the backend lacks for training:
 * - `BatchMatMul` with transposed operands, which every dense backward pass uses (2.6–4.6× faster MLP GAN steps).
 *
 * Results match the cpu backend to float32 rounding. Call it once, after importing
 * `@tensorflow/tfjs-backend-wasm`; calling it again does nothing. It affects every wasm computation in the page or
 * process, not only this library's.
 *
 * @returns a function that restores the stock kernels (the same as {@link uninstallWasmTrainingKernels})
 * @throws a `ConfigError` (see the main entry) when no wasm backend is registered
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-wasm';
 * import { installWasmTrainingKernels } from 'tfjs-generative/wasm';
 *
 * await tf.setBackend('wasm');
 * installWasmTrainingKernels();
 * ```
 */
export function installWasmTrainingKernels(): () => void {
  uninstall ??= applyKernelPatches([batchMatMulPatch]);
  return uninstallWasmTrainingKernels;
}

/**
 * Puts the stock wasm kernels back. Safe to call when nothing is installed.
 *
 * @example
 * ```ts
 * installWasmTrainingKernels();
 * // ... train ...
 * uninstallWasmTrainingKernels();
 * ```
 */
export function uninstallWasmTrainingKernels(): void {
  uninstall?.();
  uninstall = undefined;
}

/**
 * Whether {@link installWasmTrainingKernels} is in effect.
 *
 * @example
 * ```ts
 * if (!wasmTrainingKernelsInstalled()) installWasmTrainingKernels();
 * ```
 */
export function wasmTrainingKernelsInstalled(): boolean {
  return uninstall !== undefined;
}
