import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  GAN,
  Trainer,
  mlpDiscriminator,
  mlpGenerator,
  wassersteinGp,
  decodeState,
  encodeState,
  type GANBatch,
  type GANState,
  type StepLogs,
  type TrainerPosition,
  type VAE,
  type VAEState,
} from '../../src';
import { describeEachBackend } from '../helpers/backends';
import { tinyGan } from '../helpers/gan';
import { expectSameState } from '../helpers/state';
import { tinyVae } from '../helpers/vae';

interface Checkpoint {
  readonly model: GANState | VAEState;
  readonly trainer: TrainerPosition;
}

type Model = GAN | VAE;

/**
 * Trains `build()` for `total` steps straight, and again in two runs: stopped after `cut` steps with a checkpoint
 * taken in onStepEnd (encoded to bytes), then a fresh model restored from the bytes and resumed to `total`.
 */
async function expectResumeExact(build: () => Model, data: tf.Tensor, cut: number, total: number): Promise<void> {
  const options = { batchSize: 8, seed: 21, steps: total } as const;
  const straight = build();
  const straightLogs = (await new Trainer<GANBatch, StepLogs>(straight).fit(data, options)).steps;

  const first = build();
  let bytes: ArrayBuffer | undefined;
  await new Trainer<GANBatch, StepLogs>(first).fit(data, {
    ...options,
    callbacks: {
      async onStepEnd(step, _logs, ctx) {
        if (step === cut - 1) {
          bytes = encodeState({ model: await first.getState(), trainer: ctx.position });
          ctx.stop();
        }
      },
    },
  });
  first.dispose();

  const checkpoint = decodeState(bytes!) as unknown as Checkpoint;
  expect(checkpoint.trainer.step).toBe(cut);
  const resumed = build();
  resumed.setState(checkpoint.model as never);
  const rest = await new Trainer<GANBatch, StepLogs>(resumed).fit(data, { ...options, resumeFrom: checkpoint.trainer });
  expect(rest.steps).toEqual(straightLogs.slice(cut) as StepLogs[]);
  expect(rest.position.step).toBe(total);
  expectSameState(await resumed.getState(), await straight.getState());
  straight.dispose();
  resumed.dispose();
}

describeEachBackend('a run saved through the codec and resumed with the Trainer', () => {
  // 30 examples in batches of 8: epochs of 4 batches, the last one short, reshuffled each epoch.
  it('GAN: 7 steps, then 13 more, equals 20 uninterrupted, byte for byte', async () => {
    const data = tf.randomUniform([30, 6], -1, 1, 'float32', 4);
    await expectResumeExact(() => tinyGan({ seed: 12, updates: { discriminator: 2, generator: 1 } }, true), data, 7, 20);
    data.dispose();
  });

  it('GAN with WGAN-GP (term seeds), EMA and 2 critic updates: 7 + 13 = 20, byte for byte', async () => {
    const data = tf.randomUniform([30, 6], -1, 1, 'float32', 6);
    const build = () =>
      new GAN(
        { seed: 13, objective: wassersteinGp(), updates: { discriminator: 2, generator: 1 }, ema: { decay: 0.9 } },
        {
          generator: mlpGenerator({ latentDim: 4, hiddenUnits: [8], outputShape: [6], seed: 14 }),
          discriminator: mlpDiscriminator({ inputShape: [6], hiddenUnits: [8], activation: 'safeLeakyRelu', seed: 15 }),
        },
      );
    await expectResumeExact(build, data, 7, 20);
    data.dispose();
  });

  it('VAE: cut at an epoch boundary (step 8), β warm-up included', async () => {
    const data = tf.randomUniform([30, 6], 0, 1, 'float32', 5);
    await expectResumeExact(
      () => tinyVae({ seed: 6, betaWarmup: { steps: 10 }, likelihood: { kind: 'gaussian', variance: 'learned' } }),
      data,
      8,
      14,
    );
    data.dispose();
  });
});
