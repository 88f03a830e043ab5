import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { GAN, Trainer, VAE, dcganDiscriminator, dcganGenerator, mlpDiscriminator, mlpGenerator } from '../../src';
import { tinyBatch, tinyGan } from '../helpers/gan';
import { expectNoLeak } from '../helpers/memory';
import { describeOnTensorflow } from '../helpers/tensorflow';
import { TINY_DIM, TINY_LATENT, tinyData, tinyVae } from '../helpers/vae';

/** Live tensors, and the native TensorFlow handles the backend holds for them. */
function counts(): [number, number] {
  return [tf.memory().numTensors, tf.engine().backend.numDataIds()];
}

/** Trains `steps` steps after a first one (which creates the optimizers' moments); growth of counts() every quarter. */
async function growth(trainStep: () => Promise<unknown>, steps: number): Promise<[number, number][]> {
  await trainStep();
  const [tensors, handles] = counts();
  const seen: [number, number][] = [];
  for (let i = 1; i <= steps; i++) {
    await trainStep();
    if (i % (steps / 4) === 0) {
      const [t, h] = counts();
      seen.push([t - tensors, h - handles]);
    }
  }
  return seen;
}

const FLAT = [[0, 0], [0, 0], [0, 0], [0, 0]];

describeOnTensorflow('no tensor leaks', () => {
  it('tensors and native handles stay flat over 200 GAN training steps', async () => {
    const gan = tinyGan({ seed: 1 }, true);
    const batch = tinyBatch(32);
    expect(await growth(() => gan.trainStep(batch), 200)).toEqual(FLAT);
    gan.dispose();
    batch.dispose();
  });

  it('tensors and native handles stay flat over 200 VAE training steps', async () => {
    const vae = tinyVae({ seed: 1 });
    const batch = tinyData(32);
    expect(await growth(() => vae.trainStep(batch), 200)).toEqual(FLAT);
    vae.dispose();
    batch.dispose();
  });

  it('tensors and native handles stay flat over 40 DCGAN training steps', async () => {
    const imageShape = [8, 8, 1] as const;
    const gan = new GAN({ seed: 1 }, {
      generator: dcganGenerator({ imageShape, latentDim: 8, filters: [16, 8], seed: 2 }),
      discriminator: dcganDiscriminator({ imageShape, filters: [8, 16], seed: 3 }),
    });
    const batch = tf.randomUniform([8, ...imageShape], -1, 1, 'float32', 4);
    expect(await growth(() => gan.trainStep(batch), 40)).toEqual(FLAT);
    gan.dispose();
    batch.dispose();
  });

  it('every public GAN and VAE call leaks nothing beyond what it returns', async () => {
    const gan = tinyGan({ seed: 2 }, true);
    const batch = tinyBatch();
    const z = tf.randomNormal([3, gan.latentDim]);
    await expectNoLeak(() => gan.trainStep(batch));
    await expectNoLeak(() => gan.generate(z), 1);
    await expectNoLeak(() => gan.sample(4, { seed: 1 }), 1);
    await expectNoLeak(() => gan.trainStep(tf.fill([2, 6], NaN)).catch(() => undefined), 1); // the NaN batch itself
    await expectNoLeak(() => new Trainer(gan).fit(batch, { batchSize: 4, epochs: 2, seed: 1 }));
    tf.dispose([batch, z]);
    gan.dispose();

    const vae = tinyVae({ seed: 11, likelihood: { kind: 'gaussian', variance: 'learned' } });
    const x = tinyData(8);
    const [a, b] = [tf.slice(x, [0, 0], [1, TINY_DIM]), tf.slice(x, [1, 0], [1, TINY_DIM])];
    const latent = tf.zeros([3, TINY_LATENT]);
    await expectNoLeak(() => vae.trainStep(x));
    await expectNoLeak(() => vae.evaluate(x));
    await expectNoLeak(() => vae.importanceWeightedBound(x, 5, { chunkSize: 2 }));
    await expectNoLeak(() => Object.values(vae.reconstruct(x, { sample: true })), 4);
    await expectNoLeak(() => vae.sample(4), 1);
    await expectNoLeak(() => vae.interpolate(a, b, 4, { method: 'spherical' }), 1);
    await expectNoLeak(() => Object.values(vae.decode(latent)), 2);
    tf.dispose([x, a, b, latent]);
    vae.dispose();
  });

  it('disposing a trained GAN or VAE frees every tensor and native handle it made', async () => {
    const before = counts();
    const gan = new GAN({ seed: 1 }, {
      generator: mlpGenerator({ latentDim: 4, hiddenUnits: [8], outputShape: [6], batchNorm: true, seed: 2 }),
      discriminator: mlpDiscriminator({ inputShape: [6], hiddenUnits: [8], dropout: 0.3, seed: 3 }),
    });
    const vae = new VAE({ seed: 1, latentDim: 2, dataShape: [6] });
    const [data, images] = [tinyBatch(), tinyData()];
    await gan.trainStep(data);
    await vae.trainStep(images);
    tf.dispose([data, images]);
    gan.dispose();
    vae.dispose();
    expect(counts()).toEqual(before);
  });
});
