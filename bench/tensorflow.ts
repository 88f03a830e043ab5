/**
 * The native `tensorflow` backend (`@tensorflow/tfjs-node`), loaded only when asked for: it is not a dependency of
 * this project, and `/work/shared/tools/tfjs-node-offline.sh` (or a plain `npm install @tensorflow/tfjs-node` where
 * libtensorflow can be downloaded) puts it into node_modules.
 */

import * as tf from '@tensorflow/tfjs-core';

const NODE_PACKAGE = '@tensorflow/tfjs-node';

let loaded: Promise<string | undefined> | undefined;

/**
 * TensorFlow's oneDNN kernels, which this CPU wheel leaves off unless the CPU has AVX-512 VNNI or AMX: with them a
 * DCGAN's transposed convolution (Conv2DBackpropInput) ran in 18 ms instead of 37 ms here. PyTorch uses oneDNN for
 * its convolutions too. The caller's own setting wins; it must be set before libtensorflow loads.
 */
export function oneDnnSetting(): string {
  process.env['TF_ENABLE_ONEDNN_OPTS'] ??= '1';
  return `TF_ENABLE_ONEDNN_OPTS=${process.env['TF_ENABLE_ONEDNN_OPTS']}`;
}

/**
 * Loads tfjs-node and checks that it registered its backend with this project's tfjs-core. Resolves to `undefined`
 * when the `tensorflow` backend is ready, or to the reason it is not (for a "skipped" row).
 */
export function loadTensorflowBackend(): Promise<string | undefined> {
  loaded ??= (async () => {
    oneDnnSetting();
    try {
      // A variable specifier, so that neither tsc nor tsx resolves the package unless a row asks for it.
      const name: string = NODE_PACKAGE;
      await import(name);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return 'tfjs-node not installed';
      return `tfjs-node failed to load: ${(e as Error).message.split('\n')[0]}`;
    }
    if (tf.findBackendFactory('tensorflow') === undefined) {
      return 'tfjs-node loaded but registered with another tfjs-core copy';
    }
    return undefined;
  })();
  return loaded;
}
