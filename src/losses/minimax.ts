import * as tf from '@tensorflow/tfjs-core';
import { negLogOneMinusSigmoid, negLogSigmoid } from './logits';
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
import { assertNumberInRange } from '../internal/shapes';

/**
 * A loss result: a scalar, or the per-element tensor when `reduction` is `'none'`.
 *
 * @example
 * ```ts
 * const mean: LossResult<'mean'> = minimaxGeneratorLoss(fakeLogits); // a tf.Scalar
 * const each: LossResult<'none'> = minimaxGeneratorLoss(fakeLogits, { reduction: 'none' }); // fakeLogits' shape
 * ```
 * @group Losses
 */
export type LossResult<R extends Reduction> = R extends 'none' ? tf.Tensor : tf.Scalar;

/**
 * Options of the generator losses.
 *
 * @example
 * ```ts
 * const loss = nonSaturatingGeneratorLoss(fakeLogits, { weights: 0.5, reduction: 'sum' });
 * ```
 * @group Losses
 */
export interface GeneratorLossOptions<R extends Reduction = Reduction> extends ReductionOptions {
  /**
   * Per-element weights: a finite number >= 0, or a tensor of such values whose shape broadcasts to `fakeLogits`'
   * shape without changing it (see {@link LossWeights}).
   */
  readonly weights?: LossWeights;
  /** @defaultValue `'mean'` */
  readonly reduction?: R;
}

/**
 * Options of the discriminator losses.
 *
 * @example
 * ```ts
 * const realLogits = tf.tensor2d([[-5], [1.4]]);
 * const loss = minimaxDiscriminatorLoss(realLogits, fakeLogits, { labelSmoothing: 0.1, fakeWeights: 0.5 });
 * ```
 * @group Losses
 */
export interface DiscriminatorLossOptions<R extends Reduction = Reduction> extends ReductionOptions {
  /**
   * One-sided label smoothing α: real examples are scored against the target 1 − α instead of 1 (Salimans et al.,
   * 2016). Fake targets stay 0.
   * @defaultValue `0`
   */
  readonly labelSmoothing?: number;
  /** Weights of the real terms, checked against `realLogits`' shape (see {@link LossWeights}). */
  readonly realWeights?: LossWeights;
  /** Weights of the fake terms, checked against `fakeLogits`' shape (see {@link LossWeights}). */
  readonly fakeWeights?: LossWeights;
  /** @defaultValue `'mean'` */
  readonly reduction?: R;
}

/**
 * A generator loss: fake logits (or probabilities) in, a scalar out. The {@link GAN} takes any such function.
 *
 * @example
 * ```ts
 * const doubled: GeneratorLossFn = (fake) => nonSaturatingGeneratorLoss(fake, { weights: 2 });
 * const gan = new GAN({ objective: logitObjective(doubled, minimaxDiscriminatorLoss) });
 * ```
 * @group Losses
 */
export type GeneratorLossFn = (fakeLogits: tf.Tensor) => tf.Scalar;

/**
 * A discriminator loss: real then fake logits in, a scalar out. The {@link GAN} takes any such function.
 *
 * @example
 * ```ts
 * const smoothed: DiscriminatorLossFn = (real, fake) => minimaxDiscriminatorLoss(real, fake, { labelSmoothing: 0.1 });
 * const gan = new GAN({ objective: logitObjective(nonSaturatingGeneratorLoss, smoothed) });
 * ```
 * @group Losses
 */
export type DiscriminatorLossFn = (realLogits: tf.Tensor, fakeLogits: tf.Tensor) => tf.Scalar;

/**
 * −log D and −log(1 − D) as functions of what the discriminator outputs (logits here, clipped probabilities in
 * `probabilities.ts`), so both forms share one definition of each loss.
 * @internal
 */
export interface ScoreTerms {
  readonly inputName: 'Logits' | 'Probabilities';
  /** −log D(x): the cost of scoring `x` as real. */
  readonly negLogReal: (scores: tf.Tensor) => tf.Tensor;
  /** −log(1 − D(x)): the cost of scoring `x` as fake. */
  readonly negLogFake: (scores: tf.Tensor) => tf.Tensor;
  readonly check: (scores: unknown, argument: string) => asserts scores is tf.Tensor;
  /** The option names the loss accepts on top of its generator or discriminator options. */
  readonly extraOptions: readonly string[];
}

const GENERATOR_OPTIONS = ['weights', 'reduction'];
const DISCRIMINATOR_OPTIONS = ['labelSmoothing', 'realWeights', 'fakeWeights', 'reduction'];

export const logitTerms: ScoreTerms = {
  inputName: 'Logits',
  negLogReal: negLogSigmoid,
  negLogFake: negLogOneMinusSigmoid,
  check: assertLogits,
  extraOptions: [],
};

/** @internal */
export function generatorLossWith<R extends Reduction>(
  terms: ScoreTerms,
  saturating: boolean,
  fake: tf.Tensor,
  options: GeneratorLossOptions<R>,
): LossResult<R> {
  const fakeName = `fake${terms.inputName}`;
  terms.check(fake, fakeName);
  assertLossOptions(options, [...GENERATOR_OPTIONS, ...terms.extraOptions], 'GeneratorLossOptions');
  const reduction = resolveReduction(options.reduction, 'options.reduction');
  assertWeights(options.weights, 'options.weights', fake.shape);
  return tf.tidy(() => {
    // Minimax: G minimises log(1 − D(G(z))) = −(−log(1 − D)). Non-saturating: G minimises −log D(G(z)).
    const values = saturating ? tf.neg(terms.negLogFake(fake)) : terms.negLogReal(fake);
    return reduceLoss(values, options.weights, reduction);
  }) as LossResult<R>;
}

