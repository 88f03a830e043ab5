import * as tf from '@tensorflow/tfjs-core';

/**
 * One scalar per variable's gradient that is finite exactly when the gradient is (a sum: NaN and ±Infinity spread
 * through it), so a whole step's check costs one kernel per gradient and rides on the step's single read-back of its
 * logs. A sum beyond float32's range also reads as non-finite, which is as much a failure. Call inside `tf.tidy`.
 */
export function finiteProbes(variables: readonly tf.Variable[], grads: tf.NamedTensorMap): tf.Scalar[] {
  return variables.map((v) => {
    const g = grads[v.name];
    return g === undefined ? tf.scalar(0) : tf.sum(g);
  });
}

/** The name of the first part whose probe value is not finite, or undefined when all are. */
export function firstNonFinite(values: ArrayLike<number>, names: readonly string[], offset = 0): string | undefined {
  for (let i = 0; i < names.length; i++) if (!Number.isFinite(values[offset + i]!)) return names[i];
  return undefined;
}
