/**
 * Activations that can be differentiated twice, for discriminators trained with a gradient penalty.
 *
 * A penalty such as WGAN-GP or R1 is a function of D's gradient with respect to its input, so training D on it
 * differentiates D twice ("double back-propagation"). tfjs's `leakyRelu` (and `prelu`, `elu`, `selu`, and
 * `tf.where(tf.greater(x, 0), …)`) have gradients built from comparisons (`Greater`, `Less`) or kernels (`EluGrad`)
 * that tfjs cannot differentiate, so the second pass fails with "gradient function not found for Greater" on every
 * backend. The functions here are built only from ops whose gradients tfjs can differentiate again, with no gradient
 * registered on any tfjs kernel (which would change every other user of that kernel in the page or process).
 * `tf.relu` needs no replacement: its gradient is `step(x)`, whose own gradient tfjs defines (as zero).
 * @module
 */

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../errors';
import { assertTensor, describe } from '../internal/shapes';

function checkAlpha(alpha: unknown, argument: string): asserts alpha is number {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) {
    throw new ConfigError(argument, 'a finite number (the slope for x < 0)', describe(alpha));
  }
}

/**
 * Leaky ReLU, `x` for x > 0 and `αx` otherwise, that tfjs can differentiate twice.
 *
 * It is computed as `αx + (1 − α)·relu(x)`: exactly `αx` for x <= 0 and `x` up to float32 rounding for x > 0. Its
 * gradient, `α + (1 − α)·step(x)`, is tfjs's `leakyRelu` gradient (slope α at 0 included), and the gradient of that
 * is defined, so a gradient penalty can back-propagate through it into D's weights.
 *
 * @param x - a float32 tensor; int32 and bool are read as float32, as `tf.leakyRelu` does
 * @param alpha - the slope for x <= 0, any finite number
 * @returns a float32 tensor of `x`'s shape
 * @throws {@link ShapeError} when `x` is a string or complex64 tensor, {@link ConfigError} when `alpha` is not a
 *   finite number
 *
 * @example
 * ```ts
 * const x = tf.tensor1d([-2, 0, 3]);
 * safeLeakyRelu(x, 0.2).print(); // [-0.4, 0, 3]
 * // Twice differentiable, unlike tf.leakyRelu:
 * const d2 = tf.grad((v) => tf.sum(tf.grad((u) => tf.sum(tf.mul(u, safeLeakyRelu(u))))(v)))(x);
 * ```
 * @group Architectures
 */
export function safeLeakyRelu(x: tf.Tensor, alpha = 0.2): tf.Tensor {
  assertTensor(x, 'x');
  // tf.leakyRelu takes int32 and bool and returns float32, so this does too; the cast comes first because wasm's Relu
  // has no bool kernel. Strings and complex numbers have no order to compare with 0.
  if (x.dtype !== 'float32' && x.dtype !== 'int32' && x.dtype !== 'bool') {
    throw new ShapeError('x', "dtype 'float32' (or 'int32' or 'bool', read as float32)", `dtype '${x.dtype}'`);
  }
  checkAlpha(alpha, 'alpha');
  return tf.tidy(() => {
    const v = x.dtype === 'float32' ? x : tf.cast(x, 'float32');
    return tf.add(tf.mul(v, alpha), tf.mul(tf.relu(v), 1 - alpha));
  });
}

/**
 * Constructor arguments of {@link SafeLeakyReLU}.
 *
 * @example
 * ```ts
 * const args: SafeLeakyReLUArgs = { alpha: 0.1, inputShape: [64], name: 'critic_act' };
 * const critic = tfl.sequential({ layers: [new SafeLeakyReLU(args), tfl.layers.dense({ units: 1 })] });
 * ```
 * @group Architectures
 */
export interface SafeLeakyReLUArgs {
  /**
   * Slope for x <= 0.
   * @defaultValue `0.2`
   */
  readonly alpha?: number;
  /** Layer name. */
  readonly name?: string;
  /** Shape of one input example, when this is a model's first layer. */
  readonly inputShape?: readonly (number | null)[];
}

/**
 * A tfjs-layers leaky ReLU layer that tfjs can differentiate twice (see {@link safeLeakyRelu}): a drop-in
 * replacement for `tfl.layers.leakyReLU` in a discriminator trained with a gradient penalty (WGAN-GP, R1). To load a
 * saved model that contains it, call {@link registerGenerativeLayers} first.
 *
 * @example
 * ```ts
 * const critic = tfl.sequential({ layers: [
 *   tfl.layers.dense({ inputShape: [2], units: 64 }),
 *   new SafeLeakyReLU({ alpha: 0.2 }),
 *   tfl.layers.dense({ units: 1 }),
 * ] });
 * ```
 * @group Architectures
 */
export class SafeLeakyReLU extends tfl.layers.Layer {
  /** The name this layer is registered under for (de)serialisation. */
  static get className(): string {
    return 'TfjsGenerativeSafeLeakyReLU';
  }

  /** Slope for x <= 0. */
  readonly alpha: number;

  /**
   * @param args - slope, name and the other tfjs-layers layer arguments (which a saved model's config carries)
   * @throws {@link ConfigError} for an `alpha` that is not a finite number
   */
  constructor(args: SafeLeakyReLUArgs = {}) {
    if (typeof args !== 'object' || args === null)
      throw new ConfigError('args', 'an object (SafeLeakyReLUArgs)', describe(args));
    const { alpha = 0.2, ...layerArgs } = args;
    checkAlpha(alpha, 'args.alpha');
    super(layerArgs as ConstructorParameters<typeof tfl.layers.Layer>[0]);
    this.alpha = alpha;
    this.supportsMasking = true;
  }

  /** Applies {@link safeLeakyRelu} element-wise. */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (x === undefined) throw new Error('SafeLeakyReLU expects one input tensor');
    return safeLeakyRelu(x, this.alpha);
  }

  /** Configuration for serialisation. */
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}
