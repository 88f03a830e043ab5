import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors';
import { describe } from '../internal/shapes';
import type { GeneratorLossOptions, LossResult } from './minimax';
import {
  assertLogits,
  assertLossOptions,
  assertSameShapeForNone,
  assertWeights,
  reduceLoss,
  resolveReduction,
  type LossWeights,
  type Reduction,
  type ReductionOptions,
} from './reduction';

/**
 * Options of the discriminator (critic) losses that score real and fake outputs by different per-element functions:
 * {@link wassersteinDiscriminatorLoss}, {@link hingeDiscriminatorLoss} and {@link leastSquaresDiscriminatorLoss}.
 *
 * @example
 * ```ts
 * const score = (x: tf.Tensor) => critic.apply(x, { training: true }) as tf.Tensor;
 * const loss = wassersteinDiscriminatorLoss(score(real), score(fake), { fakeWeights: 0.5 });
 * ```
 * @group Losses
 */
export interface CriticLossOptions<R extends Reduction = Reduction> extends ReductionOptions {
  /** Weights of the real terms, checked against `realLogits`' shape (see {@link LossWeights}). */
  readonly realWeights?: LossWeights;
  /** Weights of the fake terms, checked against `fakeLogits`' shape (see {@link LossWeights}). */
  readonly fakeWeights?: LossWeights;
  /** @defaultValue `'mean'` */
  readonly reduction?: R;
}

const GENERATOR_OPTIONS = ['weights', 'reduction'];
const CRITIC_OPTIONS = ['realWeights', 'fakeWeights', 'reduction'];

/**
 * A generator loss `reduce(term(fake))`, checked like the minimax losses.
 * @internal
 */
export function generatorTermLoss<R extends Reduction>(
  fake: tf.Tensor,
  options: GeneratorLossOptions<R>,
  typeName: string,
  extraOptions: readonly string[],
  term: (fake: tf.Tensor) => tf.Tensor,
): LossResult<R> {
  assertLogits(fake, 'fakeLogits');
  assertLossOptions(options, [...GENERATOR_OPTIONS, ...extraOptions], typeName);
  const reduction = resolveReduction(options.reduction, 'options.reduction');
  assertWeights(options.weights, 'options.weights', fake.shape);
  return tf.tidy(() => reduceLoss(term(fake), options.weights, reduction)) as LossResult<R>;
}

/**
 * A discriminator loss `reduce(realTerm(real)) + reduce(fakeTerm(fake))`, each side weighted and reduced on its own.
 * @internal
 */
export function criticTermLoss<R extends Reduction>(
  real: tf.Tensor,
  fake: tf.Tensor,
  options: CriticLossOptions<R>,
  typeName: string,
  extraOptions: readonly string[],
  realTerm: (real: tf.Tensor) => tf.Tensor,
  fakeTerm: (fake: tf.Tensor) => tf.Tensor,
): LossResult<R> {
  assertLogits(real, 'realLogits');
  assertLogits(fake, 'fakeLogits');
  assertLossOptions(options, [...CRITIC_OPTIONS, ...extraOptions], typeName);
  const reduction = resolveReduction(options.reduction, 'options.reduction');
  assertSameShapeForNone(real, fake, reduction);
  assertWeights(options.realWeights, 'options.realWeights', real.shape);
  assertWeights(options.fakeWeights, 'options.fakeWeights', fake.shape);
  return tf.tidy(() =>
    tf.add(
      reduceLoss(realTerm(real), options.realWeights, reduction),
      reduceLoss(fakeTerm(fake), options.fakeWeights, reduction),
    ),
  ) as LossResult<R>;
}

/**
 * The Wasserstein generator loss of Arjovsky et al. (2017): `−D(G(z))`, so G raises the critic's score of its
 * samples. The critic's outputs are unbounded scores, not logits of a probability; pair it with
 * {@link wassersteinDiscriminatorLoss} and a Lipschitz constraint on the critic ({@link clipWeights} or
 * {@link wassersteinGradientPenalty}). Equals TF-GAN's `wasserstein_generator_loss`.
 *
 * @param fakeLogits - the critic's outputs on generated examples, any shape of rank >= 1, e.g. `[batch, 1]`
 * @param options - weights and reduction
 * @returns −mean(fakeLogits) as a scalar, or `−fakeLogits` (its shape) with `reduction: 'none'`
 * @see https://arxiv.org/abs/1701.07875
 *
 * @example
 * ```ts
 * wassersteinGeneratorLoss(tf.tensor2d([[10], [4.4], [-5.5], [3.6]])).print(); // -3.125
 * ```
 * @group Losses
 */
