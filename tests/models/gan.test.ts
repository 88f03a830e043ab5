import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  GAN,
  isConfigError,
  isShapeError,
  isValueError,
  mlpDiscriminator,
  mlpGenerator,
} from '../../src';
import { describeEachBackend } from '../helpers/backends';
import { TINY_DATA, tinyBatch, tinyGan, trainableValues, weightValues } from '../helpers/gan';
import { caught, rejected } from '../helpers/errors';

const changed = (a: number[][], b: number[][]) => a.some((w, i) => w.some((v, j) => v !== b[i]![j]));

describeEachBackend('GAN training step', () => {
  it('a discriminator update moves only D, a generator update only G', async () => {
    for (const recommended of [false, true]) {
      // A zero learning rate freezes one side's own optimizer, so any change there would come from the other's.
      const frozenG = tinyGan({ seed: 1, generatorOptimizer: tf.train.adam(0) }, recommended);
      const g0 = await trainableValues(frozenG.generator);
      const d0 = await trainableValues(frozenG.discriminator);
      const batch = tinyBatch();
      await frozenG.trainStep(batch);
      expect(await trainableValues(frozenG.generator)).toEqual(g0);
      expect(changed(await trainableValues(frozenG.discriminator), d0)).toBe(true);
      frozenG.dispose();

      const frozenD = tinyGan({ seed: 1, discriminatorOptimizer: tf.train.adam(0) }, recommended);
      const g1 = await trainableValues(frozenD.generator);
      const d1 = await trainableValues(frozenD.discriminator);
      await frozenD.trainStep(batch);
      expect(await trainableValues(frozenD.discriminator)).toEqual(d1);
      expect(changed(await trainableValues(frozenD.generator), g1)).toBe(true);
      frozenD.dispose();
      batch.dispose();
    }
  });

  it('returns plain finite numbers: losses and mean scores in [0, 1]', async () => {
    const gan = tinyGan({ seed: 2 });
    const batch = tinyBatch();
    const logs = await gan.trainStep(batch);
    expect(Object.keys(logs).sort()).toEqual(['discriminatorLoss', 'fakeScore', 'generatorLoss', 'realScore']);
    for (const v of Object.values(logs)) expect(Number.isFinite(v)).toBe(true);
    expect(logs.realScore).toBeGreaterThan(0);
    expect(logs.realScore).toBeLessThan(1);
    // At initialisation D is near chance, so L_D is near 2·log 2 and L_G near log 2.
    expect(logs.discriminatorLoss).toBeCloseTo(2 * Math.LN2, 0);
    expect(logs.generatorLoss).toBeCloseTo(Math.LN2, 0);
    expect(batch.isDisposed).toBe(false);
    gan.dispose();
    batch.dispose();
  });

  it('runs the configured number of updates of each network', async () => {
    const generatorOptimizer = tf.train.adam(1e-3);
    const discriminatorOptimizer = tf.train.adam(1e-3);
    const gan = tinyGan({ seed: 3, updates: { discriminator: 3, generator: 2 }, generatorOptimizer, discriminatorOptimizer });
    const batch = tinyBatch();
    await gan.trainStep(batch);
    await gan.trainStep(batch);
    expect(discriminatorOptimizer.iterations).toBe(6);
    expect(generatorOptimizer.iterations).toBe(4);
    gan.dispose();
    batch.dispose();
  });

  it('is reproducible from its seed: same losses, weights and samples', async () => {
    const run = async (seed: number) => {
      const gan = tinyGan({ seed }, true);
      const batch = tinyBatch();
      const logs = [];
      for (let i = 0; i < 3; i++) logs.push(await gan.trainStep(batch));
      const sample = gan.sample(5, { seed: 9 });
      const out = { logs, weights: await weightValues(gan.discriminator), sample: [...(await sample.data())] };
      tf.dispose([sample, batch]);
      gan.dispose();
      return out;
    };
    const [a, b, c] = [await run(11), await run(11), await run(12)];
    expect(b).toEqual(a);
    expect(c.logs).not.toEqual(a.logs);
  });
});

