import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { SafeLeakyReLU } from '../architectures/activations';
import { SeededDropout } from '../architectures/seeded-dropout';
import { ValueError } from '../errors';
import { saveHandlerFor, type SaveDestination } from './handlers';
import { describe } from '../internal/describe';
import { assertLiveNetwork } from '../internal/model-checks';

/**
 * Saves a network so that plain tfjs-layers loads it: through `destination`, as `model.save` would, except that every
 * {@link SeededDropout} layer is written as a standard `Dropout` layer of the same rate and name. Dropout passes its
 * input through at inference, so the loaded network predicts exactly as the saved one; only training it would draw
 * different dropout masks. To keep SeededDropout (and its reproducible masks), save with `model.save` and call
 * {@link registerGenerativeLayers} before `tfl.loadLayersModel` instead.
 *
 * @param model - the network, e.g. `gan.generator`; it is only read
 * @param destination - an IO handler, or a URL such as `indexeddb://generator`, `downloads://generator` or (with
 *   tfjs-node) `file://./generator`
 * @returns what the handler reports
 * @throws {@link ValueError} for a model that cannot save or a destination no handler takes; the handler's own errors
 *   pass through
 *
 * @example
 * ```ts
 * await exportNetwork(gan.generator, 'indexeddb://generator');
 * // Later, with no tfjs-generative at all:
 * const generator = await tfl.loadLayersModel('indexeddb://generator');
 * ```
 * @group Utilities
 */
export async function exportNetwork(model: tfl.LayersModel, destination: SaveDestination): Promise<tf.io.SaveResult> {
  if (model === null || typeof model !== 'object' || typeof (model as { save?: unknown }).save !== 'function') {
    throw new ValueError('model', 'a tf.LayersModel', describe(model));
  }
  assertLiveNetwork(model, 'model');
  const handler = saveHandlerFor(destination, 'destination');
  return model.save(
    tf.io.withSaveHandler(async (artifacts) =>
      handler.save!({ ...artifacts, modelTopology: withPlainDropout(artifacts.modelTopology) as {} }),
    ),
  );
}

// Every serialised layer is an object { class_name, config, ... }, whether in a Sequential's layer list, a functional
// model's, a nested model's or a wrapper's `layer`; so replacing each SeededDropout wherever it appears covers them all.
function withPlainDropout(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withPlainDropout);
  if (node === null || typeof node !== 'object' || node instanceof ArrayBuffer) return node;
  const record = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) out[key] = withPlainDropout(record[key]);
  if (record['class_name'] === SafeLeakyReLU.className) out['class_name'] = 'LeakyReLU'; // same config: alpha, name
  if (record['class_name'] === SeededDropout.className) {
    out['class_name'] = 'Dropout';
    const config = out['config'];
    if (config !== null && typeof config === 'object') {
      // Dropout's own `seed` would fix one mask for every call; unseeded, the loaded layer trains like any Dropout.
      const { seed: _seed, ...rest } = config as Record<string, unknown>;
      out['config'] = rest;
    }
  }
  return out;
}
