import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  GAN,
  Trainer,
  VAE,
  isConfigError,
  isValueError,
  mlpDiscriminator,
  mlpGenerator,
  trainingHistoryOf,
  type GANState,
} from '../../src';
import { caught, rejected } from '../helpers/errors';
import { TINY_DATA, tinyBatch, tinyGan } from '../helpers/gan';
import { expectSameState } from '../helpers/state';
import { tinyData, tinyVae } from '../helpers/vae';

describe('parts shared between models or disposed behind their back', () => {
  it('an optimizer or network that another live model owns is refused at construction, with nothing built', () => {
    const shared = tf.train.adam(1e-3);
    const first = tinyGan({ seed: 1, generatorOptimizer: shared });
    const tensors = tf.memory().numTensors;
    const e = caught(() => new GAN({ seed: 2, discriminatorOptimizer: shared }));
    expect(isConfigError(e)).toBe(true);
    expect(e.argument).toBe('config.discriminatorOptimizer');
    expect(tf.memory().numTensors).toBe(tensors);

    const e2 = caught(() => new GAN({}, { generator: first.generator }));
    expect(e2.argument).toBe('networks.generator');
    expect(e2.received).toBe('one owned by another model');
    expect(caught(() => new VAE({ optimizer: shared })).argument).toBe('config.optimizer');
    first.dispose();
  });

  it('networks a model built for itself are owned too: handing them to a second model is refused', () => {
    const gan = new GAN({ seed: 1, latentDim: 4, dataShape: [TINY_DATA] });
    const tensors = tf.memory().numTensors;
    const e = caught(() => new GAN({ seed: 2 }, { generator: gan.generator }));
    expect(isConfigError(e)).toBe(true);
    expect([e.argument, e.received]).toEqual(['networks.generator', 'one owned by another model']);
    expect(caught(() => new GAN({ seed: 2 }, { discriminator: gan.discriminator })).argument).toBe(
      'networks.discriminator',
    );
    expect(tf.memory().numTensors).toBe(tensors);
    const vae = new VAE({ seed: 1, latentDim: 2, dataShape: [TINY_DATA] });
    expect(caught(() => new VAE({ seed: 2 }, { encoder: vae.encoder })).argument).toBe('networks.encoder');
    expect(caught(() => new VAE({ seed: 2 }, { decoder: vae.decoder })).argument).toBe('networks.decoder');
    gan.dispose();
    vae.dispose();
  });

  it('optimizers given without networks are taken (the default networks are built around them)', () => {
    const gan = new GAN({
      latentDim: 4,
      dataShape: [6],
      generatorOptimizer: tf.train.adam(1e-3),
      discriminatorOptimizer: tf.train.adam(1e-3),
    });
    gan.dispose();
    const discriminator = mlpDiscriminator({ inputShape: [TINY_DATA], hiddenUnits: [8], seed: 2 });
    new GAN({ generatorOptimizer: tf.train.adam(1e-3) }, { discriminator }).dispose();
  });

  it('a part freed by a failed construction can be used again', () => {
    const generator = mlpGenerator({ latentDim: 4, hiddenUnits: [8], outputShape: [TINY_DATA], seed: 1 });
    const wrong = mlpDiscriminator({ inputShape: [TINY_DATA + 1], hiddenUnits: [8], seed: 2 });
    expect(isConfigError(caught(() => new GAN({}, { generator, discriminator: wrong })))).toBe(true);
    const discriminator = mlpDiscriminator({ inputShape: [TINY_DATA], hiddenUnits: [8], seed: 2 });
    new GAN({}, { generator, discriminator }).dispose();
    wrong.dispose();
  });

  it('a disposed network is refused at construction', () => {
    const generator = mlpGenerator({ latentDim: 4, hiddenUnits: [8], outputShape: [TINY_DATA], seed: 1 });
    generator.dispose();
    const e = caught(() => new GAN({}, { generator }));
    expect(isValueError(e)).toBe(true);
    expect(e.argument).toBe('networks.generator');
  });

  it('a network or optimizer disposed outside the GAN stops the next step before anything changes', async () => {
    for (const part of ['optimizer', 'network'] as const) {
      const optimizer = tf.train.adam(1e-3);
      const gan = tinyGan({ seed: 3, generatorOptimizer: optimizer });
      const batch = tinyBatch();
      await gan.trainStep(batch);
      const weights = await gan.discriminator.weights[0]!.read().data();
      if (part === 'optimizer') optimizer.dispose();
      else gan.generator.layers[1]!.dispose();
      const e = await rejected(gan.trainStep(batch));
      expect(isValueError(e)).toBe(true);
      expect(e.argument).toBe(part === 'optimizer' ? 'config.generatorOptimizer' : 'networks.generator');
      expect(await gan.discriminator.weights[0]!.read().data()).toEqual(weights);
      gan.dispose();
      batch.dispose();
    }
  });
});

