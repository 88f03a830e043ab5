import * as tf from '@tensorflow/tfjs-core';
import { GAN, mlpDiscriminator, mlpGenerator, type GANConfig } from '../../src';

export const TINY_DATA = 6;

/**
 * A GAN small enough for hundreds of steps in a unit test: the article's plain ReLU networks, or with `recommended`
 * the factories' defaults (batch norm in G, leaky ReLU, dropout in D).
 */
export function tinyGan(config: GANConfig = {}, recommended = false): GAN {
  const seed = config.seed ?? 0;
  const extra = recommended ? {} : { batchNorm: false, activation: 'relu' as const };
  return new GAN(config, {
    generator: mlpGenerator({ latentDim: 4, hiddenUnits: [8, 8], outputShape: [TINY_DATA], seed: seed + 1, ...extra }),
    discriminator: mlpDiscriminator({
      inputShape: [TINY_DATA],
      hiddenUnits: [8],
      seed: seed + 2,
      ...(recommended ? {} : { dropout: 0, activation: 'relu' as const }),
    }),
  });
}

export function tinyBatch(n = 16, seed = 3): tf.Tensor2D {
  return tf.randomUniform([n, TINY_DATA], -1, 1, 'float32', seed);
}

export async function weightValues(model: { weights: { read(): tf.Tensor }[] }): Promise<number[][]> {
  return Promise.all(model.weights.map(async (w) => [...(await w.read().data())]));
}

export async function trainableValues(model: { trainableWeights: { read(): tf.Tensor }[] }): Promise<number[][]> {
  return Promise.all(model.trainableWeights.map(async (w) => [...(await w.read().data())]));
}
