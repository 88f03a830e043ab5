import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '../errors';
import { assertNumberInRange, describe } from '../internal/shapes';
import type { LossResult } from './minimax';
import { assertLossOptions, resolveReduction, type Reduction } from './reduction';
import {
  VAE_LOSS_OPTIONS,
  assertBatchedPair,
  assertIncludeConstant,
  bernoulliReconstructionLoss,
  gaussianReconstructionLoss,
  reducePerExample,
  type VaeLossOptions,
} from './vae-reconstruction';

const ELBO_OPTIONS = ['reduction', 'beta', 'likelihood', 'decoderLogVar', 'includeConstant'];

/** 2^−126, the smallest normal float32; a smaller β counts as 0. */
const FLOAT32_MIN_NORMAL = 2 ** -126;
/** The largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * The likelihood p(x|z) of a VAE's decoder: Bernoulli over logits, or Gaussian around a mean.
 *
 * @example
 * ```ts
 * const { reconstruction, mean, logVar } = vae.reconstruct(batch);
 * const likelihood: LikelihoodKind = 'gaussian'; // reconstruction is read as the mean of p(x|z)
 * const { loss } = negativeElbo(batch, reconstruction, mean, logVar, { likelihood });
 * ```
 * @group Losses
 */
export type LikelihoodKind = 'bernoulli' | 'gaussian';

/**
 * Options of {@link negativeElbo}.
 *
 * @example
 * ```ts
 * const { mean, logVar } = vae.encode(batch);
 * const { output } = vae.decode(mean); // Bernoulli logits
 * const { loss } = negativeElbo(batch, output, mean, logVar, { beta: 4 }); // the β-VAE objective
 * ```
 * @group Losses
 */
export interface NegativeElboOptions<R extends Reduction = Reduction> extends VaeLossOptions<R> {
  /**
   * Weight β of the KL term (Higgins et al., 2017); β = 1 is the ELBO itself. β = 0 drops the KL term (the loss is
   * the reconstruction alone, even where the KL overflows), and so does any β below float32's normal range
   * (< 2^−126 ≈ 1.18e-38): its product with the KL's gradient would underflow to 0 · ∞ = NaN. At most float32's
   * largest number, about 3.4e38.
   * @defaultValue `1`
   */
  readonly beta?: number;
  /**
   * How `decoderOutput` is read: the logits of a Bernoulli p(x|z), or the mean of a Gaussian one.
   * @defaultValue `'bernoulli'`
   */
  readonly likelihood?: LikelihoodKind;
  /**
   * Gaussian likelihood only: log σ² of p(x|z), see {@link GaussianReconstructionOptions.logVar}.
   * @defaultValue `0`
   */
  readonly decoderLogVar?: number | tf.Tensor;
  /**
   * Gaussian likelihood only: include ½·log(2π) per dimension, see
   * {@link GaussianReconstructionOptions.includeConstant}.
   * @defaultValue `true`
   */
  readonly includeConstant?: boolean;
}

/**
 * The negative ELBO and its two parts, each a scalar (or `[batch]` with `reduction: 'none'`), in nats.
 *
 * @typeParam T - the type of each part: `tf.Scalar`, or `tf.Tensor` for `reduction: 'none'`
 *
 * @example
 * ```ts
 * const { mean, logVar } = vae.encode(batch);
 * const { loss, reconstruction, kl }: ElboParts = negativeElbo(batch, vae.decode(mean).output, mean, logVar);
 * ```
 * @group Losses
 */
export interface ElboParts<T extends tf.Tensor = tf.Scalar> {
  /** reconstruction + β·kl, the objective a VAE minimises; with β = 1 the negative ELBO, which bounds −log p(x). */
  readonly loss: T;
  /** −E_q[log p(x|z)], estimated with the z given. */
  readonly reconstruction: T;
  /** KL(q(z|x) ‖ p(z)), in closed form. */
  readonly kl: T;
}

/**
 * KL divergence of the diagonal Gaussian q = N(mean, exp(logVar)) from the standard normal p = N(0, I), in closed
 * form, summed over the latent dimensions: `½·Σ_j (exp(logVar_j) + mean_j² − 1 − logVar_j)`. It is 0 exactly when
 * q = p, and the parametrisation by log-variance keeps σ² > 0 with no constraint.
 *
 * @param mean - the encoder's means `[batch, latentDim]` (any rank >= 2; all non-batch axes are summed)
 * @param logVar - the encoder's log-variances, the shape of `mean`
 * @param options - reduction over the batch
 * @returns the mean over the batch (nats per example), or `[batch]` with `reduction: 'none'`
 * @see https://arxiv.org/abs/1312.6114 (Appendix B)
 *
 * @example
 * ```ts
 * const mean = tf.tensor2d([[0, 1], [-2, 0.5]]);
 * const logVar = tf.tensor2d([[0, -1], [1, 0.2]]);
 * gaussianKlDivergence(mean, logVar, { reduction: 'none' }).print(); // [0.6839, 2.4948]
 * gaussianKlDivergence(mean, logVar).print(); // 1.5894
 * ```
 * @group Losses
 */
