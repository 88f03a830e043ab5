/**
 * Backends for the page: webgl (the default), wasm and cpu, all registered up front so the select can switch between
 * them. wasm's binaries are emitted by Vite (`?url`) and handed to `setWasmPaths`, so they are served next to the
 * bundle in dev and in the built page alike.
 *
 * The page is served cross-origin isolated (COOP/COEP headers in vite.config.ts), so the browser offers
 * SharedArrayBuffer and tfjs picks the multi-threaded SIMD wasm binary. Its worker threads rebuild the wasm glue from
 * the function's source text (`factory.toString()`), which is why the production build must not mangle names: see
 * `build.minify` in vite.config.ts.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import plainWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimdWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { installWasmTrainingKernels } from 'tfjs-generative/wasm';

/** The backends the page offers, fastest first on a machine with a GPU. */
export const PAGE_BACKENDS = ['webgl', 'wasm', 'cpu'] as const;
export type PageBackend = (typeof PAGE_BACKENDS)[number];

let wasmPathsSet = false;

/** Activates `name` and waits until it is ready; on wasm, installs the library's fast training kernels. */
export async function useBackend(name: PageBackend): Promise<void> {
  if (name === 'wasm' && !wasmPathsSet) {
    setWasmPaths({
      'tfjs-backend-wasm.wasm': plainWasm,
      'tfjs-backend-wasm-simd.wasm': simdWasm,
      'tfjs-backend-wasm-threaded-simd.wasm': threadedSimdWasm,
    });
    wasmPathsSet = true;
  }
  if (!(await tf.setBackend(name))) throw new Error(`The ${name} backend failed to initialise.`);
  await tf.ready();
  if (name === 'wasm') installWasmTrainingKernels();
}

/** Threads the wasm backend runs on (1 without cross-origin isolation), or 0 before it has started. */
export function wasmThreads(): number {
  try {
    return getThreadsCount();
  } catch {
    return 0;
  }
}

/**
 * Keeps webgl read-backs prompt while the page is hidden. tfjs-backend-webgl waits for a read-back by polling a GPU
 * fence on a timer, and a hidden tab's timers fire about once a second, so a hidden page would train at a step or
 * two per second however fast the GPU is. While hidden, the fence is turned off (as tfjs does where the GPU offers
 * none): each read-back then waits for the GPU in one blocking call, which no one sees in a hidden tab.
 */
export function keepWebglReadsPromptWhenHidden(): void {
  const flags = ['WEBGL_FENCE_API_ENABLED', 'WEBGL_DISJOINT_QUERY_TIMER_EXTENSION_VERSION'] as const;
  let saved: Partial<Record<(typeof flags)[number], number | boolean>> | undefined;
  const update = (): void => {
    if (document.hidden && saved === undefined && tf.getBackend() === 'webgl') {
      saved = Object.fromEntries(flags.map((f) => [f, tf.env().get(f)]));
      tf.env().set('WEBGL_FENCE_API_ENABLED', false);
      tf.env().set('WEBGL_DISJOINT_QUERY_TIMER_EXTENSION_VERSION', 0);
    } else if (!document.hidden && saved !== undefined) {
      for (const f of flags) tf.env().set(f, saved[f]!);
      saved = undefined;
    }
  };
  document.addEventListener('visibilitychange', update);
}

