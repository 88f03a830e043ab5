import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../errors';
import { describe } from '../internal/describe';
import { assertSeed, mixSeed } from '../random';

/**
 * Constructor arguments of {@link SeededDropout}.
 *
 * @example
 * ```ts
 * const args: SeededDropoutArgs = { rate: 0.3, seed: 7, name: 'd_dropout' };
 * const dropout = new SeededDropout(args);
 * ```
 * @group Architectures
 */
export interface SeededDropoutArgs {
  /** Fraction of units dropped in training, in [0, 1). */
  readonly rate: number;
  /** Base seed, any safe integer; call `i` draws its mask from `mix(seed, i)`. */
  readonly seed: number;
  /** Layer name. */
  readonly name?: string;
}

/**
 * Dropout whose masks are reproducible from a seed yet differ from step to step.
 *
 * tfjs-layers' `dropout({ seed })` reuses its seed on every call, so each step drops the same units; without a seed
 * it draws from `Math.random`, so runs cannot be replayed. This layer draws call `i`'s mask from `mix(seed, i)`.
 * Inference (`training: false`) passes inputs through. To load a saved model that contains it, call
 * {@link registerGenerativeLayers} first.
 *
 * @example
 * ```ts
 * const model = tfl.sequential({ layers: [
 *   tfl.layers.dense({ inputShape: [784], units: 256 }),
 *   new SeededDropout({ rate: 0.3, seed: 7 }),
 * ] });
 * ```
 * @group Architectures
 */
export class SeededDropout extends tfl.layers.Layer {
  /** The name this layer is registered under for (de)serialisation. */
  static get className(): string {
    return 'TfjsGenerativeSeededDropout';
  }

  /** Fraction of units dropped in training. */
  readonly rate: number;
  /** Base seed; restored with {@link SeededDropout.draws} when a model's saved state is loaded. */
  seed: number;
  /** How many masks this layer has drawn; part of a model's saved state, so a resumed run draws the same masks. */
  draws = 0;

  /**
   * @param args - rate, seed and an optional name
   * @throws {@link ConfigError} for a rate outside [0, 1) or a seed that is not a safe integer
   */
  constructor(args: SeededDropoutArgs) {
    super(layerArgs(args));
    if (typeof args.rate !== 'number' || !(args.rate >= 0 && args.rate < 1)) {
      throw new ConfigError('args.rate', 'a number in [0, 1)', describe(args.rate));
    }
    assertSeed(args.seed, 'args.seed');
    this.rate = args.rate;
    this.seed = args.seed;
    this.supportsMasking = true;
  }

  /** Drops units with probability `rate` (scaling the rest by 1 / (1 − rate)) when `kwargs.training` is true. */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (x === undefined) throw new Error('SeededDropout expects one input tensor');
    if (kwargs['training'] !== true || this.rate <= 0) return x;
    return tf.dropout(x, this.rate, undefined, mixSeed(this.seed, this.draws++));
  }

  /** Configuration for serialisation. */
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}

/** The base layer's arguments, after checking that `args` is an object at all (the base constructor reads it first). */
function layerArgs(args: unknown): { name?: string } {
  if (typeof args !== 'object' || args === null) {
    throw new ConfigError('args', 'an object { rate, seed, name? }', describe(args));
  }
  const { name } = args as { name?: unknown };
  return name === undefined ? {} : { name: name as string };
}
