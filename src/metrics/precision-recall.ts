/**
 * Improved precision and recall (Kynkäänniemi et al. 2019): how much of the generated set lies on the real data's
 * manifold, and how much of the real manifold the generated set covers, each manifold being the union of k-NN balls.
 * @module
 */

import * as tf from '@tensorflow/tfjs-core';
import { assertOptions } from '../internal/options';
import { checkFeatures, checkSameDimension, integerOption } from './checks';

/**
 * Options of {@link precisionRecall}.
 *
 * @example
 * ```ts
 * const result = await precisionRecall(realFeatures, fakeFeatures, { k: 5, chunkSize: 256 });
 * ```
 * @group Metrics
 */
export interface PrecisionRecallOptions {
  /**
   * The neighbour whose distance is each sample's radius: the k-th nearest other sample of the same set.
   * @defaultValue `3`, the paper's choice
   */
  readonly k?: number;
  /**
   * Rows of the pairwise-distance matrix computed at once: a block holds `chunkSize × N` distances, N being the size
   * of the set compared against, which bounds the memory whatever n and m are.
   * @defaultValue `max(1, floor(2^22 / N))`, so a block holds at most about 4M distances (16 MiB of float32)
   */
  readonly chunkSize?: number;
}

/**
 * What {@link precisionRecall} returns.
 *
 * @example
 * ```ts
 * const { precision, recall }: PrecisionRecallResult = await precisionRecall(realFeatures, fakeFeatures);
 * if (recall < 0.2) console.warn('the samples cover little of the data: mode collapse?');
 * ```
 * @group Metrics
 */
export interface PrecisionRecallResult {
  /** The fraction of generated samples inside the real manifold, in [0, 1]: fidelity. */
  readonly precision: number;
  /** The fraction of real samples inside the generated manifold, in [0, 1]: diversity. */
  readonly recall: number;
}

/** About 4M float32 distances, 16 MiB, per block by default. */
const DISTANCES_PER_BLOCK = 2 ** 22;

/**
 * Improved precision and recall of generated against real features. Each sample's radius is the distance to its
 * k-th nearest neighbour in its own set; a set's manifold is the union of the balls of those radii around its
 * samples. Precision is the fraction of generated samples inside the real manifold (some real φ with
 * ‖φ_fake − φ‖ ≤ radius(φ)); recall is the fraction of real samples inside the generated manifold. Unlike a single
 * distance, the pair tells a generator that produces only a few good modes (high precision, low recall) from one that
 * covers the data with poor samples (the reverse). Higher is better for both.
 *
 * All pairwise squared distances run on the active backend, in blocks of `options.chunkSize` rows, after centring
 * both sets on the real mean (which leaves distances unchanged and keeps ‖a‖² + ‖b‖² − 2aᵀb accurate in float32).
 * Centred copies of both sets are held during the call. Ties count as inside (distance ≤ radius), as in the
 * reference implementation.
 *
 * @param realFeatures - `[n, d]`, float32, n >= k + 1, finite; not disposed
 * @param fakeFeatures - `[m, d]`, the same d, m >= k + 1
 * @param options - k and the block size
 * @returns `{ precision, recall }`, each in [0, 1]
 * @throws {@link ShapeError} when a set is not float32 `[>= k + 1, d]` or the two feature dimensions differ
 * @throws {@link ValueError} for NaN or ±Infinity in the features
 * @throws {@link ConfigError} for an unknown option or a k or chunk size that is not an integer >= 1
 * @see https://arxiv.org/abs/1904.06991
 *
 * @example
 * ```ts
 * const { precision, recall } = await precisionRecall(realFeatures, fakeFeatures, { k: 3 });
 * // a mode-collapsed generator: precision near 1, recall near 0
 * ```
 * @group Metrics
 */
