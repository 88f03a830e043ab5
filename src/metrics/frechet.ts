/**
 * The Fréchet distance between Gaussians fitted to two feature sets: FID's formula on whatever features the caller
 * supplies.
 * @module
 */

import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors';
import { describe } from '../internal/shapes';
import { checkFeatures, checkSameDimension } from './checks';
import { traceSqrtProduct } from './linalg';

/**
 * The mean and covariance of a feature set, as {@link featureStatistics} returns them and as
 * {@link frechetDistance} accepts them in place of features, so the statistics of a fixed real set are computed once.
 *
 * @example
 * ```ts
 * const realStats: FeatureStatistics = await featureStatistics(realFeatures); // or { mean, covariance } stored earlier
 * const fid = await frechetDistance(realStats, fakeFeatures);
 * ```
 * @group Metrics
 */
export interface FeatureStatistics {
  /** The mean feature vector, length d. */
  readonly mean: ArrayLike<number>;
  /**
   * The covariance matrix, d × d, with the unbiased normalisation 1 / (n − 1) (numpy's `np.cov(features,
   * rowvar=False)`): either row-major in one array of length d² or as d rows of length d. It must be symmetric (to
   * within 1e-4 of its largest diagonal entry) with a non-negative diagonal.
   */
  readonly covariance: ArrayLike<number> | readonly ArrayLike<number>[];
  /** How many feature vectors the statistics come from; informative only, {@link frechetDistance} ignores it. */
  readonly count?: number;
  /**
   * The arithmetic the covariance was computed in. A float32 covariance of a singular set (fewer samples than
   * dimensions) has rounding noise, some 1e-8 of its largest eigenvalue, where its zero eigenvalues should be, and the
   * square root in the distance magnifies it; so whenever either side is float32, each covariance's eigenvalues below
   * 2^-20 (about 1e-6) of its largest count as zero. {@link featureStatistics}, which reduces on the backend, says
   * `'float32'`.
   * @defaultValue `'float64'` (numpy's `np.cov`): only negative eigenvalues count as zero
   */
  readonly arithmetic?: 'float32' | 'float64';
}

/**
 * The relative eigenvalue floor for float32 covariances: 25 to 100 times the null-space noise measured on the cpu and
 * wasm backends (1e-8 to 4e-8 of the largest eigenvalue), where a float32 estimate stops resolving eigenvalues anyway.
 */
const FLOAT32_FLOOR = 2 ** -20;

/** The most values one tensor can hold (typed arrays are indexed by 32-bit integers). */
const MAX_TENSOR_SIZE = 2 ** 31 - 1;

/** Mean and covariance in float64, checked and made exactly symmetric. */
interface Moments {
  readonly mean: Float64Array;
  readonly covariance: Float64Array;
  readonly d: number;
  readonly float32: boolean;
}

/**
 * The mean and the covariance (normalised by n − 1) of a feature set. The [n, d] reductions (the mean and the
 * centred product Xᵀ X) run on the active backend in float32; only the d + d² results are read back, once, and
 * returned as float64 arrays.
 *
 * @param features - `[n, d]`, float32, n >= 2, finite; not disposed
 * @returns `{ mean, covariance, count, arithmetic }`: `mean` a `Float64Array` of length d, `covariance` a row-major
 *   `Float64Array` of length d², exactly symmetric, `count` = n and `arithmetic` = `'float32'`
 * @throws {@link ShapeError} when `features` is not a float32 `[n, d]` tensor with n >= 2
 * @throws {@link ValueError} when it holds NaN or ±Infinity
 *
 * @example
 * ```ts
 * const realStats = await featureStatistics(realFeatures); // once, e.g. for a held-out set
 * for (let epoch = 0; epoch < epochs; epoch++) {
 *   const fid = await frechetDistance(realStats, featuresOf(gan.sample(1000)));
 * }
 * ```
 * @group Metrics
 */
export async function featureStatistics(features: tf.Tensor): Promise<FeatureStatistics> {
  const x = await checkFeatures(features, 'features', 2, 'a covariance needs at least two samples');
  checkCovarianceSize(x.shape[1], 'features');
  const moments = await momentsOf(x);
  return { mean: moments.mean, covariance: moments.covariance, count: x.shape[0], arithmetic: 'float32' };
}

