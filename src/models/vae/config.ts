import * as tf from '@tensorflow/tfjs-core';
import { safeEpsilon } from '../../backends/probe';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../../errors';
import { assertOptions } from '../../internal/options';
import { assertPositiveInteger, describe } from '../../internal/shapes';
import { assertSeed } from '../../random';
import { assertOptimizer, resolveNonFinite, type NonFinitePolicy } from '../gan/config';

/**
 * A Gaussian likelihood p(x|z) = N(decoder(z), σ²·I) with a chosen variance: a fixed σ², or `'learned'`, one σ²
 * shared by every dimension and trained with the networks (the "σ-VAE" of Rybkin et al., 2021, whose optimum is the
 * mean squared error). A per-dimension learned variance is not offered: on MNIST the always-black border pixels drive
 * their σ² to 0 and the likelihood to infinity.
 *
 * @example
 * ```ts
 * const vae = new VAE({ likelihood: { kind: 'gaussian', variance: 'learned' } });
 * ```
 * @group Models
 */
export interface GaussianLikelihood {
  /** Selects the Gaussian likelihood. */
  readonly kind: 'gaussian';
  /**
   * σ² of every dimension, or `'learned'`.
   * @defaultValue `1`
   */
  readonly variance?: number | 'learned';
}

/**
 * The likelihood p(x|z) of a {@link VAE}: `'bernoulli'` (the decoder outputs logits; data in [0, 1]), `'gaussian'`
 * (the decoder outputs the mean; σ² = 1), or a {@link GaussianLikelihood} to set σ².
 *
 * @example
 * ```ts
 * const likelihood: VAELikelihood = { kind: 'gaussian', variance: 0.1 }; // or 'bernoulli', 'gaussian'
 * const vae = new VAE({ likelihood });
 * ```
 * @group Models
 */
export type VAELikelihood = 'bernoulli' | 'gaussian' | GaussianLikelihood;

/**
 * A linear warm-up of β (Bowman et al., 2016; Sønderby et al., 2016): β grows from 0 to its value over `steps`.
 *
 * @example
 * ```ts
 * const vae = new VAE({ beta: 4, betaWarmup: { steps: 5000 } }); // β rises from 0 to 4 over 5000 steps
 * ```
 * @group Models
 */
export interface BetaWarmup {
  /** Number of {@link VAE.trainStep} calls over which β rises linearly from 0; step `t` uses β·min(1, t / steps). */
  readonly steps: number;
}

/**
 * Configuration of a {@link VAE}. Every field is optional; the defaults are Kingma & Welling's MNIST model.
 *
 * @example
 * ```ts
 * const vae = new VAE({ latentDim: 2, beta: 1, betaWarmup: { steps: 2000 }, seed: 1 });
 * ```
 * @group Models
 */
export interface VAEConfig {
  /**
   * Size of the latent vector z. With injected networks it is read from them, and a different value here is an
   * error.
   * @defaultValue `20`
   */
  readonly latentDim?: number;
  /**
   * Shape of one data example, used to build the default networks; checked against injected ones.
   * @defaultValue `[784]`
   */
  readonly dataShape?: readonly number[];
  /**
   * The likelihood p(x|z). The Bernoulli likelihood expects data in [0, 1] (grey levels are soft targets), and a
   * batch with values outside it is rejected.
   * @defaultValue `'bernoulli'`
   */
  readonly likelihood?: VAELikelihood;
  /**
   * Weight β of the KL term in the training objective (β-VAE, Higgins et al., 2017), a number >= 0 that is finite in
   * float32 (at most about 3.4e38); one below float32's normal range (< 1.18e-38) counts as 0 (see
   * {@link NegativeElboOptions.beta}). {@link VAE.evaluate} always reports the plain −ELBO (β = 1).
   * @defaultValue `1`
   */
  readonly beta?: number;
  /** Ramp β up from 0 over the first training steps, against posterior collapse. Omitted, β is constant. */
  readonly betaWarmup?: BetaWarmup;
  /**
   * The optimizer; the VAE owns it and disposes it. Its hyper-parameters are checked at construction (finite in
   * float32, learning rate >= 0, ε > 0 in float32, β in [0, 1)), so `tf.train.adam(NaN)` or `tf.train.sgd(1e39)`
   * (Infinity in float32) is a {@link ConfigError} naming `config.optimizer.learningRate`.
   * @defaultValue `tf.train.adam(1e-3, 0.9, 0.999, 1e-7)` (ε 1e-4 on float16-only webgl devices)
   */
  readonly optimizer?: tf.Optimizer;
  /**
   * Seed of everything random in the model: default network weights, the noise of each step, of
   * {@link VAE.sample}, {@link VAE.evaluate} and {@link VAE.importanceWeightedBound}. The same seed and data replay
   * the same run on the same backend. Any safe integer; all 53 bits count, so 1 and 2^32 + 1 are different runs.
   * @defaultValue a random seed
   */
  readonly seed?: number;
  /**
   * What a training step that produces NaN or ±Infinity does (a Gaussian likelihood on unscaled 0–255 pixels, a
   * saturated log-variance head); see {@link NonFinitePolicy}.
   * @defaultValue `'throw'`
   */
  readonly nonFinite?: NonFinitePolicy;
}

