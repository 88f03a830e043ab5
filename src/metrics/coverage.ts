/**
 * Class coverage: which classes a classifier finds among generated samples, a direct read of mode collapse on
 * labelled data such as MNIST.
 * @module
 */

import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors';
import { assertOptions } from '../internal/options';
import { assertFiniteInRange, assertFloat, assertTensor, formatShape } from '../internal/shapes';
import { integerOption, numberOption } from './checks';

/**
 * Options of {@link classCoverage}.
 *
 * @example
 * ```ts
 * const probabilities = tf.softmax(classifier.predict(gan.sample(1000)) as tf.Tensor2D);
 * const coverage = await classCoverage(probabilities, { minCount: 10, confidenceThreshold: 0.8 });
 * ```
 * @group Metrics
 */
export interface ClassCoverageOptions {
  /**
   * A class is covered when at least this many samples are assigned to it (argmax).
   * @defaultValue `1`
   */
  readonly minCount?: number;
  /**
   * A class is covered when at least this fraction of the n samples is assigned to it, in [0, 1]; both this and
   * `minCount` must hold. The uniform share is 1 / C, so e.g. `0.5 / C` asks for half of it.
   * @defaultValue `0`
   */
  readonly minFraction?: number;
  /**
   * A sample is confident when its largest class probability is at least this, in [0, 1].
   * @defaultValue `0.9`
   */
  readonly confidenceThreshold?: number;
}

/**
 * What {@link classCoverage} returns.
 *
 * @example
 * ```ts
 * const probabilities = tf.softmax(classifier.predict(gan.sample(1000)) as tf.Tensor2D);
 * const { covered, classes, coveredClasses }: ClassCoverage = await classCoverage(probabilities);
 * console.log(`${covered} of ${classes} classes: ${coveredClasses.join(', ')}`);
 * ```
 * @group Metrics
 */
export interface ClassCoverage {
  /** C, the number of classes. */
  readonly classes: number;
  /** How many classes are covered. */
  readonly covered: number;
  /** `covered / classes`, in [0, 1]. */
  readonly coverage: number;
  /** The covered classes' indices, ascending. */
  readonly coveredClasses: readonly number[];
  /** Samples assigned to each class (the argmax; ties go to the lower index), length C, summing to n. */
  readonly histogram: readonly number[];
  /** The fraction of samples whose largest probability is at least `confidenceThreshold`, in [0, 1]. */
  readonly confidentFraction: number;
}

/** Rows must sum to 1 within this: a float32 softmax is far closer, unnormalised logits are far off. */
const ROW_SUM_TOLERANCE = 1e-3;

/**
 * Class coverage of generated samples, from a classifier's class probabilities for them (the caller runs the
 * classifier, e.g. a small MNIST network on `gan.sample(1000)`). Each sample is assigned its most probable class;
 * a class is covered when it receives at least `minCount` samples and at least `minFraction · n` of them. A generator
 * that has collapsed onto a few modes covers few classes; a uniform histogram is the ideal for balanced data. The
 * confident fraction, the share of samples whose top probability reaches `confidenceThreshold`, tells recognisable
 * samples from ambiguous ones, which the argmax alone counts all the same.
 *
 * The argmax, the histogram and the confidence test run on the active backend; C + 1 numbers are read back.
 *
 * @param probabilities - `[n, C]`, float32, n >= 1, each row a probability vector (values in [0, 1] summing to 1
 *   within 1e-3): apply `tf.softmax` to logits first; not disposed
 * @param options - the coverage thresholds and the confidence threshold
 * @returns `{ classes, covered, coverage, coveredClasses, histogram, confidentFraction }`
 * @throws {@link ShapeError} when `probabilities` is not a float32 `[n >= 1, C >= 1]` tensor
 * @throws {@link ValueError} when it holds NaN or ±Infinity, a value outside [0, 1], or a row not summing to 1
 * @throws {@link ConfigError} for an unknown option or one outside its domain
 *
 * @example
 * ```ts
 * const probabilities = tf.softmax(classifier.predict(gan.sample(1000)) as tf.Tensor2D);
 * const { covered, histogram, confidentFraction } = await classCoverage(probabilities, { minFraction: 0.01 });
 * // e.g. 10 of 10 digits, each at least 1% of the samples; 93% of them classified with p >= 0.9
 * ```
 * @group Metrics
 */
export async function classCoverage(
  probabilities: tf.Tensor,
  options: ClassCoverageOptions = {},
): Promise<ClassCoverage> {
  assertOptions(options, ['minCount', 'minFraction', 'confidenceThreshold'], 'options', 'ClassCoverageOptions');
  const minCount = integerOption(options.minCount, 'options.minCount', 1, 1);
  const minFraction = numberOption(options.minFraction, 'options.minFraction', 0, 1, 0);
  const threshold = numberOption(options.confidenceThreshold, 'options.confidenceThreshold', 0, 1, 0.9);
  assertTensor(probabilities, 'probabilities');
  const shape = formatShape(probabilities.shape);
  if (probabilities.rank !== 2) {
    throw new ShapeError('probabilities', 'a rank-2 tensor [n, C] (one probability vector per row)', shape);
  }
  assertFloat(probabilities, 'probabilities');
  const [n, classes] = probabilities.shape as [number, number];
  if (n < 1 || classes < 1) throw new ShapeError('probabilities', 'shape [n>=1, C>=1]', shape);
  const hint = 'Pass class probabilities, e.g. tf.softmax(logits).';
  await assertFiniteInRange(probabilities, 'probabilities', {
    bounds: [0, 1],
    reason: 'class probabilities',
    hint,
  });

  const summary = tf.tidy(() => {
    const rowSumError = tf.max(tf.abs(tf.sub(tf.sum(probabilities, 1), 1))); // scalar
    const assigned = tf.oneHot(tf.argMax(probabilities, 1), classes); // [n, C]
    const histogram = tf.sum(assigned, 0); // [C]
    const confident = tf.sum(tf.cast(tf.greaterEqual(tf.max(probabilities, 1), threshold), 'float32')); // scalar
    return tf.concat([tf.stack([rowSumError, confident]), tf.cast(histogram, 'float32')]); // [2 + C]
  });
  let values: Float32Array;
  try {
    values = (await summary.data()) as Float32Array;
  } finally {
    summary.dispose();
  }
  const [rowSumError = NaN, confident = NaN] = values;
  if (!(rowSumError <= ROW_SUM_TOLERANCE)) {
    const received = `a row off by ${rowSumError.toPrecision(3)}`;
    throw new ValueError('probabilities', `rows that sum to 1 (within ${ROW_SUM_TOLERANCE})`, received, hint);
  }
  const histogram = Array.from(values.subarray(2), Math.round);
  const coveredClasses: number[] = [];
  histogram.forEach((count, c) => {
    if (count >= minCount && count >= minFraction * n) coveredClasses.push(c);
  });
  return {
    classes,
    covered: coveredClasses.length,
    coverage: coveredClasses.length / classes,
    coveredClasses,
    histogram,
    confidentFraction: confident / n,
  };
}
