/**
 * The benchmarked workloads: for each model, the library's `trainStep` and two hand-written tfjs loops doing the same
 * maths, op for op in the library's order: "raw", and "raw + check", which also reads back, with its logs, the
 * finiteness probes the library's non-finite guard reads on a step after its first: one sum per weight no optimizer
 * trains and per optimizer slot that the weights do not vouch for.
 *
 * What each side does per step, and the same on all three: networks from the same factories and seeds, the same
 * optimizers and losses, the whole batch to every update, fresh noise per update from `tf.randomNormal` with an
 * explicit seed, one `tf.tidy` per update (so the discriminator update's fakes are freed before the generator update
 * runs), the log scores taken after the loss inside the gradient tape, one stack of the logs and one `await data()`.
 * Kernels are installed globally by the benchmark before any side is built, so the deferred (and dropped) gradient
 * kernels of tfjs-generative/wasm serve all three. What only the library does: input validation (shapes, and the
 * batch's finiteness and range, read back before any weight changes), the rollback snapshot of weights and optimizer
 * slots, config plumbing and seed streams.
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

/** The three tfjs sides of one model, each with its own networks and optimizers, over the same batch. */
export interface Workload {
  readonly library: Contender;
  /** The library's model itself, for diagnostics that switch parts of its step off (bench/overhead.ts). */
  readonly libraryModel: object;
  readonly raw: Contender;
  /** The raw loop plus the finiteness probes of everything the step wrote, read back with the logs. */
  readonly checked: Contender;
  /**
   * How many state probes raw + check reads per step, and how many the library does (undefined when its internals
   * have moved); they must agree. Call after a step: Adam makes its slots on its first update.
   */
  probeCounts(): Promise<{ checked: number; library: number | undefined }>;
  dispose(): void;
}

const variablesOf = (model: tfl.LayersModel) => model.trainableWeights.map((w) => w.read() as tf.Variable);
/** The weights no optimizer trains, which a training-mode pass may write (batch-norm statistics). */
const untrainedWeightsOf = (model: tfl.LayersModel) => model.nonTrainableWeights.map((w) => w.read() as tf.Variable);
// The models' default optimizers; their ε is 1e-7 on cpu and wasm (only float16 webgl gets 1e-4).
const ganAdam = () => tf.train.adam(2e-4, 0.5, 0.999, 1e-7);
const vaeAdam = () => tf.train.adam(1e-3, 0.9, 0.999, 1e-7);

/**
 * The optimizer state a finite check reads for Adam, as the library's steady-state check reads it: β₁ᵗ, β₂ᵗ and the
 * second moments (a finite gradient whose square overflows leaves them at Infinity; a non-finite gradient shows up
 * there too). Adam's first moments, and the weights it trains, are vouched for by those once its moments are seen to
 * be consistent (see src/internal/finite-check.ts): its updates are then too small to overflow a finite weight.
 * Adam creates its slots on its first update, so the list is read at every step.
 */
function adamState(optimizer: tf.Optimizer): tf.Variable[] {
  const adam = optimizer as unknown as {
    accBeta1: tf.Variable;
    accBeta2: tf.Variable;
    accumulatedSecondMoment: ({ variable: tf.Variable } | undefined)[];
  };
  const slots = adam.accumulatedSecondMoment.flatMap((s) => (s === undefined ? [] : [s.variable]));
  return [adam.accBeta1, adam.accBeta2, ...slots];
}

/** One sum per tensor: NaN and ±Infinity spread through a sum, so each is finite exactly when its tensor is. */
const sums = (tensors: readonly tf.Tensor[]): tf.Scalar[] => tensors.map((t) => tf.sum(t));

/** Reads the logs (and probes) back once; with probes, fails the way a hand-written guard would. */
async function readBack(values: tf.Tensor1D, check: boolean): Promise<void> {
  const read = await values.data();
  values.dispose();
  if (check && !read.every(Number.isFinite)) throw new Error('non-finite value in a training step');
}

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

/**
 * A hand-written GAN step in the library's order: one D update on the real batch against fresh fakes (made outside
 * the tape), one G update with fresh z, one read-back of `[dLoss, realScore, fakeScore, gLoss]`, and with `check` the
 * probes after them.
 */
function rawGan(nets: GanNetworks, batch: tf.Tensor, check: boolean): Contender & { probes(): number } {
  const { generator: g, discriminator: d, latentDim } = nets;
  const gOpt = ganAdam();
  const dOpt = ganAdam();
  const gVars = variablesOf(g);
  const dVars = variablesOf(d);
  const untrained = [...untrainedWeightsOf(g), ...untrainedWeightsOf(d)];
  const n = batch.shape[0] ?? 1;
  let seed = 1000;
  const noise = () => tf.randomNormal([n, latentDim], 0, 1, 'float32', seed++);
  const state = () => [...untrained, ...adamState(gOpt), ...adamState(dOpt)];
  return {
    async step() {
      const dStats = tf.tidy(() => {
        const fake = g.apply(noise(), { training: true }) as tf.Tensor;
        const scores: tf.Scalar[] = [];
        const loss = dOpt.minimize(
          () => {
            const real = d.apply(batch, { training: true }) as tf.Tensor;
            const fakeLogits = d.apply(fake, { training: true }) as tf.Tensor;
            // −log σ(real) − log(1 − σ(fake)) = softplus(−real) + softplus(fake)
            const value = tf.add(tf.mean(tf.softplus(tf.neg(real))), tf.mean(tf.softplus(fakeLogits))) as tf.Scalar;
            scores.push(tf.keep(tf.mean(tf.sigmoid(real))), tf.keep(tf.mean(tf.sigmoid(fakeLogits))));
            return value;
          },
          true,
          dVars,
        ) as tf.Scalar;
        return [loss, ...scores];
      });
      const gLoss = tf.tidy(
        () =>
          gOpt.minimize(
            () => {
              const fake = g.apply(noise(), { training: true }) as tf.Tensor;
              return tf.mean(tf.softplus(tf.neg(d.apply(fake, { training: true }) as tf.Tensor))) as tf.Scalar;
            },
            true,
            gVars,
          ) as tf.Scalar,
      );
      const values = tf.tidy(() => tf.stack([...dStats, gLoss, ...(check ? sums(state()) : [])]) as tf.Tensor1D);
      tf.dispose([...dStats, gLoss]);
      await readBack(values, check);
    },
    probes: () => state().length,
    dispose() {
      g.dispose();
      d.dispose();
      gOpt.dispose();
      dOpt.dispose();
    },
  };
}

