import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError, ValueError } from '../errors';
import { assertFloat, assertTensor, describe, formatShape, sameShape } from '../internal/shapes';
import type { LossResult } from './minimax';
import {
  assertLossOptions,
  broadcastsTo,
  resolveReduction,
  type Reduction,
  type ReductionOptions,
} from './reduction';

const FLOAT32_MAX = 3.4028234663852886e38;
const LOG_FLOAT32_MAX = Math.log(FLOAT32_MAX);

/**
 * Options of the VAE loss terms. Each term is first summed over every non-batch axis, giving one value per example
 * (nats); `reduction` then combines the examples.
 *
 * @example
 * ```ts
 * const { mean, logVar } = vae.encode(batch);
 * const perExample = gaussianKlDivergence(mean, logVar, { reduction: 'none' }); // [batch]
 * ```
 * @group Losses
 */
export interface VaeLossOptions<R extends Reduction = Reduction> extends ReductionOptions {
  /**
   * `'mean'` over the batch, `'sum'` over the batch, or `'none'` for the per-example values `[batch]`.
   * @defaultValue `'mean'`
   */
  readonly reduction?: R;
}

/**
 * Options of {@link gaussianReconstructionLoss}.
 *
 * @example
 * ```ts
 * const { reconstruction } = vae.reconstruct(batch);
 * const loss = gaussianReconstructionLoss(batch, reconstruction, { logVar: Math.log(0.1), includeConstant: false });
 * ```
 * @group Losses
 */
export interface GaussianReconstructionOptions<R extends Reduction = Reduction> extends VaeLossOptions<R> {
  /**
   * log σ² of the Gaussian p(x|z): a number (a fixed variance shared by every dimension), or a tensor that broadcasts
   * against `targets`, e.g. a learned `[]` or per-dimension `[784]` variable, or a decoder output `[batch, 784]`.
   * @defaultValue `0` (σ² = 1)
   */
  readonly logVar?: number | tf.Tensor;
  /**
   * Add the normalising constant ½·log(2π) ≈ 0.9189 nats per dimension, so the result is the true negative
   * log-density. Without it the loss differs by a constant (720.8 nats for 784 dimensions) that changes no gradient.
   * @defaultValue `true`
   */
  readonly includeConstant?: boolean;
}

/** @internal */
export const VAE_LOSS_OPTIONS = ['reduction'];
const GAUSSIAN_OPTIONS = ['reduction', 'logVar', 'includeConstant'];

/**
 * Checks the `includeConstant` option: a boolean or undefined.
 * @internal
 */
export function assertIncludeConstant(value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new ConfigError('options.includeConstant', 'a boolean', describe(value));
  }
}

/** ½·log(2π): the per-dimension constant of a Gaussian negative log-density. */
export const HALF_LOG_2PI = 0.9189385332046727; // a literal: no call at module scope (sideEffects: false)

/** Checks a `[batch, ...]` float tensor of rank >= 2. */
function assertBatched(t: unknown, argument: string): asserts t is tf.Tensor {
  assertTensor(t, argument);
  assertFloat(t, argument);
  if (t.rank < 2 || (t.shape[0] ?? 0) < 1) {
    throw new ShapeError(argument, 'a tensor of shape [batch>=1, ...] with rank >= 2', formatShape(t.shape));
  }
}

/**
 * Checks two batched float tensors of one shape, naming the one at fault.
 * @internal
 */
export function assertBatchedPair(a: tf.Tensor, b: tf.Tensor, aName: string, bName: string): void {
  assertBatched(a, aName);
  assertBatched(b, bName);
  if (!sameShape(a.shape, b.shape)) {
    throw new ShapeError(bName, `shape ${formatShape(a.shape)} (the ${aName} shape)`, formatShape(b.shape));
  }
}

/**
 * Sums `values` over every non-batch axis, then reduces over the batch.
 * @internal
 */
export function reducePerExample(values: tf.Tensor, reduction: Reduction): tf.Tensor {
  const axes = values.shape.map((_, i) => i).slice(1);
  const perExample = axes.length === 0 ? values : tf.sum(values, axes); // [batch]
  switch (reduction) {
    case 'mean':
      return tf.mean(perExample);
    case 'sum':
      return tf.sum(perExample);
    case 'none':
      return perExample;
  }
}


