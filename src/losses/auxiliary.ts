import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors';
import { assertNumberInRange, assertTensor, formatShape, sameShape } from '../internal/shapes';
import type { LossResult } from './minimax';
import {
  assertLossOptions,
  assertWeights,
  reduceLoss,
  resolveReduction,
  type LossWeights,
  type Reduction,
  type ReductionOptions,
} from './reduction';

/**
 * Options of {@link auxiliaryClassificationLoss} and {@link acganGeneratorLoss}.
 *
 * @example
 * ```ts
 * const loss = auxiliaryClassificationLoss(realClassLogits, realLabels, { labelSmoothing: 0.1, reduction: 'sum' });
 * ```
 * @group Losses
 */
export interface AuxiliaryClassificationOptions<R extends Reduction = Reduction> extends ReductionOptions {
  /**
   * Label smoothing s: the target distribution becomes (1 − s)·labels + s / numClasses, as in TF-GAN's ACGAN losses.
   * @defaultValue `0`
   */
  readonly labelSmoothing?: number;
  /**
   * Per-example weights, checked against the per-example shape (`classLogits`' shape without its last axis; see
   * {@link LossWeights}).
   */
  readonly weights?: LossWeights;
  /** @defaultValue `'mean'` */
  readonly reduction?: R;
}

/**
 * Options of {@link acganDiscriminatorLoss}.
 *
 * @example
 * ```ts
 * const loss = acganDiscriminatorLoss(realClassLogits, realLabels, fakeClassLogits, fakeLabels, { fakeWeights: 0.5 });
 * ```
 * @group Losses
 */
export interface AcganDiscriminatorLossOptions<R extends Reduction = Reduction> extends ReductionOptions {
  /** See {@link AuxiliaryClassificationOptions.labelSmoothing}. @defaultValue `0` */
  readonly labelSmoothing?: number;
  /** Per-example weights of the real term. */
  readonly realWeights?: LossWeights;
  /** Per-example weights of the fake term. */
  readonly fakeWeights?: LossWeights;
  /** @defaultValue `'mean'` */
  readonly reduction?: R;
}

/**
 * Labels for class logits `[..., numClasses]`: int32 class indices `[...]`, or float32 one-hot (or soft) rows.
 *
 * @example
 * ```ts
 * const indices: ClassLabels = tf.tensor1d([3, 1], 'int32'); // class indices, [batch]
 * const oneHot: ClassLabels = tf.cast(tf.oneHot(tf.tensor1d([3, 1], 'int32'), 10), 'float32'); // [batch, 10]
 * ```
 * @group Losses
 */
export type ClassLabels = tf.Tensor;

/**
 * Checks class logits and their labels and returns the per-example shape. Integer labels must be class indices in
 * [0, numClasses): tfjs's `oneHot` turns any other index into an all-zero row, a loss of 0 that trains nothing.
 * Float labels must be rows of values >= 0 that sum to 1.
 */
function checkClassification(logits: unknown, labels: unknown, logitsName: string, labelsName: string): number[] {
  assertTensor(logits, logitsName);
  if (logits.dtype !== 'float32') throw new ShapeError(logitsName, "dtype 'float32'", `dtype '${logits.dtype}'`);
  if (logits.rank < 2 || (logits.shape[logits.rank - 1] ?? 0) < 2) {
    throw new ShapeError(
      logitsName,
      'shape [batch, numClasses >= 2] (or [..., numClasses])',
      formatShape(logits.shape),
    );
  }
  const exampleShape = logits.shape.slice(0, -1);
  const numClasses = logits.shape[logits.rank - 1]!;
  assertTensor(labels, labelsName);
  if (labels.dtype === 'int32') {
    if (!sameShape(labels.shape, exampleShape)) {
      throw new ShapeError(
        labelsName,
        `int32 class indices of shape ${formatShape(exampleShape)}`,
        formatShape(labels.shape),
      );
    }
    const values = labels.dataSync();
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!(v >= 0 && v < numClasses)) {
        throw new ValueError(labelsName, `class indices in [0, ${numClasses - 1}]`, `${v} (at flat index ${i})`);
      }
    }
  } else if (labels.dtype === 'float32') {
    if (!sameShape(labels.shape, logits.shape)) {
      throw new ShapeError(
        labelsName,
        `float32 one-hot rows of shape ${formatShape(logits.shape)}`,
        formatShape(labels.shape),
      );
    }
    const values = labels.dataSync();
    for (let row = 0; row < values.length / numClasses; row++) {
      let sum = 0;
      for (let k = row * numClasses; k < (row + 1) * numClasses; k++) {
        const v = values[k]!;
        if (!(v >= 0 && v <= 1)) throw new ValueError(labelsName, 'values in [0, 1]', `${v} (at flat index ${k})`);
        sum += v;
      }
      if (Math.abs(sum - 1) > 1e-3)
        throw new ValueError(labelsName, 'rows that sum to 1', `a row summing to ${sum} (row ${row})`);
    }
  } else {
    throw new ShapeError(
      labelsName,
      "dtype 'int32' (class indices) or 'float32' (one-hot rows)",
      `dtype '${labels.dtype}'`,
    );
  }
  return exampleShape;
}