export function gaussianKlDivergence<R extends Reduction = 'mean'>(
  mean: tf.Tensor,
  logVar: tf.Tensor,
  options: VaeLossOptions<R> = {},
): LossResult<R> {
  assertBatchedPair(mean, logVar, 'mean', 'logVar');
  assertLossOptions(options, VAE_LOSS_OPTIONS, 'VaeLossOptions');
  const reduction = resolveReduction(options.reduction, 'options.reduction');
  return tf.tidy(() => {
    const values = tf.mul(tf.sub(tf.add(tf.exp(logVar), tf.square(mean)), tf.add(logVar, 1)), 0.5);
    return reducePerExample(values, reduction);
  }) as LossResult<R>;
}

/**
 * The negative evidence lower bound of a VAE (Kingma & Welling, 2014), with the KL term weighted by β:
 * `−ELBO_β = −log p(x|z) + β·KL(q(z|x) ‖ N(0, I))`, where z is one sample of q(z|x) that produced `decoderOutput`.
 * The reconstruction term is {@link bernoulliReconstructionLoss} or {@link gaussianReconstructionLoss}, the KL term
 * {@link gaussianKlDivergence}; all three parts are returned, reduced over the batch the same way.
 *
 * @param targets - data `[batch, ...]` (in [0, 1] for the Bernoulli likelihood)
 * @param decoderOutput - p(x|z)'s parameters for the sampled z: Bernoulli logits or the Gaussian mean, the shape of
 *   `targets`
 * @param mean - q(z|x)'s means `[batch, latentDim]`
 * @param logVar - q(z|x)'s log-variances `[batch, latentDim]`
 * @param options - β, the likelihood and its variance, and the reduction
 * @returns `{ loss, reconstruction, kl }`, scalars (means over the batch) or `[batch]` with `reduction: 'none'`
 * @see https://arxiv.org/abs/1312.6114
 *
 * @example
 * ```ts
 * const targets = tf.tensor2d([[1, 0, 0.5], [0, 1, 1]]);
 * const logits = tf.tensor2d([[2, -1, 0], [3, 0.5, -4]]);
 * const mean = tf.tensor2d([[0, 1], [-2, 0.5]]);
 * const logVar = tf.tensor2d([[0, -1], [1, 0.2]]);
 * const { loss, reconstruction, kl } = negativeElbo(targets, logits, mean, logVar, { beta: 0.5 });
 * loss.print(); // 5.1318 = 4.3371 + 0.5 · 1.5894
 * ```
 * @group Losses
 */
export function negativeElbo<R extends Reduction = 'mean'>(
  targets: tf.Tensor,
  decoderOutput: tf.Tensor,
  mean: tf.Tensor,
  logVar: tf.Tensor,
  options: NegativeElboOptions<R> = {},
): ElboParts<LossResult<R>> {
  assertLossOptions(options, ELBO_OPTIONS, 'NegativeElboOptions');
  const beta = options.beta ?? 1;
  // Finite in float32, where the KL is multiplied by it (∞ · a KL of 0 is NaN).
  assertNumberInRange(beta, 'options.beta', 0, FLOAT32_MAX);
  const likelihood = options.likelihood ?? 'bernoulli';
  if (likelihood !== 'bernoulli' && likelihood !== 'gaussian') {
    throw new ConfigError('options.likelihood', "'bernoulli' or 'gaussian'", describe(likelihood));
  }
  if (likelihood === 'bernoulli') {
    for (const key of ['decoderLogVar', 'includeConstant'] as const) {
      if (options[key] !== undefined) {
        throw new ConfigError(`options.${key}`, "undefined with likelihood 'bernoulli'", describe(options[key]));
      }
    }
  }
  const reduction = resolveReduction(options.reduction, 'options.reduction');
  assertIncludeConstant(options.includeConstant);
  // Check everything before computing anything, so a bad call allocates nothing.
  assertBatchedPair(mean, logVar, 'mean', 'logVar');
  assertBatchedPair(targets, decoderOutput, 'targets', 'decoderOutput');
  if (mean.shape[0] !== targets.shape[0]) {
    throw new ShapeError('mean', `a batch of ${targets.shape[0]} (the targets' batch)`, `${mean.shape[0]}`);
  }
  return tf.tidy(() => {
    const reconstruction =
      likelihood === 'bernoulli'
        ? bernoulliReconstructionLoss(targets, decoderOutput, { reduction })
        : gaussianReconstructionLoss(targets, decoderOutput, {
            reduction,
            ...(options.decoderLogVar === undefined ? {} : { logVar: options.decoderLogVar }),
            ...(options.includeConstant === undefined ? {} : { includeConstant: options.includeConstant }),
          });
    const kl = gaussianKlDivergence(mean, logVar, { reduction });
    // β = 0 (a warm-up's first step) drops the KL term rather than multiplying it: an overflowing KL times 0 is NaN.
    // A β below float32's normal range goes the same way: β·½ underflows to 0 inside the KL's gradient.
    const loss =
      beta === 1
        ? tf.add(reconstruction, kl)
        : beta < FLOAT32_MIN_NORMAL
        ? tf.clone(reconstruction)
        : tf.add(reconstruction, tf.mul(kl, beta));
    return { loss, reconstruction, kl };
  }) as unknown as ElboParts<LossResult<R>>;
}
