import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  GAN,
  VAE,
  assertKernelsAvailable,
  isConfigError,
  missingKernels,
  mlpDecoder,
  mlpDiscriminator,
  mlpEncoder,
  mlpGenerator,
  probeBackend,
  trainingKernels,
} from '../../src';
import { uninstallWasmTrainingKernels } from '../../src/wasm';
import { describeEachBackend } from '../helpers/backends';

/** A tiny convolutional GAN for 8×8 images: dense → reshape → conv2dTranspose, and conv2d → flatten → dense. */
function convNetworks(seed = 1): { generator: tfl.LayersModel; discriminator: tfl.LayersModel } {
  const init = (s: number) => tfl.initializers.glorotUniform({ seed: s });
  const generator = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [4], units: 4 * 4 * 2, kernelInitializer: init(seed) }),
      tfl.layers.reshape({ targetShape: [4, 4, 2] }),
      tfl.layers.conv2dTranspose({
        filters: 1, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh', kernelInitializer: init(seed + 1),
      }),
    ],
  });
  const discriminator = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [8, 8, 1], filters: 2, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: init(seed + 2),
      }),
      tfl.layers.leakyReLU({ alpha: 0.2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 1, kernelInitializer: init(seed + 3) }),
    ],
  });
  return { generator, discriminator };
}