export function wassersteinGeneratorLoss<R extends Reduction = 'mean'>(
  fakeLogits: tf.Tensor,
  options: GeneratorLossOptions<R> = {},
): LossResult<R> {
  return generatorTermLoss(fakeLogits, options, 'GeneratorLossOptions', [], tf.neg);
}

/**
 * The Wasserstein critic loss of Arjovsky et al. (2017): `D(G(z)) − D(x)`, each term reduced on its own, so the
 * critic's negated loss estimates the Wasserstein-1 distance between the real and generated distributions (given a
 * 1-Lipschitz critic: see {@link clipWeights} and {@link wassersteinGradientPenalty}). Equals TF-GAN's
 * `wasserstein_discriminator_loss`.
 *
 * @param realLogits - the critic's outputs on real examples, any shape of rank >= 1
 * @param fakeLogits - its outputs on generated examples (the same shape as `realLogits` for `reduction: 'none'`)
 * @param options - weights and reduction
 * @returns mean(fakeLogits) − mean(realLogits) as a scalar, or `fakeLogits − realLogits` with `reduction: 'none'`
 * @see https://arxiv.org/abs/1701.07875
 *
 * @example
 * ```ts
 * const real = tf.tensor2d([[-5], [1.4], [12.5], [2.7]]);
 * const fake = tf.tensor2d([[10], [4.4], [-5.5], [3.6]]);
 * wassersteinDiscriminatorLoss(real, fake).print(); // 0.225
 * ```
 * @group Losses
 */
export function wassersteinDiscriminatorLoss<R extends Reduction = 'mean'>(
  realLogits: tf.Tensor,
  fakeLogits: tf.Tensor,
  options: CriticLossOptions<R> = {},
): LossResult<R> {
  return criticTermLoss(realLogits, fakeLogits, options, 'CriticLossOptions', [], tf.neg, (f) => f);
}

/**
 * Weight clipping for the original WGAN (Arjovsky et al., 2017): sets every value of each variable to its clip into
 * [−c, c], which bounds the critic's Lipschitz constant. Call it after each critic update (the paper uses c = 0.01
 * with RMSProp); it is the only function of the loss catalogue that writes, and it writes only the variables given.
 * The WGAN-GP paper shows that clipping biases the critic towards simple functions; prefer
 * {@link wassersteinGradientPenalty} when the critic can be differentiated twice.
 *
 * @param variables - the critic's trainable variables (float32), e.g. `critic.trainableWeights.map((w) => w.read())`
 * @param clipValue - c, a finite number > 0
 * @throws {@link ValueError} for a `clipValue` that is not a finite number > 0; {@link ShapeError} or
 *   {@link ValueError} for an entry that is not a live float32 `tf.Variable` (checked before any variable changes)
 * @see https://arxiv.org/abs/1701.07875
 *
 * @example
 * ```ts
 * const criticFn = (x: tf.Tensor) => critic.apply(x, { training: true }) as tf.Tensor;
 * optimizer.minimize(() => wassersteinDiscriminatorLoss(criticFn(real), criticFn(fake)), false, criticVars);
 * clipWeights(criticVars, 0.01);
 * ```
 * @group Losses
 */
export function clipWeights(variables: readonly tf.Variable[], clipValue: number): void {
  if (!Array.isArray(variables)) throw new ValueError('variables', 'an array of tf.Variable', describe(variables));
  if (typeof clipValue !== 'number' || !(clipValue > 0 && clipValue < Infinity)) {
    throw new ValueError('clipValue', 'a finite number > 0', describe(clipValue));
  }
  variables.forEach((v: unknown, i) => {
    const argument = `variables[${i}]`;
    if (!(v instanceof tf.Variable)) throw new ShapeError(argument, 'a tf.Variable', describe(v));
    if (v.isDisposed) throw new ValueError(argument, 'a live variable', 'a disposed variable');
    if (v.dtype !== 'float32') throw new ShapeError(argument, "dtype 'float32'", `dtype '${v.dtype}'`);
  });
  for (const v of variables) tf.tidy(() => v.assign(tf.clipByValue(v, -clipValue, clipValue)));
}