/**
 * The Fréchet distance between the Gaussians N(μ₁, Σ₁) and N(μ₂, Σ₂) fitted to two feature sets:
 *
 * FD = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁Σ₂)^{1/2}),
 *
 * the formula of FID (Heusel et al. 2017) with the caller's features: Inception pool features give FID, an MNIST
 * classifier's penultimate layer gives an MNIST FD. Lower is better; 0 for identical statistics. The estimate from
 * finite samples is biased upwards, more so for few samples and many dimensions, so compare distances computed with
 * the same n, and report the distance between two real samples beside it as the floor ({@link kernelDistance} is
 * unbiased).
 *
 * What runs where: the [n, d] reductions (means and covariances) run on the active backend; the d × d matrices are
 * read back once and the rest is float64 JavaScript. tfjs has no matrix square root, so the trace term is computed
 * from symmetric eigendecompositions (Householder tridiagonalisation and implicit QL) of both covariances: with
 * Σᵢ = WᵢWᵢᵀ, Tr((Σ₁Σ₂)^{1/2}) is the sum of the singular values of W₁ᵀW₂. That is about 22·d³ float64
 * multiply-adds on the calling thread: quick for d in the hundreds, a long synchronous computation for Inception's
 * d = 2048. Negative eigenvalues from rounding count as zero, and so do those below about 1e-6 of the largest when a
 * covariance was computed in float32 (see {@link FeatureStatistics.arithmetic}): with fewer samples than dimensions
 * this keeps float32 rounding in the null space out of the result. The result is clamped at 0.
 *
 * @param realFeatures - real features `[n, d]` (float32, n >= 2, finite), or their {@link FeatureStatistics}
 * @param fakeFeatures - generated features `[m, d]`, or their statistics; the same d
 * @returns the distance, a number >= 0, in squared feature units
 * @throws {@link ShapeError} for a tensor that is not float32 `[n >= 2, d]`, for statistics of the wrong sizes, or
 *   when the two feature dimensions differ
 * @throws {@link ValueError} for NaN or ±Infinity in the features or the statistics, or a covariance that is not
 *   symmetric or has a negative variance
 * @see https://arxiv.org/abs/1706.08500
 *
 * @example
 * ```ts
 * const real = tf.randomNormal([500, 64]);
 * const fake = tf.add(tf.randomNormal([500, 64]), 0.5);
 * const fd = await frechetDistance(real, fake); // ≈ 20.5: 64 · 0.5² = 16, plus the small-sample bias
 * const floor = await frechetDistance(real, tf.randomNormal([500, 64])); // ≈ 4.5: that bias alone
 * ```
 * @group Metrics
 */
export async function frechetDistance(
  realFeatures: tf.Tensor | FeatureStatistics,
  fakeFeatures: tf.Tensor | FeatureStatistics,
): Promise<number> {
  // Every check runs before any computation: a bad fake set is reported before the real statistics are computed.
  const real = await checkSource(realFeatures, 'realFeatures');
  const fake = await checkSource(fakeFeatures, 'fakeFeatures');
  const d = dimensionOf(real);
  checkSameDimension(dimensionOf(fake), d, 'fakeFeatures', 'realFeatures');
  checkCovarianceSize(d, 'realFeatures');
  const m1 = real instanceof tf.Tensor ? await momentsOf(real) : real;
  const m2 = fake instanceof tf.Tensor ? await momentsOf(fake) : fake;
  let distance = 0;
  for (let i = 0; i < d; i++) {
    const delta = m1.mean[i]! - m2.mean[i]!;
    distance += delta * delta + m1.covariance[i * d + i]! + m2.covariance[i * d + i]!;
  }
  const floor = m1.float32 || m2.float32 ? FLOAT32_FLOOR : 0;
  distance -= 2 * traceSqrtProduct(m1.covariance, m2.covariance, d, floor);
  return Math.max(0, distance);
}

function checkCovarianceSize(d: number, argument: string): void {
  if (d * d > MAX_TENSOR_SIZE) {
    throw new ShapeError(argument, 'a feature dimension d with d² < 2^31 (the covariance is d × d)', `d = ${d}`);
  }
}

