import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  VAE,
  convDecoder,
  convEncoder,
  isConfigError,
  isShapeError,
  isValueError,
  mlpDecoder,
  mlpEncoder,
  type GenerativeError,
} from '../../src';
import { describeEachBackend } from '../helpers/backends';
import { expectNoLeak } from '../helpers/memory';
import { expectTensorClose } from '../helpers/tensors';
import { TINY_DIM, TINY_LATENT, thrown, tinyData, tinyVae, vaeWeights } from '../helpers/vae';

const changed = (a: number[][], b: number[][]) => a.map((w, i) => w.some((v, j) => v !== b[i]![j]));

describeEachBackend('VAE training step', () => {
  it('returns plain finite numbers, loss = reconstruction + β·kl, and leaves the batch alone', async () => {
    const vae = tinyVae({ seed: 1, beta: 0.5 });
    const batch = tinyData();
    const logs = await vae.trainStep(batch);
    expect(Object.keys(logs).sort()).toEqual(['beta', 'kl', 'loss', 'reconstruction']);
    for (const v of Object.values(logs)) expect(Number.isFinite(v)).toBe(true);
    expect(logs.beta).toBe(0.5);
    expect(logs.loss).toBeCloseTo(logs.reconstruction + 0.5 * logs.kl, 3);
    // At initialisation the 6 logits are near 0, so the reconstruction term is near 6·log 2 nats.
    expect(logs.reconstruction).toBeCloseTo(6 * Math.LN2, -0.5);
    expect(batch.isDisposed).toBe(false);
    vae.dispose();
    batch.dispose();
  });

  it('one step moves every weight of both networks, and a learned variance', async () => {
    const vae = tinyVae({ seed: 2, likelihood: { kind: 'gaussian', variance: 'learned' } });
    const before = await vaeWeights(vae);
    const batch = tinyData();
    const first = await vae.trainStep(batch);
    expect(changed(await vaeWeights(vae), before).every(Boolean)).toBe(true);
    // σ² starts at 1; a learned σ² moves towards the mean squared error, lowering the loss further.
    for (let i = 0; i < 150; i++) await vae.trainStep(batch);
    const last = await vae.trainStep(batch);
    expect(last.loss).toBeLessThan(first.loss - 1);
    vae.dispose();
    batch.dispose();
  });

  it('learns: 300 steps on a small fixed batch lower the −ELBO', async () => {
    const vae = tinyVae({ seed: 3, optimizer: tf.train.adam(1e-2, 0.9, 0.999, 1e-7) });
    const batch = tf.tidy(() => tf.round(tinyData(32, 4))); // binary pixels: a learnable, low-entropy target
    const before = await vae.evaluate(batch, { seed: 1 });
    for (let i = 0; i < 300; i++) await vae.trainStep(batch);
    const after = await vae.evaluate(batch, { seed: 1 });
    expect(after.negativeElbo).toBeLessThan(before.negativeElbo - 0.5);
    vae.dispose();
    batch.dispose();
  });

  it('β warms up linearly from 0 over betaWarmup.steps train steps', async () => {
    const vae = tinyVae({ seed: 4, beta: 2, betaWarmup: { steps: 4 } });
    const batch = tinyData();
    const betas = [];
    for (let i = 0; i < 6; i++) betas.push((await vae.trainStep(batch)).beta);
    expect(betas).toEqual([0, 0.5, 1, 1.5, 2, 2]);
    expect(vae.beta).toBe(2);
    vae.dispose();
    batch.dispose();
  });

  it('is reproducible from its seed: same logs, weights, samples and bounds', async () => {
    const run = async (seed: number) => {
      const vae = tinyVae({ seed });
      const batch = tinyData();
      const logs = [];
      for (let i = 0; i < 3; i++) logs.push(await vae.trainStep(batch));
      const sample = vae.sample(4);
      const out = {
        logs,
        weights: await vaeWeights(vae),
        sample: [...(await sample.data())],
        evaluation: await vae.evaluate(batch),
        iwae: await vae.importanceWeightedBound(batch, 3),
      };
      tf.dispose([sample, batch]);
      vae.dispose();
      return out;
    };
    const [a, b, c] = [await run(11), await run(11), await run(12)];
    expect(b).toEqual(a);
    expect(c.logs).not.toEqual(a.logs);
  });

  it('evaluate and importanceWeightedBound change no weight; IWAE with k = 1 estimates the −ELBO', async () => {
    const vae = tinyVae({ seed: 5 });
    const batch = tinyData(512, 6);
    const before = await vaeWeights(vae);
    const elbo = await vae.evaluate(batch, { seed: 1 });
    expect(elbo.negativeElbo).toBeCloseTo(elbo.reconstruction + elbo.kl, 3);
    const iwae1 = await vae.importanceWeightedBound(batch, 1, { seed: 2 });
    const iwae100 = await vae.importanceWeightedBound(batch, 100, { seed: 3, chunkSize: 7 }); // 15 chunks, last of 2
    expect(await vaeWeights(vae)).toEqual(before);
    // Both are unbiased single-sample estimates of the −ELBO (KL in closed form vs sampled): within noise over 512.
    expect(Math.abs(iwae1 - elbo.negativeElbo)).toBeLessThan(0.02 * elbo.negativeElbo);
    expect(iwae100).toBeLessThanOrEqual(iwae1);
    vae.dispose();
    batch.dispose();
  });

  it('trains with the Gaussian likelihood on data outside [0, 1]', async () => {
    const vae = tinyVae({ seed: 6, likelihood: { kind: 'gaussian', variance: 0.1 } });
    const batch = tf.randomNormal([16, TINY_DIM], 0, 3, 'float32', 1);
    const logs = await vae.trainStep(batch);
    expect(Number.isFinite(logs.loss)).toBe(true);
    vae.dispose();
    batch.dispose();
  });
});

