import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../../errors';
import { describe } from '../../internal/describe';
import { assertOptions } from '../../internal/options';
import { hingeDiscriminatorLoss, hingeGeneratorLoss } from '../../losses/hinge';
import { leastSquaresDiscriminatorLoss, leastSquaresGeneratorLoss } from '../../losses/least-squares';
import {
  minimaxDiscriminatorLoss,
  minimaxGeneratorLoss,
  nonSaturatingGeneratorLoss,
  type DiscriminatorLossFn,
  type GeneratorLossFn,
} from '../../losses/minimax';
import { r1Penalty, wassersteinGradientPenalty } from '../../losses/penalties';
import { acganDiscriminatorLoss, acganGeneratorLoss } from '../../losses/auxiliary';
import { clipWeights, wassersteinDiscriminatorLoss, wassersteinGeneratorLoss } from '../../losses/wasserstein';

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
 * @group Models
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
   * penalty needs, on interpolates (WGAN-GP) or real data (R1). It returns D's adversarial output only. In a
   * conditional GAN, D sees `labels` (int32 `[batch]`), by default the update's `realLabels`; in a discriminator
   * update the fakes share those labels, so interpolates between real and fake examples have them too.
   */
  readonly discriminate: (x: tf.Tensor, labels?: tf.Tensor) => tf.Tensor;
  /**
   * Conditional GANs only: the classes of `real`, int32 `[batch]`. In a discriminator update G made the fakes for
   * these same classes.
   */
  readonly realLabels?: tf.Tensor;
  /**
   * Conditional GANs only: the classes G was given for `fake`, int32 `[batch]`: the real labels in a discriminator
   * update, labels drawn uniformly from the GAN's seeded stream in a generator update.
   */
  readonly fakeLabels?: tf.Tensor;
  /** With an auxiliary-classifier D only: its class logits on `real`, `[batch, classes]`. */
  readonly realClassLogits?: tf.Tensor | undefined;
  /** With an auxiliary-classifier D only: its class logits on `fake`, `[batch, classes]`. */
  readonly fakeClassLogits?: tf.Tensor | undefined;
  /** A seed for randomness inside a term (WGAN-GP's interpolation weights), fresh each update, replayed by the GAN's seed. */
  readonly seed: number;
}

/**
 * What D outputs, which fixes what the logged `realScore` and `fakeScore` mean: `'logits'` (the mean probability
 * σ(D(x)) in [0, 1]), `'probabilities'` (a sigmoid-ended D: the mean of its output) or `'critic'` (a Wasserstein
 * critic: the mean critic value, unbounded).
 *
 * @example
 * ```ts
 * const output: DiscriminatorOutput = 'critic';
 * const objective = logitObjective(wassersteinGeneratorLoss, wassersteinDiscriminatorLoss, output);
 * ```
 * @group Models
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
 * @group Models
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
  /**
   * True when a discriminator term differentiates D with respect to its input (a gradient penalty). Before the first
   * such step on a backend the GAN checks once, with {@link checkSecondDerivative}, that D can be differentiated
   * twice there, and fails with a {@link ConfigError} naming the op (e.g. `tf.layers.leakyReLU`) and what to use
   * instead.
   * @defaultValue `false`
   */
  readonly gradientPenalty?: boolean;
  /**
   * True when a term reads `realClassLogits` or `fakeClassLogits` ({@link acgan}): the GAN then requires, at
   * construction, a conditional generator and a discriminator with an auxiliary classifier.
   * @defaultValue `false`
   */
  readonly auxiliaryClassifier?: boolean;
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
 * @group Models
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
 * @group Models
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
 * @group Models
 */
export function minimax(): GANObjective {
  return logitObjective(
    (fake) => minimaxGeneratorLoss(fake),
    (real, fake) => minimaxDiscriminatorLoss(real, fake),
  );
}

/**
 * Options of {@link wasserstein}.
 *
 * @example
 * ```ts
 * const options: WassersteinOptions = { clip: 0.01 };
 * const gan = new GAN({ objective: wasserstein(options), updates: { discriminator: 5 } });
 * ```
 * @group Models
 */
export interface WassersteinOptions {
  /** Clip every critic weight to [−clip, clip] after each critic update (Arjovsky et al. use 0.01). Omitted, no clipping. */
  readonly clip?: number;
}

/**
 * The Wasserstein GAN of Arjovsky et al. (2017): the critic minimises mean D(G(z)) − mean D(x), the generator
 * −mean D(G(z)); with `clip`, weight clipping keeps the critic Lipschitz. The logged scores are critic values.
 *
 * @param options - the clipping bound
 * @returns the objective
 * @see https://arxiv.org/abs/1701.07875
 *
 * @example
 * ```ts
 * const gan = new GAN({ objective: wasserstein({ clip: 0.01 }), updates: { discriminator: 5, generator: 1 } });
 * ```
 * @group Models
 */
