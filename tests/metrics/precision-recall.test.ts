import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { precisionRecall, type PrecisionRecallOptions } from '../../src/metrics';
import { describeEachBackend } from '../helpers/backends';
import { rejected } from '../helpers/errors';
import { expectNoLeak } from '../helpers/memory';
import { correlatedFeatures, gaussian, precisionRecallReference, type Matrix } from './reference';

async function pr(real: Matrix, fake: Matrix, options?: PrecisionRecallOptions) {
  const [x, y] = [tf.tensor2d(real), tf.tensor2d(fake)];
  try {
    return await precisionRecall(x, y, options);
  } finally {
    tf.dispose([x, y]);
  }
}

const column = (values: number[]): Matrix => values.map((v) => [v]);

describeEachBackend('precisionRecall', () => {
  it('gives the hand-computed values in one dimension', async () => {
    // k = 1. Real {0, 1, 2, 3, 10}: radii 1, 1, 1, 1, 7. Fake {0.5, 1.5, 20, 3.9}: 20 lies in no real ball
    // (|20 − 10| = 10 > 7), the others do: precision 3/4.
    expect((await pr(column([0, 1, 2, 3, 10]), column([0.5, 1.5, 20, 3.9]), { k: 1 })).precision).toBe(0.75);
    // Fake {0.5, 1.5, 3.9, 4.5}: radii 1, 1, 0.6, 0.6. Real 3 is 0.9 from 3.9 (> 0.6) and 1.5 from 1.5 and 4.5;
    // real 10 is far from all: recall 3/5. Every fake is in a real ball (4.5 in 10's, radius 7): precision 1.
    const second = await pr(column([0, 1, 2, 3, 10]), column([0.5, 1.5, 3.9, 4.5]), { k: 1 });
    expect(second).toEqual({ precision: 1, recall: 0.6 });
    // A fake exactly on a ball's boundary is inside: 3 is at distance 1 from 2, whose radius is 1; 3.5 is not.
    expect((await pr(column([0, 1, 2]), column([3, 3.5]), { k: 1 })).precision).toBe(0.5);
  });

  it('matches a float64 brute-force reference, whatever the block size', async () => {
    const real = correlatedFeatures(60, 5, 1);
    const fake = correlatedFeatures(50, 5, 2, 0.6, 1.5);
    const want = precisionRecallReference(real, fake, 3);
    expect(want.precision).toBeGreaterThan(0.1);
    expect(want.precision).toBeLessThan(0.95);
    expect(want.recall).toBeGreaterThan(0.1);
    expect(want.recall).toBeLessThan(0.95);
    for (const chunkSize of [undefined, 1, 7, 1000]) {
      expect(await pr(real, fake, chunkSize === undefined ? {} : { chunkSize })).toEqual(want);
    }
    expect(await pr(real, fake, { k: 5, chunkSize: 9 })).toEqual(precisionRecallReference(real, fake, 5));
  });

  it('is 1 for identical sets and 0 for disjoint, far-apart sets', async () => {
    const x = correlatedFeatures(40, 6, 3);
    expect(await pr(x, x)).toEqual({ precision: 1, recall: 1 });
    const far = x.map((row) => row.map((v) => Math.fround(v + 1000)));
    expect(await pr(x, far)).toEqual({ precision: 0, recall: 0 });
  });

  it('tells a mode-collapsed generator (high precision, low recall) from the real data', async () => {
    // Five well-separated clusters of real data; the fakes come from one of them only.
    const g = gaussian(7);
    const cluster = (c: number, n: number): Matrix =>
      Array.from({ length: n }, () => Array.from({ length: 5 }, (_, j) => Math.fround((j === c ? 20 : 0) + g())));
    const real = [0, 1, 2, 3, 4].flatMap((c) => cluster(c, 30));
    const { precision, recall } = await pr(real, cluster(0, 60));
    expect(precision).toBeGreaterThan(0.9);
    expect(recall).toBeLessThan(0.25);
  });

  it('names the argument or option at fault', async () => {
    const [x, y] = [tf.tensor2d(correlatedFeatures(4, 3, 1)), tf.tensor2d(correlatedFeatures(5, 3, 2))];
    const bad: [PrecisionRecallOptions, string][] = [
      [{ k: 0 }, 'options.k'],
      [{ k: 1.5 }, 'options.k'],
      [{ chunkSize: 0 }, 'options.chunkSize'],
      [{ K: 3 } as PrecisionRecallOptions, 'options.K'],
    ];
    for (const [options, argument] of bad) {
      const e = await rejected(precisionRecall(x, y, options));
      expect([e.name, e.argument]).toEqual(['ConfigError', argument]);
    }
    // k = 4 needs 5 samples per set: real has 4.
    const e = await rejected(precisionRecall(x, y, { k: 4 }));
    expect([e.name, e.argument, e.expected]).toEqual(['ShapeError', 'realFeatures', 'shape [n>=5, d]']);
    const y2 = tf.zeros([5, 2]);
    const nan = tf.tensor2d([[0, 0, 0], [1, 1, 1], [2, 2, 2], [3, 3, Infinity]]);
    for (const [fake, name] of [[y2, 'ShapeError'], [nan, 'ValueError']] as const) {
      const err = await rejected(precisionRecall(x, fake));
      expect([err.name, err.argument]).toEqual([name, 'fakeFeatures']);
    }
    tf.dispose([x, y, y2, nan]);
  });

  it('leaks no tensor and leaves its inputs alive', async () => {
    const [x, y] = [tf.tensor2d(correlatedFeatures(20, 4, 1)), tf.tensor2d(correlatedFeatures(15, 4, 2))];
    await expectNoLeak(() => precisionRecall(x, y, { chunkSize: 6 }));
    await expectNoLeak(() => precisionRecall(x, y, { k: 30 }).catch(() => undefined));
    expect([x.isDisposed, y.isDisposed]).toEqual([false, false]);
    tf.dispose([x, y]);
  });
});