describe('one step at a time', () => {
  it('a second concurrent trainStep is refused and the first completes as if alone', async () => {
    const gan = tinyGan({ seed: 4 });
    const twin = tinyGan({ seed: 4 });
    const batch = tinyBatch();
    const first = gan.trainStep(batch);
    const e = await rejected(gan.trainStep(batch));
    expect(isValueError(e)).toBe(true);
    expect(e.received).toBe('a trainStep call during one');
    expect(await first).toEqual(await twin.trainStep(batch));
    expectSameState(await gan.getState(), await twin.getState());
    gan.dispose();
    twin.dispose();
    batch.dispose();
  });

  it('a VAE refuses a step while its importance-weighted bound (which yields between chunks) runs, and vice versa', async () => {
    const vae = tinyVae({ seed: 1 });
    const batch = tinyData(8);
    const bound = vae.importanceWeightedBound(batch, 64, { chunkSize: 4 });
    expect((await rejected(vae.trainStep(batch))).received).toBe('a trainStep call during one');
    const value = await bound;
    expect(Number.isFinite(value)).toBe(true);
    const step = vae.trainStep(batch);
    expect((await rejected(vae.importanceWeightedBound(batch, 4))).received).toBe(
      'an importanceWeightedBound call during one',
    );
    await step;
    vae.dispose();
    batch.dispose();
  });
});

describe('a dataset disposed during fit', () => {
  it('stops the run with a typed error naming data; the model keeps its last completed step', async () => {
    const gan = tinyGan({ seed: 8 });
    const data = tf.randomUniform([40, TINY_DATA], -1, 1, 'float32', 9);
    let after: GANState | undefined;
    const e = await rejected(
      new Trainer(gan).fit(data, {
        batchSize: 8,
        epochs: 2,
        seed: 1,
        callbacks: {
          async onStepEnd(step) {
            if (step === 2) {
              after = await gan.getState();
              data.dispose();
            }
          },
        },
      }),
    );
    expect(isValueError(e)).toBe(true);
    expect(e.argument).toBe('data');
    expect(trainingHistoryOf(e)?.steps.length).toBe(3);
    expectSameState(await gan.getState(), after);
    gan.dispose();
  });
});

describe("data outside the generator's range", () => {
  it('is refused for a tanh generator, with the range and a fix in the message', async () => {
    const gan = tinyGan({ seed: 5 });
    expect(gan.dataRange).toEqual([-1, 1]);
    for (const scale of [255, 2]) {
      const pixels = tf.mul(tf.randomUniform([8, TINY_DATA], 0, 1, 'float32', 1), scale);
      const e = await rejected(gan.trainStep(pixels));
      expect(isValueError(e)).toBe(true);
      expect(e.expected).toBe("values in [-1, 1] (the generator's output range)");
      expect(e.message).toMatch(/x \* 2 - 1/);
      pixels.dispose();
    }
    gan.dispose();
  });

  it('follows a sigmoid generator, and is off with dataRange: any', async () => {
    const sigmoid = new GAN(
      { seed: 1 },
      {
        generator: mlpGenerator({
          latentDim: 4,
          hiddenUnits: [8],
          outputShape: [TINY_DATA],
          outputActivation: 'sigmoid',
          seed: 1,
        }),
      },
    );
    expect(sigmoid.dataRange).toEqual([0, 1]);
    const negative = tf.fill([4, TINY_DATA], -0.5);
    expect((await rejected(sigmoid.trainStep(negative))).expected).toMatch(/\[0, 1\]/);
    sigmoid.dispose();
    const open = tinyGan({ seed: 1, dataRange: 'any' });
    const big = tf.fill([4, TINY_DATA], 300);
    await open.trainStep(big);
    open.dispose();
    tf.dispose([negative, big]);
  });
});