/**
 * The networks of a {@link VAE}; each one omitted is built by {@link mlpEncoder} or {@link mlpDecoder} to fit the
 * other.
 *
 * @example
 * ```ts
 * const vae = new VAE({ dataShape: [28, 28, 1] }, { encoder: convEncoder({ seed: 1 }), decoder: convDecoder({ seed: 2 }) });
 * ```
 * @group Models
 */
export interface VAENetworks {
  /**
   * Maps examples `[batch, ...dataShape]` to TWO outputs `[mean, logVar]`, each `[batch, latentDim]`: the mean and
   * the log-variance of the diagonal Gaussian q(z|x). Both heads should be linear.
   */
  readonly encoder?: tfl.LayersModel;
  /**
   * Maps z `[batch, latentDim]` to `[batch, ...dataShape]`, linear: the logits of a Bernoulli likelihood, or the
   * mean of a Gaussian one.
   */
  readonly decoder?: tfl.LayersModel;
}

/** A checked {@link VAEConfig} with defaults filled in; shapes stay unset until the networks are known. */
export interface ResolvedVAEConfig {
  readonly latentDim: number | undefined;
  readonly dataShape: readonly number[] | undefined;
  readonly likelihood: 'bernoulli' | 'gaussian';
  /** σ² of the Gaussian likelihood, `'learned'`, or undefined for Bernoulli. */
  readonly variance: number | 'learned' | undefined;
  readonly beta: number;
  readonly warmupSteps: number;
  readonly seed: number | undefined;
  readonly nonFinite: NonFinitePolicy;
}

const KNOWN_KEYS = new Set<string>([
  'latentDim',
  'dataShape',
  'likelihood',
  'beta',
  'betaWarmup',
  'optimizer',
  'seed',
  'nonFinite',
]);

/** Kingma & Welling's Adam settings, with ε pinned so every float32 backend uses the same one (1e-4 on float16-only webgl). */
export function defaultVaeOptimizer(): tf.Optimizer {
  return tf.train.adam(1e-3, 0.9, 0.999, safeEpsilon());
}

function resolveLikelihood(value: unknown): Pick<ResolvedVAEConfig, 'likelihood' | 'variance'> {
  if (value === undefined || value === 'bernoulli') return { likelihood: 'bernoulli', variance: undefined };
  if (value === 'gaussian') return { likelihood: 'gaussian', variance: 1 };
  const expected = "'bernoulli', 'gaussian' or { kind: 'gaussian', variance }";
  if (typeof value !== 'object' || value === null || (value as GaussianLikelihood).kind !== 'gaussian') {
    throw new ConfigError('config.likelihood', expected, describe(value));
  }
  assertOptions(value, ['kind', 'variance'], 'config.likelihood', 'GaussianLikelihood');
  const variance = value['variance'] ?? 1;
  if (variance !== 'learned' && !(typeof variance === 'number' && Number.isFinite(variance) && variance > 0)) {
    throw new ConfigError('config.likelihood.variance', "a number > 0 or 'learned'", describe(variance));
  }
  return { likelihood: 'gaussian', variance };
}