describeEachBackend('VAE inference', () => {
  it('encode, decode and reconstruct have the documented shapes and meaning', async () => {
    const vae = tinyVae({ seed: 7 });
    const x = tinyData(5);
    const { mean, logVar } = vae.encode(x);
    expect(mean.shape).toEqual([5, TINY_LATENT]);
    expect(logVar.shape).toEqual([5, TINY_LATENT]);
    const decoded = vae.decode(mean);
    expect(decoded.output.shape).toEqual([5, TINY_DIM]);
    await expectTensorClose(decoded.mean, tf.sigmoid(decoded.output)); // E[x|z] = σ(logits)
    // By default reconstruct goes through the mean of q(z|x): deterministic, z equal to mean.
    const out = vae.reconstruct(x);
    await expectTensorClose(out.z, mean);
    await expectTensorClose(out.reconstruction, decoded.mean);
    const sampled = vae.reconstruct(x, { sample: true, seed: 1 });
    expect(await sampled.z.data()).not.toEqual(await mean.data());
    tf.dispose([x, mean, logVar, decoded, out, sampled]);
    vae.dispose();
  });

  it('sample(n, { seed, temperature }) is reproducible, seed 0 included; temperature 0 decodes z = 0', async () => {
    const vae = tinyVae({ seed: 8 });
    const [s1, s2, s3, s4] = [vae.sample(3, { seed: 1 }), vae.sample(3, { seed: 1 }), vae.sample(3), vae.sample(3)];
    expect(s1.shape).toEqual([3, TINY_DIM]);
    expect(await s2.data()).toEqual(await s1.data());
    expect(await s4.data()).not.toEqual(await s3.data());
    // tfjs reads a seed of 0 as "no seed"; the VAE maps it, so { seed: 0 } is reproducible too.
    const [z1, z2] = [vae.sample(2, { seed: 0 }), vae.sample(2, { seed: 0 })];
    expect(await z2.data()).toEqual(await z1.data());
    const batch = tinyData(4);
    expect(await vae.evaluate(batch, { seed: 0 })).toEqual(await vae.evaluate(batch, { seed: 0 }));
    expect(await vae.importanceWeightedBound(batch, 3, { seed: 0 })).toBe(await vae.importanceWeightedBound(batch, 3, { seed: 0 }));
    tf.dispose([z1, z2, batch]);
    const cold = vae.sample(2, { temperature: 0 });
    const origin = vae.decode(tf.zeros([2, TINY_LATENT]));
    await expectTensorClose(cold, origin.mean);
    tf.dispose([s1, s2, s3, s4, cold, origin]);
    vae.dispose();
  });

  it('interpolate runs between the two codes, ends included, linearly or along the great circle', async () => {
    const vae = tinyVae({ seed: 9 });
    const x = tinyData(2);
    const [a, b] = [tf.slice(x, [0, 0], [1, TINY_DIM]), tf.reshape(tf.slice(x, [1, 0], [1, TINY_DIM]), [TINY_DIM])];
    const ends = vae.reconstruct(x); // decoded means of both codes
    for (const method of ['linear', 'spherical'] as const) {
      const path = vae.interpolate(a, b, 5, { method });
      expect(path.shape).toEqual([5, TINY_DIM]);
      await expectTensorClose(tf.gather(path, [0, 4]), ends.reconstruction, 1e-4);
      path.dispose();
    }
    // The midpoint of a linear path decodes the average of the two codes.
    const { mean } = ends;
    const mid = vae.interpolate(a, b, 3);
    await expectTensorClose(tf.slice(mid, [1, 0], [1, TINY_DIM]), vae.decode(tf.mean(mean, 0, true)).mean, 1e-4);
    tf.dispose([x, a, b, ends, mid]);
    vae.dispose();
  });

  it('builds Kingma & Welling’s MNIST model by default', () => {
    const vae = new VAE({ seed: 10 });
    expect(vae.latentDim).toBe(20);
    expect(vae.dataShape).toEqual([784]);
    expect(vae.likelihood).toBe('bernoulli');
    expect(vae.encoder.countParams()).toBe(784 * 400 + 400 + 2 * (400 * 20 + 20));
    expect(vae.decoder.countParams()).toBe(20 * 400 + 400 + 400 * 784 + 784);
    vae.dispose();
  });

  it('the conv factories give 28×28×C images the documented shapes', async () => {
    const vae = new VAE({ dataShape: [28, 28, 3] }, { encoder: convEncoder({ imageShape: [28, 28, 3], seed: 1 }) });
    expect(vae.latentDim).toBe(20);
    expect(vae.decoder.outputs[0]!.shape).toEqual([null, 28, 28, 3]);
    const x = tf.randomUniform([2, 28, 28, 3], 0, 1, 'float32', 1);
    const { reconstruction, mean, logVar, z } = vae.reconstruct(x);
    expect(reconstruction.shape).toEqual([2, 28, 28, 3]);
    expect(mean.shape).toEqual([2, 20]);
    expect(convDecoder({ latentDim: 4, seed: 2 }).outputs[0]!.shape).toEqual([null, 28, 28, 1]);
    tf.dispose([x, reconstruction, mean, logVar, z]);
    vae.dispose();
  });
});

