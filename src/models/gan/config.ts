import * as tf from '@tensorflow/tfjs-core';
import { safeEpsilon } from '../../backends/probe';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../../errors';
import { assertPositiveInteger, describe } from '../../internal/shapes';
import {
  minimaxDiscriminatorLoss,
  nonSaturatingGeneratorLoss,
  type DiscriminatorLossFn,
  type GeneratorLossFn,
} from '../../losses/minimax';

/** How many updates of each network one {@link GAN.trainStep} makes, discriminator first (TF-GAN's GANTrainSteps). */
export interface GANTrainSteps {
  /** @defaultValue `1` */
  readonly discriminator?: number;
  /** @defaultValue `1` */
  readonly generator?: number;
}

/** Configuration of a {@link GAN}. Every field is optional; the defaults train the recommended MNIST recipe. */
export interface GANConfig {
  /**
   * Size of the latent vector z ~ N(0, I). With an injected generator it is read from the generator's input shape,
   * and a different value here is an error.
   * @defaultValue `100`
   */
  readonly latentDim?: number;
  /**
   * Shape of one data example, used to build the default networks; ignored (but checked) when networks are given.
   * @defaultValue `[784]`
   */
  readonly dataShape?: readonly number[];
  /**
   * Seed of everything random in the model: default network weights, dropout masks, the noise of each step and of
   * {@link GAN.sample}. The same seed and data replay the same run on the same backend.
   * @defaultValue a random seed
   */
  readonly seed?: number;
  /**
   * Optimizer of the generator; the GAN owns it and disposes it.
   * @defaultValue `tf.train.adam(2e-4, 0.5, 0.999, 1e-7)` (ε 1e-4 on float16-only webgl devices)
   */
  readonly generatorOptimizer?: tf.Optimizer;
  /**
   * Optimizer of the discriminator; the GAN owns it and disposes it.
   * @defaultValue `tf.train.adam(2e-4, 0.5, 0.999, 1e-7)` (ε 1e-4 on float16-only webgl devices)
   */
  readonly discriminatorOptimizer?: tf.Optimizer;
  /**
   * Generator loss from D's logits on fakes.
   * @defaultValue {@link nonSaturatingGeneratorLoss}, the article's −log D(G(z))
   */
  readonly generatorLoss?: GeneratorLossFn;
  /**
   * Discriminator loss from D's logits on real then fake examples. Wrap a loss to set its options, e.g.
   * `(r, f) => minimaxDiscriminatorLoss(r, f, { labelSmoothing: 0.1 })`.
   * @defaultValue {@link minimaxDiscriminatorLoss}, the article's −log D(x) − log(1 − D(G(z)))
   */
  readonly discriminatorLoss?: DiscriminatorLossFn;
  /**
   * Updates per train step. Every discriminator update of a step sees the same real batch with fresh noise.
   * @defaultValue `{ discriminator: 1, generator: 1 }`
   */
  readonly steps?: GANTrainSteps;
}

/** The networks of a {@link GAN}; each one omitted is built from the recommended MLP recipe. */
export interface GANNetworks {
  /** Maps z `[batch, latentDim]` to examples `[batch, ...dataShape]`. */
  readonly generator?: tfl.LayersModel;
  /** Maps examples `[batch, ...dataShape]` to logits (any shape with a leading batch axis, e.g. `[batch, 1]`). */
  readonly discriminator?: tfl.LayersModel;
}

/** A checked {@link GANConfig} with defaults filled in; shapes stay unset until the networks are known. */
export interface ResolvedGANConfig {
  readonly latentDim: number | undefined;
  readonly dataShape: readonly number[] | undefined;
  readonly seed: number | undefined;
  readonly generatorLoss: GeneratorLossFn;
  readonly discriminatorLoss: DiscriminatorLossFn;
  readonly discriminatorSteps: number;
  readonly generatorSteps: number;
}

const KNOWN_KEYS = new Set<string>([
  'latentDim',
  'dataShape',
  'seed',
  'generatorOptimizer',
  'discriminatorOptimizer',
  'generatorLoss',
  'discriminatorLoss',
  'steps',
]);

/**
 * The Adam settings of Radford et al. (2015), with ε pinned: webgl would otherwise use 1e-4 and drift from cpu. Only
 * float16-only webgl devices get 1e-4, where 1e-7 would underflow.
 */
export function defaultGanOptimizer(): tf.Optimizer {
  return tf.train.adam(2e-4, 0.5, 0.999, safeEpsilon());
}

/** Validates a config and fills in defaults, without touching the caller's object. */
export function resolveGanConfig(config: GANConfig): ResolvedGANConfig {
  if (typeof config !== 'object' || config === null) {
    throw new ConfigError('config', 'an object', describe(config));
  }
  for (const key of Object.keys(config)) {
    if (!KNOWN_KEYS.has(key)) throw new ConfigError(`config.${key}`, 'a known GANConfig field', 'an unknown field');
  }
  if (config.latentDim !== undefined) assertPositiveInteger(config.latentDim, 'config.latentDim');
  if (config.dataShape !== undefined) {
    config.dataShape.forEach((d, i) => assertPositiveInteger(d, `config.dataShape[${i}]`));
  }
  if (config.seed !== undefined && !Number.isFinite(config.seed)) {
    throw new ConfigError('config.seed', 'a finite number', describe(config.seed));
  }
  for (const key of ['generatorOptimizer', 'discriminatorOptimizer'] as const) {
    const opt = config[key];
    if (opt !== undefined && !(opt instanceof tf.Optimizer)) {
      throw new ConfigError(`config.${key}`, 'a tf.Optimizer', describe(opt));
    }
  }
  if (config.generatorOptimizer !== undefined && config.generatorOptimizer === config.discriminatorOptimizer) {
    throw new ConfigError(
      'config.discriminatorOptimizer',
      'an optimizer other than config.generatorOptimizer',
      'the same instance',
      'Each network needs its own optimizer state (Adam moments).',
    );
  }
  for (const key of ['generatorLoss', 'discriminatorLoss'] as const) {
    if (config[key] !== undefined && typeof config[key] !== 'function') {
      throw new ConfigError(`config.${key}`, 'a function', describe(config[key]));
    }
  }
  const discriminatorSteps = config.steps?.discriminator ?? 1;
  const generatorSteps = config.steps?.generator ?? 1;
  assertPositiveInteger(discriminatorSteps, 'config.steps.discriminator');
  assertPositiveInteger(generatorSteps, 'config.steps.generator');
  return {
    latentDim: config.latentDim,
    dataShape: config.dataShape === undefined ? undefined : [...config.dataShape],
    seed: config.seed,
    generatorLoss: config.generatorLoss ?? ((fake) => nonSaturatingGeneratorLoss(fake)),
    discriminatorLoss: config.discriminatorLoss ?? ((real, fake) => minimaxDiscriminatorLoss(real, fake)),
    discriminatorSteps,
    generatorSteps,
  };
}
