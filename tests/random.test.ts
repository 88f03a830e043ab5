import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValueError } from '../src';
import { SeedStream, assertSeed, mixSeed } from '../src/random';
import { caught } from './helpers/errors';

/** The mixer before seeds kept all 53 bits: it read only `seed | 0`. */
function int32Mix(seed: number, index: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) + Math.imul(index | 0, 0x85ebca6b)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x21f0aaad);
  h = Math.imul(h ^ (h >>> 15), 0x735a2d97);
  return (h ^ (h >>> 15)) >>> 0;
}

const draw = (stream: SeedStream, n = 4) => Array.from({ length: n }, () => stream.next());

describe('seeds keep all 53 bits', () => {
  it('seeds that agree in their low 32 bits give different streams (1 and 2^32 + 1)', () => {
    expect(draw(new SeedStream(2 ** 32 + 1))).not.toEqual(draw(new SeedStream(1)));
    expect(draw(new SeedStream(-1))).not.toEqual(draw(new SeedStream(2 ** 32 - 1)));
    expect(draw(new SeedStream(Number.MAX_SAFE_INTEGER))).not.toEqual(draw(new SeedStream(2 ** 32 - 1)));
    expect(draw(new SeedStream(1).fork(1))).not.toEqual(draw(new SeedStream(2 ** 32 + 1).fork(1)));
  });

  it('no two of the seeds k·2^32 + 7 (k = 0..999) share a first draw', () => {
    const firsts = new Set(Array.from({ length: 1000 }, (_, k) => new SeedStream(k * 2 ** 32 + 7).next()));
    expect(firsts.size).toBe(1000);
  });

  it('seeds and indices in [0, 2^32) keep the numbers they gave before', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (s, i) => {
        expect(mixSeed(s, i)).toBe(int32Mix(s, i));
      }),
      { seed: 9, numRuns: 2000 },
    );
    // fork() read `seed ^ 0x5bd1e995` before; its streams are unchanged for these seeds too.
    const stream = new SeedStream(3_000_000_000);
    expect(stream.fork(5).seed).toBe(int32Mix(3_000_000_000 ^ 0x5bd1e995, 5));
  });

  it('draws are integers in [1, 2^32), and { seed: 0 } replays', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.nat({ max: 1000 }), (seed, draws) => {
        const value = new SeedStream(seed, draws).next();
        expect(Number.isInteger(value) && value >= 1 && value < 2 ** 32).toBe(true);
      }),
      { seed: 10, numRuns: 1000 },
    );
    expect(draw(new SeedStream(0))).toEqual(draw(new SeedStream(0)));
  });

  it('resuming at a draw count continues the same stream', () => {
    const whole = draw(new SeedStream(2 ** 40 + 3), 6);
    expect(draw(new SeedStream(2 ** 40 + 3, 2), 4)).toEqual(whole.slice(2));
  });
});

describe('bad seeds', () => {
  it.each([1.5, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), '1', null])('SeedStream(%s) is a ValueError naming seed', (s) => {
    const e = caught(() => new SeedStream(s as number));
    expect(isValueError(e), String(e)).toBe(true);
    expect(e.argument).toBe('seed');
  });

  it('a bad draw count is a ValueError', () => {
    for (const d of [-1, 0.5, NaN]) expect(caught(() => new SeedStream(1, d)).argument).toBe('draws');
  });

  it('assertSeed names the argument and picks the error kind', () => {
    expect(caught(() => assertSeed(1.5, 'config.seed')).kind).toBe('config');
    expect(caught(() => assertSeed(NaN, 'options.seed', 'value')).kind).toBe('value');
    expect(caught(() => assertSeed(NaN, 'options.seed', 'value')).argument).toBe('options.seed');
    expect(() => assertSeed(-(2 ** 53 - 1), 'config.seed')).not.toThrow();
  });
});
