import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  isShapeError,
  isStepError,
  logitObjective,
  minimaxDiscriminatorLoss,
  nonSaturating,
  nonSaturatingGeneratorLoss,
  type AdversarialTerms,
  type GANObjective,
} from '../../src';
import { rejected } from '../helpers/errors';
import { TINY_DATA, tinyGan } from '../helpers/gan';
import { expectSameState } from '../helpers/state';

const article = nonSaturating();

/** An objective that behaves like the article's and records what its terms saw. */
function recording(seen: { update: 'D' | 'G'; real: number[]; fakeRows: number; seed?: number }[], readSeed = false) {
  const record = (update: 'D' | 'G', t: AdversarialTerms) =>
    seen.push({
      update,
      real: [...(t.real.dataSync() as Float32Array)],
      fakeRows: t.fake.shape[0] ?? 0,
      ...(readSeed ? { seed: t.seed } : {}),
    });
  const objective: GANObjective = {
    discriminatorLoss: (t) => {
      record('D', t);
      return article.discriminatorLoss(t);
    },
    generatorLoss: (t) => {
      record('G', t);
      return article.generatorLoss(t);
    },
  };
  return objective;
}

describe('the GAN objective', () => {
  it('the default is the article objective, the same as its logits-only losses wrapped', async () => {
    const batch = tf.randomUniform([12, TINY_DATA], -1, 1, 'float32', 1);
    const byDefault = tinyGan({ seed: 3 });
    const wrapped = tinyGan({
      seed: 3,
      objective: logitObjective(nonSaturatingGeneratorLoss, (r, f) => minimaxDiscriminatorLoss(r, f)),
    });
    for (let i = 0; i < 3; i++) expect(await byDefault.trainStep(batch)).toEqual(await wrapped.trainStep(batch));
    expectSameState(await byDefault.getState(), await wrapped.getState());
    for (const m of [byDefault, wrapped]) m.dispose();
    batch.dispose();
  });

  it('k discriminator updates each see their own part of the real batch; G updates use one part’s size', async () => {
    const seen: { update: 'D' | 'G'; real: number[]; fakeRows: number }[] = [];
    const gan = tinyGan({ seed: 4, updates: { discriminator: 3, generator: 2 }, objective: recording(seen) });
    const batch = tf.randomUniform([7, TINY_DATA], -1, 1, 'float32', 2);
    const rows = [...(batch.dataSync() as Float32Array)];
    await gan.trainStep(batch);
    expect(seen.map((s) => s.update)).toEqual(['D', 'D', 'D', 'G', 'G']);
    const d = seen.filter((s) => s.update === 'D');
    // 7 examples in 3 parts: 3, 2, 2, in order, covering the batch exactly once.
    expect(d.map((s) => s.real.length / TINY_DATA)).toEqual([3, 2, 2]);
    expect(d.flatMap((s) => s.real)).toEqual(rows);
    expect(d.map((s) => s.fakeRows)).toEqual([3, 2, 2]);
    expect(seen.filter((s) => s.update === 'G').map((s) => s.fakeRows)).toEqual([3, 2]);
    const small = tf.zeros([2, TINY_DATA]);
    const e = await rejected(gan.trainStep(small));
    expect(isShapeError(e)).toBe(true);
    expect(e.expected).toMatch(/at least 3 examples/);
    gan.dispose();
    tf.dispose([batch, small]);
  });

  it('term seeds are fresh each update and replayed by the GAN seed', async () => {
    const run = async () => {
      const seen: { update: 'D' | 'G'; real: number[]; fakeRows: number; seed?: number }[] = [];
      const gan = tinyGan({ seed: 5, objective: recording(seen, true) });
      const batch = tf.randomUniform([8, TINY_DATA], -1, 1, 'float32', 3);
      for (let i = 0; i < 2; i++) await gan.trainStep(batch);
      gan.dispose();
      batch.dispose();
      return seen.map((s) => s.seed);
    };
    const seeds = await run();
    expect(new Set(seeds).size).toBe(4);
    expect(await run()).toEqual(seeds);
  });

  it("logs critic values for a 'critic' D and raw means for a 'probabilities' D, probabilities for logits", async () => {
    const batch = tf.randomUniform([8, TINY_DATA], -1, 1, 'float32', 4);
    const scores: Record<string, [number, number]> = {};
    for (const output of ['logits', 'probabilities', 'critic'] as const) {
      let means: [number, number] = [NaN, NaN];
      const gan = tinyGan({
        seed: 6,
        objective: {
          output,
          discriminatorLoss: (t) => {
            means = [tf.mean(t.realLogits).dataSync()[0]!, tf.mean(t.fakeLogits).dataSync()[0]!];
            return tf.sub(tf.mean(t.fakeLogits), tf.mean(t.realLogits)) as tf.Scalar;
          },
          generatorLoss: (t) => tf.neg(tf.mean(t.fakeLogits)) as tf.Scalar,
        },
      });
      const logs = await gan.trainStep(batch);
      scores[output] = [logs.realScore, logs.fakeScore];
      if (output !== 'logits') {
        expect(logs.realScore).toBeCloseTo(means[0], 5);
        expect(logs.fakeScore).toBeCloseTo(means[1], 5);
      }
      gan.dispose();
    }
    for (const v of scores['logits']!) expect(v).toBeGreaterThan(0);
    for (const v of scores['logits']!) expect(v).toBeLessThan(1);
    batch.dispose();
  });

  it('afterDiscriminatorUpdate runs after every D update on its variables, and is rolled back when it fails', async () => {
    const clip = 0.01;
    let calls = 0;
    let fail = false;
    const gan = tinyGan({
      seed: 7,
      updates: { discriminator: 2, generator: 1 },
      objective: {
        ...article,
        afterDiscriminatorUpdate(variables) {
          calls++;
          for (const v of variables) v.assign(tf.clipByValue(v, -clip, clip));
          if (fail) throw new Error('clip failed');
        },
      },
    });
    const batch = tf.randomUniform([8, TINY_DATA], -1, 1, 'float32', 5);
    await gan.trainStep(batch);
    expect(calls).toBe(2);
    for (const w of gan.discriminator.trainableWeights) {
      expect(Math.max(...(await w.read().data()).map(Math.abs))).toBeLessThanOrEqual(clip + 1e-9);
    }
    const before = await gan.getState();
    fail = true;
    expect(isStepError(await rejected(gan.trainStep(batch)))).toBe(true);
    expectSameState(await gan.getState(), before);
    gan.dispose();
    batch.dispose();
  });
});