/**
 * The Bernoulli reconstruction term of a VAE, −log p(x|z) for pixel probabilities σ(logits), from the decoder's
 * logits: the sigmoid cross-entropy `softplus(logits) − targets·logits` summed over all non-batch axes. This is
 * `relu(x) − x·t + log1p(e^−|x|)`, finite for any finite logit with a bounded gradient σ(x) − t (see `logits.ts`).
 *
 * Targets must lie in [0, 1]; grey-level pixels are used as soft targets, as Kingma & Welling did on MNIST.
 *
 * @param targets - data `[batch, ...]` in [0, 1]
 * @param logits - decoder logits, the shape of `targets`
 * @param options - reduction over the batch
 * @returns the mean over the batch (nats per example), or `[batch]` with `reduction: 'none'`
 * @see https://arxiv.org/abs/1312.6114 (Appendix C.1)
 *
 * @example
 * ```ts
 * const targets = tf.tensor2d([[1, 0, 0.5], [0, 1, 1]]);
 * const logits = tf.tensor2d([[2, -1, 0], [3, 0.5, -4]]);
 * bernoulliReconstructionLoss(targets, logits, { reduction: 'none' }).print(); // [1.1333, 7.5408]
 * bernoulliReconstructionLoss(targets, logits).print(); // 4.3371
 * ```
 * @group Losses
 */
export function bernoulliReconstructionLoss<R extends Reduction = 'mean'>(
  targets: tf.Tensor,
  logits: tf.Tensor,
  options: VaeLossOptions<R> = {},
): LossResult<R> {
  assertBatchedPair(targets, logits, 'targets', 'logits');
  assertLossOptions(options, VAE_LOSS_OPTIONS, 'VaeLossOptions');
  const reduction = resolveReduction(options.reduction, 'options.reduction');
  return tf.tidy(() => {
    // t·softplus(−x) + (1 − t)·softplus(x) = softplus(x) − t·x, since softplus(−x) = softplus(x) − x.
    const values = tf.sub(tf.softplus(logits), tf.mul(targets, logits));
    return reducePerExample(values, reduction);
  }) as LossResult<R>;
}

/**
 * The Gaussian reconstruction term of a VAE, −log N(x; μ, σ²) summed over all non-batch axes:
 * `½·[(x − μ)²·e^(−log σ²) + log σ² + log 2π]` per dimension. With the default σ² = 1 and no constant this is half
 * the summed squared error. The precision e^(−log σ²) is capped at float32's largest value (log σ² below about −88.7
 * counts as −88.7 in the squared term), so a perfect reconstruction never gives 0·∞. The ½·log(2π) constant (0.9189 nats per dimension) is included by default, so the result
 * is a true negative log-density in nats; drop it with `includeConstant: false`.
 *
 * @param targets - data `[batch, ...]`
 * @param mean - the decoder's mean μ, the shape of `targets`
 * @param options - log σ² (fixed or a tensor), the constant, and the reduction over the batch
 * @returns the mean over the batch (nats per example), or `[batch]` with `reduction: 'none'`
 * @see https://arxiv.org/abs/1312.6114 (Appendix C.2)
 *
 * @example
 * ```ts
 * const targets = tf.tensor2d([[1, 0, 0.5], [0, 1, 1]]);
 * const mean = tf.tensor2d([[0.5, 0, 0], [0, 0, 1]]);
 * gaussianReconstructionLoss(targets, mean, { reduction: 'none' }).print(); // [3.0068, 3.2568]
 * gaussianReconstructionLoss(targets, mean, { logVar: Math.log(0.25), includeConstant: false }).print(); // -0.5794
 * ```
 * @group Losses
 */
export function gaussianReconstructionLoss<R extends Reduction = 'mean'>(
  targets: tf.Tensor,
  mean: tf.Tensor,
  options: GaussianReconstructionOptions<R> = {},
): LossResult<R> {
  assertBatchedPair(targets, mean, 'targets', 'mean');
  assertLossOptions(options, GAUSSIAN_OPTIONS, 'GaussianReconstructionOptions');
  const reduction = resolveReduction(options.reduction, 'options.reduction');
  assertIncludeConstant(options.includeConstant);
  const logVar = options.logVar ?? 0;
  if (typeof logVar === 'number') {
    if (!Number.isFinite(logVar)) throw new ValueError('options.logVar', 'a finite number', describe(logVar));
  } else {
    assertTensor(logVar, 'options.logVar');
    assertFloat(logVar, 'options.logVar');
    if (!broadcastsTo(logVar.shape, targets.shape)) {
      const expected = `a shape that broadcasts to ${formatShape(targets.shape)}`;
      throw new ShapeError('options.logVar', expected, formatShape(logVar.shape));
    }
  }
  const constant = (options.includeConstant ?? true) ? HALF_LOG_2PI : 0;
  return tf.tidy(() => {
    const squared = tf.squaredDifference(targets, mean);
    // 1 / σ², capped at float32's largest value: beyond it a perfect reconstruction would give 0·∞ = NaN.
    const precision =
      typeof logVar === 'number'
        ? Math.min(Math.exp(-logVar), FLOAT32_MAX)
        : tf.exp(tf.minimum(tf.neg(logVar), LOG_FLOAT32_MAX));
    const scaled = tf.mul(squared, precision);
    const values = tf.add(tf.mul(scaled, 0.5), tf.add(tf.mul(logVar, 0.5), constant)); // targets' shape
    return reducePerExample(values, reduction);
  }) as LossResult<R>;
}
