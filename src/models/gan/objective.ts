import type * as tf from '@tensorflow/tfjs-core';
import {
  minimaxDiscriminatorLoss,
  minimaxGeneratorLoss,
  nonSaturatingGeneratorLoss,
  type DiscriminatorLossFn,
  type GeneratorLossFn,
} from '../../losses/minimax';

/**
 * What the terms of a {@link GANObjective} see in one update. Every tensor lives for that update only: a term returns
 * a new scalar and disposes nothing. D's outputs are computed the first time a term reads them, so a generator term
 * that never reads `realLogits` costs no forward pass of D on real data.
 *
 * @example
 * ```ts
 * // A relativistic average discriminator term reads both outputs.
 * const discriminatorLoss = ({ realLogits, fakeLogits }: AdversarialTerms) =>
 *   tf.add(
 *     tf.mean(tf.softplus(tf.neg(tf.sub(realLogits, tf.mean(fakeLogits))))),
 *     tf.mean(tf.softplus(tf.sub(fakeLogits, tf.mean(realLogits)))),
 *   ) as tf.Scalar;
 * ```
 */
export interface AdversarialTerms {
  /** The real examples of this update, `[batch, ...dataShape]`. */
  readonly real: tf.Tensor;
  /** G(z) for this update. In a discriminator update it is a constant: no gradient flows through it to G. */
  readonly fake: tf.Tensor;
  /** D's output on `real`, in training mode. */
  readonly realLogits: tf.Tensor;
  /** D's output on `fake`, in training mode. */
  readonly fakeLogits: tf.Tensor;
  /**
   * Evaluates D (training mode) on any input of the data's shape, inside the update's gradient tape: what a gradient
   * penalty needs, on interpolates (WGAN-GP) or real data (R1).
   */
  readonly discriminate: (x: tf.Tensor) => tf.Tensor;
  /** A seed for randomness inside a term (WGAN-GP's interpolation weights), fresh each update, replayed by the GAN's seed. */
  readonly seed: number;
}

/**
 * What D outputs, which fixes what the logged `realScore` and `fakeScore` mean: `'logits'` (the mean probability
 * σ(D(x)) in [0, 1]), `'probabilities'` (a sigmoid-ended D: the mean of its output) or `'critic'` (a Wasserstein
 * critic: the mean critic value, unbounded).
 */
export type DiscriminatorOutput = 'logits' | 'probabilities' | 'critic';

/**
 * A GAN's training objective: the loss each network minimises, from everything an update has. The GAN computes G(z),
 * hands the terms over, and differentiates what comes back with respect to the network being updated only.
 *
 * Build one from the logits-only loss functions with {@link logitObjective}, take a ready one ({@link nonSaturating},
 * {@link minimax}), or write your own.
 *
 * @example
 * ```ts
 * const gan = new GAN({
 *   objective: logitObjective(nonSaturatingGeneratorLoss, (r, f) => minimaxDiscriminatorLoss(r, f, { labelSmoothing: 0.1 })),
 * });
 * ```
 */
export interface GANObjective {
  /** The discriminator's (critic's) loss, a scalar to minimise. */
  discriminatorLoss(terms: AdversarialTerms): tf.Scalar;
  /** The generator's loss, a scalar to minimise. */
  generatorLoss(terms: AdversarialTerms): tf.Scalar;
  /**
   * What D outputs; it decides the logged scores.
   * @defaultValue `'logits'`
   */
  readonly output?: DiscriminatorOutput;
  /**
   * Runs after every discriminator update, outside any gradient tape, on D's trainable variables: WGAN's weight
   * clipping. It must keep the variables' shapes and dtypes, and is rolled back with a failed step.
   */
  afterDiscriminatorUpdate?(variables: readonly tf.Variable[]): void;
}

/**
 * A {@link GANObjective} from a pair of logits-only losses, the building blocks of the library's loss catalogue.
 *
 * @param generatorLoss - G's loss from D's output on fakes
 * @param discriminatorLoss - D's loss from its outputs on real, then fake, examples
 * @param output - what D outputs, for the logged scores
 * @returns the objective
 *
 * @example
 * ```ts
 * const article = logitObjective(nonSaturatingGeneratorLoss, minimaxDiscriminatorLoss); // the default
 * ```
 */
export function logitObjective(
  generatorLoss: GeneratorLossFn,
  discriminatorLoss: DiscriminatorLossFn,
  output: DiscriminatorOutput = 'logits',
): GANObjective {
  return {
    output,
    generatorLoss: ({ fakeLogits }) => generatorLoss(fakeLogits),
    discriminatorLoss: ({ realLogits, fakeLogits }) => discriminatorLoss(realLogits, fakeLogits),
  };
}

/**
 * The article's objective and the GAN's default: D minimises −log D(x) − log(1 − D(G(z))), G minimises
 * −log D(G(z)) (Goodfellow et al.'s non-saturating form), both from logits in stable form.
 *
 * @returns the objective
 *
 * @example
 * ```ts
 * const gan = new GAN({ objective: nonSaturating() });
 * ```
 */
export function nonSaturating(): GANObjective {
  return logitObjective(
    (fake) => nonSaturatingGeneratorLoss(fake),
    (real, fake) => minimaxDiscriminatorLoss(real, fake),
  );
}

/**
 * The original minimax game: G minimises log(1 − D(G(z))) (it saturates early in training; for experiments).
 *
 * @returns the objective
 *
 * @example
 * ```ts
 * const gan = new GAN({ objective: minimax() });
 * ```
 */
export function minimax(): GANObjective {
  return logitObjective(
    (fake) => minimaxGeneratorLoss(fake),
    (real, fake) => minimaxDiscriminatorLoss(real, fake),
  );
}