describe('conv VAE training (cpu only: stock wasm lacks Conv2DBackpropFilter)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('takes one step on a tiny batch of 8×8 images and moves every weight', async () => {
    const options = { imageShape: [8, 8, 1] as const, filters: [4, 8], denseUnits: 16, latentDim: 3 };
    const vae = new VAE({ seed: 1 }, { encoder: convEncoder({ ...options, seed: 1 }), decoder: convDecoder({ ...options, seed: 2 }) });
    const before = await vaeWeights(vae);
    const batch = tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 2);
    const logs = await vae.trainStep(batch);
    expect(Number.isFinite(logs.loss)).toBe(true);
    expect(changed(await vaeWeights(vae), before).every(Boolean)).toBe(true);
    batch.dispose();
    vae.dispose();
  });
});

describeEachBackend('VAE memory', () => {
  it('every public call is leak-free', async () => {
    const vae = tinyVae({ seed: 11, likelihood: { kind: 'gaussian', variance: 'learned' } });
    const x = tinyData(8);
    const [a, b] = [tf.slice(x, [0, 0], [1, TINY_DIM]), tf.slice(x, [1, 0], [1, TINY_DIM])];
    const z = tf.zeros([3, TINY_LATENT]);
    await expectNoLeak(() => vae.trainStep(x));
    await expectNoLeak(() => vae.evaluate(x));
    await expectNoLeak(() => vae.importanceWeightedBound(x, 5, { chunkSize: 2 }));
    await expectNoLeak(() => Object.values(vae.encode(x)), 2);
    await expectNoLeak(() => Object.values(vae.decode(z)), 2);
    await expectNoLeak(() => Object.values(vae.reconstruct(x, { sample: true })), 4);
    await expectNoLeak(() => vae.sample(4), 1);
    await expectNoLeak(() => vae.interpolate(a, b, 4, { method: 'spherical' }), 1);
    await expectNoLeak(() => vae.trainStep(tf.fill([2, 7], 0.5)).catch(() => undefined), 1); // the bad batch itself
    tf.dispose([x, a, b, z]);
    const live = tf.memory().numTensors;
    vae.dispose();
    expect(tf.memory().numTensors).toBeLessThan(live);
  });

  it('a 50-step training run is leak-free, and dispose frees everything the VAE made', async () => {
    const start = tf.memory().numTensors;
    const vae = tinyVae({ seed: 12, betaWarmup: { steps: 10 } });
    const batch = tinyData();
    await vae.trainStep(batch); // creates the optimizer's slots
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) await vae.trainStep(batch);
    expect(tf.memory().numTensors).toBe(before);
    batch.dispose();
    vae.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('VAE bad input', () => {
  it('rejects bad config values and mismatched networks, naming the field', async () => {
    const enc = (o = {}) => mlpEncoder({ inputShape: [TINY_DIM], hiddenUnits: [4], latentDim: TINY_LATENT, ...o });
    const dec = (o = {}) => mlpDecoder({ outputShape: [TINY_DIM], hiddenUnits: [4], latentDim: TINY_LATENT, ...o });
    const oneOutput = () => tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [TINY_DIM], units: TINY_LATENT })] });
    const cases: [() => unknown, string][] = [
      [() => new VAE({ latentDim: 0 }), 'config.latentDim'],
      [() => new VAE({ beta: -1 }), 'config.beta'],
      [() => new VAE({ betaWarmup: { steps: 0 } }), 'config.betaWarmup.steps'],
      [() => new VAE({ likelihood: 'poisson' as 'gaussian' }), 'config.likelihood'],
      [() => new VAE({ likelihood: { kind: 'gaussian', variance: -1 } }), 'config.likelihood.variance'],
      [() => new VAE({ optimizer: {} as tf.Optimizer }), 'config.optimizer'],
      [() => new VAE({ latentDm: 3 } as never), 'config.latentDm'],
      [() => new VAE({ latentDim: 5 }, { encoder: enc() }), 'config.latentDim'],
      [() => new VAE({ dataShape: [7] }, { encoder: enc(), decoder: dec() }), 'config.dataShape'],
      [() => new VAE({}, { encoder: oneOutput() }), 'networks.encoder outputs'],
      [() => new VAE({}, { encoder: enc(), decoder: dec({ latentDim: 3 }) }), 'networks.decoder'],
      [() => new VAE({}, { encoder: enc(), decoder: dec({ outputShape: [2, 3] }) }), 'networks.decoder'],
    ];
    for (const [fn, argument] of cases) {
      const e = (await thrown(fn)) as GenerativeError;
      expect(isConfigError(e), String(e)).toBe(true);
      expect(e.argument).toBe(argument);
    }
    const e = (await thrown(() => new VAE({}, { encoder: enc(), decoder: dec({ outputShape: [2, 3] }) }))) as GenerativeError;
    expect(e.message).toBe(
      "networks.decoder: expected an output of shape [batch, 6] (the encoder's input shape), received [batch, 2, 3]. " +
        'Reshape the decoder output (tfjs-layers reshape) or flatten the encoder input so they agree.',
    );
  });

  it('rejects a bad batch before any weight changes', async () => {
    const optimizer = tf.train.adam(1e-3);
    const vae = tinyVae({ seed: 13, optimizer });
    const before = await vaeWeights(vae);
    const cases: [unknown, (e: unknown) => boolean, string][] = [
      [tf.zeros([16, 3, 2]), isShapeError, '[16, 3, 2]'],
      [tf.zeros([16, 7]), isShapeError, '[16, 7]'],
      [tf.zeros([0, TINY_DIM]), isShapeError, `[0, ${TINY_DIM}]`],
      [tf.zeros([16, TINY_DIM], 'int32'), isShapeError, "dtype 'int32'"],
      [tf.fill([16, TINY_DIM], NaN), isValueError, 'a tensor containing NaN or ±Infinity'],
      [tf.fill([16, TINY_DIM], -Infinity), isValueError, 'a tensor containing NaN or ±Infinity'],
      [tf.fill([16, TINY_DIM], -1), isValueError, 'values from -1 to -1'],
      [tf.tensor2d([[0, 0, 0, 0, 0, 2]]), isValueError, 'values from 0 to 2'],
      [[1, 2, 3], isShapeError, 'an array'],
    ];
    for (const [batch, guard, received] of cases) {
      for (const call of [() => vae.trainStep(batch as tf.Tensor), () => vae.evaluate(batch as tf.Tensor)]) {
        const e = (await thrown(call)) as GenerativeError;
        expect(guard(e), String(e)).toBe(true);
        expect(e.argument).toBe('batch');
        expect(e.received).toBe(received);
      }
      if (batch instanceof tf.Tensor) batch.dispose();
    }
    expect(await vaeWeights(vae)).toEqual(before);
    expect(optimizer.iterations).toBe(0);
    vae.dispose();
  });

  it('rejects bad arguments to every other call, and any call after dispose', async () => {
    const vae = tinyVae({ seed: 14 });
    const x = tinyData(2);
    const cases: [() => unknown, string, (e: unknown) => boolean][] = [
      [() => vae.encode(tf.zeros([2, 5])), 'x', isShapeError],
      [() => vae.decode(tf.zeros([2, 3])), 'z', isShapeError],
      [() => vae.reconstruct(tf.zeros([2, 5])), 'x', isShapeError],
      [() => vae.sample(0), 'n', isValueError],
      [() => vae.sample(2, { temperature: -1 }), 'options.temperature', isConfigError],
      [() => vae.interpolate(x, x, 3), 'a', isShapeError],
      [() => vae.interpolate(tf.zeros([TINY_DIM]), tf.zeros([5]), 3), 'b', isShapeError],
      [() => vae.interpolate(tf.zeros([TINY_DIM]), tf.zeros([TINY_DIM]), 1), 'steps', isValueError],
      [() => vae.interpolate(tf.zeros([TINY_DIM]), tf.zeros([TINY_DIM]), 3, { method: 'cubic' as 'linear' }), 'options.method', isConfigError],
      [() => vae.importanceWeightedBound(x, 0), 'k', isValueError],
      [() => vae.importanceWeightedBound(x, 2, { chunkSize: 0.5 }), 'options.chunkSize', isConfigError],
    ];
    for (const [call, argument, guard] of cases) {
      const e = (await thrown(call)) as GenerativeError;
      expect(guard(e), String(e)).toBe(true);
      expect(e.argument).toBe(argument);
    }
    vae.dispose();
    expect(isValueError(await thrown(() => vae.sample(1)))).toBe(true);
    expect(isValueError(await thrown(() => vae.trainStep(x)))).toBe(true);
    x.dispose();
  });

  it('the gaussian likelihood accepts data outside [0, 1]', async () => {
    const vae = tinyVae({ seed: 15, likelihood: 'gaussian' });
    const batch = tf.fill([4, TINY_DIM], -3);
    await expect(vae.evaluate(batch)).resolves.toHaveProperty('negativeElbo');
    batch.dispose();
    vae.dispose();
  });
});
