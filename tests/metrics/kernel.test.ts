import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { kernelDistance, type KernelDistanceOptions } from '../../src/metrics';
import { describeEachBackend } from '../helpers/backends';
import { rejected } from '../helpers/errors';
import { expectNoLeak } from '../helpers/memory';
import { correlatedFeatures, mmdUnbiased, type Matrix } from './reference';

async function kid(real: Matrix, fake: Matrix, options?: KernelDistanceOptions) {
  const [x, y] = [tf.tensor2d(real), tf.tensor2d(fake)];
  try {
    return await kernelDistance(x, y, options);
  } finally {
    tf.dispose([x, y]);
  }
}

describeEachBackend('kernelDistance', () => {
  it('gives the hand-computed unbiased MMD² on a tiny case', async () => {
    // d = 1, k(x, y) = (xy + 1)³. X = {0, 1}: k(0, 1) = 1. Y = {1, 2}: k(1, 2) = 27.
    // Cross: k(0,1) + k(0,2) + k(1,1) + k(1,2) = 1 + 1 + 8 + 27 = 37. MMD² = 2·1/2 + 2·27/2 − 2·37/4 = 9.5.
    // With subsets as large as the sets, every subset is the whole set: every estimate is 9.5.
    const { mean, std, estimates } = await kid([[0], [1]], [[1], [2]], { subsetSize: 2, numSubsets: 3 });
    expect(estimates).toEqual([9.5, 9.5, 9.5]);
    expect([mean, std]).toEqual([9.5, 0]);
  });

  it('matches a float64 reference on whole sets', async () => {
    const real = correlatedFeatures(30, 5, 1);
    const fake = correlatedFeatures(30, 5, 2, 0.3);
    const want = mmdUnbiased(real, fake);
    const { estimates, std } = await kid(real, fake, { subsetSize: 30, numSubsets: 2 });
    for (const e of estimates) expect(Math.abs(e - want)).toBeLessThan(1e-5 * Math.abs(want) + 1e-7);
    expect(std).toBeLessThan(1e-6);
    expect(want).toBeGreaterThan(0.01);
  });

  it('is about 0 for two samples of one distribution and clearly positive for a shifted one', async () => {
    const real = correlatedFeatures(300, 8, 11);
    const options = { subsetSize: 100, numSubsets: 40, seed: 5 };
    // Two halves of one sample are two samples of the same distribution.
    const [a, b] = [real.slice(0, 150), real.slice(150)];
    const null_ = await kid(a, b, options);
    expect(Math.abs(null_.mean)).toBeLessThan(4 * (null_.std / Math.sqrt(40)) + 1e-3);
    expect(null_.estimates.some((e) => e < 0)).toBe(true); // unbiased: single estimates fall on both sides of 0
    const shifted = await kid(a, b.map((row) => row.map((v) => Math.fround(v + 0.5))), options);
    expect(shifted.mean).toBeGreaterThan(10 * (shifted.std / Math.sqrt(40)));
    expect(shifted.mean).toBeGreaterThan(20 * Math.abs(null_.mean));
    // The subset average estimates the same quantity as the whole-set estimate.
    const whole = mmdUnbiased(a, b.map((row) => row.map((v) => Math.fround(v + 0.5))));
    expect(Math.abs(shifted.mean - whole)).toBeLessThan(4 * (shifted.std / Math.sqrt(40)));
  });

  it('is reproducible: seed 0 by default, the same seed the same estimates, another seed others', async () => {
    const real = correlatedFeatures(12, 3, 21);
    const fake = correlatedFeatures(10, 3, 22, 0.2);
    const byDefault = await kid(real, fake);
    expect(byDefault.estimates).toHaveLength(100); // numSubsets defaults to 100, subsetSize to min(1000, n, m) = 10
    const explicit = await kid(real, fake, { seed: 0, subsetSize: 10, numSubsets: 100 });
    expect(explicit.estimates).toEqual(byDefault.estimates);
    const other = await kid(real, fake, { seed: 2 ** 40 + 7 });
    expect(other.estimates).not.toEqual(byDefault.estimates);
    expect((await kid(real, fake, { seed: 2 ** 40 + 7 })).estimates).toEqual(other.estimates);
  });

  it('names the argument or option at fault', async () => {
    const [x, y] = [tf.tensor2d(correlatedFeatures(6, 3, 1)), tf.tensor2d(correlatedFeatures(5, 3, 2))];
    const bad: [KernelDistanceOptions, string][] = [
      [{ subsetSize: 1 }, 'options.subsetSize'],
      [{ subsetSize: 6 }, 'options.subsetSize'], // more than m = 5
      [{ subsetSize: 2.5 }, 'options.subsetSize'],
      [{ numSubsets: 0 }, 'options.numSubsets'],
      [{ seed: 0.5 }, 'options.seed'],
      [{ subsetsize: 3 } as KernelDistanceOptions, 'options.subsetsize'],
    ];
    for (const [options, argument] of bad) {
      const e = await rejected(kernelDistance(x, y, options));
      expect([e.name, e.argument]).toEqual(['ConfigError', argument]);
    }
    const y4 = tf.zeros([5, 4]);
    const one = tf.zeros([1, 3]);
    const nan = tf.tensor2d([[1, 2, NaN], [0, 0, 0]]);
    const cases: [tf.Tensor, string, string][] = [
      [y4, 'ShapeError', 'fakeFeatures'],
      [one, 'ShapeError', 'fakeFeatures'],
      [nan, 'ValueError', 'fakeFeatures'],
    ];
    for (const [fake, name, argument] of cases) {
      const e = await rejected(kernelDistance(x, fake));
      expect([e.name, e.argument]).toEqual([name, argument]);
    }
    const flat = tf.zeros([3]);
    const e = await rejected(kernelDistance(flat, y));
    expect([e.name, e.argument]).toEqual(['ShapeError', 'realFeatures']);
    tf.dispose([x, y, y4, one, nan, flat]);
  });

  it('leaks no tensor and leaves its inputs alive', async () => {
    const [x, y] = [tf.tensor2d(correlatedFeatures(20, 4, 1)), tf.tensor2d(correlatedFeatures(15, 4, 2))];
    await expectNoLeak(() => kernelDistance(x, y, { subsetSize: 10, numSubsets: 3 }));
    await expectNoLeak(() => kernelDistance(x, y, { subsetSize: 100 }).catch(() => undefined));
    expect([x.isDisposed, y.isDisposed]).toEqual([false, false]);
    tf.dispose([x, y]);
  });
});
