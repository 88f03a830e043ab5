import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { GAN, dcganDiscriminator, dcganGenerator, type GANStepLogs, type StepLogs } from '../../src';
import { installWasmTrainingKernels, uninstallWasmTrainingKernels } from '../../src/wasm';
import { trainableValues } from '../helpers/gan';

// Small enough for the cpu reference; odd channel counts and a 3-channel image exercise the kernels' index maths.
function smallGan(): GAN {
  const imageShape = [12, 12, 3] as const;
  return new GAN(
    { seed: 1 },
    {
      generator: dcganGenerator({ imageShape, filters: [7, 5], latentDim: 6, seed: 1 }),
      discriminator: dcganDiscriminator({ imageShape, filters: [5, 7], seed: 2 }),
    },
  );
}

async function oneStep(backend: string): Promise<{ logs: GANStepLogs; weights: number[][] }> {
  await tf.setBackend(backend);
  const gan = smallGan();
  const batch = tf.randomUniform([5, 12, 12, 3], -1, 1, 'float32', 3);
  try {
    const logs = await gan.trainStep(batch);
    return { logs, weights: [...(await trainableValues(gan.generator)), ...(await trainableValues(gan.discriminator))] };
  } finally {
    gan.dispose();
    batch.dispose();
  }
}

describe('a DCGAN training step on wasm', () => {
  afterAll(async () => {
    uninstallWasmTrainingKernels();
    await tf.setBackend('cpu');
  });

  it('cannot run on stock tfjs-backend-wasm, which lacks Conv2DBackpropFilter', async () => {
    uninstallWasmTrainingKernels();
    await expect(oneStep('wasm')).rejects.toThrow(/Conv2DBackpropFilter/);
  });

  it('matches the cpu backend with the training kernels installed', async () => {
    const want = await oneStep('cpu');
    await tf.setBackend('wasm');
    installWasmTrainingKernels();
    const before = [tf.memory().numTensors, tf.engine().backend.numDataIds()];
    const got = await oneStep('wasm');
    expect([tf.memory().numTensors, tf.engine().backend.numDataIds()]).toEqual(before);
    for (const [key, value] of Object.entries(want.logs)) expect((got.logs as StepLogs)[key]).toBeCloseTo(value, 5);
    // One Adam step moves each weight by about the learning rate (2e-4) either way; within a tenth of it is the same step.
    got.weights.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - want.weights[i]![j]!)).toBeLessThan(2e-5)));
  });
});
