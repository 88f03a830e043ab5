import * as tf from '@tensorflow/tfjs-core';
import type { GeneratorLossOptions, LossResult } from './minimax';
import type { Reduction } from './reduction';
import { criticTermLoss, generatorTermLoss, type CriticLossOptions } from './wasserstein';

/**
 * The hinge generator loss (Lim & Ye, 2017; Miyato et al., 2018, as used by SN-GAN and BigGAN): `−D(G(z))`, the
 * same as {@link wassersteinGeneratorLoss}. Equals TF-GAN's `wasserstein_hinge_generator_loss`.
 *
 * @param fakeLogits - D's outputs on generated examples, any shape of rank >= 1, e.g. `[batch, 1]`
 * @param options - weights and reduction
 * @returns −mean(fakeLogits) as a scalar, or `−fakeLogits` (its shape) with `reduction: 'none'`
 * @see https://arxiv.org/abs/1705.02894
 *
 * @example
 * ```ts
 * hingeGeneratorLoss(tf.tensor2d([[10], [4.4], [-5.5], [3.6]])).print(); // -3.125
 * ```
 * @group Losses
 */
export function hingeGeneratorLoss<R extends Reduction = 'mean'>(
  fakeLogits: tf.Tensor,
  options: GeneratorLossOptions<R> = {},
): LossResult<R> {
  return generatorTermLoss(fakeLogits, options, 'GeneratorLossOptions', [], tf.neg);
}

/**
 * The hinge discriminator loss (Lim & Ye, 2017): `relu(1 − D(x)) + relu(1 + D(G(z)))`, each term reduced on its own.
 * D stops being pushed once it scores a real example above 1 or a fake one below −1. Equals TF-GAN's
 * `wasserstein_hinge_discriminator_loss`.
 *
 * @param realLogits - D's outputs on real examples, any shape of rank >= 1
 * @param fakeLogits - its outputs on generated examples (the same shape as `realLogits` for `reduction: 'none'`)
 * @param options - weights and reduction
 * @returns mean(relu(1 − realLogits)) + mean(relu(1 + fakeLogits)) as a scalar, or their element-wise sum with
 *   `reduction: 'none'`
 * @see https://arxiv.org/abs/1705.02894
 *
 * @example
 * ```ts
 * const real = tf.tensor2d([[-5], [1.4], [12.5], [2.7]]);
 * const fake = tf.tensor2d([[10], [4.4], [-5.5], [3.6]]);
 * hingeDiscriminatorLoss(real, fake).print(); // 6.75
 * ```
 * @group Losses
 */
export function hingeDiscriminatorLoss<R extends Reduction = 'mean'>(
  realLogits: tf.Tensor,
  fakeLogits: tf.Tensor,
  options: CriticLossOptions<R> = {},
): LossResult<R> {
  return criticTermLoss(
    realLogits,
    fakeLogits,
    options,
    'CriticLossOptions',
    [],
    (r) => tf.relu(tf.sub(1, r)),
    (f) => tf.relu(tf.add(1, f)),
  );
}