async function thrown(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

/** Kernels actually dispatched by a call, from tf.profile (op-level `…__op` entries dropped). */
async function profiledKernels(fn: () => Promise<unknown>): Promise<string[]> {
  const info = await tf.profile(async () => {
    await fn();
  });
  return [...new Set(info.kernelNames.filter((n) => !n.includes('__op')))].sort();
}

beforeAll(() => uninstallWasmTrainingKernels()); // the stock wasm backend, whatever another suite installed

describeEachBackend('probeBackend', (backend) => {
  it('reports the backend, its numerics and no webgl fields', () => {
    const caps = probeBackend({ secondDerivatives: false });
    expect(caps).toMatchObject({
      backend,
      webglVersion: 0,
      textureFloat: 'n/a',
      defaultEpsilon: 1e-7,
      safeEpsilon: 1e-7,
      secondDerivatives: null,
    });
  });

  it('lists the kernels the library layers lack: Conv2DBackpropFilter on stock wasm, none on cpu', () => {
    const caps = probeBackend({ secondDerivatives: false });
    if (backend === 'wasm') {
      expect(caps.missingKernels).toEqual(['Conv2DBackpropFilter']);
      expect(caps.untrainableLayers).toEqual(['Conv2D', 'Conv2DTranspose']);
    } else {
      expect(caps.missingKernels).toEqual([]);
      expect(caps.untrainableLayers).toEqual([]);
    }
  });

  it('differentiates twice through matMul and softplus but not leakyRelu, without leaking', () => {
    const before = tf.memory().numTensors;
    const report = probeBackend().secondDerivatives!;
    expect(tf.memory().numTensors).toBe(before);
    const byOp = Object.fromEntries(report.checks.map((c) => [c.op, c]));
    expect(byOp['matMul']?.ok).toBe(true);
    expect(byOp['softplus']?.ok).toBe(true);
    expect(byOp['relu']?.ok).toBe(true);
    expect(byOp['leakyRelu']).toMatchObject({ ok: false, error: expect.stringContaining('Greater') });
    if (backend === 'wasm') {
      expect(byOp['conv2d']).toMatchObject({ ok: false, error: expect.stringContaining('Conv2DBackpropFilter') });
    } else {
      expect(byOp['conv2d']?.ok).toBe(true);
    }
    expect(report.supported).toBe(false);
  });

  it('lets training continue normally after the failed checks', async () => {
    probeBackend();
    const gan = new GAN({ seed: 1 }, { generator: mlpGenerator({ latentDim: 4, hiddenUnits: [8], outputShape: [6], seed: 2 }),
      discriminator: mlpDiscriminator({ inputShape: [6], hiddenUnits: [8], seed: 3 }) });
    const batch = tf.randomUniform([8, 6], -1, 1, 'float32', 4);
    const logs = await gan.trainStep(batch);
    expect(Number.isFinite(logs.discriminatorLoss) && Number.isFinite(logs.generatorLoss)).toBe(true);
    batch.dispose();
    gan.dispose();
  });
});

describe('assertKernelsAvailable', () => {
  it('passes on cpu and names the network, layers, kernels and backend on stock wasm', async () => {
    const { generator, discriminator } = convNetworks();
    await tf.setBackend('cpu');
    expect(() => assertKernelsAvailable(discriminator, 'networks.discriminator')).not.toThrow();
    await tf.setBackend('wasm');
    const error = await thrown(() => assertKernelsAvailable(discriminator, 'networks.discriminator'));
    expect(isConfigError(error)).toBe(true);
    expect(error).toMatchObject({ argument: 'networks.discriminator' });
    const message = (error as Error).message;
    expect(message).toContain('Conv2DBackpropFilter');
    expect(message).toContain("'wasm'");
    expect(message).toMatch(/conv2d_\w+ \(Conv2D\)/);
    expect(message).toContain("installWasmTrainingKernels() from 'tfjs-generative/wasm'");
    expect(missingKernels(generator, 'wasm')).toEqual(['Conv2DBackpropFilter']);
    expect(missingKernels(generator, 'cpu')).toEqual([]);
    expect(missingKernels(mlpDiscriminator({ seed: 1 }), 'wasm')).toEqual([]);
    generator.dispose();
    discriminator.dispose();
  });

  it('makes GAN.trainStep fail before any weight changes on stock wasm, and train on cpu', async () => {
    await tf.setBackend('wasm');
    const gan = new GAN({ seed: 1 }, convNetworks());
    const batch = tf.randomUniform([4, 8, 8, 1], -1, 1, 'float32', 5);
    const weights = [...gan.generator.weights, ...gan.discriminator.weights];
    const before = await Promise.all(weights.map(async (w) => [...(await w.read().data())]));
    const error = await thrown(() => gan.trainStep(batch));
    expect(isConfigError(error)).toBe(true);
    expect(error).toMatchObject({ argument: 'networks.generator' });
    expect(await Promise.all(weights.map(async (w) => [...(await w.read().data())]))).toEqual(before);
    await tf.setBackend('cpu');
    const logs = await gan.trainStep(batch);
    expect(Number.isFinite(logs.generatorLoss)).toBe(true);
    batch.dispose();
    gan.dispose();
  });
});

describe('trainingKernels', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('lists unknown layer classes instead of guessing', () => {
    class Custom extends tfl.layers.Layer {
      static get className(): string {
        return 'CustomLayer';
      }
    }
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2 }), new Custom({ name: 'mine' })] });
    expect(trainingKernels(model).unknownLayers).toEqual(['mine (CustomLayer)']);
    model.dispose();
  });

  // The table is written by hand; these keep it honest against what tfjs really dispatches on cpu.
  it('covers every kernel a training step of the recommended GAN dispatches', async () => {
    const gan = new GAN({ seed: 1 }, {
      generator: mlpGenerator({ latentDim: 4, hiddenUnits: [8], activation: 'leakyRelu', batchNorm: true, outputShape: [6], seed: 2 }),
      discriminator: mlpDiscriminator({ inputShape: [6], hiddenUnits: [8], activation: 'leakyRelu', dropout: 0.3, seed: 3 }),
    });
    const batch = tf.randomUniform([8, 6], -1, 1, 'float32', 4);
    const ran = await profiledKernels(() => gan.trainStep(batch));
    const listed = new Set([...trainingKernels(gan.generator).kernels, ...trainingKernels(gan.discriminator).kernels]);
    expect(ran.filter((k) => !listed.has(k))).toEqual([]);
    batch.dispose();
    gan.dispose();
  });

  it('covers every kernel a training step of a convolutional GAN dispatches', async () => {
    const gan = new GAN({ seed: 1 }, convNetworks());
    const batch = tf.randomUniform([4, 8, 8, 1], -1, 1, 'float32', 5);
    const ran = await profiledKernels(() => gan.trainStep(batch));
    const listed = new Set([...trainingKernels(gan.generator).kernels, ...trainingKernels(gan.discriminator).kernels]);
    expect(ran.filter((k) => !listed.has(k))).toEqual([]);
    batch.dispose();
    gan.dispose();
  });

  it('covers every kernel a training step of the VAE dispatches', async () => {
    const vae = new VAE({ seed: 1 }, {
      encoder: mlpEncoder({ inputShape: [6], hiddenUnits: [8], latentDim: 2, seed: 2 }),
      decoder: mlpDecoder({ outputShape: [6], hiddenUnits: [8], latentDim: 2, seed: 3 }),
    });
    const batch = tf.randomUniform([8, 6], 0, 1, 'float32', 4);
    const ran = await profiledKernels(() => vae.trainStep(batch));
    const listed = new Set([...trainingKernels(vae.encoder).kernels, ...trainingKernels(vae.decoder).kernels]);
    expect(ran.filter((k) => !listed.has(k))).toEqual([]);
    batch.dispose();
    vae.dispose();
  });
});