/** Validates a config and fills in defaults, without touching the caller's object. */
export function resolveVaeConfig(config: VAEConfig): ResolvedVAEConfig {
  if (typeof config !== 'object' || config === null) {
    throw new ConfigError('config', 'an object', describe(config));
  }
  for (const key of Object.keys(config)) {
    if (!KNOWN_KEYS.has(key)) throw new ConfigError(`config.${key}`, 'a known VAEConfig field', 'an unknown field');
  }
  if (config.latentDim !== undefined) assertPositiveInteger(config.latentDim, 'config.latentDim');
  if (config.dataShape !== undefined) {
    if (!Array.isArray(config.dataShape) || config.dataShape.length === 0) {
      throw new ConfigError('config.dataShape', 'a non-empty array of integers >= 1', describe(config.dataShape));
    }
    config.dataShape.forEach((d, i) => assertPositiveInteger(d, `config.dataShape[${i}]`));
  }
  if (config.seed !== undefined) assertSeed(config.seed, 'config.seed');
  if (config.optimizer !== undefined) assertOptimizer(config.optimizer, 'config.optimizer');
  const beta = config.beta ?? 1;
  // Finite in float32 too: the loss multiplies by it there, and ∞ · a KL of 0 is NaN.
  if (typeof beta !== 'number' || !Number.isFinite(Math.fround(beta)) || beta < 0) {
    throw new ConfigError('config.beta', 'a number >= 0, finite in float32 (<= 3.4e38)', describe(beta));
  }
  let warmupSteps = 0;
  if (config.betaWarmup !== undefined) {
    if (typeof config.betaWarmup !== 'object' || config.betaWarmup === null) {
      throw new ConfigError('config.betaWarmup', '{ steps: integer >= 1 }', describe(config.betaWarmup));
    }
    assertOptions(config.betaWarmup, ['steps'], 'config.betaWarmup', 'BetaWarmup');
    assertPositiveInteger(config.betaWarmup.steps, 'config.betaWarmup.steps');
    warmupSteps = config.betaWarmup.steps;
  }
  return {
    latentDim: config.latentDim,
    dataShape: config.dataShape === undefined ? undefined : [...config.dataShape],
    ...resolveLikelihood(config.likelihood),
    beta,
    warmupSteps,
    seed: config.seed,
    nonFinite: resolveNonFinite(config.nonFinite),
  };
}

/**
 * What one {@link VAE.trainStep} reports, as plain numbers (means over the batch, nats per example).
 *
 * @example
 * ```ts
 * const { loss, reconstruction, kl, beta }: VAEStepLogs = await vae.trainStep(batch);
 * ```
 * @group Models
 */
export type VAEStepLogs = {
  /** The minimised objective, reconstruction + β·kl; with β = 1 the −ELBO of this step's z. */
  readonly loss: number;
  /** −log p(x|z) for this step's z. */
  readonly reconstruction: number;
  /** KL(q(z|x) ‖ N(0, I)). */
  readonly kl: number;
  /** The β this step used (it grows during a warm-up). */
  readonly beta: number;
  /** Only under the `'skip'` non-finite policy: 1 when the step was rolled back for a NaN or ±Infinity, else 0. */
  readonly skipped?: number;
};

/**
 * What {@link VAE.evaluate} reports: the −ELBO with β = 1 and its parts, means over the batch, in nats.
 *
 * @example
 * ```ts
 * const { negativeElbo, reconstruction, kl }: VAEEvaluation = await vae.evaluate(testImages, { seed: 0 });
 * ```
 * @group Models
 */
export interface VAEEvaluation {
  /** reconstruction + kl, an upper bound on −log p(x) in expectation over z. */
  readonly negativeElbo: number;
  /** −log p(x|z), one z per example. */
  readonly reconstruction: number;
  /** KL(q(z|x) ‖ N(0, I)). */
  readonly kl: number;
  readonly [key: string]: number;
}

/**
 * q(z|x) for a batch: each `[batch, latentDim]`; the caller disposes both, e.g. `tf.dispose(encoding)`. (A type alias
 * rather than an interface, like the other VAE outputs, so that it fits `tf.dispose`'s `TensorContainer`.)
 *
 * @example
 * ```ts
 * const encoding: VAEEncoding = vae.encode(batch);
 * const codes = await encoding.mean.array(); // [batch, latentDim]
 * tf.dispose(encoding);
 * ```
 * @group Models
 */
export type VAEEncoding = {
  /** Mean of q(z|x). */
  readonly mean: tf.Tensor2D;
  /** Log-variance of q(z|x). */
  readonly logVar: tf.Tensor2D;
};

/**
 * p(x|z) for a batch of z: each `[batch, ...dataShape]`; the caller disposes both, e.g. `tf.dispose(decoding)`.
 *
 * @example
 * ```ts
 * const decoding: VAEDecoding = vae.decode(tf.randomNormal([16, vae.latentDim]));
 * const pixels = await decoding.mean.data(); // E[x|z]
 * tf.dispose(decoding);
 * ```
 * @group Models
 */