/** @internal */
export function discriminatorLossWith<R extends Reduction>(
  terms: ScoreTerms,
  real: tf.Tensor,
  fake: tf.Tensor,
  options: DiscriminatorLossOptions<R>,
): LossResult<R> {
  terms.check(real, `real${terms.inputName}`);
  terms.check(fake, `fake${terms.inputName}`);
  assertLossOptions(options, [...DISCRIMINATOR_OPTIONS, ...terms.extraOptions], 'DiscriminatorLossOptions');
  const reduction = resolveReduction(options.reduction, 'options.reduction');
  const alpha = options.labelSmoothing ?? 0;
  assertNumberInRange(alpha, 'options.labelSmoothing', 0, 1);
  assertSameShapeForNone(real, fake, reduction);
  assertWeights(options.realWeights, 'options.realWeights', real.shape);
  assertWeights(options.fakeWeights, 'options.fakeWeights', fake.shape);
  return tf.tidy(() => {
    // Cross-entropy against the target 1 − α: (1 − α)·(−log D) + α·(−log(1 − D)).
    const realValues =
      alpha === 0
        ? terms.negLogReal(real)
        : tf.add(tf.mul(1 - alpha, terms.negLogReal(real)), tf.mul(alpha, terms.negLogFake(real)));
    const onReal = reduceLoss(realValues, options.realWeights, reduction);
    const onFake = reduceLoss(terms.negLogFake(fake), options.fakeWeights, reduction);
    return tf.add(onReal, onFake);
  }) as LossResult<R>;
}

/**
 * The non-saturating generator loss of Goodfellow et al. (2014), the article's L_G = −log D(G(z)), from logits:
 * `softplus(−fakeLogits)`. Its gradient stays large while D confidently rejects the fakes, which is why it is the
 * default of {@link GAN}.
 *
 * @param fakeLogits - D's logits on generated examples, any shape of rank >= 1, e.g. `[batch, 1]`
 * @param options - weights and reduction
 * @returns the mean loss (a scalar), or a tensor of `fakeLogits`' shape with `reduction: 'none'`
 * @see https://arxiv.org/abs/1406.2661
 *
 * @example
 * ```ts
 * const loss = nonSaturatingGeneratorLoss(tf.tensor2d([[10], [4.4], [-5.5], [3.6]]));
 * loss.print(); // 1.3858
 * ```
 * @group Losses
 */
export function nonSaturatingGeneratorLoss<R extends Reduction = 'mean'>(
  fakeLogits: tf.Tensor,
  options: GeneratorLossOptions<R> = {},
): LossResult<R> {
  return generatorLossWith(logitTerms, false, fakeLogits, options);
}

/**
 * The minimax (saturating) generator loss of Goodfellow et al. (2014), L_G = log(1 − D(G(z))), from logits:
 * `−softplus(fakeLogits)`. It is the exact game value but gives G almost no gradient early in training, when D
 * rejects fakes easily; prefer {@link nonSaturatingGeneratorLoss}.
 *
 * @param fakeLogits - D's logits on generated examples, any shape of rank >= 1
 * @param options - weights and reduction
 * @returns the mean loss (a scalar, always <= 0), or a tensor of `fakeLogits`' shape with `reduction: 'none'`
 * @see https://arxiv.org/abs/1406.2661
 *
 * @example
 * ```ts
 * const loss = minimaxGeneratorLoss(tf.tensor2d([[10], [4.4], [-5.5], [3.6]]));
 * loss.print(); // -4.5108
 * ```
 * @group Losses
 */
export function minimaxGeneratorLoss<R extends Reduction = 'mean'>(
  fakeLogits: tf.Tensor,
  options: GeneratorLossOptions<R> = {},
): LossResult<R> {
  return generatorLossWith(logitTerms, true, fakeLogits, options);
}

/**
 * The discriminator loss of Goodfellow et al. (2014), the article's L_D = −log D(x) − log(1 − D(G(z))), from logits:
 * `softplus(−realLogits) + softplus(fakeLogits)`, each term reduced on its own and then added. With
 * `labelSmoothing` α the real term is the cross-entropy against 1 − α.
 *
 * @param realLogits - D's logits on real examples, any shape of rank >= 1
 * @param fakeLogits - D's logits on generated examples (the same shape as `realLogits` for `reduction: 'none'`)
 * @param options - label smoothing, weights and reduction
 * @returns mean(real term) + mean(fake term) as a scalar, or their element-wise sum with `reduction: 'none'`
 * @see https://arxiv.org/abs/1406.2661
 *
 * @example
 * ```ts
 * const real = tf.tensor2d([[-5], [1.4], [12.5], [2.7]]);
 * const fake = tf.tensor2d([[10], [4.4], [-5.5], [3.6]]);
 * minimaxDiscriminatorLoss(real, fake).print(); // 5.8339
 * minimaxDiscriminatorLoss(real, fake, { labelSmoothing: 0.1 }).print();
 * ```
 * @group Losses
 */
export function minimaxDiscriminatorLoss<R extends Reduction = 'mean'>(
  realLogits: tf.Tensor,
  fakeLogits: tf.Tensor,
  options: DiscriminatorLossOptions<R> = {},
): LossResult<R> {
  return discriminatorLossWith(logitTerms, realLogits, fakeLogits, options);
}
