import * as tf from '@tensorflow/tfjs-core';
import type { FeatureStatistics } from 'tfjs-generative';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLASSIFIER_SPLIT, MnistJudge } from '../../examples/lib/judge';
import { mnistTensors, type MnistTensors } from '../../examples/lib/mnist';
import { mulberry32 } from '../../examples/lib/prng';
import { expectNoLeak } from '../helpers/memory';

// Vite resolves the package's own name to dist/ (a build that may be stale or absent), not through tsconfig's paths
// as tsx does: point it at the sources.
vi.mock('tfjs-generative', () => import('../../src/index'));

// The committed classifier (examples/assets/mnist-classifier), judged on the 1,000 digits its training run held out.
describe('MNIST judge (examples/lib/judge.ts)', () => {
  let judge: MnistJudge;
  let data: MnistTensors;
  let heldOut: tf.Tensor2D; // the 1,000 held-out digits, [-1, 1]
  let otherReal: tf.Tensor2D; // 1,000 training digits, [-1, 1]
  let otherRealStats: FeatureStatistics;

  beforeAll(async () => {
    judge = await MnistJudge.load();
    data = mnistTensors({ ...CLASSIFIER_SPLIT, range: [-1, 1] });
    heldOut = data.test;
    otherReal = tf.slice(data.train, [0, 0], [1000, 784]);
    otherRealStats = await judge.statistics(otherReal);
  });

  afterAll(() => {
    judge.dispose();
    tf.dispose([data, otherReal]);
  });

  it('classifies held-out digits accurately', async () => {
    expect(heldOut.shape).toEqual([1000, 784]);
    const accuracy = tf.tidy(() =>
      tf.mean(tf.cast(tf.equal(tf.argMax(judge.logits(heldOut), 1), data.testLabels), 'float32')),
    );
    const value = (await accuracy.data())[0]!;
    accuracy.dispose();
    expect(value).toBeGreaterThanOrEqual(0.92); // measured: 0.931
  });

  it('gives real digits a small Fréchet distance and noise a large one', async () => {
    const floor = await judge.mnistFrechetDistance(heldOut, otherReal);
    const random = mulberry32(7);
    const noise = tf.tensor2d(
      Float32Array.from({ length: 1000 * 784 }, () => 2 * random() - 1),
      [1000, 784],
    );
    const noiseDistance = await judge.mnistFrechetDistance(noise, otherRealStats);
    noise.dispose();
    // Measured with the committed weights: floor 1.67, noise 362.
    expect(floor).toBeGreaterThan(0);
    expect(floor).toBeLessThan(3);
    expect(noiseDistance).toBeGreaterThan(100);
    expect(noiseDistance).toBeGreaterThan(50 * floor);
  });

  it('reads images as [n, 28, 28, 1] and in [0, 1] alike', async () => {
    const few = tf.slice(heldOut, [0, 0], [200, 784]);
    const images = tf.reshape(tf.div(tf.add(few, 1), 2), [200, 28, 28, 1]) as tf.Tensor4D;
    const a = judge.judgeFeatures(few);
    const b = judge.judgeFeatures(images, { range: [0, 1] });
    const difference = tf.max(tf.abs(tf.sub(a, b)));
    expect((await difference.data())[0]).toBeLessThan(1e-4);
    tf.dispose([few, images, a, b, difference]);
  });

  it('finds all ten classes among real digits', async () => {
    const coverage = await judge.mnistClassCoverage(heldOut, {
      minFraction: 0.05,
    });
    expect(coverage.covered).toBe(10);
    expect(coverage.histogram.reduce((s, c) => s + c, 0)).toBe(1000);
  });

  it('does not leak', async () => {
    const small = tf.slice(heldOut, [0, 0], [50, 784]);
    await expectNoLeak(() => judge.mnistFrechetDistance(small, otherRealStats));
    await expectNoLeak(() => judge.mnistFrechetDistance(small, small));
    await expectNoLeak(() => judge.mnistClassCoverage(small));
    await expectNoLeak(() => judge.judgeFeatures(small, { range: [0, 1] }), 1);
    small.dispose();
  });
});
