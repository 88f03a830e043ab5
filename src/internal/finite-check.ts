import * as tf from '@tensorflow/tfjs-core';

/**
 * Reduces each tensor to one number that is finite exactly when the tensor is (a sum: NaN and ±Infinity spread
 * through it), stacked into one vector, so a whole step's check costs one kernel per tensor and rides on the step's
 * single read-back of its logs. A sum beyond float32's range also reads as non-finite, which is as much a failure.
 * Call inside `tf.tidy`.
 */
export function finiteProbe(tensors: readonly tf.Tensor[]): tf.Tensor1D {
  return tf.stack(tensors.map((t) => tf.sum(t))) as tf.Tensor1D;
}

/** The name of the first part whose probe value is not finite, or undefined when all are. */
export function firstNonFinite(values: ArrayLike<number>, names: readonly string[], offset = 0): string | undefined {
  for (let i = 0; i < names.length; i++) if (!Number.isFinite(values[offset + i]!)) return names[i];
  return undefined;
}
