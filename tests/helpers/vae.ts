import * as tf from '@tensorflow/tfjs-core';
import { VAE, mlpDecoder, mlpEncoder, type VAEConfig } from '../../src';

/** Size of one tiny example, and of the tiny latent space. */
export const TINY_DIM = 6;
export const TINY_LATENT = 2;

/** A VAE small enough for hundreds of steps in a unit test: 6 → 8 → (2, 2) and 2 → 8 → 6. */
export function tinyVae(config: VAEConfig = {}): VAE {
  const seed = config.seed ?? 0;
  return new VAE(config, {
    encoder: mlpEncoder({ inputShape: [TINY_DIM], hiddenUnits: [8], latentDim: TINY_LATENT, seed: seed + 1 }),
    decoder: mlpDecoder({ outputShape: [TINY_DIM], hiddenUnits: [8], latentDim: TINY_LATENT, seed: seed + 2 }),
  });
}

/** `n` examples with values in [0, 1], as the Bernoulli likelihood requires. */
export function tinyData(n = 16, seed = 3): tf.Tensor2D {
  return tf.randomUniform([n, TINY_DIM], 0, 1, 'float32', seed);
}

/** Every weight of both networks, as plain arrays. */
export async function vaeWeights(vae: VAE): Promise<number[][]> {
  const weights = [...vae.encoder.weights, ...vae.decoder.weights];
  return Promise.all(weights.map(async (w) => [...(await w.read().data())]));
}

/** Runs `fn` and returns what it threw (synchronously or as a rejection). */
export async function thrown(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}
