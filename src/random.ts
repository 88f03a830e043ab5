/**
 * Seed plumbing: one user seed becomes a reproducible stream of integer seeds, one for each random op, so that every
 * call draws fresh numbers yet the whole run replays exactly from the same seed.
 * @module
 */

const UINT32 = 0x1_0000_0000;

/**
 * SplitMix32-style integer mixer. Pure: the same input gives the same output.
 * @internal
 */
export function mixSeed(seed: number, index: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) + Math.imul(index | 0, 0x85ebca6b)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x21f0aaad);
  h = Math.imul(h ^ (h >>> 15), 0x735a2d97);
  return (h ^ (h >>> 15)) >>> 0;
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
 * A deterministic stream of seeds for tfjs random ops (`tf.randomNormal(..., seed)`), which otherwise fall back to
 * `Math.random`.
 *
 * @example
 * ```ts
 * const seeds = new SeedStream(42);
 * const z1 = tf.randomNormal([8, 100], 0, 1, 'float32', seeds.next());
 * const z2 = tf.randomNormal([8, 100], 0, 1, 'float32', seeds.next()); // differs from z1, same on every run
 * ```
 */
export class SeedStream {
  private counter: number;
  /** The seed this stream started from. */
  readonly seed: number;

  /**
   * @param seed - any finite number; omitted, a random seed is drawn, so the run is not reproducible
   * @param draws - how many seeds to skip, to resume a stream where {@link SeedStream.draws} left it
   */
  constructor(seed?: number, draws = 0) {
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

  /** A new independent stream for a named purpose, so adding draws in one place never shifts another's. */
  fork(label: number): SeedStream {
    return new SeedStream(mixSeed(this.seed ^ 0x5bd1e995, label));
  }
}
