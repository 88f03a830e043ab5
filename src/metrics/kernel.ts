/**
 * The kernel distance (KID): an unbiased estimate of the squared maximum mean discrepancy between two feature sets
 * under a cubic polynomial kernel, averaged over random subsets.
 * @module
 */

import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';
import { assertOptions } from '../internal/options';
import { describe } from '../internal/shapes';
import { assertSeed, mixSeed } from '../random';
import { checkFeatures, checkSameDimension, integerOption } from './checks';

/**
 * Options of {@link kernelDistance}.
 *
 * @example
 * ```ts
 * const kid = await kernelDistance(realFeatures, fakeFeatures, { subsetSize: 100, numSubsets: 10, seed: 3 });
 * ```
 * @group Metrics
 */
export interface KernelDistanceOptions {
  /**
   * Feature vectors drawn, without replacement, from each set for one estimate: an integer in [2, min(n, m)].
   * @defaultValue `min(1000, n, m)`, the subset size of Bińkowski et al. and torch-fidelity
   */
  readonly subsetSize?: number;
  /**
   * How many subsets (estimates) to average.
   * @defaultValue `100`
   */
  readonly numSubsets?: number;
  /**
   * Seed of the subset draws, any safe integer: the result is reproducible by default.
   * @defaultValue `0`
   */
  readonly seed?: number;
}

/**
 * What {@link kernelDistance} returns.
 *
 * @example
 * ```ts
 * const { mean, std, estimates }: KernelDistanceResult = await kernelDistance(realFeatures, fakeFeatures);
 * console.log(`KID ${mean} ± ${std} over ${estimates.length} subsets`);
 * ```
 * @group Metrics
 */
export interface KernelDistanceResult {
  /** The mean of the subset estimates of MMD²: the KID. */
  readonly mean: number;
  /** Their standard deviation (population, 1/numSubsets), as torch-fidelity reports it. */
  readonly std: number;
  /** Each subset's unbiased MMD² estimate, in draw order. */
  readonly estimates: readonly number[];
}

/**
 * The kernel inception distance of Bińkowski et al. (2018) on the caller's features: the unbiased estimate of MMD²
 * between the two distributions with the kernel k(x, y) = (xᵀy / d + 1)³,
 *
 * MMD²ᵤ = Σ_{i≠j} k(xᵢ, xⱼ) / (s(s−1)) + Σ_{i≠j} k(yᵢ, yⱼ) / (s(s−1)) − 2 Σ_{i,j} k(xᵢ, yⱼ) / s²,
 *
 * on `numSubsets` pairs of subsets of s = `subsetSize` vectors drawn without replacement from each set. Unlike the
 * Fréchet distance it is unbiased, so its expectation is 0 when both sets come from one distribution (a single
 * estimate can then be slightly negative), and it compares fairly across sample sizes. Lower is better.
 *
 * The kernel matrices (3 of s × s per subset) and their row sums run on the active backend; the row sums are read
 * back once per subset and summed in float64, which keeps the cancellation between the three terms accurate.
 *
 * @param realFeatures - `[n, d]`, float32, n >= 2, finite; not disposed
 * @param fakeFeatures - `[m, d]`, the same d
 * @param options - subset size, number of subsets and seed
 * @returns `{ mean, std, estimates }`
 * @throws {@link ShapeError} when a set is not float32 `[n >= 2, d]` or the two feature dimensions differ
 * @throws {@link ValueError} for NaN or ±Infinity in the features
 * @throws {@link ConfigError} for an unknown option, a subset size outside [2, min(n, m)] or a seed that is not a
 *   safe integer
 * @see https://arxiv.org/abs/1801.01401
 *
 * @example
 * ```ts
 * const { mean, std } = await kernelDistance(realFeatures, fakeFeatures, { subsetSize: 500, numSubsets: 50 });
 * console.log(`KID ${(mean * 1000).toFixed(2)} ± ${(std * 1000).toFixed(2)} (×10³)`);
 * ```
 * @group Metrics
 */
export async function kernelDistance(
  realFeatures: tf.Tensor,
  fakeFeatures: tf.Tensor,
  options: KernelDistanceOptions = {},
): Promise<KernelDistanceResult> {
  assertOptions(options, ['subsetSize', 'numSubsets', 'seed'], 'options', 'KernelDistanceOptions');
  const why = 'the unbiased estimate needs two samples per set';
  const real = await checkFeatures(realFeatures, 'realFeatures', 2, why);
  const fake = await checkFeatures(fakeFeatures, 'fakeFeatures', 2, why);
  const [n, d] = real.shape;
  const m = fake.shape[0];
  checkSameDimension(fake.shape[1], d, 'fakeFeatures', 'realFeatures');
  const most = Math.min(n, m);
  const size = integerOption(options.subsetSize, 'options.subsetSize', 2, Math.min(1000, most));
  if (size > most) {
    throw new ConfigError('options.subsetSize', `an integer in [2, ${most}] (the smaller set's size)`, describe(size));
  }
  const numSubsets = integerOption(options.numSubsets, 'options.numSubsets', 1, 100);
  const seed = options.seed ?? 0;
  assertSeed(seed, 'options.seed');

  let draw = 0;
  const uniform = (): number => mixSeed(seed, draw++) / 0x1_0000_0000;
  const estimates: number[] = [];
  for (let s = 0; s < numSubsets; s++) {
    const xs = subset(n, size, uniform);
    const ys = subset(m, size, uniform);
    const sums = tf.tidy(() => {
      const x = tf.gather(real, tf.tensor1d(xs, 'int32')); // [s, d]
      const y = tf.gather(fake, tf.tensor1d(ys, 'int32')); // [s, d]
      return tf.stack([rowSums(x, x), diagonal(x), rowSums(y, y), diagonal(y), rowSums(x, y)]); // [5, s]
    });
    let values: Float32Array;
    try {
      values = (await sums.data()) as Float32Array;
    } finally {
      sums.dispose();
    }
    const total = (row: number): number => {
      let acc = 0;
      for (let i = row * size; i < (row + 1) * size; i++) acc += values[i]!;
      return acc;
    };
    const within = (total(0) - total(1) + total(2) - total(3)) / (size * (size - 1));
    estimates.push(within - (2 * total(4)) / (size * size));
  }
  const mean = estimates.reduce((a, b) => a + b, 0) / numSubsets;
  const variance = estimates.reduce((a, b) => a + (b - mean) ** 2, 0) / numSubsets;
  return { mean, std: Math.sqrt(variance), estimates };
}

/** t³ by two multiplications rather than `tf.pow`, whose handling of negative bases is each backend's own. */
function cube(t: tf.Tensor): tf.Tensor {
  return tf.mul(tf.square(t), t);
}

/** Σⱼ k(aᵢ, bⱼ) for each row i of `a`, with k(x, y) = (xᵀy / d + 1)³: [s]. */
function rowSums(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor {
  const d = a.shape[1];
  return tf.sum(cube(tf.add(tf.div(tf.matMul(a, b, false, true), d), 1)), 1); // [s, s] summed to [s]
}

/** k(aᵢ, aᵢ) for each row of `a`, the diagonal the unbiased estimate leaves out: [s]. */
function diagonal(a: tf.Tensor2D): tf.Tensor {
  return cube(tf.add(tf.div(tf.sum(tf.square(a), 1), a.shape[1]), 1));
}

/** `size` distinct indices in [0, n), by a partial Fisher–Yates shuffle. */
function subset(n: number, size: number, uniform: () => number): Int32Array {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(uniform() * (n - i));
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm.slice(0, size);
}
