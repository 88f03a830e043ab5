import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '../errors';
import { assertTensor, formatShape, sameShape } from '../internal/shapes';

/**
 * How a loss turns per-element values into its result: `'mean'` over all elements (the default), `'sum'`, or
 * `'none'` to get the per-element tensor back with the input's shape.
 */
export type Reduction = 'mean' | 'sum' | 'none';

/** Weights for per-element loss values: a number, or a tensor that broadcasts against the logits. */
export type LossWeights = number | tf.Tensor;

/** Options every loss takes. */
export interface ReductionOptions {
  /**
   * How to reduce the per-element values.
   * @defaultValue `'mean'`
   */
  readonly reduction?: Reduction;
}

export function resolveReduction(reduction: Reduction | undefined, argument: string): Reduction {
  const r = reduction ?? 'mean';
  if (r !== 'mean' && r !== 'sum' && r !== 'none') {
    throw new ConfigError(argument, "'mean', 'sum' or 'none'", JSON.stringify(r));
  }
  return r;
}

/** Checks a logits argument: a float tensor of rank >= 1 (one logit per example, or a patch of them). */
export function assertLogits(logits: unknown, argument: string): asserts logits is tf.Tensor {
  assertTensor(logits, argument);
  if (logits.rank < 1) throw new ShapeError(argument, 'a tensor of rank >= 1', `rank 0`);
  if (logits.dtype !== 'float32') throw new ShapeError(argument, "dtype 'float32'", `dtype '${logits.dtype}'`);
}

/** Weights values, then reduces them. Mean is over all elements, so a scalar weight scales the result. */
export function reduceLoss(values: tf.Tensor, weights: LossWeights | undefined, reduction: Reduction): tf.Tensor {
  const weighted = weights === undefined ? values : tf.mul(values, weights);
  switch (reduction) {
    case 'mean':
      return tf.mean(weighted);
    case 'sum':
      return tf.sum(weighted);
    case 'none':
      return weighted;
  }
}

/** `'none'` adds real and fake terms element by element, so their shapes must agree. */
export function assertSameShapeForNone(real: tf.Tensor, fake: tf.Tensor, reduction: Reduction): void {
  if (reduction === 'none' && !sameShape(real.shape, fake.shape)) {
    throw new ShapeError(
      'fakeLogits',
      `shape ${formatShape(real.shape)} (the realLogits shape, required by reduction 'none')`,
      formatShape(fake.shape),
    );
  }
}
