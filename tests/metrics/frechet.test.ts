import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { featureStatistics, frechetDistance, type FeatureStatistics } from '../../src/metrics';
import { describeEachBackend } from '../helpers/backends';
import { rejected } from '../helpers/errors';
import { expectNoLeak } from '../helpers/memory';
import {
  correlatedFeatures,
  covarianceOf,
  frechetReference,
  frechetReferenceJacobi,
  frechetReferenceSampleSpace,
  meanOf,
  type Matrix,
} from './reference';

/** Runs `fn` on tensors made from `sets` and disposes them after, checking that `fn` left them alive. */
async function withTensors<T>(sets: Matrix[], fn: (...ts: tf.Tensor2D[]) => Promise<T>): Promise<T> {
  const ts = sets.map((s) => tf.tensor2d(s));
  try {
    return await fn(...ts);
  } finally {
    for (const t of ts) {
      expect(t.isDisposed).toBe(false);
      t.dispose();
    }
  }
}

const fd = (a: Matrix, b: Matrix): Promise<number> => withTensors([a, b], (x, y) => frechetDistance(x, y));
const signs = (d: number): number[][] =>
  Array.from({ length: 2 ** d }, (_, r) => Array.from({ length: d }, (_, j) => ((r >> j) & 1 ? -1 : 1)));

