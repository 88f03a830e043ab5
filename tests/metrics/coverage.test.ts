import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { classCoverage, type ClassCoverageOptions } from '../../src/metrics';
import { describeEachBackend } from '../helpers/backends';
import { rejected } from '../helpers/errors';
import { expectNoLeak } from '../helpers/memory';
import { gaussian } from './reference';

// Six samples, four classes; the argmax goes to the first of tied classes.
const PROBABILITIES = [
  [0.95, 0.03, 0.02, 0], // 0, confident at 0.9
  [0.6, 0.3, 0.1, 0], // 0
  [0.1, 0.85, 0.05, 0], // 1
  [0, 0.05, 0.95, 0], // 2, confident
  [0.91, 0.09, 0, 0], // 0, confident
  [0.5, 0.5, 0, 0], // tie: 0
];

async function coverage(options?: ClassCoverageOptions, rows = PROBABILITIES) {
  const p = tf.tensor2d(rows);
  try {
    return await classCoverage(p, options);
  } finally {
    p.dispose();
  }
}

describeEachBackend('classCoverage', () => {
  it('counts argmax classes and confident samples as computed by hand', async () => {
    expect(await coverage()).toEqual({
      classes: 4,
      covered: 3,
      coverage: 0.75,
      coveredClasses: [0, 1, 2],
      histogram: [4, 1, 1, 0],
      confidentFraction: 0.5,
    });
  });

  it('applies minCount and minFraction together, and the confidence threshold inclusively', async () => {
    expect((await coverage({ minCount: 2 })).coveredClasses).toEqual([0]);
    expect((await coverage({ minFraction: 0.2 })).coveredClasses).toEqual([0]); // needs 1.2 of 6
    expect((await coverage({ minFraction: 1 / 6 })).coveredClasses).toEqual([0, 1, 2]); // needs exactly 1
    expect((await coverage({ minFraction: 0.5, minCount: 5 })).covered).toBe(0);
    expect((await coverage({ confidenceThreshold: 0.5 })).confidentFraction).toBe(1);
    expect((await coverage({ confidenceThreshold: 0.95 })).confidentFraction).toBeCloseTo(2 / 6, 12);
    expect((await coverage({ confidenceThreshold: 0 })).confidentFraction).toBe(1);
    expect((await coverage({ confidenceThreshold: 1 })).confidentFraction).toBe(0);
  });

  it('matches an argmax histogram computed in JavaScript on a softmax of random logits', async () => {
    const g = gaussian(3);
    const logits = tf.tensor2d(Array.from({ length: 500 }, () => Array.from({ length: 10 }, () => 3 * g())));
    const p = tf.softmax(logits);
    const rows = (await p.array()) as number[][];
    const histogram = new Array<number>(10).fill(0);
    let confident = 0;
    for (const row of rows) {
      const top = Math.max(...row);
      histogram[row.indexOf(top)]! += 1;
      if (top >= Math.fround(0.9)) confident += 1;
    }
    const result = await classCoverage(p, { minCount: 40 });
    expect(result.histogram).toEqual(histogram);
    expect(result.confidentFraction).toBe(confident / 500);
    expect(result.coveredClasses).toEqual(histogram.flatMap((h, c) => (h >= 40 ? [c] : [])));
    tf.dispose([logits, p]);
  });

  it('rejects what is not a batch of probability vectors, naming it', async () => {
    const cases: [tf.Tensor, string][] = [
      [tf.tensor2d([[2, -1], [0.5, 0.5]]), 'ValueError'], // logits: outside [0, 1]
      [tf.tensor2d([[0.5, 0.2], [0.5, 0.5]]), 'ValueError'], // a row summing to 0.7
      [tf.tensor2d([[NaN, 1], [0.5, 0.5]]), 'ValueError'],
      [tf.tensor1d([0.5, 0.5]), 'ShapeError'],
      [tf.zeros([0, 3]), 'ShapeError'],
      [tf.zeros([2, 2], 'int32'), 'ShapeError'],
    ];
    for (const [p, name] of cases) {
      const e = await rejected(classCoverage(p));
      expect([e.name, e.argument]).toEqual([name, 'probabilities']);
      p.dispose();
    }
    const unnormalised = tf.tensor2d([[0.5, 0.2]]);
    expect((await rejected(classCoverage(unnormalised))).message).toMatch(/row off by 0\.300.*tf\.softmax/);
    unnormalised.dispose();
  });

  it('checks its options', async () => {
    const bad: [ClassCoverageOptions, string][] = [
      [{ minCount: 0 }, 'options.minCount'],
      [{ minFraction: 1.5 }, 'options.minFraction'],
      [{ confidenceThreshold: -0.1 }, 'options.confidenceThreshold'],
      [{ threshold: 0.5 } as ClassCoverageOptions, 'options.threshold'],
    ];
    for (const [options, argument] of bad) {
      const e = await rejected(coverage(options));
      expect([e.name, e.argument]).toEqual(['ConfigError', argument]);
    }
  });

  it('leaks no tensor and leaves its input alive', async () => {
    const p = tf.tensor2d(PROBABILITIES);
    await expectNoLeak(() => classCoverage(p));
    const logits = tf.tensor2d([[3, -1]]);
    await expectNoLeak(() => classCoverage(logits).catch(() => undefined));
    expect([p.isDisposed, logits.isDisposed]).toEqual([false, false]);
    tf.dispose([p, logits]);
  });
});
