/**
 * The benchmarked workloads: for each model, the library's `trainStep` and a hand-written tfjs loop doing the same
 * maths. Both sides get networks from the same factories and seeds, the same optimizers, losses and batch, fresh
 * noise per update, and read their logs back once per step; the raw side skips only what the library adds (input
 * validation, config plumbing, seed streams).
 */

import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  GAN,
  MLP_GAN_RECIPES,
  VAE,
  dcganDiscriminator,
  dcganGenerator,
  mlpDecoder,
  mlpDiscriminator,
  mlpEncoder,
  mlpGenerator,
} from 'tfjs-generative';

/** The models the benchmark knows. */
export const MODELS = ['article-gan', 'vae', 'dcgan'] as const;
export type ModelName = (typeof MODELS)[number];

/** One side of a comparison: a training step, and cleanup. */
export interface Contender {
  step(): Promise<void>;
  dispose(): void;
}

/** The library and the raw loop for one model, over the same batch. */
export interface Workload {
  readonly library: Contender;
  readonly raw: Contender;
  dispose(): void;
}

const variablesOf = (model: tfl.LayersModel) => model.trainableWeights.map((w) => w.read() as tf.Variable);
// The models' default optimizers; their ε is 1e-7 on cpu and wasm (only float16 webgl gets 1e-4).
const ganAdam = () => tf.train.adam(2e-4, 0.5, 0.999, 1e-7);
const vaeAdam = () => tf.train.adam(1e-3, 0.9, 0.999, 1e-7);

interface GanNetworks {
  readonly generator: tfl.LayersModel;
  readonly discriminator: tfl.LayersModel;
  readonly latentDim: number;
}

/** The article GAN (G 100→128→128→784, D 784→128→1) or the DCGAN, built afresh with fixed seeds. */
function ganNetworks(model: 'article-gan' | 'dcgan'): GanNetworks {
  if (model === 'dcgan') {
    return { generator: dcganGenerator({ seed: 1 }), discriminator: dcganDiscriminator({ seed: 2 }), latentDim: 100 };
  }
  return {
    generator: mlpGenerator({ ...MLP_GAN_RECIPES.article.generator, seed: 1 }),
    discriminator: mlpDiscriminator({ ...MLP_GAN_RECIPES.article.discriminator, seed: 2 }),
    latentDim: 100,
  };
}

/** A hand-written GAN step: one D update on real vs fresh fakes, one G update with fresh z, one readback. */
function rawGan(nets: GanNetworks, batch: tf.Tensor): Contender {
  const { generator: g, discriminator: d, latentDim } = nets;
  const gOpt = ganAdam();
  const dOpt = ganAdam();
  const gVars = variablesOf(g);
  const dVars = variablesOf(d);
  const n = batch.shape[0] ?? 1;
  let seed = 1000;
  const noise = () => tf.randomNormal([n, latentDim], 0, 1, 'float32', seed++);
  return {
    async step() {
      const logs = tf.tidy(() => {
        const fake = g.apply(noise(), { training: true }) as tf.Tensor;
        let scores: tf.Tensor | undefined;
        const dLoss = dOpt.minimize(
          () => {
            const real = d.apply(batch, { training: true }) as tf.Tensor;
            const fakeLogits = d.apply(fake, { training: true }) as tf.Tensor;
            scores = tf.keep(tf.stack([tf.mean(tf.sigmoid(real)), tf.mean(tf.sigmoid(fakeLogits))]));
            // −log σ(real) − log(1 − σ(fake)) = softplus(−real) + softplus(fake)
            return tf.add(tf.mean(tf.softplus(tf.neg(real))), tf.mean(tf.softplus(fakeLogits)));
          },
          true,
          dVars,
        ) as tf.Scalar;
        const gLoss = gOpt.minimize(
          () => tf.mean(tf.softplus(tf.neg(d.apply(g.apply(noise(), { training: true }), { training: true }) as tf.Tensor))),
          true,
          gVars,
        ) as tf.Scalar;
        const out = tf.concat([tf.reshape(dLoss, [1]), scores as tf.Tensor1D, tf.reshape(gLoss, [1])]);
        scores?.dispose();
        return out;
      });
      await logs.data();
      logs.dispose();
    },
    dispose() {
      g.dispose();
      d.dispose();
      gOpt.dispose();
      dOpt.dispose();
    },
  };
}

/** A hand-written Bernoulli VAE step: encode, reparameterise, decode, −ELBO, one Adam step, one readback. */
function rawVae(batch: tf.Tensor): Contender {
  const encoder = mlpEncoder({ seed: 4 });
  const decoder = mlpDecoder({ seed: 5 });
  const opt = vaeAdam();
  const vars = [...variablesOf(encoder), ...variablesOf(decoder)];
  let seed = 2000;
  return {
    async step() {
      const logs = tf.tidy(() => {
        let parts: tf.Tensor | undefined;
        const loss = opt.minimize(
          () => {
            const [mean, logVar] = encoder.apply(batch, { training: true }) as tf.Tensor[];
            const eps = tf.randomNormal(mean!.shape, 0, 1, 'float32', seed++);
            const z = tf.add(mean!, tf.mul(tf.exp(tf.mul(logVar!, 0.5)), eps));
            const logits = decoder.apply(z, { training: true }) as tf.Tensor;
            // −log p(x|z) = Σ softplus(l) − x·l; KL = ½ Σ (e^logVar + mean² − logVar − 1)
            const reconstruction = tf.mean(tf.sum(tf.sub(tf.softplus(logits), tf.mul(batch, logits)), 1));
            const kl = tf.mean(tf.sum(tf.mul(tf.sub(tf.add(tf.exp(logVar!), tf.square(mean!)), tf.add(logVar!, 1)), 0.5), 1));
            parts = tf.keep(tf.stack([reconstruction, kl]));
            return tf.add(reconstruction, kl);
          },
          true,
          vars,
        ) as tf.Scalar;
        const out = tf.concat([tf.reshape(loss, [1]), parts as tf.Tensor1D]);
        parts?.dispose();
        return out;
      });
      await logs.data();
      logs.dispose();
    },
    dispose() {
      encoder.dispose();
      decoder.dispose();
      opt.dispose();
    },
  };
}

function library(model: { trainStep(b: tf.Tensor): Promise<unknown>; dispose(): void }, batch: tf.Tensor): Contender {
  return {
    async step() {
      await model.trainStep(batch);
    },
    dispose: () => model.dispose(),
  };
}

/** Builds both sides of `model` on the active backend, over one batch of `batchSize` random examples. */
export function workload(model: ModelName, batchSize: number): Workload {
  let batch: tf.Tensor;
  let lib: Contender;
  let raw: Contender;
  if (model === 'vae') {
    batch = tf.randomUniform([batchSize, 784], 0, 1, 'float32', 7); // Bernoulli targets in [0, 1]
    lib = library(new VAE({ seed: 3 }, { encoder: mlpEncoder({ seed: 4 }), decoder: mlpDecoder({ seed: 5 }) }), batch);
    raw = rawVae(batch);
  } else {
    const shape = model === 'dcgan' ? [batchSize, 28, 28, 1] : [batchSize, 784];
    batch = tf.randomUniform(shape, -1, 1, 'float32', 7); // the generator's tanh range
    const { generator, discriminator } = ganNetworks(model);
    lib = library(new GAN({ seed: 3 }, { generator, discriminator }), batch);
    raw = rawGan(ganNetworks(model), batch);
  }
  return {
    library: lib,
    raw,
    dispose() {
      lib.dispose();
      raw.dispose();
      batch.dispose();
    },
  };
}