/** A hand-written Bernoulli VAE step: encode, reparameterise, decode, −ELBO, one Adam step, one read-back. */
function rawVae(batch: tf.Tensor, check: boolean): Contender & { probes(): number } {
  const encoder = mlpEncoder({ seed: 4 });
  const decoder = mlpDecoder({ seed: 5 });
  const opt = vaeAdam();
  const vars = [...variablesOf(encoder), ...variablesOf(decoder)];
  const untrained = [...untrainedWeightsOf(encoder), ...untrainedWeightsOf(decoder)];
  const state = () => [...untrained, ...adamState(opt)];
  let seed = 2000;
  return {
    async step() {
      const values = tf.tidy(() => {
        const parts: tf.Scalar[] = [];
        const loss = opt.minimize(
          () => {
            const [mean, logVar] = encoder.apply(batch, { training: true }) as tf.Tensor[];
            const eps = tf.randomNormal(mean!.shape, 0, 1, 'float32', seed++);
            const z = tf.add(mean!, tf.mul(tf.exp(tf.mul(logVar!, 0.5)), eps));
            const logits = decoder.apply(z, { training: true }) as tf.Tensor;
            // −log p(x|z) = Σ softplus(l) − x·l; KL = ½ Σ (e^logVar + mean² − logVar − 1)
            const reconstruction = tf.mean(
              tf.sum(tf.sub(tf.softplus(logits), tf.mul(batch, logits)), [1]),
            ) as tf.Scalar;
            const kl = tf.mean(
              tf.sum(tf.mul(tf.sub(tf.add(tf.exp(logVar!), tf.square(mean!)), tf.add(logVar!, 1)), 0.5), [1]),
            ) as tf.Scalar;
            const value = tf.add(reconstruction, kl) as tf.Scalar;
            parts.push(tf.keep(reconstruction), tf.keep(kl));
            return value;
          },
          true,
          vars,
        ) as tf.Scalar;
        const values = tf.stack([loss, ...parts, ...(check ? sums(state()) : [])]) as tf.Tensor1D;
        tf.dispose(parts); // kept past the tape's tidy, so this one would not free them
        return values;
      });
      await readBack(values, check);
    },
    probes: () => state().length,
    dispose() {
      encoder.dispose();
      decoder.dispose();
      opt.dispose();
    },
  };
}

interface LibraryModel {
  trainStep(b: tf.Tensor): Promise<unknown>;
  dispose(): void;
}

function library(model: LibraryModel, batch: tf.Tensor): Contender {
  return {
    async step() {
      await model.trainStep(batch);
    },
    dispose: () => model.dispose(),
  };
}

/**
 * How many state probes the library's own finiteness check reads on its next step, asked of the check itself (so
 * after warm-up this is its steady state), or undefined when its internals have moved: the benchmark checks that
 * raw + check reads as many.
 */
function libraryProbeCount(model: LibraryModel): number | undefined {
  interface Parts {
    variables: tf.Variable[];
    trained: { optimizer: tf.Optimizer; variables: tf.Variable[] }[];
  }
  interface Check {
    probe(trained: Parts['trained'], variables: tf.Variable[]): { probes: tf.Tensor; names: readonly string[] };
  }
  try {
    const internals = model as unknown as { stepParts(): Parts; step: { check: Check } };
    const parts = internals.stepParts();
    return tf.tidy(() => internals.step.check.probe(parts.trained, parts.variables).names.length);
  } catch {
    return undefined;
  }
}

/** Builds the three sides of `model` on the active backend, over one batch of `batchSize` random examples. */
export async function workload(model: ModelName, batchSize: number): Promise<Workload> {
  let batch: tf.Tensor;
  let libModel: LibraryModel;
  let raw: Contender & { probes(): number };
  let checked: Contender & { probes(): number };
  if (model === 'vae') {
    batch = tf.randomUniform([batchSize, 784], 0, 1, 'float32', 7); // Bernoulli targets in [0, 1]
    libModel = new VAE({ seed: 3 }, { encoder: mlpEncoder({ seed: 4 }), decoder: mlpDecoder({ seed: 5 }) });
    raw = rawVae(batch, false);
    checked = rawVae(batch, true);
  } else {
    const shape = model === 'dcgan' ? [batchSize, 28, 28, 1] : [batchSize, 784];
    batch = tf.randomUniform(shape, -1, 1, 'float32', 7); // the generator's tanh range
    const { generator, discriminator } = ganNetworks(model);
    libModel = new GAN({ seed: 3 }, { generator, discriminator });
    raw = rawGan(ganNetworks(model), batch, false);
    checked = rawGan(ganNetworks(model), batch, true);
  }
  const lib = library(libModel, batch);
  return {
    library: lib,
    libraryModel: libModel,
    raw,
    checked,
    probeCounts: async () => ({ checked: checked.probes(), library: libraryProbeCount(libModel) }),
    dispose() {
      lib.dispose();
      raw.dispose();
      checked.dispose();
      batch.dispose();
    },
  };
}