export function wasserstein(options: WassersteinOptions = {}): GANObjective {
  assertOptions(options, ['clip'], 'options', 'WassersteinOptions');
  const { clip } = options;
  if (clip !== undefined && !(typeof clip === 'number' && clip > 0 && clip < Infinity)) {
    throw new ConfigError('options.clip', 'a finite number > 0', describe(clip));
  }
  return {
    output: 'critic',
    generatorLoss: ({ fakeLogits }) => wassersteinGeneratorLoss(fakeLogits),
    discriminatorLoss: ({ realLogits, fakeLogits }) => wassersteinDiscriminatorLoss(realLogits, fakeLogits),
    ...(clip === undefined ? {} : { afterDiscriminatorUpdate: (variables) => clipWeights(variables, clip) }),
  };
}

/**
 * Options of {@link wassersteinGp}.
 *
 * @example
 * ```ts
 * const options: WassersteinGpOptions = { lambda: 10 };
 * const objective = wassersteinGp(options);
 * ```
 * @group Models
 */
export interface WassersteinGpOptions {
  /**
   * Weight λ of the gradient penalty.
   * @defaultValue `10`, as in Gulrajani et al.
   */
  readonly lambda?: number;
}

/**
 * WGAN-GP (Gulrajani et al., 2017): the Wasserstein losses plus λ·E[(‖∇D(x̂)‖ − 1)²] on random interpolates between
 * real and generated examples, the interpolation weights drawn from the GAN's seed. Train it with several critic
 * updates per generator update (`updates: { discriminator: 5 }`), a critic without batch norm, and activations tfjs
 * can differentiate twice ({@link SafeLeakyReLU}).
 *
 * @param options - the penalty weight
 * @returns the objective
 * @see https://arxiv.org/abs/1704.00028
 *
 * @example
 * ```ts
 * const gan = new GAN({ objective: wassersteinGp({ lambda: 10 }), updates: { discriminator: 5, generator: 1 } });
 * ```
 * @group Models
 */
export function wassersteinGp(options: WassersteinGpOptions = {}): GANObjective {
  assertOptions(options, ['lambda'], 'options', 'WassersteinGpOptions');
  const lambda = positiveWeight(options.lambda, 10, 'options.lambda');
  return {
    output: 'critic',
    gradientPenalty: true,
    generatorLoss: ({ fakeLogits }) => wassersteinGeneratorLoss(fakeLogits),
    discriminatorLoss: (t) =>
      tf.add(
        wassersteinDiscriminatorLoss(t.realLogits, t.fakeLogits),
        wassersteinGradientPenalty(t.discriminate, t.real, t.fake, { lambda, seed: t.seed }),
      ) as tf.Scalar,
  };
}

/**
 * The hinge objective of Lim & Ye (2017) and SAGAN/BigGAN: D minimises E[relu(1 − D(x))] + E[relu(1 + D(G(z)))],
 * G minimises −E[D(G(z))]. The logged scores are D's raw outputs.
 *
 * @returns the objective
 * @see https://arxiv.org/abs/1705.02894
 *
 * @example
 * ```ts
 * const gan = new GAN({ objective: hinge() });
 * ```
 * @group Models
 */
export function hinge(): GANObjective {
  return {
    output: 'critic',
    generatorLoss: ({ fakeLogits }) => hingeGeneratorLoss(fakeLogits),
    discriminatorLoss: ({ realLogits, fakeLogits }) => hingeDiscriminatorLoss(realLogits, fakeLogits),
  };
}

/**
 * The least-squares GAN of Mao et al. (2017) with its 0-1 coding: D minimises ½E[(D(x) − 1)²] + ½E[D(G(z))²], G
 * minimises ½E[(D(G(z)) − 1)²]. The logged scores are D's raw outputs (near 1 for what it takes as real).
 *
 * @returns the objective
 * @see https://arxiv.org/abs/1611.04076
 *
 * @example
 * ```ts
 * const gan = new GAN({ objective: leastSquares() });
 * ```
 * @group Models
 */
export function leastSquares(): GANObjective {
  return {
    output: 'critic',
    generatorLoss: ({ fakeLogits }) => leastSquaresGeneratorLoss(fakeLogits),
    discriminatorLoss: ({ realLogits, fakeLogits }) => leastSquaresDiscriminatorLoss(realLogits, fakeLogits),
  };
}

/**
 * Options of {@link nonSaturatingR1}.
 *
 * @example
 * ```ts
 * const options: R1Options = { gamma: 1 };
 * const objective = nonSaturatingR1(options);
 * ```
 * @group Models
 */