export type VAEDecoding = {
  /** The decoder's raw output: the Bernoulli logits, or the Gaussian mean. */
  readonly output: tf.Tensor;
  /** E[x|z]: the pixel probabilities σ(logits) for the Bernoulli likelihood, the mean for the Gaussian one. */
  readonly mean: tf.Tensor;
};

/**
 * A pass through the whole VAE; the caller disposes all four tensors, e.g. `tf.dispose(output)`.
 *
 * @example
 * ```ts
 * const output: VAEOutput = vae.reconstruct(testImages);
 * const { reconstruction, z } = output;
 * tf.dispose(output);
 * ```
 * @group Models
 */
export type VAEOutput = {
  /** E[x|z], `[batch, ...dataShape]` (probabilities for the Bernoulli likelihood). */
  readonly reconstruction: tf.Tensor;
  /** Mean of q(z|x), `[batch, latentDim]`. */
  readonly mean: tf.Tensor2D;
  /** Log-variance of q(z|x), `[batch, latentDim]`. */
  readonly logVar: tf.Tensor2D;
  /** The z decoded, `[batch, latentDim]`: a copy of `mean`, or a sample of q(z|x) with `sample: true`. */
  readonly z: tf.Tensor2D;
};

/**
 * Options of {@link VAE.sample}.
 *
 * @example
 * ```ts
 * const samples = vae.sample(64, { seed: 1, temperature: 0.8 });
 * ```
 * @group Models
 */
export interface VAESampleOptions {
  /** Seed of z; the same seed gives the same samples from the same weights. Omitted, the VAE's own stream is used. */
  readonly seed?: number;
  /**
   * Standard deviation of z ~ N(0, temperature²·I); below 1 trades variety for cleaner samples.
   * @defaultValue `1`
   */
  readonly temperature?: number;
}

/**
 * Options of {@link VAE.reconstruct}.
 *
 * @example
 * ```ts
 * const output = vae.reconstruct(batch, { sample: true, seed: 3 }); // decodes a draw of q(z|x), not its mean
 * ```
 * @group Models
 */
export interface ReconstructOptions {
  /**
   * Decode a sample of q(z|x) instead of its mean.
   * @defaultValue `false`
   */
  readonly sample?: boolean;
  /** Seed of that sample. */
  readonly seed?: number;
}

/**
 * Options of {@link VAE.interpolate}.
 *
 * @example
 * ```ts
 * const [a, b] = [tf.slice(testImages, [0, 0], [1, -1]), tf.slice(testImages, [1, 0], [1, -1])];
 * const path = vae.interpolate(a, b, 8, { method: 'spherical' });
 * ```
 * @group Models
 */
export interface InterpolateOptions {
  /**
   * `'linear'`, or `'spherical'` (slerp), which keeps intermediate codes at a typical distance from the origin.
   * @defaultValue `'linear'`
   */
  readonly method?: 'linear' | 'spherical';
}

/**
 * Options of {@link VAE.evaluate} and {@link VAE.importanceWeightedBound}.
 *
 * @example
 * ```ts
 * const { negativeElbo } = await vae.evaluate(testImages, { seed: 42 }); // the same seed, the same z draws
 * ```
 * @group Models
 */
export interface EvaluateOptions {
  /** Seed of the z samples; omitted, the VAE's own stream is used. */
  readonly seed?: number;
}

/**
 * Options of {@link VAE.importanceWeightedBound}.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const bound = await vae.importanceWeightedBound(testImages, 500, { chunkSize: 50, signal: controller.signal });
 * ```
 * @group Models
 */
export interface ImportanceWeightedOptions extends EvaluateOptions {
  /**
   * How many of the k samples are drawn and decoded at once, for a block of at most max(1, ⌊8192 / chunkSize⌋)
   * examples; lower it to save memory. The result depends on it only through the random draws.
   * @defaultValue as many as keep `chunk × batch` at or below 8192 decoded examples (at least 1)
   */
  readonly chunkSize?: number;
  /**
   * Aborts the evaluation between two chunks: the promise rejects with `signal.reason` (a `DOMException` named
   * `AbortError` unless the caller gave its own reason), as `fetch` does, and frees everything it allocated.
   */
  readonly signal?: AbortSignal;
}
