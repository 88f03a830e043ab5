import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * The variables an optimizer may move for one network. Passing this list to `optimizer.minimize` is what keeps a
 * discriminator step from also updating the generator: without it tfjs updates every trainable variable it knows.
 */
export function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}
