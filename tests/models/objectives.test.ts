import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  GAN,
  hinge,
  isConfigError,
  leastSquares,
  mlpDiscriminator,
  mlpGenerator,
  nonSaturatingR1,
  wasserstein,
  wassersteinGp,
  type GANObjective,
} from '../../src';
import { describeEachBackend } from '../helpers/backends';
import { rejected } from '../helpers/errors';
import { TINY_DATA } from '../helpers/gan';
import { expectSameState } from '../helpers/state';

function gan(objective: GANObjective, activation: 'leakyRelu' | 'safeLeakyRelu' = 'safeLeakyRelu', seed = 1): GAN {
  return new GAN(
    { seed, objective, updates: { discriminator: 2, generator: 1 } },
    {
      generator: mlpGenerator({ latentDim: 4, hiddenUnits: [16], outputShape: [TINY_DATA], seed: seed + 1 }),
      discriminator: mlpDiscriminator({
        inputShape: [TINY_DATA],
        hiddenUnits: [16],
        activation,
        dropout: 0,
        seed: seed + 2,
      }),
    },
  );
}

describeEachBackend('the ready-made objectives', () => {
  const cases: [string, () => GANObjective][] = [
    ['wasserstein with clipping', () => wasserstein({ clip: 0.05 })],
    ['WGAN-GP', () => wassersteinGp({ lambda: 10 })],
    ['hinge', () => hinge()],
    ['least squares', () => leastSquares()],
    ['non-saturating with R1', () => nonSaturatingR1({ gamma: 1 })],
  ];
  for (const [name, objective] of cases) {
    it(`${name}: trains steps with finite logs and no leak, reproducibly`, async () => {
      const batch = tf.randomUniform([16, TINY_DATA], -1, 1, 'float32', 7);
      const a = gan(objective());
      const b = gan(objective());
      await a.trainStep(batch);
      await b.trainStep(batch);
      const tensors = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) {
        const logs = await a.trainStep(batch);
        for (const v of Object.values(logs)) expect(Number.isFinite(v)).toBe(true);
        expect(await b.trainStep(batch)).toEqual(logs);
      }
      expect(tf.memory().numTensors).toBe(tensors);
      expectSameState(await a.getState(), await b.getState());
      a.dispose();
      b.dispose();
      batch.dispose();
    });
  }

  it('wasserstein({ clip }) keeps every critic weight within the bound', async () => {
    const model = gan(wasserstein({ clip: 0.01 }));
    const batch = tf.randomUniform([16, TINY_DATA], -1, 1, 'float32', 8);
    for (let i = 0; i < 3; i++) await model.trainStep(batch);
    for (const w of model.discriminator.trainableWeights) {
      expect(Math.max(...(await w.read().data()).map(Math.abs))).toBeLessThanOrEqual(0.01 + 1e-9);
    }
    model.dispose();
    batch.dispose();
  });

  it("a penalty with tfjs's leakyReLU in D fails before the first step, naming the op and the replacement", async () => {
    for (const objective of [wassersteinGp(), nonSaturatingR1()]) {
      const model = gan(objective, 'leakyRelu');
      const batch = tf.randomUniform([16, TINY_DATA], -1, 1, 'float32', 9);
      const before = await model.getState();
      const e = await rejected(model.trainStep(batch));
      expect(isConfigError(e)).toBe(true);
      expect(e.message).toMatch(/leakyRelu|LeakyRelu|Greater/);
      expect(e.message).toMatch(/SafeLeakyReLU|safeLeakyRelu/);
      expectSameState(await model.getState(), before);
      model.dispose();
      batch.dispose();
    }
  });
});

it('objective options are checked when the objective is made', () => {
  for (const make of [
    () => wassersteinGp({ lambda: -1 }),
    () => nonSaturatingR1({ gamma: NaN }),
    () => wasserstein({ clip: 0 }),
  ]) {
    let error: unknown;
    try {
      make();
    } catch (e) {
      error = e;
    }
    expect(isConfigError(error)).toBe(true);
  }
});