/**
 * Per-example softmax cross-entropy −Σₖ yₖ·log softmax(ℓ)ₖ. `logSoftmax` computes ℓₖ − logsumexp(ℓ) with the
 * maximum subtracted first, so no logit overflows exp and no probability underflows to log(0).
 */
function crossEntropy(logits: tf.Tensor, labels: tf.Tensor, smoothing: number): tf.Tensor {
  const numClasses = logits.shape[logits.rank - 1]!;
  let target = labels.dtype === 'int32' ? tf.oneHot(labels, numClasses) : labels;
  if (smoothing > 0) target = tf.add(tf.mul(target, 1 - smoothing), smoothing / numClasses);
  return tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(logits)), -1));
}

function classificationLoss<R extends Reduction>(
  logits: tf.Tensor,
  labels: ClassLabels,
  options: AuxiliaryClassificationOptions<R>,
  logitsName: string,
  labelsName: string,
): LossResult<R> {
  const exampleShape = checkClassification(logits, labels, logitsName, labelsName);
  assertLossOptions(options, ['labelSmoothing', 'weights', 'reduction'], 'AuxiliaryClassificationOptions');
  const reduction = resolveReduction(options.reduction, 'options.reduction');
  const smoothing = options.labelSmoothing ?? 0;
  assertNumberInRange(smoothing, 'options.labelSmoothing', 0, 1);
  assertWeights(options.weights, 'options.weights', exampleShape);
  return tf.tidy(() =>
    reduceLoss(crossEntropy(logits, labels, smoothing), options.weights, reduction),
  ) as LossResult<R>;
}

/**
 * The auxiliary classification loss of ACGAN (Odena et al., 2017): the softmax cross-entropy of D's class logits
 * against the labels, `−log softmax(classLogits)[label]` per example, computed stably through `logSoftmax`. D
 * minimises it on real and generated examples ({@link acganDiscriminatorLoss}), G on its own samples
 * ({@link acganGeneratorLoss}); each is added to the adversarial loss of that network.
 *
 * @param classLogits - class logits `[batch, numClasses]` (or `[..., numClasses]` for patch outputs), float32
 * @param labels - int32 class indices `[batch]`, or float32 one-hot (or soft) rows `[batch, numClasses]`
 * @param options - label smoothing, per-example weights and reduction
 * @returns the mean cross-entropy as a scalar, or the per-example tensor `[batch]` with `reduction: 'none'`
 * @throws {@link ShapeError} for mismatched shapes or dtypes; {@link ValueError} for an index outside
 *   [0, numClasses) or a float row that is not a distribution; {@link ConfigError} for bad options
 * @see https://arxiv.org/abs/1610.09585
 *
 * @example
 * ```ts
 * const logits = tf.tensor2d([[2, 0, -1], [0.5, 0.5, 3]]);
 * auxiliaryClassificationLoss(logits, tf.tensor1d([0, 2], 'int32')).print();
 * auxiliaryClassificationLoss(logits, tf.cast(tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3), 'float32')); // the same
 * ```
 * @group Losses
 */
export function auxiliaryClassificationLoss<R extends Reduction = 'mean'>(
  classLogits: tf.Tensor,
  labels: ClassLabels,
  options: AuxiliaryClassificationOptions<R> = {},
): LossResult<R> {
  return classificationLoss(classLogits, labels, options, 'classLogits', 'labels');
}

