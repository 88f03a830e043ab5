import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ValueError } from '../errors';

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
 *
 * All or nothing: every replacement kernel is built before the registry is touched, and if registering one fails,
 * the ones already swapped are put back before the error propagates, so a failed install leaves the stock registry.
 */
export function applyKernelPatches(patches: readonly KernelPatch[]): () => void {
  if (tf.getKernelsForBackend('wasm').length === 0) {
    throw new ConfigError(
      'backend',
      "the 'wasm' backend registered (import '@tensorflow/tfjs-backend-wasm' first)",
      'no wasm kernels',
    );
  }
  const built = patches.map((patch) => {
    const stock = tf.getKernel(patch.kernelName, 'wasm');
    return { name: patch.kernelName, stock, kernelFunc: patch.create(stock) };
  });
  const restore: (() => void)[] = [];
  const undo = () => {
    for (const r of restore.reverse()) r();
    restore.length = 0;
  };
  try {
    for (const { name, stock, kernelFunc } of built) {
      if (stock !== undefined) tf.unregisterKernel(name, 'wasm');
      restore.push(() => {
        if (tf.getKernel(name, 'wasm') !== undefined) tf.unregisterKernel(name, 'wasm');
        if (stock !== undefined) tf.registerKernel(stock);
      });
      const setup = stock?.setupFunc === undefined ? {} : { setupFunc: stock.setupFunc };
      tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc, ...setup });
    }
  } catch (e) {
    undo();
    throw e;
  }
  return undo;
}

/** The stock kernel a patch wraps, or a clear error where the backend lacks it. */
export function requireStock(stock: tf.KernelConfig | undefined, name: string): tf.KernelConfig {
  if (stock === undefined) throw new ValueError('backend', `a wasm backend with the '${name}' kernel`, 'none');
  return stock;
}

/** The kernel function of a stock wasm kernel the patch needs, or a clear error where the backend lacks it. */
export function requireKernel(name: string): tf.KernelFunc {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new ValueError('backend', `a wasm backend with the '${name}' kernel`, 'none');
  return kernel.kernelFunc;
}
