import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';

/** A kernel replacement: builds the new kernel function from the stock one it wraps. */
export interface KernelPatch {
  readonly kernelName: string;
  /** The stock wasm kernel, or `undefined` where tfjs-backend-wasm lacks it. */
  readonly create: (stock: tf.KernelConfig | undefined) => tf.KernelFunc;
}

/**
 * Swaps kernels in tfjs's registry for the `wasm` backend and returns a function that puts the stock ones back (or
 * removes a kernel the backend never had). tfjs keeps one kernel per name and backend, so patches from two installs
 * would stack: callers keep a single installation.
 */
export function applyKernelPatches(patches: readonly KernelPatch[]): () => void {
  if (tf.getKernelsForBackend('wasm').length === 0) {
    throw new ConfigError(
      'backend',
      "the 'wasm' backend registered (import '@tensorflow/tfjs-backend-wasm' first)",
      'no wasm kernels',
    );
  }
  const restore: (() => void)[] = [];
  for (const patch of patches) {
    const stock = tf.getKernel(patch.kernelName, 'wasm');
    const kernelFunc = patch.create(stock);
    if (stock !== undefined) tf.unregisterKernel(patch.kernelName, 'wasm');
    const setup = stock?.setupFunc === undefined ? {} : { setupFunc: stock.setupFunc };
    tf.registerKernel({ kernelName: patch.kernelName, backendName: 'wasm', kernelFunc, ...setup });
    restore.push(() => {
      tf.unregisterKernel(patch.kernelName, 'wasm');
      if (stock !== undefined) tf.registerKernel(stock);
    });
  }
  return () => restore.reverse().forEach((undo) => undo());
}

/** The kernel function of a stock wasm kernel the patch needs, or a clear error where the backend lacks it. */
export function requireKernel(name: string): tf.KernelFunc {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new ConfigError('backend', `a wasm backend with the '${name}' kernel`, 'none');
  return kernel.kernelFunc;
}
