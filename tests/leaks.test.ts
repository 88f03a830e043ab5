import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  GAN,
  SeededDropout,
  Trainer,
  imageGrid,
  minimaxDiscriminatorLoss,
  minimaxDiscriminatorLossFromProbabilities,
  mlpGenerator,
  nonSaturatingGeneratorLoss,
} from '../src';
import { describeEachBackend } from './helpers/backends';
import { tinyBatch, tinyGan } from './helpers/gan';
import { expectNoLeak } from './helpers/memory';

describeEachBackend('no tensor leaks', () => {
  it('numTensors stays flat over 200 GAN training steps', async () => {
    const gan = tinyGan({ seed: 1 }, true);
    const batch = tinyBatch(32);
    await gan.trainStep(batch); // creates the optimizers' moment variables once
    const start = tf.memory().numTensors;
    const counts: number[] = [];
    for (let i = 1; i <= 200; i++) {
      await gan.trainStep(batch);
      if (i % 50 === 0) counts.push(tf.memory().numTensors - start);
    }
    expect(counts).toEqual([0, 0, 0, 0]);
    gan.dispose();
    batch.dispose();
  });

  it('every public GAN call leaks nothing beyond what it returns', async () => {
    const gan = tinyGan({ seed: 2 }, true);
    const batch = tinyBatch();
    const z = tf.randomNormal([3, gan.latentDim]);
    await expectNoLeak(() => gan.trainStep(batch));
    await expectNoLeak(() => gan.generate(z), 1);
    await expectNoLeak(() => gan.sample(4, { seed: 1 }), 1);
    await expectNoLeak(() => gan.sample(4), 1);
    await expectNoLeak(() => gan.trainStep(tf.fill([2, 6], NaN)).catch(() => undefined), 1); // the NaN batch itself
    await expectNoLeak(() => new Trainer(gan).fit(batch, { batchSize: 4, epochs: 2, seed: 1 }));
    tf.dispose([batch, z]);
    gan.dispose();
  });

  it('a GAN releases every tensor it made when disposed', async () => {
    const before = tf.memory().numTensors;
    const gan = tinyGan({ seed: 3 });
    const batch = tinyBatch();
    await gan.trainStep(batch);
    batch.dispose();
    gan.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // And the default networks too.
    new GAN({ seed: 1, latentDim: 8, dataShape: [12] }).dispose();
    expect(tf.memory().numTensors).toBe(before);
    // A construction that fails after building a default network frees it.
    const generator = mlpGenerator({ latentDim: 4, outputShape: [12], seed: 1 });
    const counted = tf.memory().numTensors;
    expect(() => new GAN({ latentDim: 5 }, { generator })).toThrow(/config.latentDim/);
    expect(tf.memory().numTensors).toBe(counted);
    generator.dispose();
  });

  it('losses, imageGrid and SeededDropout return one tensor and keep nothing else', async () => {
    const logits = tf.randomNormal([8, 1]);
    const images = tf.randomUniform([4, 6, 6, 1], -1, 1);
    const dropout = new SeededDropout({ rate: 0.5, seed: 1 });
    await expectNoLeak(() => nonSaturatingGeneratorLoss(logits), 1);
    await expectNoLeak(() => minimaxDiscriminatorLoss(logits, logits, { labelSmoothing: 0.1 }), 1);
    await expectNoLeak(() => minimaxDiscriminatorLossFromProbabilities(tf.sigmoid(logits), tf.sigmoid(logits)), 3);
    await expectNoLeak(() => imageGrid(images), 1);
    await expectNoLeak(() => dropout.apply(logits, { training: true }) as tf.Tensor, 1);
    tf.dispose([logits, images]);
  });
});
