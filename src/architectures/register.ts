import * as tf from '@tensorflow/tfjs-core';
import { SafeLeakyReLU } from './activations';
import { SeededDropout } from './seeded-dropout';

/**
 * Registers this library's custom layers ({@link SeededDropout}, {@link SafeLeakyReLU}) with tfjs's serialisation,
 * so that `tfl.loadLayersModel` can rebuild a saved network that uses them. Nothing is registered at import time (the
 * package has no side effects).
 *
 * @example
 * ```ts
 * registerGenerativeLayers();
 * const discriminator = await tfl.loadLayersModel(handler);
 * ```
 * @group Architectures
 */
export function registerGenerativeLayers(): void {
  tf.serialization.registerClass(SeededDropout);
  tf.serialization.registerClass(SafeLeakyReLU);
}
