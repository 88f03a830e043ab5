import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Trainer, type GANStepLogs, type StepLogs, type Trainable, type VAEStepLogs } from '../../src';
import { tinyBatch, tinyGan } from '../helpers/gan';
import { tinyData, tinyVae } from '../helpers/vae';

/*
 * The Trainer knows its model's log type: callbacks and history are typed with it, so a misspelt log is a compile
 * error. `npm run typecheck` checks the @ts-expect-error lines; the assertions check the values behind the types.
 */
it("a GAN's Trainer types its callbacks and history with GANStepLogs", async () => {
  const gan = tinyGan({ seed: 1 });
  const batch = tinyBatch();
  const seen: number[] = [];
  const history = await new Trainer(gan).fit(batch, {
    batchSize: 4,
    steps: 2,
    callbacks: {
      onStepEnd(_step, logs) {
        seen.push(logs.discriminatorLoss); // a number, not number | undefined
        // @ts-expect-error GAN steps log no `loss`
        void logs.loss;
      },
    },
  });
  const first: GANStepLogs = history.steps[0]!;
  // @ts-expect-error a key GAN steps never log
  void history.steps[0]!.notALog;
  expect(seen).toEqual(history.steps.map((s) => s.discriminatorLoss));
  expect(Number.isFinite(first.generatorLoss)).toBe(true);
  gan.dispose();
  batch.dispose();
});

it("a VAE's Trainer types them with VAEStepLogs, and any model's logs still fit StepLogs", async () => {
  const vae = tinyVae({ seed: 2 });
  const data = tinyData(8);
  const history = await new Trainer(vae).fit(data, { batchSize: 4, steps: 2 });
  const beta: number = history.epochs[0]!.beta;
  const logs: VAEStepLogs = history.steps[1]!;
  const general: StepLogs = logs; // a model's logs are still plain numeric records
  const model: Trainable<tf.Tensor> = vae; // and the model a plain Trainable
  expect(beta).toBe(logs.beta);
  expect(Object.values(general).every(Number.isFinite)).toBe(true);
  expect(typeof model.trainStep).toBe('function');
  vae.dispose();
  data.dispose();
});
