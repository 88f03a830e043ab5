/**
 * Seed plumbing: one user seed becomes a reproducible stream of integer seeds, one for each random op, so that every
 * call draws fresh numbers yet the whole run replays exactly from the same seed.
 * @module
 */

import { ConfigError, ValueError } from './errors';
import { describe } from './internal/describe';

const UINT32 = 0x1_0000_0000;

/** MurmurHash3's 32-bit finaliser: a bijection of the int32s that maps 0 to 0. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** The bits of a safe integer above its low 32, as an int32: 0 for every integer in [0, 2^32). */
function highBits(n: number): number {
  return Math.floor(n / UINT32) | 0;
}

/**
 * Mixes the two 32-bit halves of a seed and of an index. The high halves enter through fmix32, which maps 0 to 0, so
 * seeds and indices in [0, 2^32) keep the numbers they have always given; any other high half is a bijection of it,
 * so two seeds that differ only above bit 32 (1 and 2^32 + 1) give different streams.
 */
function mix(lo: number, hi: number, index: number, indexHi: number): number {
  let h = (Math.imul(lo, 0x9e3779b1) + Math.imul(index, 0x85ebca6b)) | 0;
  h ^= fmix32(Math.imul(hi, 0x27d4eb2f)) ^ fmix32(Math.imul(indexHi, 0x165667b1));
  h = Math.imul(h ^ (h >>> 16), 0x21f0aaad);
  h = Math.imul(h ^ (h >>> 15), 0x735a2d97);
  return (h ^ (h >>> 15)) >>> 0;
}

/**
 * SplitMix32-style integer mixer over all 53 bits of a safe-integer seed and index. Pure: the same input gives the
 * same output, an integer in [0, 2^32).
 * @internal
 */
export function mixSeed(seed: number, index: number): number {
  // `x | 0` keeps x mod 2^32, exactly, for every safe integer (negative ones included).
  return mix(seed | 0, highBits(seed), index | 0, highBits(index));
}

/**
 * The seed to hand a tfjs random op. tfjs reads a seed of 0 as "no seed" (`seed ? seed : Math.random()`), which
 * would make `{ seed: 0 }` silently irreproducible, so 0 is mapped to another constant.
 * @internal
 */
export function opSeed(seed: number): number {
  return seed === 0 ? 0x9e3779b9 : seed;
}

/**
 * Checks a seed: any safe integer (`Number.isSafeInteger`, so |seed| < 2^53), every bit of which counts. A fraction,
 * NaN or ±Infinity would otherwise be truncated into some other seed's run. Configs throw a {@link ConfigError},
 * per-call options a {@link ValueError}.
 * @internal
 */
export function assertSeed(
  value: unknown,
  argument: string,
  kind: 'config' | 'value' = 'config',
): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    const received = describe(value);
    const expected = 'a safe integer (|seed| < 2^53)';
    if (kind === 'config') throw new ConfigError(argument, expected, received);
    throw new ValueError(argument, expected, received);
  }
}

/**
 * A deterministic stream of seeds for tfjs random ops (`tf.randomNormal(..., seed)`), which otherwise fall back to
 * `Math.random`.
 *
 * @example
 * ```ts
 * const seeds = new SeedStream(42);
 * const z1 = tf.randomNormal([8, 100], 0, 1, 'float32', seeds.next());
 * const z2 = tf.randomNormal([8, 100], 0, 1, 'float32', seeds.next()); // differs from z1, same on every run
 * ```
 * @group Utilities
 */
export class SeedStream {
  private counter: number;
  /** The seed this stream started from. */
  readonly seed: number;

  /**
   * @param seed - any safe integer, all 53 bits of which are used; omitted, a random seed is drawn, so the run is not
   *   reproducible
   * @param draws - how many seeds to skip, to resume a stream where {@link SeedStream.draws} left it
   * @throws {@link ValueError} when `seed` is not a safe integer or `draws` not a safe integer >= 0
   */
  constructor(seed?: number, draws = 0) {
    if (seed !== undefined) assertSeed(seed, 'seed', 'value');
    if (!Number.isSafeInteger(draws) || draws < 0) {
      throw new ValueError('draws', 'a safe integer >= 0', describe(draws));
    }
    this.seed = seed === undefined ? Math.floor(Math.random() * UINT32) : seed;
    this.counter = draws;
  }

  /** How many seeds {@link SeedStream.next} has handed out: with `seed`, all it takes to resume the stream. */
  get draws(): number {
    return this.counter;
  }

  /** The next seed, an integer in [1, 2^32) (never 0, which tfjs reads as "unseeded"). */
  next(): number {
    return opSeed(mixSeed(this.seed, this.counter++));
  }

  /**
   * A new independent stream for a named purpose, so adding draws in one place never shifts another's.
   *
   * @param label - a safe integer naming the purpose; different labels give independent streams
   */
  fork(label: number): SeedStream {
    if (!Number.isSafeInteger(label)) throw new ValueError('label', 'a safe integer', describe(label));
    return new SeedStream(mix((this.seed | 0) ^ 0x5bd1e995, highBits(this.seed), label | 0, highBits(label)));
  }
}