describeEachBackend('frechetDistance', () => {
  it('gives the hand-computed value in one dimension: (μ₁ − μ₂)² + (σ₁ − σ₂)²', async () => {
    // real {0, 2}: μ 1, σ² 2 (n − 1 normalisation); fake {1, 5}: μ 3, σ² 8. FD = 4 + (√2 − √8)² = 4 + 2 = 6.
    expect(await fd([[0], [2]], [[1], [5]])).toBeCloseTo(6, 5);
    // Any 1-D sets: the closed form with float64 moments of the same float32 values.
    const a = correlatedFeatures(50, 1, 3).map((r) => [r[0]! * 2]);
    const b = correlatedFeatures(70, 1, 4, 1.5);
    const [sa, sb] = [Math.sqrt(covarianceOf(a)[0]![0]!), Math.sqrt(covarianceOf(b)[0]![0]!)];
    const want = (meanOf(a)[0]! - meanOf(b)[0]!) ** 2 + (sa - sb) ** 2;
    expect(Math.abs((await fd(a, b)) - want)).toBeLessThan(1e-5 * (1 + want));
  });

  it('gives the closed form Σ (μ₁ᵢ − μ₂ᵢ)² + (σ₁ᵢ − σ₂ᵢ)² for exactly diagonal covariances', async () => {
    // The 2³ sign patterns have orthogonal, zero-mean columns: variances 8s²/7, no covariance.
    const real = signs(3).map((r) => r.map((v, j) => v * [1, 2, 3][j]!));
    const fake = signs(3).map((r) => r.map((v, j) => v * [2, 2, 1][j]! + [0.5, 0, -1][j]!));
    // 0.25 + 0 + 1 + (8/7)·((1 − 2)² + 0 + (3 − 1)²) = 1.25 + 40/7
    expect(Math.abs((await fd(real, fake)) - (1.25 + 40 / 7))).toBeLessThan(1e-5);
  });

  it('matches a float64 reference (Denman–Beavers square root of Σ₁Σ₂) on correlated features', async () => {
    const real = correlatedFeatures(200, 8, 11);
    const fake = correlatedFeatures(150, 8, 12, 0.3, 1.5);
    const want = frechetReference(meanOf(real), covarianceOf(real), meanOf(fake), covarianceOf(fake));
    const got = await fd(real, fake);
    expect(want).toBeGreaterThan(1);
    expect(Math.abs(got - want) / want).toBeLessThan(1e-6);
  });

  it('matches a float64 Jacobi reference when one covariance is singular (n < d)', async () => {
    const real = correlatedFeatures(6, 10, 21); // rank ≤ 5
    const fake = correlatedFeatures(100, 10, 22, -0.2);
    const want = frechetReferenceJacobi(meanOf(real), covarianceOf(real), meanOf(fake), covarianceOf(fake));
    expect(Math.abs((await fd(real, fake)) - want) / want).toBeLessThan(1e-6);
    expect(Math.abs((await fd(fake, real)) - want) / want).toBeLessThan(1e-6);
  });

  it('matches a float64 sample-space reference when both covariances are singular', async () => {
    const real = correlatedFeatures(8, 12, 23);
    const fake = correlatedFeatures(7, 12, 24, 0.4);
    const want = frechetReferenceSampleSpace(real, fake);
    expect(Math.abs((await fd(real, fake)) - want) / want).toBeLessThan(1e-6);
    expect(Math.abs((await fd(fake, real)) - want) / want).toBeLessThan(1e-6);
    expect(Math.abs(frechetReferenceSampleSpace(fake, real) - want) / want).toBeLessThan(1e-8);
  });

  it('keeps float64 statistics exact down to tiny eigenvalues, and floors float32 ones at about 1e-6', async () => {
    await withTensors([[[0, 0], [1, 1]]], async (x2) => {
      const [a, b] = [1e-9, 4e-9]; // FD = (√1 − √1)² + (√a − √b)² = a, to float64's 1e-16 of the traces
      const stats = (v: number, arithmetic?: 'float32' | 'float64'): FeatureStatistics => ({
        mean: [0, 0],
        covariance: [1, 0, 0, v],
        ...(arithmetic === undefined ? {} : { arithmetic }),
      });
      expect((await frechetDistance(stats(a), stats(b))) / a).toBeCloseTo(1, 6);
      // Below the float32 floor both small eigenvalues count as zero: only the traces remain, a + b.
      expect((await frechetDistance(stats(a, 'float32'), stats(b))) / (a + b)).toBeCloseTo(1, 6);
      const e = await rejected(frechetDistance({ ...stats(a), arithmetic: 'float16' as 'float32' }, x2));
      expect([e.name, e.argument]).toEqual(['ValueError', 'realFeatures.arithmetic']);
    });
  });

  it('is 0 for a set against itself, and shifting one set by v adds ‖v‖²', async () => {
    const x = correlatedFeatures(120, 16, 31);
    const traceSigma = covarianceOf(x).reduce((s, row, i) => s + row[i]!, 0);
    expect(await fd(x, x)).toBeLessThan(1e-6 * traceSigma);
    expect(await fd(signs(2), signs(2))).toBe(0);
    const v = Array.from({ length: 16 }, (_, j) => (j % 3) - 1 + 0.25 * j);
    const norm2 = v.reduce((s, vi) => s + vi * vi, 0);
    const shifted = await withTensors([x], async (t) => {
      const moved = tf.add(t, tf.tensor1d(v));
      try {
        return await frechetDistance(t, moved);
      } finally {
        moved.dispose();
      }
    });
    expect(Math.abs(shifted - norm2)).toBeLessThan(1e-4 * (norm2 + traceSigma));
  });

  it('takes precomputed statistics for either set, flat or as rows, with the same result', async () => {
    const real = correlatedFeatures(90, 5, 41);
    const fake = correlatedFeatures(80, 5, 42, 0.5);
    await withTensors([real, fake], async (x, y) => {
      const stats = await featureStatistics(x);
      expect(stats.count).toBe(90);
      const [mu, sigma] = [meanOf(real), covarianceOf(real)];
      Array.from(stats.mean).forEach((m, i) => expect(Math.abs(m - mu[i]!)).toBeLessThan(1e-5));
      Array.from(stats.covariance as Float64Array).forEach((c, i) => {
        expect(Math.abs(c - sigma[Math.floor(i / 5)]![i % 5]!)).toBeLessThan(1e-5);
      });
      const direct = await frechetDistance(x, y);
      expect(await frechetDistance(stats, y)).toBe(direct);
      const fakeStats = await featureStatistics(y);
      expect(await frechetDistance(stats, fakeStats)).toBe(direct);
      expect(await frechetDistance(x, fakeStats)).toBe(direct);
      // Plain arrays, with the covariance as rows, as exported from numpy's mu, sigma.tolist().
      const rows: FeatureStatistics = { mean: Array.from(stats.mean), covariance: sigma };
      expect(Math.abs((await frechetDistance(rows, y)) - direct)).toBeLessThan(1e-5 * direct);
    });
  });

  it('names the argument at fault', async () => {
    await withTensors([correlatedFeatures(10, 4, 1), correlatedFeatures(10, 3, 2)], async (x, y3) => {
      const e1 = await rejected(frechetDistance(x, y3));
      expect([e1.name, e1.argument]).toEqual(['ShapeError', 'fakeFeatures']);
      const flat = tf.zeros([10]);
      const e2 = await rejected(frechetDistance(flat, x));
      expect([e2.name, e2.argument]).toEqual(['ShapeError', 'realFeatures']);
      const one = tf.zeros([1, 4]);
      const e3 = await rejected(frechetDistance(x, one));
      expect([e3.name, e3.argument, e3.expected]).toEqual(['ShapeError', 'fakeFeatures', 'shape [n>=2, d]']);
      const ints = tf.zeros([5, 4], 'int32');
      expect((await rejected(frechetDistance(ints, x))).name).toBe('ShapeError');
      const nan = tf.tensor2d([[0, 1, 2, NaN], [1, 2, 3, 4]]);
      const e4 = await rejected(frechetDistance(x, nan));
      expect([e4.name, e4.argument]).toEqual(['ValueError', 'fakeFeatures']);
      const e5 = await rejected(featureStatistics(nan));
      expect([e5.name, e5.argument]).toEqual(['ValueError', 'features']);
      const e6 = await rejected(frechetDistance(x, [1, 2] as unknown as tf.Tensor));
      expect([e6.name, e6.argument]).toEqual(['ShapeError', 'fakeFeatures']);
      tf.dispose([flat, one, ints, nan]);
      const gone = tf.zeros([5, 4]);
      gone.dispose();
      expect((await rejected(frechetDistance(gone, x))).name).toBe('ValueError');
    });
  });

  it('checks precomputed statistics', async () => {
    await withTensors([correlatedFeatures(10, 2, 1)], async (x) => {
      const cases: [FeatureStatistics, string, string][] = [
        [{ mean: [0, 0], covariance: [1, 0, 0] }, 'ShapeError', 'realFeatures.covariance'],
        [{ mean: [0, 0], covariance: [[1, 0], [0]] }, 'ShapeError', 'realFeatures.covariance[1]'],
        [{ mean: [0, NaN], covariance: [1, 0, 0, 1] }, 'ValueError', 'realFeatures.mean'],
        [{ mean: [0, 0], covariance: [1, 0.5, 0, 1] }, 'ValueError', 'realFeatures.covariance'],
        [{ mean: [0, 0], covariance: [1, 0, 0, -1] }, 'ValueError', 'realFeatures.covariance'],
        [{ mean: [0, 0, 0], covariance: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, 'ShapeError', 'fakeFeatures'],
        [{ mean: [], covariance: [] }, 'ShapeError', 'realFeatures.mean'],
      ];
      for (const [stats, name, argument] of cases) {
        const e = await rejected(frechetDistance(stats, x));
        expect([e.name, e.argument], JSON.stringify(stats)).toEqual([name, argument]);
      }
    });
  });

  it('leaks no tensor, on success or failure', async () => {
    await withTensors([correlatedFeatures(40, 6, 1), correlatedFeatures(30, 6, 2)], async (x, y) => {
      await expectNoLeak(() => frechetDistance(x, y));
      await expectNoLeak(() => featureStatistics(x));
      const nan = tf.fill([4, 6], NaN);
      await expectNoLeak(() => frechetDistance(x, nan).catch(() => undefined));
      nan.dispose();
    });
  });
});
