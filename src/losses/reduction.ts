import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError, ValueError } from '../errors';
import { assertOptions } from '../internal/options';
import { assertFloat, assertTensor, describe, formatShape, sameShape } from '../internal/shapes';

/**
 * How a loss turns per-element values into its result: `'mean'` over all elements (the default), `'sum'`, or
 * `'none'` to get the per-element tensor back with the input's shape.
 *
 * @example
 * ```ts
 * const reduction: Reduction = 'sum';
 * const loss = wassersteinGeneratorLoss(fakeLogits, { reduction });
 * ```
 * @group Losses
 */
export type Reduction = 'mean' | 'sum' | 'none';

/**
 * Weights for per-element loss values: a finite number >= 0, or a float32 tensor of finite values >= 0 whose shape
 * broadcasts to the logits' shape without changing it (`[batch, 1]` or `[1]` for logits `[batch, 1]`, but not
 * `[batch, batch]`). A tensor is read back once per call to check its values; pass a number to avoid that read.
 *
 * @example
 * ```ts
 * const weights: LossWeights = tf.tensor2d([[1], [0.5]]); // one weight per example of logits [2, 1]
 * nonSaturatingGeneratorLoss(tf.tensor2d([[2], [-1]]), { weights }).print();
 * ```
 * @group Losses
 */
export type LossWeights = number | tf.Tensor;

/**
 * Options every loss takes.
 *
 * @example
 * ```ts
 * const perElement = hingeGeneratorLoss(fakeLogits, { reduction: 'none' }); // fakeLogits' shape
 * ```
 * @group Losses
 */
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
    throw new ConfigError(argument, "'mean', 'sum' or 'none'", describe(r));
  }
  return r;
}

/**
 * Checks a per-call options object: a plain object whose keys are all documented, so a typo such as `{ reductin }`
 * is an error instead of a silently ignored option.
 * @internal
 */
export function assertLossOptions(options: unknown, known: readonly string[], typeName: string): void {
  assertOptions(options, known, 'options', typeName);
}

/**
 * Whether `from` broadcasts to exactly `to` (numpy rules, trailing axes aligned): the result of combining the two has
 * the shape `to`.
 * @internal
 */
export function broadcastsTo(from: readonly number[], to: readonly number[]): boolean {
  const offset = to.length - from.length;
  return offset >= 0 && from.every((d, i) => d === 1 || d === to[i + offset]);
}

/**
 * Checks a {@link LossWeights} option against the shape of the values it weights, before anything is computed: a bigger
 * tensor would otherwise broadcast the result to a new shape, and a NaN or negative weight would turn the loss into
 * NaN or reward the very errors it measures.
 * @internal
 */
export function assertWeights(weights: unknown, argument: string, valuesShape: readonly number[]): void {
  if (weights === undefined) return;
  if (typeof weights === 'number') {
    if (!Number.isFinite(weights) || weights < 0) throw new ConfigError(argument, 'a finite number >= 0', String(weights));
    return;
  }
  if (!(weights instanceof tf.Tensor)) {
    const received =
      typeof weights === 'string'
        ? describe(weights)
        : Array.isArray(weights)
          ? 'an array'
          : typeof weights === 'object' && weights !== null
            ? 'an object'
            : String(weights);
    throw new ConfigError(argument, 'a finite number >= 0 or a float32 tensor', received);
  }
  assertTensor(weights, argument);
  assertFloat(weights, argument);
  if (!broadcastsTo(weights.shape, valuesShape)) {
    const expected = `a shape that broadcasts to ${formatShape(valuesShape)} without changing it`;
    throw new ShapeError(argument, expected, formatShape(weights.shape));
  }
  const values = weights.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!(v >= 0 && v < Infinity)) {
      throw new ValueError(argument, 'finite values >= 0', `a tensor containing ${v} (at flat index ${i})`);
    }
  }
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
