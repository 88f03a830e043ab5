/**
 * The GAN's construction checks and small step helpers, kept out of the class so gan.ts reads as the model.
 * @internal
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../../errors';
import { assertConfiguredDataShape, assertNetworksJoin, formatShape, onlyShape } from '../../internal/shapes';
import type { ResolvedGANConfig } from './config';
import type { GANObjective } from './objective';

export function generatorOutputShape(generator: tfl.LayersModel): number[] {
  return onlyShape(generator.outputs, 'networks.generator outputs').slice(1) as number[];
}

/** The shape of the first of `tensors` (a conditional network's second input is its labels; see labels.ts). */
function firstShape(tensors: tfl.SymbolicTensor[], argument: string): (number | null)[] {
  return onlyShape(tensors.slice(0, 1), argument);
}

export function dataExampleShape(discriminator: tfl.LayersModel): number[] {
  return firstShape(discriminator.inputs, 'networks.discriminator inputs').slice(1) as number[];
}

/** Shapes are checked once here, so a mismatch is a clear error at construction rather than a crash mid-training. */
export function checkNetworks(
  generator: tfl.LayersModel,
  discriminator: tfl.LayersModel,
  config: ResolvedGANConfig,
): [number, readonly number[]] {
  const zShape = firstShape(generator.inputs, 'networks.generator inputs');
  const latentDim = zShape[1];
  if (zShape.length !== 2 || zShape[0] !== null || typeof latentDim !== 'number') {
    throw new ConfigError('networks.generator', 'an input of shape [batch, latentDim]', formatShape(zShape));
  }
  if (config.latentDim !== undefined && config.latentDim !== latentDim) {
    throw new ConfigError('config.latentDim', `${latentDim} (the generator's input size)`, String(config.latentDim));
  }
  const gOut = onlyShape(generator.outputs, 'networks.generator outputs');
  const dIn = firstShape(discriminator.inputs, 'networks.discriminator inputs');
  if (gOut[0] !== null || gOut.slice(1).some((d) => d === null)) {
    throw new ConfigError('networks.generator', 'an output of fully known shape [batch, ...]', formatShape(gOut));
  }
  assertNetworksJoin(
    dIn,
    gOut,
    'networks.discriminator',
    'an input',
    "the generator's output shape",
    'Reshape the generator output (tfjs-layers reshape) or flatten the discriminator input so they agree.',
  );
  const dataShape = gOut.slice(1) as number[];
  assertConfiguredDataShape(config.dataShape, dataShape);
  const dOut = firstShape(discriminator.outputs, 'networks.discriminator outputs');
  if (dOut[0] !== null) {
    throw new ConfigError('networks.discriminator', 'an output with a leading batch axis', formatShape(dOut));
  }
  return [latentDim, dataShape];
}

const SHAPE_ONLY_LAYERS = new Set(['Reshape', 'Flatten', 'Dropout', 'TfjsGenerativeSeededDropout']);
const ACTIVATION_RANGES: Readonly<Record<string, readonly [number, number]>> = { tanh: [-1, 1], sigmoid: [0, 1] };

/**
 * The range of the generator's output, from its last layer's activation (looking through reshapes and dropout), so
 * data on another scale (pixels in [0, 255] against a tanh generator) is refused instead of silently never matched.
 */
export function outputRange(generator: tfl.LayersModel): readonly [number, number] | 'any' {
  const layers = generator.layers;
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    if (SHAPE_ONLY_LAYERS.has(layer.getClassName())) continue;
    const activation = layer.getConfig()['activation'];
    return (typeof activation === 'string' && ACTIVATION_RANGES[activation]) || 'any';
  }
  return 'any';
}

/** Sizes of k nearly equal parts of n examples, the larger first. */
export function splitSizes(n: number, k: number): number[] {
  return Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));
}

/** The logged score of D's outputs: a probability for logits, the outputs' own mean otherwise. */
export function meanScore(outputs: tf.Tensor, objective: GANObjective): tf.Scalar {
  return (objective.output ?? 'logits') === 'logits' ? tf.mean(tf.sigmoid(outputs)) : tf.mean(outputs);
}
