import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';
import { describe } from '../internal/shapes';
import {
  discriminatorLossWith,
  generatorLossWith,
  type DiscriminatorLossOptions,
  type GeneratorLossOptions,
  type LossResult,
  type ScoreTerms,
} from './minimax';
import { assertLogits, type Reduction } from './reduction';

/**
 * Options of the probability-input losses: those of the logit form plus the clipping bound.
 *
 * @example
 * ```ts
 * nonSaturatingGeneratorLossFromProbabilities(tf.tensor1d([0.9, 1]), { epsilon: 1e-6 }).print(); // capped near 13.8
 * ```
 * @group Losses
 */
export interface ProbabilityOptions {
  /**
   * Probabilities are clipped to [ε, 1 − ε] before the log, so a saturated D gives a loss of about −log ε ≈ 16.1
   * instead of Infinity, and a zero gradient there. At most 0.5, and above 2^−25 ≈ 2.98e-8: below that 1 − ε
   * rounds to 1 in float32, and log(1 − 1) is −Infinity again.
   * @defaultValue `1e-7`
   */
  readonly epsilon?: number;
}

function probabilityTerms(epsilon: unknown = 1e-7): ScoreTerms {
  // The clip bounds are float32 once they reach a kernel: 1 − ε must stay below 1 there, and ε above 0.
  if (typeof epsilon !== 'number' || !(epsilon <= 0.5) || !(Math.fround(1 - epsilon) < 1)) {
    const expected = 'a number in (2^-25 ≈ 2.98e-8, 0.5], so that 1 − ε < 1 in float32';
    throw new ConfigError('options.epsilon', expected, describe(epsilon));
  }
  const clip = (p: tf.Tensor) => tf.clipByValue(p, epsilon, 1 - epsilon);
  return {
    inputName: 'Probabilities',
    negLogReal: (p) => tf.neg(tf.log(clip(p))),
    negLogFake: (p) => tf.neg(tf.log1p(tf.neg(clip(p)))),
    check: assertLogits,
    extraOptions: ['epsilon'],
  };
}

/**
 * {@link nonSaturatingGeneratorLoss} for a discriminator that ends in a sigmoid: −log D(G(z)) from probabilities.
 * This is the less stable form: probabilities are clipped to [ε, 1 − ε], so the loss is capped near 16.1 and its
 * gradient vanishes once D saturates. Prefer the logit form and a discriminator that outputs logits.
 *
 * @param fakeProbabilities - D(G(z)) in [0, 1], any shape of rank >= 1
 * @param options - epsilon, weights and reduction
 * @returns the mean loss, or the per-element tensor with `reduction: 'none'`
 *
 * @example
 * ```ts
 * nonSaturatingGeneratorLossFromProbabilities(tf.tensor1d([0.9, 0.5])).print(); // 0.3993
 * ```
 * @group Losses
 */
export function nonSaturatingGeneratorLossFromProbabilities<R extends Reduction = 'mean'>(
  fakeProbabilities: tf.Tensor,
  options: GeneratorLossOptions<R> & ProbabilityOptions = {},
): LossResult<R> {
  return generatorLossWith(probabilityTerms(options?.epsilon), false, fakeProbabilities, options);
}

/**
 * {@link minimaxGeneratorLoss} from probabilities: log(1 − D(G(z))), with D(G(z)) clipped to [ε, 1 − ε]. The less
 * stable form; prefer logits.
 *
 * @param fakeProbabilities - D(G(z)) in [0, 1], any shape of rank >= 1
 * @param options - epsilon, weights and reduction
 * @returns the mean loss, or the per-element tensor with `reduction: 'none'`
 *
 * @example
 * ```ts
 * minimaxGeneratorLossFromProbabilities(tf.tensor1d([0.9, 0.5])).print(); // -1.4979
 * ```
 * @group Losses
 */
export function minimaxGeneratorLossFromProbabilities<R extends Reduction = 'mean'>(
  fakeProbabilities: tf.Tensor,
  options: GeneratorLossOptions<R> & ProbabilityOptions = {},
): LossResult<R> {
  return generatorLossWith(probabilityTerms(options?.epsilon), true, fakeProbabilities, options);
}

/**
 * {@link minimaxDiscriminatorLoss} from probabilities: −log D(x) − log(1 − D(G(z))), with both clipped to
 * [ε, 1 − ε]. The less stable form; prefer logits.
 *
 * @param realProbabilities - D(x) in [0, 1], any shape of rank >= 1
 * @param fakeProbabilities - D(G(z)) in [0, 1]
 * @param options - epsilon, label smoothing, weights and reduction
 * @returns mean(real term) + mean(fake term), or their element-wise sum with `reduction: 'none'`
 *
 * @example
 * ```ts
 * minimaxDiscriminatorLossFromProbabilities(tf.tensor1d([0.9]), tf.tensor1d([0.2])).print(); // 0.3285
 * ```
 * @group Losses
 */
export function minimaxDiscriminatorLossFromProbabilities<R extends Reduction = 'mean'>(
  realProbabilities: tf.Tensor,
  fakeProbabilities: tf.Tensor,
  options: DiscriminatorLossOptions<R> & ProbabilityOptions = {},
): LossResult<R> {
  return discriminatorLossWith(probabilityTerms(options?.epsilon), realProbabilities, fakeProbabilities, options);
}
