/**
 * Input checks shared by the metrics: feature sets are float32 `[n, d]` tensors with enough rows and finite values,
 * and two sets compared with each other have the same `d`.
 * @module
 * @internal
 */

import type * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '../errors';
import { assertFiniteInRange, assertFloat, assertTensor, describe, formatShape } from '../internal/shapes';

/**
 * Checks a feature set: a live float32 tensor `[n, d]` with n >= `minRows`, d >= 1 and finite values.
 *
 * @param why - what `minRows` comes from, for the message, e.g. `a covariance needs two samples`
 * @internal
 */
export async function checkFeatures(
  value: unknown,
  argument: string,
  minRows: number,
  why: string,
): Promise<tf.Tensor2D> {
  assertTensor(value, argument);
  if (value.rank !== 2) {
    const received = `rank ${value.rank}, shape ${formatShape(value.shape)}`;
    throw new ShapeError(argument, 'a rank-2 tensor [n, d] (one feature vector per row)', received);
  }
  assertFloat(value, argument);
  const [n, d] = value.shape as [number, number];
  if (d < 1) throw new ShapeError(argument, 'shape [n, d>=1]', formatShape(value.shape));
  if (n < minRows) throw new ShapeError(argument, `shape [n>=${minRows}, d]`, formatShape(value.shape), `${why}.`);
  await assertFiniteInRange(value, argument);
  return value as tf.Tensor2D;
}

/** Throws a ShapeError naming `argument` unless its feature dimension is `d`, the one `reference` has. */
export function checkSameDimension(received: number, d: number, argument: string, reference: string): void {
  if (received !== d) {
    throw new ShapeError(argument, `feature dimension ${d} (as in ${reference})`, `feature dimension ${received}`);
  }
}

/** An optional integer option >= `min` (ConfigError otherwise), or its default. */
export function integerOption(value: unknown, argument: string, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(argument, `an integer >= ${min}`, describe(value));
  }
  return value;
}

/** An optional number option in [min, max] (ConfigError otherwise), or its default. */
export function numberOption(value: unknown, argument: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(argument, `a number in [${min}, ${max}]`, describe(value));
  }
  return value;
}