function dimensionOf(source: tf.Tensor2D | Moments): number {
  return source instanceof tf.Tensor ? source.shape[1] : source.d;
}

async function checkSource(value: unknown, argument: string): Promise<tf.Tensor2D | Moments> {
  if (value instanceof tf.Tensor) return checkFeatures(value, argument, 2, 'a covariance needs at least two samples');
  if (typeof value === 'object' && value !== null && 'mean' in value && 'covariance' in value) {
    return checkStatistics(value as FeatureStatistics, argument);
  }
  throw new ShapeError(argument, 'a tf.Tensor [n, d] or FeatureStatistics { mean, covariance }', describe(value));
}

/** Reads the two moments back as float64, symmetrising the covariance that float32 matmul tiling may leave uneven. */
async function momentsOf(x: tf.Tensor2D): Promise<Moments> {
  const [n, d] = x.shape;
  const [meanT, covT] = tf.tidy(() => {
    const mean = tf.mean(x, 0); // [d]
    const centred = tf.sub(x, mean); // [n, d]
    return [mean, tf.div(tf.matMul(centred, centred, true, false), n - 1)]; // [d], [d, d]
  });
  try {
    const [mean, cov] = await Promise.all([meanT.data(), covT.data()]);
    const covariance = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) covariance[i * d + j] = (cov[i * d + j]! + cov[j * d + i]!) / 2;
    }
    return { mean: Float64Array.from(mean), covariance, d, float32: true };
  } finally {
    meanT.dispose();
    covT.dispose();
  }
}

function checkStatistics(stats: FeatureStatistics, argument: string): Moments {
  const mean = numbersOf(stats.mean, `${argument}.mean`);
  const d = mean.length;
  if (d < 1) throw new ShapeError(`${argument}.mean`, 'a vector of length d >= 1', 'an empty array');
  const covariance = matrixOf(stats.covariance, d, `${argument}.covariance`);
  let scale = 0;
  for (let i = 0; i < d; i++) {
    const variance = covariance[i * d + i]!;
    if (variance < 0) {
      const received = `${variance} at [${i}, ${i}]`;
      throw new ValueError(`${argument}.covariance`, 'a non-negative diagonal (variances)', received);
    }
    scale = Math.max(scale, variance);
  }
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      const [a, b] = [covariance[i * d + j]!, covariance[j * d + i]!];
      if (Math.abs(a - b) > 1e-4 * scale) {
        const received = `${a} at [${i}, ${j}] but ${b} at [${j}, ${i}]`;
        throw new ValueError(`${argument}.covariance`, 'a symmetric matrix', received);
      }
      covariance[i * d + j] = covariance[j * d + i] = (a + b) / 2;
    }
  }
  const arithmetic = stats.arithmetic ?? 'float64';
  if (arithmetic !== 'float32' && arithmetic !== 'float64') {
    throw new ValueError(`${argument}.arithmetic`, "'float32', 'float64' or undefined", describe(arithmetic));
  }
  return { mean, covariance, d, float32: arithmetic === 'float32' };
}

function matrixOf(value: unknown, d: number, argument: string): Float64Array {
  const expected = `${d} × ${d} values (d = the mean's length), flat row-major or as ${d} rows`;
  if (!isArrayLike(value)) throw new ShapeError(argument, expected, describe(value));
  if (value.length === d * d && (d * d === 0 || typeof value[0] === 'number')) return numbersOf(value, argument);
  if (value.length !== d) throw new ShapeError(argument, expected, `an array of length ${value.length}`);
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    const row = numbersOf(value[i], `${argument}[${i}]`);
    if (row.length !== d) throw new ShapeError(`${argument}[${i}]`, `a row of length ${d}`, `length ${row.length}`);
    out.set(row, i * d);
  }
  return out;
}

function numbersOf(value: unknown, argument: string): Float64Array {
  if (!isArrayLike(value)) throw new ShapeError(argument, 'an array or typed array of numbers', describe(value));
  const out = new Float64Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ValueError(argument, 'finite numbers', `${describe(v)} at index ${i}`);
    }
    out[i] = v;
  }
  return out;
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}
