import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GAN, dcganDiscriminator, dcganGenerator, isConfigError } from '../../src';
import { trainableValues } from '../helpers/gan';
import { caught } from '../helpers/errors';

const outputShape = (m: { outputs: { shape: (number | null)[] }[] }) => m.outputs[0]!.shape;
const inputShape = (m: { inputs: { shape: (number | null)[] }[] }) => m.inputs[0]!.shape;

// Tiny networks: conv training on the cpu backend takes minutes per step at full size.
const TINY = { imageShape: [8, 8, 1] as const, kernelSize: 3 };

describe('DCGAN factories', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('default to 28×28×1 images, z of 100 and one logit', () => {
    const g = dcganGenerator({ seed: 1 });
    const d = dcganDiscriminator({ seed: 2 });
    expect(inputShape(g)).toEqual([null, 100]);
    expect(outputShape(g)).toEqual([null, 28, 28, 1]);
    expect(inputShape(d)).toEqual([null, 28, 28, 1]);
    expect(outputShape(d)).toEqual([null, 1]);
    // G: 100·6272 projection + BN(6272) + 5·5·128·64 + BN(64) + 5·5·64·1 + bias; D: two convs + logit.
    expect(g.countParams()).toBe(100 * 6272 + 4 * 6272 + 25 * 128 * 64 + 4 * 64 + 25 * 64 + 1);
    expect(d.countParams()).toBe(25 * 64 + 64 + 25 * 64 * 128 + 128 + 7 * 7 * 128 + 1);
    g.dispose();
    d.dispose();
  });

  it('follow imageShape, filters, latentDim and kernelSize', () => {
    const g = dcganGenerator({ imageShape: [12, 8, 3], filters: [6, 5], latentDim: 7, kernelSize: 3, seed: 1 });
    const d = dcganDiscriminator({ imageShape: [12, 8, 3], filters: [5, 6], kernelSize: 3, dropout: 0, seed: 2 });
    expect(inputShape(g)).toEqual([null, 7]);
    expect(outputShape(g)).toEqual([null, 12, 8, 3]);
    expect(inputShape(d)).toEqual([null, 12, 8, 3]);
    expect(outputShape(d)).toEqual([null, 1]);
    expect(d.layers.some((l) => l.name.includes('dropout'))).toBe(false);
    const images = tf.tidy(() => g.predict(tf.randomNormal([2, 7], 0, 1, 'float32', 1)) as tf.Tensor);
    const values = images.dataSync();
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(1); // tanh
    tf.dispose([images, g, d] as never[]);
  });

  it('are reproducible from a seed', async () => {
    const a = dcganGenerator({ ...TINY, filters: [4, 3], latentDim: 3, seed: 5 });
    const b = dcganGenerator({ ...TINY, filters: [4, 3], latentDim: 3, seed: 5 });
    const c = dcganGenerator({ ...TINY, filters: [4, 3], latentDim: 3, seed: 6 });
    expect(await trainableValues(a)).toEqual(await trainableValues(b));
    expect(await trainableValues(a)).not.toEqual(await trainableValues(c));
    [a, b, c].forEach((m) => m.dispose());
  });

  it.each([
    [() => dcganGenerator({ imageShape: [28, 27, 1] }), 'options.imageShape'],
    [() => dcganDiscriminator({ imageShape: [30, 28, 1] }), 'options.imageShape'],
    [() => dcganGenerator({ imageShape: [28, 28] as unknown as [number, number, number] }), 'options.imageShape'],
    [() => dcganGenerator({ imageShape: [28, 28, 0] }), 'options.imageShape[2]'],
    [() => dcganGenerator({ filters: [0, 4] }), 'options.filters[0]'],
    [() => dcganDiscriminator({ filters: [4] as unknown as [number, number] }), 'options.filters'],
    [() => dcganGenerator({ kernelSize: 0 }), 'options.kernelSize'],
    [() => dcganGenerator({ latentDim: 2.5 }), 'options.latentDim'],
    [() => dcganDiscriminator({ dropout: 1.2 }), 'options.dropout'],
  ])('reject bad options with a ConfigError naming the option (%#)', (build, argument) => {
    const e = caught(build);
    expect(isConfigError(e)).toBe(true);
    expect(e.argument).toBe(argument);
  });

  it('build a GAN that passes its shape checks, and mismatched images do not', () => {
    const gan = new GAN({ seed: 1 }, { generator: dcganGenerator({ seed: 1 }), discriminator: dcganDiscriminator({ seed: 2 }) });
    expect(gan.latentDim).toBe(100);
    expect(gan.dataShape).toEqual([28, 28, 1]);
    gan.dispose();
    const g = dcganGenerator({ ...TINY, seed: 1 });
    const d = dcganDiscriminator({ imageShape: [8, 8, 3], seed: 2 });
    const e = caught(() => new GAN({}, { generator: g, discriminator: d }));
    expect(isConfigError(e)).toBe(true);
    expect(e.argument).toBe('networks.discriminator');
    g.dispose();
    d.dispose();
  });

  it('train one GAN step on the cpu backend', async () => {
    const gan = new GAN(
      { seed: 1 },
      {
        generator: dcganGenerator({ ...TINY, filters: [4, 3], latentDim: 5, seed: 1 }),
        discriminator: dcganDiscriminator({ ...TINY, filters: [3, 4], seed: 2 }),
      },
    );
    const batch = tf.randomUniform([4, 8, 8, 1], -1, 1, 'float32', 3);
    const g0 = await trainableValues(gan.generator);
    const d0 = await trainableValues(gan.discriminator);
    const logs = await gan.trainStep(batch);
    for (const v of Object.values(logs)) expect(Number.isFinite(v)).toBe(true);
    expect(logs.discriminatorLoss).toBeCloseTo(2 * Math.LN2, 0); // D near chance at initialisation
    expect(await trainableValues(gan.generator)).not.toEqual(g0);
    expect(await trainableValues(gan.discriminator)).not.toEqual(d0);
    gan.dispose();
    batch.dispose();
  });

  afterAll(async () => {
    await tf.setBackend('cpu');
  });
});