export async function precisionRecall(
  realFeatures: tf.Tensor,
  fakeFeatures: tf.Tensor,
  options: PrecisionRecallOptions = {},
): Promise<PrecisionRecallResult> {
  assertOptions(options, ['k', 'chunkSize'], 'options', 'PrecisionRecallOptions');
  const k = integerOption(options.k, 'options.k', 1, 3);
  const chunkSize = integerOption(options.chunkSize, 'options.chunkSize', 1, 0);
  const why = `each sample's k-th nearest other sample (options.k = ${k}) needs k + 1 samples`;
  const real = await checkFeatures(realFeatures, 'realFeatures', k + 1, why);
  const fake = await checkFeatures(fakeFeatures, 'fakeFeatures', k + 1, why);
  checkSameDimension(fake.shape[1], real.shape[1], 'fakeFeatures', 'realFeatures');
  const rowsFor = (other: number): number => chunkSize || Math.max(1, Math.floor(DISTANCES_PER_BLOCK / other));

  const [realX, realSq, fakeX, fakeSq] = tf.tidy(() => {
    const mean = tf.mean(real, 0); // [d]
    const [x, y] = [tf.sub(real, mean), tf.sub(fake, mean)]; // [n, d], [m, d]
    return [x, tf.sum(tf.square(x), 1), y, tf.sum(tf.square(y), 1)]; // squared norms [n], [m]
  }) as [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D];
  const held: tf.Tensor[] = [realX, realSq, fakeX, fakeSq];
  const r: Centred = { x: realX, sq: realSq, size: realX.shape[0] };
  const f: Centred = { x: fakeX, sq: fakeSq, size: fakeX.shape[0] };
  try {
    const realRadii = tf.tensor1d(await kthNeighbourDistances(r, k, rowsFor(r.size))); // [n], squared
    held.push(realRadii);
    const fakeRadii = tf.tensor1d(await kthNeighbourDistances(f, k, rowsFor(f.size))); // [m], squared
    held.push(fakeRadii);
    const precision = (await countInside(f, r, realRadii, rowsFor(r.size))) / f.size;
    const recall = (await countInside(r, f, fakeRadii, rowsFor(f.size))) / r.size;
    return { precision, recall };
  } finally {
    for (const t of held) t.dispose();
  }
}

/** A centred set, its squared norms and its size. */
interface Centred {
  readonly x: tf.Tensor2D;
  readonly sq: tf.Tensor1D;
  readonly size: number;
}

/** Squared distances from rows [start, start + rows) of `query` to every row of `ref`: [rows, ref.size]. */
function squaredDistances(query: Centred, start: number, rows: number, ref: Centred): tf.Tensor2D {
  const q = tf.slice(query.x, [start, 0], [rows, -1]); // [rows, d]
  const qSq = tf.reshape(tf.slice(query.sq, [start], [rows]), [rows, 1]); // [rows, 1]
  const cross = tf.matMul(q, ref.x, false, true); // [rows, N]
  // Rounding can take ‖a‖² + ‖b‖² − 2aᵀb a little below zero for (near-)identical points.
  return tf.relu(tf.sub(tf.add(qSq, ref.sq), tf.mul(cross, 2))) as tf.Tensor2D;
}

/** Each sample's squared distance to its k-th nearest other sample: the k + 1-th smallest, the first being itself. */
async function kthNeighbourDistances(set: Centred, k: number, rows: number): Promise<Float32Array> {
  const out = new Float32Array(set.size);
  for (let start = 0; start < set.size; start += rows) {
    const count = Math.min(rows, set.size - start);
    const kth = tf.tidy(() => {
      const nearest = tf.topk(tf.neg(squaredDistances(set, start, count, set)), k + 1).values; // [count, k + 1]
      return tf.neg(tf.reshape(tf.slice(nearest, [0, k], [count, 1]), [count])); // [count]
    });
    try {
      out.set(await kth.data(), start);
    } finally {
      kth.dispose();
    }
  }
  return out;
}

/** How many rows of `query` lie within `radii` (squared) of at least one row of `ref`. */
async function countInside(query: Centred, ref: Centred, radii: tf.Tensor1D, rows: number): Promise<number> {
  let inside = 0;
  for (let start = 0; start < query.size; start += rows) {
    const count = Math.min(rows, query.size - start);
    const hits = tf.tidy(() => {
      const within = tf.lessEqual(squaredDistances(query, start, count, ref), radii); // [count, N]
      return tf.sum(tf.cast(tf.any(within, 1), 'int32')); // scalar
    });
    try {
      inside += (await hits.data())[0]!;
    } finally {
      hits.dispose();
    }
  }
  return inside;
}