/**
 * ACGAN's generator classification term (Odena et al., 2017): {@link auxiliaryClassificationLoss} of D's class
 * logits on generated examples against the labels G was conditioned on. Equals TF-GAN's `acgan_generator_loss`.
 *
 * @param fakeClassLogits - D's class logits on generated examples, `[batch, numClasses]`
 * @param fakeLabels - the labels G was given: int32 `[batch]` or float32 one-hot `[batch, numClasses]`
 * @param options - label smoothing, weights and reduction
 * @returns the mean cross-entropy, or the per-example tensor with `reduction: 'none'`
 * @see https://arxiv.org/abs/1610.09585
 *
 * @example
 * ```ts
 * const labels = tf.tensor1d([3, 1], 'int32');
 * const loss = tf.add(nonSaturatingGeneratorLoss(fakeLogits), acganGeneratorLoss(fakeClassLogits, labels));
 * ```
 * @group Losses
 */
export function acganGeneratorLoss<R extends Reduction = 'mean'>(
  fakeClassLogits: tf.Tensor,
  fakeLabels: ClassLabels,
  options: AuxiliaryClassificationOptions<R> = {},
): LossResult<R> {
  return classificationLoss(fakeClassLogits, fakeLabels, options, 'fakeClassLogits', 'fakeLabels');
}

/**
 * ACGAN's discriminator classification term (Odena et al., 2017): the cross-entropy of D's class logits on real
 * examples against their labels plus that on generated examples against the labels G was given, each reduced on its
 * own. With the same labels on both sides it equals TF-GAN's `acgan_discriminator_loss`.
 *
 * @param realClassLogits - D's class logits on real examples, `[batch, numClasses]`
 * @param realLabels - the real examples' labels: int32 `[batch]` or float32 one-hot `[batch, numClasses]`
 * @param fakeClassLogits - D's class logits on generated examples, `[batch', numClasses]`
 * @param fakeLabels - the labels G was given for them
 * @param options - label smoothing, weights of each side and reduction
 * @returns the sum of the two mean cross-entropies, or their per-example sum with `reduction: 'none'` (both sides'
 *   example shapes must then agree)
 * @see https://arxiv.org/abs/1610.09585
 *
 * @example
 * ```ts
 * const loss = acganDiscriminatorLoss(realClassLogits, realLabels, fakeClassLogits, fakeLabels);
 * ```
 * @group Losses
 */
export function acganDiscriminatorLoss<R extends Reduction = 'mean'>(
  realClassLogits: tf.Tensor,
  realLabels: ClassLabels,
  fakeClassLogits: tf.Tensor,
  fakeLabels: ClassLabels,
  options: AcganDiscriminatorLossOptions<R> = {},
): LossResult<R> {
  const realShape = checkClassification(realClassLogits, realLabels, 'realClassLogits', 'realLabels');
  const fakeShape = checkClassification(fakeClassLogits, fakeLabels, 'fakeClassLogits', 'fakeLabels');
  assertLossOptions(
    options,
    ['labelSmoothing', 'realWeights', 'fakeWeights', 'reduction'],
    'AcganDiscriminatorLossOptions',
  );
  const reduction = resolveReduction(options.reduction, 'options.reduction');
  const smoothing = options.labelSmoothing ?? 0;
  assertNumberInRange(smoothing, 'options.labelSmoothing', 0, 1);
  if (realClassLogits.shape[realClassLogits.rank - 1] !== fakeClassLogits.shape[fakeClassLogits.rank - 1]) {
    const expected = `the realClassLogits' number of classes (${realClassLogits.shape[realClassLogits.rank - 1]})`;
    throw new ShapeError('fakeClassLogits', expected, formatShape(fakeClassLogits.shape));
  }
  if (reduction === 'none' && !sameShape(realShape, fakeShape)) {
    const expected = `example shape ${formatShape(realShape)} (the real side's, required by reduction 'none')`;
    throw new ShapeError('fakeClassLogits', expected, formatShape(fakeShape));
  }
  assertWeights(options.realWeights, 'options.realWeights', realShape);
  assertWeights(options.fakeWeights, 'options.fakeWeights', fakeShape);
  return tf.tidy(() =>
    tf.add(
      reduceLoss(crossEntropy(realClassLogits, realLabels, smoothing), options.realWeights, reduction),
      reduceLoss(crossEntropy(fakeClassLogits, fakeLabels, smoothing), options.fakeWeights, reduction),
    ),
  ) as LossResult<R>;
}