export interface R1Options {
  /**
   * Weight γ of the R1 penalty, γ/2·E[‖∇D(x)‖²] on real data.
   * @defaultValue `10`
   */
  readonly gamma?: number;
}

/**
 * The non-saturating objective with the R1 penalty of Mescheder et al. (2018) on real data, as StyleGAN trains: it
 * keeps D's gradient small where the data are. D must be differentiable twice ({@link SafeLeakyReLU}).
 *
 * @param options - the penalty weight
 * @returns the objective
 * @see https://arxiv.org/abs/1801.04406
 *
 * @example
 * ```ts
 * const gan = new GAN({ objective: nonSaturatingR1({ gamma: 1 }) });
 * ```
 * @group Models
 */
export function nonSaturatingR1(options: R1Options = {}): GANObjective {
  assertOptions(options, ['gamma'], 'options', 'R1Options');
  const gamma = positiveWeight(options.gamma, 10, 'options.gamma');
  return {
    gradientPenalty: true,
    generatorLoss: ({ fakeLogits }) => nonSaturatingGeneratorLoss(fakeLogits),
    discriminatorLoss: (t) =>
      tf.add(
        minimaxDiscriminatorLoss(t.realLogits, t.fakeLogits),
        r1Penalty(t.discriminate, t.real, { gamma }),
      ) as tf.Scalar,
  };
}

/**
 * Options of {@link acgan}.
 *
 * @example
 * ```ts
 * const objective = acgan({ adversarial: hinge(), weight: 0.5 });
 * ```
 * @group Models
 */
export interface AcganOptions {
  /**
   * The adversarial objective the classification terms are added to; its scores, clipping and penalties carry over.
   * @defaultValue {@link nonSaturating}
   */
  readonly adversarial?: GANObjective;
  /**
   * Weight of the classification terms in both losses.
   * @defaultValue `1`
   */
  readonly weight?: number;
}

/**
 * ACGAN (Odena et al., 2017): an adversarial objective plus D's auxiliary classification. D also minimises the
 * cross-entropy of its class logits on real examples (against their labels) and on fakes (against the labels G was
 * given), G the cross-entropy on its fakes, each weighted by `weight` ({@link acganDiscriminatorLoss},
 * {@link acganGeneratorLoss}). It needs a conditional generator and a discriminator built with
 * `auxiliaryClassifier: true`.
 *
 * @param options - the adversarial objective and the classification weight
 * @returns the objective
 * @see https://arxiv.org/abs/1610.09585
 *
 * @example
 * ```ts
 * const gan = new GAN(
 *   { objective: acgan({ weight: 1 }) },
 *   {
 *     generator: mlpGenerator({ classes: 10, seed: 1 }),
 *     discriminator: mlpDiscriminator({ classes: 10, conditioning: 'none', auxiliaryClassifier: true, seed: 2 }),
 *   },
 * );
 * ```
 * @group Models
 */
export function acgan(options: AcganOptions = {}): GANObjective {
  assertOptions(options, ['adversarial', 'weight'], 'options', 'AcganOptions');
  const weight = positiveWeight(options.weight, 1, 'options.weight');
  const base = options.adversarial ?? nonSaturating();
  if (
    typeof base !== 'object' ||
    base === null ||
    typeof base.generatorLoss !== 'function' ||
    typeof base.discriminatorLoss !== 'function'
  ) {
    throw new ConfigError('options.adversarial', 'a GANObjective { generatorLoss, discriminatorLoss }', describe(base));
  }
  const classTerms = (t: AdversarialTerms) => {
    const { realClassLogits, fakeClassLogits, realLabels, fakeLabels } = t;
    if (
      realClassLogits === undefined ||
      fakeClassLogits === undefined ||
      realLabels === undefined ||
      fakeLabels === undefined
    ) {
      throw new ConfigError(
        'terms',
        'class logits and labels (a conditional GAN with an auxiliary classifier)',
        'none',
      );
    }
    return { realClassLogits, fakeClassLogits, realLabels, fakeLabels };
  };
  return {
    ...base,
    auxiliaryClassifier: true,
    discriminatorLoss: (t) => {
      const c = classTerms(t);
      const classification = acganDiscriminatorLoss(c.realClassLogits, c.realLabels, c.fakeClassLogits, c.fakeLabels);
      return tf.add(base.discriminatorLoss(t), tf.mul(classification, weight)) as tf.Scalar;
    },
    generatorLoss: (t) => {
      const c = classTerms(t);
      return tf.add(
        base.generatorLoss(t),
        tf.mul(acganGeneratorLoss(c.fakeClassLogits, c.fakeLabels), weight),
      ) as tf.Scalar;
    },
  };
}

function positiveWeight(value: unknown, fallback: number, argument: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0 && value < Infinity)) {
    throw new ConfigError(argument, 'a finite number > 0', describe(value));
  }
  return value;
}
