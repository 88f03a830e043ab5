import * as tf from '@tensorflow/tfjs-core';

/*
 * Stable forms used by every loss of this library.
 *
 * With σ(x) = 1 / (1 + e^−x):
 *   −log σ(x)     = log(1 + e^−x) = softplus(−x)
 *   −log(1 − σ(x)) = log(1 + e^x)  = softplus(x)
 * softplus(x) = max(x, 0) + log1p(e^−|x|) never exponentiates a large positive number, so both stay finite for any
 * finite logit, and d/dx softplus(x) = σ(x) is bounded. Writing log(sigmoid(x)) instead underflows to log(0) = −∞
 * once σ(x) rounds to 0 (x below about −88 in float32) and its gradient becomes NaN.
 *
 * The sigmoid cross-entropy against a soft target z ∈ [0, 1] follows:
 *   −z·log σ(x) − (1 − z)·log(1 − σ(x)) = z·softplus(−x) + (1 − z)·softplus(x).
 */

/** −log σ(x): the loss of calling `x` real. */
export function negLogSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.softplus(tf.neg(x));
}

/** −log(1 − σ(x)): the loss of calling `x` fake. */
export function negLogOneMinusSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.softplus(x);
}

/** Sigmoid cross-entropy of logits `x` against the constant target `z`. */
export function sigmoidCrossEntropy(x: tf.Tensor, z: number): tf.Tensor {
  if (z === 1) return negLogSigmoid(x);
  if (z === 0) return negLogOneMinusSigmoid(x);
  return tf.add(tf.mul(z, negLogSigmoid(x)), tf.mul(1 - z, negLogOneMinusSigmoid(x)));
}
