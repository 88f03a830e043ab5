/**
 * Soak (slow tier, `npm run test:slow`): 1,000 Trainer steps per model, on cpu and on wasm, with `tf.memory()`'s
 * numTensors and numBytes sampled every 50 steps after a 50-step warm-up and required to be exactly equal at every
 * sample, every step's losses finite, and nothing left allocated once the model is disposed.
 *
 * Models, batch 8:
 * - wasm (with installWasmTrainingKernels): the real default sizes — `new GAN()` (the recommended MLP recipe,
 *   784-dimensional data), the article recipe (MLP_GAN_RECIPES.article) and `new VAE()`.
 * - cpu: the same three recipes' layer structure (batch norm, LeakyReLU, seeded dropout; ReLU without them; the VAE's
 *   two heads) at 64-dimensional data and narrow layers. tfjs-backend-cpu's matmuls make 1,000 full-size steps of
 *   the default GAN alone cost several times the tier's whole budget; memory flatness depends on which kernels and
 *   tensors a step makes, which the structure fixes, not on the widths.
 * The DCGAN soaks on wasm in soak-dcgan.test.ts, a separate file so the two run in parallel on a 2-core machine.
 *
 * Each test's timeout is at least 3× the wall time measured for it on a shared 2-core machine.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GAN,
  MLP_GAN_RECIPES,
  VAE,
  mlpDecoder,
  mlpDiscriminator,
  mlpEncoder,
  mlpGenerator,
  type Trainable,
} from '../../src';
import { installWasmTrainingKernels, uninstallWasmTrainingKernels } from '../../src/wasm';
import { expectFlat, soak, soakData } from './soak';

interface Subject {
  readonly name: string;
  readonly build: () => { model: Trainable<tf.Tensor> & { dispose(): void }; data: tf.Tensor };
  /** Test timeout, ms: at least 3× the measured wall time. */
  readonly timeout: number;
}

const N = 64; // examples in the dataset: 8 batches per epoch, so the run crosses 125 epoch boundaries

const CPU: readonly Subject[] = [
  {
    name: 'GAN, recommended MLP recipe structure (batch norm, LeakyReLU, dropout), 64-d data',
    timeout: 300_000,
    build: () => ({
      model: new GAN(
        { seed: 1 },
        {
          generator: mlpGenerator({
            ...MLP_GAN_RECIPES.recommended.generator,
            hiddenUnits: [32, 64],
            latentDim: 16,
            outputShape: [64],
            seed: 2,
          }),
          discriminator: mlpDiscriminator({
            ...MLP_GAN_RECIPES.recommended.discriminator,
            hiddenUnits: [64, 32],
            inputShape: [64],
            seed: 3,
          }),
        },
      ),
      data: soakData(N, [64], -1, 1),
    }),
  },
  {
    name: 'GAN, article MLP recipe structure (ReLU), 64-d data',
    timeout: 180_000,
    build: () => ({
      model: new GAN(
        { seed: 4 },
        {
          generator: mlpGenerator({
            ...MLP_GAN_RECIPES.article.generator,
            hiddenUnits: [32, 32],
            latentDim: 16,
            outputShape: [64],
            seed: 5,
          }),
          discriminator: mlpDiscriminator({
            ...MLP_GAN_RECIPES.article.discriminator,
            hiddenUnits: [32],
            inputShape: [64],
            seed: 6,
          }),
        },
      ),
      data: soakData(N, [64], -1, 1),
    }),
  },
  {
    name: 'VAE, default MLP structure, 64-d data',
    timeout: 120_000,
    build: () => ({
      model: new VAE(
        { seed: 7 },
        {
          encoder: mlpEncoder({ inputShape: [64], hiddenUnits: [32], latentDim: 8, seed: 8 }),
          decoder: mlpDecoder({ outputShape: [64], hiddenUnits: [32], latentDim: 8, seed: 9 }),
        },
      ),
      data: soakData(N, [64], 0, 1),
    }),
  },
];

const WASM: readonly Subject[] = [
  {
    name: 'GAN, default (recommended MLP recipe, 784-d data)',
    timeout: 600_000,
    build: () => ({ model: new GAN({ seed: 1 }), data: soakData(N, [784], -1, 1) }),
  },
  {
    name: 'GAN, article MLP recipe, 784-d data',
    timeout: 240_000,
    build: () => ({
      model: new GAN(
        { seed: 4 },
        {
          generator: mlpGenerator({ ...MLP_GAN_RECIPES.article.generator, seed: 5 }),
          discriminator: mlpDiscriminator({ ...MLP_GAN_RECIPES.article.discriminator, seed: 6 }),
        },
      ),
      data: soakData(N, [784], -1, 1),
    }),
  },
  {
    name: 'VAE, default (784 → 400 → 20)',
    timeout: 240_000,
    build: () => ({ model: new VAE({ seed: 7 }), data: soakData(N, [784], 0, 1) }),
  },
];

describe.each([
  ['cpu', CPU],
  ['wasm', WASM],
] as const)('soak: 1,000 steps [%s]', (backend, subjects) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
    if (backend === 'wasm') installWasmTrainingKernels();
  });
  afterAll(async () => {
    if (backend === 'wasm') uninstallWasmTrainingKernels();
    await tf.setBackend('cpu');
  });

  for (const subject of subjects) {
    it(
      `${subject.name}: numTensors and numBytes flat, every loss finite, nothing left after dispose`,
      async () => {
        const baseline = tf.memory().numTensors;
        const { model, data } = subject.build();
        try {
          expectFlat(await soak(`${subject.name} [${backend}]`, model, data), subject.name);
        } finally {
          model.dispose();
          data.dispose();
        }
        expect(tf.memory().numTensors, 'tensors left after disposing the model and data').toBe(baseline);
      },
      subject.timeout,
    );
  }
});
