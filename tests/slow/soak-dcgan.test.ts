/**
 * Soak of the DCGAN (slow tier): 1,000 Trainer steps of `dcganGenerator`/`dcganDiscriminator` at their default
 * sizes (28×28×1 images, filters [128, 64] and [64, 128], batch norm, stride-2 (transposed) convolutions, seeded
 * dropout), on wasm with installWasmTrainingKernels, batch 8; the same checks as soak.test.ts. Not on cpu:
 * tfjs-backend-cpu's convolutions make that run several times longer than the tier's whole budget. A file of its
 * own, so it runs in parallel with soak.test.ts on a 2-core machine. The timeout is at least 3× the measured wall
 * time, with room for a busier machine.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GAN, dcganDiscriminator, dcganGenerator } from '../../src';
import { installWasmTrainingKernels, uninstallWasmTrainingKernels } from '../../src/wasm';
import { expectFlat, soak, soakData } from './soak';

describe('soak: 1,000 steps [wasm]', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    await tf.ready();
    installWasmTrainingKernels();
  });
  afterAll(async () => {
    uninstallWasmTrainingKernels();
    await tf.setBackend('cpu');
  });

  it('DCGAN, default sizes (28×28×1): numTensors and numBytes flat, losses finite, nothing left after', async () => {
    const baseline = tf.memory().numTensors;
    const gan = new GAN(
      { seed: 1 },
      { generator: dcganGenerator({ seed: 2 }), discriminator: dcganDiscriminator({ seed: 3 }) },
    );
    const data = soakData(64, [28, 28, 1], -1, 1);
    try {
      expectFlat(await soak('DCGAN [wasm]', gan, data), 'DCGAN');
    } finally {
      gan.dispose();
      data.dispose();
    }
    expect(tf.memory().numTensors, 'tensors left after disposing the model and data').toBe(baseline);
  }, 1_200_000);
});