describe('GAN sampling', () => {
  it('sample(n, { seed }) is reproducible; without a seed each call differs', async () => {
    const gan = tinyGan({ seed: 4 });
    const [s1, s2, s3, s4] = [gan.sample(3, { seed: 1 }), gan.sample(3, { seed: 1 }), gan.sample(3), gan.sample(3)];
    expect(s1.shape).toEqual([3, TINY_DATA]);
    expect(await s2.data()).toEqual(await s1.data());
    expect(await s4.data()).not.toEqual(await s3.data());
    // tfjs reads an op seed of 0 as "unseeded"; the GAN must still replay { seed: 0 }.
    const [z1, z2] = [gan.sample(3, { seed: 0 }), gan.sample(3, { seed: 0 })];
    expect(await z2.data()).toEqual(await z1.data());
    tf.dispose([s1, s2, s3, s4, z1, z2]);
    gan.dispose();
  });

  it('generate(z) maps [n, latentDim] to [n, ...dataShape] in the tanh range', async () => {
    const gan = tinyGan({ seed: 5 });
    const z = tf.randomNormal([7, 4], 0, 1, 'float32', 1);
    const x = gan.generate(z);
    expect(x.shape).toEqual([7, TINY_DATA]);
    const v = await x.data();
    expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(1);
    expect(z.isDisposed).toBe(false);
    tf.dispose([x, z]);
    gan.dispose();
  });

  it('builds the recommended MLP recipe for 784-pixel data by default', () => {
    const gan = new GAN({ seed: 6 });
    expect(gan.latentDim).toBe(100);
    expect(gan.dataShape).toEqual([784]);
    expect(gan.generator.layers.map((l) => l.getClassName())).toContain('BatchNormalization');
    expect(gan.discriminator.countParams()).toBe(784 * 512 + 512 + 512 * 256 + 256 + 257);
    // Dense layers feeding batch norm carry no bias (BN's β is the offset); BN has γ, β and two moving statistics.
    expect(gan.generator.countParams()).toBe(100 * 256 + 4 * 256 + 256 * 512 + 4 * 512 + 512 * 784 + 784);
    gan.dispose();
  });
});

describe('GAN bad input', () => {
  it('rejects a generator whose output does not fit the discriminator (the article’s 784 vs 28×28×1)', () => {
    const e = caught(
      () =>
        new GAN({}, { generator: mlpGenerator({ seed: 1 }), discriminator: mlpDiscriminator({ inputShape: [28, 28, 1] }) }),
    );
    expect(isConfigError(e)).toBe(true);
    expect(e.argument).toBe('networks.discriminator');
    expect(e.expected).toContain('[batch, 784]');
    expect(e.received).toBe('[batch, 28, 28, 1]');
  });

  it('rejects bad config values, naming the field', () => {
    const shared = tf.train.adam(1e-3);
    const cases: [() => unknown, string][] = [
      [() => new GAN({ latentDim: 0 }), 'config.latentDim'],
      [() => new GAN({ latentDim: -3 }), 'config.latentDim'],
      [() => new GAN({ latentDim: 2.5 }), 'config.latentDim'],
      [() => new GAN({ updates: { discriminator: 0 } }), 'config.updates.discriminator'],
      [() => new GAN({ latentDim: 64 }, { generator: mlpGenerator({ latentDim: 100 }) }), 'config.latentDim'],
      [() => new GAN({ dataShape: [10] }, { generator: mlpGenerator({ latentDim: 100 }) }), 'config.dataShape'],
      [() => new GAN({ latentDm: 10 } as never), 'config.latentDm'],
      [() => new GAN({ generatorOptimizer: shared, discriminatorOptimizer: shared }), 'config.discriminatorOptimizer'],
    ];
    for (const [fn, argument] of cases) {
      const e = caught(fn);
      expect(isConfigError(e), String(e)).toBe(true);
      expect(e.argument).toBe(argument);
    }
  });

  it('rejects a bad batch before any weight changes', async () => {
    const gan = tinyGan({ seed: 7 });
    const before = [await weightValues(gan.generator), await weightValues(gan.discriminator)];
    const cases: [tf.Tensor | unknown, string, (e: unknown) => boolean, string][] = [
      [tf.zeros([16, 3, 2]), 'realBatch', isShapeError, '[16, 3, 2]'],
      [tf.zeros([16, 7]), 'realBatch', isShapeError, '[16, 7]'],
      [tf.zeros([0, TINY_DATA]), 'realBatch', isShapeError, `[0, ${TINY_DATA}]`],
      [tf.zeros([16, TINY_DATA], 'int32'), 'realBatch', isShapeError, "dtype 'int32'"],
      [tf.fill([16, TINY_DATA], NaN), 'realBatch', isValueError, 'a tensor containing NaN or ±Infinity'],
      [tf.fill([16, TINY_DATA], Infinity), 'realBatch', isValueError, 'a tensor containing NaN or ±Infinity'],
      [[1, 2, 3], 'realBatch', isShapeError, 'an array'],
    ];
    for (const [batch, argument, guard, received] of cases) {
      const e = await rejected(gan.trainStep(batch as tf.Tensor));
      expect(guard(e), String(e)).toBe(true);
      expect(e.argument).toBe(argument);
      expect(e.received).toBe(received);
      if (batch instanceof tf.Tensor) batch.dispose();
    }
    expect([await weightValues(gan.generator), await weightValues(gan.discriminator)]).toEqual(before);
    expect(caught(() => gan.generate(tf.zeros([2, 5]))).argument).toBe('z');
    expect(caught(() => gan.sample(0)).argument).toBe('n');
    gan.dispose();
    expect(isValueError(await rejected(gan.trainStep(tinyBatch())))).toBe(true);
  });

  it('error messages say argument, expected and received', () => {
    const e = caught(() => new GAN({ latentDim: 0 }));
    expect(e.message).toBe('config.latentDim: expected an integer >= 1, received 0.');
  });
});
