/**
 * Opt-in training kernels for `@tensorflow/tfjs-backend-wasm`, published as `tfjs-generative/wasm`. The main entry
 * never imports this module and stays backend-agnostic.
 * @module
 */
import { applyKernelPatches } from './kernel-patch';
import { batchMatMulPatch, fusedMatMulPatch } from './batch-mat-mul';
import { conv2dBackpropFilterPatch } from './conv2d-backprop-filter';
import { conv2dBackpropInputPatch } from './conv2d-backprop-input';
import { identityPatch } from './identity';
import { GRADIENT_KERNELS, applyLaziness } from './lazy';
import { tanhPatch } from './tanh';
import { tilePatch } from './tile';

const TRAINING_PATCHES = [
  batchMatMulPatch,
  fusedMatMulPatch,
  conv2dBackpropFilterPatch,
  conv2dBackpropInputPatch,
  tilePatch,
  identityPatch,
  tanhPatch,
] as const;

let uninstall: (() => void) | undefined;

/**
 * Replaces wasm kernels that make training slow, and adds ones the backend lacks for training:
 * - `BatchMatMul` and `_FusedMatMul` (every dense layer's forward and backward pass): transposed operands made
 *   explicit instead of a scalar loop, and each product run in whichever orientation makes XNNPACK pack the smaller
 *   operand (packing fresh weights costs as much as the product at batch 64). With the rest, ~4× faster MLP steps.
 * - `Conv2DBackpropFilter`, which stock tfjs-backend-wasm lacks: without it no convolution or transposed
 *   convolution can train on wasm. Runs as an XNNPACK convolution of x by dy, or as im2col and an XNNPACK matmul.
 * - `Conv2DBackpropInput`, the input gradient of a convolution and the forward pass of a transposed one: one XNNPACK
 *   matmul and a col2im instead of the stock direct loop (7× faster at DCGAN sizes).
 * - `Tile`, the broadcast in batch normalisation's gradient: block copies instead of an index per element.
 * - `Identity`: shares the buffer under a reference count instead of copying it.
 * - `Tanh`, every tanh-range generator's output: a rational approximation, 3× faster than the C library's `tanh`.
 * - Gradients nobody reads: tfjs-core's fused dense and conv layers compute the gradient of every input, and the
 *   engine frees the unneeded ones unread (a discriminator's input gradient, its weight gradients during a generator
 *   update). `BatchMatMul`, `Conv2DBackpropInput` and `Conv2DBackpropFilter` now defer their work until their output
 *   is used or read, so those are never computed. Every other wasm kernel is wrapped to compute a deferred input first;
 *   install after registering any custom wasm kernels of your own.
 *
 * Results match the cpu backend to float32 rounding (checked to 1e-5 relative on many shapes; `Tanh` to 3·10⁻⁷).
 * Call it once, after importing
 * `@tensorflow/tfjs-backend-wasm`; calling it again does nothing. It affects every wasm computation in the page or
 * process, not only this library's.
 *
 * @returns a function that restores the stock kernels (the same as {@link uninstallWasmTrainingKernels})
 * @throws a `ValueError` (see the main entry) when no wasm backend is registered, or when it lacks a stock kernel
 *   a replacement builds on; a failed install leaves every kernel as it was
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
 * @group Backends
 */
export function installWasmTrainingKernels(): () => void {
  if (uninstall === undefined) {
    const unpatch = applyKernelPatches(TRAINING_PATCHES);
    let unwrap: () => void;
    try {
      unwrap = applyLaziness(GRADIENT_KERNELS);
    } catch (e) {
      unpatch();
      throw e;
    }
    uninstall = () => {
      unwrap();
      unpatch();
    };
  }
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
 * @group Backends
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
 * @group Backends
 */
export function wasmTrainingKernelsInstalled(): boolean {
  return uninstall !== undefined;
}
