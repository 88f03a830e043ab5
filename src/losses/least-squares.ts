import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';
import { describe } from '../internal/shapes';
import type { GeneratorLossOptions, LossResult } from './minimax';
import type { Reduction } from './reduction';
import { criticTermLoss, generatorTermLoss, type CriticLossOptions } from './wasserstein';

/**
 * Options of {@link leastSquaresGeneratorLoss}: the generator loss options plus its target.
 *
 * @example
 * ```ts
 * const loss = leastSquaresGeneratorLoss(fakeLogits, { realLabel: 1, reduction: 'sum' });
 * ```
 * @group Losses
 */
export interface LeastSquaresGeneratorLossOptions<R extends Reduction = Reduction> extends GeneratorLossOptions<R> {
  /**
   * c in Mao et al.: the score G wants D to give its samples (TF-GAN's `real_label`).
   * @defaultValue `1`
   */
  readonly realLabel?: number;
}

/**
 * Options of {@link leastSquaresDiscriminatorLoss}: the critic loss options plus the two targets.
 *
 * @example
 * ```ts
 * const realLogits = tf.tensor2d([[0.9], [1.2]]);
 * const loss = leastSquaresDiscriminatorLoss(realLogits, fakeLogits, { realLabel: 1, fakeLabel: -1 }); // a = −1, b = 1
 * ```
 * @group Losses
 */
export interface LeastSquaresDiscriminatorLossOptions<R extends Reduction = Reduction> extends CriticLossOptions<R> {
  /**
   * b in Mao et al.: D's target score for real examples.
   * @defaultValue `1`
   */
  readonly realLabel?: number;
  /**
   * a in Mao et al.: D's target score for generated examples.
   * @defaultValue `0`
   */
  readonly fakeLabel?: number;
}

function label(value: unknown, fallback: number, argument: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new ConfigError(argument, 'a finite number', describe(value));
  return value;
}

/** ½(x − target)², the per-element least-squares term. */
function halfSquaredError(x: tf.Tensor, target: number): tf.Tensor {
  return tf.mul(0.5, tf.square(target === 0 ? x : tf.sub(x, target)));
}

/**
 * The least-squares (LSGAN) generator loss of Mao et al. (2017): `½(D(G(z)) − c)²`, with c = 1 by default (the
 * paper's 0-1 coding, a = 0, b = c = 1). D's outputs are its raw scores, with no sigmoid. Equals TF-GAN's
 * `least_squares_generator_loss`.
 *
 * @param fakeLogits - D's outputs on generated examples, any shape of rank >= 1, e.g. `[batch, 1]`
 * @param options - `realLabel` (c), weights and reduction
 * @returns the mean loss as a scalar, or the per-element tensor (`fakeLogits`' shape) with `reduction: 'none'`
 * @throws {@link ConfigError} for a `realLabel` that is not a finite number
 * @see https://arxiv.org/abs/1611.04076
 *
 * @example
 * ```ts
 * leastSquaresGeneratorLoss(tf.tensor2d([[10], [4.4], [-5.5], [3.6]])).print(); // 17.69625
 * ```
 * @group Losses
 */
export function leastSquaresGeneratorLoss<R extends Reduction = 'mean'>(
  fakeLogits: tf.Tensor,
  options: LeastSquaresGeneratorLossOptions<R> = {},
): LossResult<R> {
  const options_ = options as LeastSquaresGeneratorLossOptions<R> | null;
  const c = label(options_?.realLabel, 1, 'options.realLabel');
  return generatorTermLoss(fakeLogits, options, 'LeastSquaresGeneratorLossOptions', ['realLabel'], (f) =>
    halfSquaredError(f, c),
  );
}

/**
 * The least-squares (LSGAN) discriminator loss of Mao et al. (2017): `½(D(x) − b)² + ½(D(G(z)) − a)²`, each term
 * reduced on its own, with a = 0 and b = 1 by default. D's outputs are its raw scores, with no sigmoid. Equals
 * TF-GAN's `least_squares_discriminator_loss`.
 *
 * @param realLogits - D's outputs on real examples, any shape of rank >= 1
 * @param fakeLogits - its outputs on generated examples (the same shape as `realLogits` for `reduction: 'none'`)
 * @param options - `realLabel` (b), `fakeLabel` (a), weights and reduction
 * @returns the loss as a scalar, or the element-wise sum of the two terms with `reduction: 'none'`
 * @throws {@link ConfigError} for a label that is not a finite number
 * @see https://arxiv.org/abs/1611.04076
 *
 * @example
 * ```ts
 * const real = tf.tensor2d([[-5], [1.4], [12.5], [2.7]]);
 * const fake = tf.tensor2d([[10], [4.4], [-5.5], [3.6]]);
 * leastSquaresDiscriminatorLoss(real, fake).print(); // 41.73375
 * leastSquaresDiscriminatorLoss(real, fake, { realLabel: 1, fakeLabel: -1 }).print();
 * ```
 * @group Losses
 */
export function leastSquaresDiscriminatorLoss<R extends Reduction = 'mean'>(
  realLogits: tf.Tensor,
  fakeLogits: tf.Tensor,
  options: LeastSquaresDiscriminatorLossOptions<R> = {},
): LossResult<R> {
  const options_ = options as LeastSquaresDiscriminatorLossOptions<R> | null;
  const b = label(options_?.realLabel, 1, 'options.realLabel');
  const a = label(options_?.fakeLabel, 0, 'options.fakeLabel');
  return criticTermLoss(
    realLogits,
    fakeLogits,
    options,
    'LeastSquaresDiscriminatorLossOptions',
    ['realLabel', 'fakeLabel'],
    (r) => halfSquaredError(r, b),
    (f) => halfSquaredError(f, a),
  );
}
