/**
 * Choosing a tfjs backend for the examples. Backends are imported on demand, so an example only loads what it uses
 * and `tensorflow` works once `@tensorflow/tfjs-node` (or `-node-gpu`) is installed, without being a dependency.
 */

import * as tf from '@tensorflow/tfjs-core';

/** The backends the examples know, by their tfjs registry names. */
export const BACKENDS = ['cpu', 'wasm', 'tensorflow'] as const;

/**
 * `cpu`: plain JavaScript, always works, slowest. `wasm`: WebAssembly (XNNPACK), several times faster for the MLPs
 * here. `tensorflow`: the native TensorFlow library via `@tensorflow/tfjs-node` (CPU) or `@tensorflow/tfjs-node-gpu`
 * (CUDA), which both register under the name `tensorflow`; install one of them first.
 */
export type BackendName = (typeof BACKENDS)[number];

// A variable specifier keeps TypeScript from resolving the optional packages, which are not installed here.
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

/**
 * Loads the backend `name`, makes it the active one and waits until it is ready. On failure (`tensorflow` without
 * tfjs-node installed) prints what to install to stderr and exits with code 1.
 *
 * @returns the active backend's name, `tf.getBackend()`
 *
 * @example
 * ```ts
 * const backend = await useBackend(flags.backend);
 * console.log(`backend: ${backend}`);
 * ```
 */
export async function useBackend(name: BackendName): Promise<string> {
  try {
    switch (name) {
      case 'cpu':
        await import('@tensorflow/tfjs-backend-cpu');
        break;
      case 'wasm':
        await import('@tensorflow/tfjs-backend-wasm');
        break;
      case 'tensorflow':
        await importNative();
        break;
    }
    if (tf.findBackendFactory(name) === null) throw new BackendSetupError(notRegistered(name));
    const ok = await tf.setBackend(name);
    if (!ok) throw new BackendSetupError(`The ${name} backend failed to initialise; see the messages above.`);
    await tf.ready();
    return tf.getBackend();
  } catch (e) {
    if (!(e instanceof BackendSetupError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}

class BackendSetupError extends Error {}

async function importNative(): Promise<void> {
  // libtensorflow logs CPU-feature notices to stderr at load; keep its warnings and errors, unless the user chose.
  process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '1';
  // The CPU build leaves oneDNN's kernels off on most CPUs; they halve the DCGAN's transposed convolutions.
  process.env['TF_ENABLE_ONEDNN_OPTS'] ??= '1';
  for (const specifier of NATIVE_PACKAGES) {
    try {
      await import(specifier);
      return;
    } catch (e) {
      if (isNotFound(e, specifier)) continue;
      const message = e instanceof Error ? e.message : String(e);
      throw new BackendSetupError(
        `${specifier} is installed but failed to load: ${message}\n` +
          (specifier.endsWith('-gpu')
            ? 'tfjs-node-gpu needs CUDA and cuDNN versions matching its TensorFlow build; uninstall it to use the ' +
              'CPU-only @tensorflow/tfjs-node, or use --backend wasm.'
            : 'Try reinstalling it (npm rebuild @tensorflow/tfjs-node), or use --backend wasm.'),
      );
    }
  }
  throw new BackendSetupError(
    [
      'The tensorflow backend needs TensorFlow.js for Node, which is not installed. Install one of:',
      `  npm install --no-save @tensorflow/tfjs-node@${tf.version_core}       # native TensorFlow on the CPU`,
      `  npm install --no-save @tensorflow/tfjs-node-gpu@${tf.version_core}   # with CUDA (Linux, NVIDIA GPU)`,
      'at the version of @tensorflow/tfjs-core shown, then rerun with --backend tensorflow. Without network access',
      'at install time, see docs/guides/backends.md ("Air-gapped machines").',
      'Or run with --backend wasm (fast, nothing to install) or --backend cpu.',
    ].join('\n'),
  );
}

function isNotFound(e: unknown, specifier: string): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : '';
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(specifier);
}

function notRegistered(name: BackendName): string {
  // tfjs-node loads its own copy of tfjs-core when the versions differ, and registers the backend there.
  return (
    `The ${name} backend loaded but did not register with this @tensorflow/tfjs-core ` +
    `(${tf.version_core}). Install @tensorflow/tfjs-node(-gpu) at the same version, ${tf.version_core}.`
  );
}
