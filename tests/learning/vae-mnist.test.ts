import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Trainer, VAE, bernoulliReconstructionLoss, type VAEEvaluation } from '../../src';
import { installWasmTrainingKernels, uninstallWasmTrainingKernels } from '../../src/wasm';
import { mnistTensors, type MnistTensors } from '../../examples/lib/mnist';

// The example's defaults (examples/vae-mnist.ts: seed 1, 9,000 / 1,000 split, batch 100, Kingma & Welling's
// 784-400-20 MLP with a Bernoulli likelihood), trained for EPOCHS epochs on wasm with the library's training kernels,
// as the example runs. Measured here, the test −ELBO (one z per digit, seed 0) after 3 epochs: 143.91 nats with seed 1,
// 142.62 and 143.01 with seeds 2 and 3 (stock wasm kernels give the same to float rounding); the untrained model
// scores about 550. Asserted: below 150, a margin of 6 nats. IWAE bounds on the trained model, k = 1, 5, 50: 143.2,
// 140.0, 138.0 nats. Training and evaluation take about 15 s on an idle 2-core machine. On grey-level MNIST the
// Bernoulli term cannot fall below the entropy of the soft targets, 45.7 nats per test digit, so these figures are
// not comparable to binarised-MNIST ones.
const EPOCHS = 3;
const THRESHOLD = 150;

describe(`VAE on MNIST digits, ${EPOCHS} epochs on wasm`, () => {
  let data: MnistTensors;
  let vae: VAE;
  let untrained: VAEEvaluation;
  let trained: VAEEvaluation;

  beforeAll(async () => {
    await tf.setBackend('wasm');
    installWasmTrainingKernels();
    data = mnistTensors({ range: [0, 1], testFraction: 0.1, seed: 1 });
    vae = new VAE({ seed: 1 });
    untrained = await vae.evaluate(data.test, { seed: 0 });
    await new Trainer(vae).fit(data.train, { batchSize: 100, epochs: EPOCHS, dropRemainder: true, seed: 1 });
    trained = await vae.evaluate(data.test, { seed: 0 });
  }, 120_000);

  afterAll(() => {
    vae.dispose();
    tf.dispose(data);
    uninstallWasmTrainingKernels();
  });

  it(`learns: the test −ELBO falls from about 545 to below ${THRESHOLD} nats`, () => {
    expect(untrained.negativeElbo).toBeGreaterThan(500);
    expect(trained.negativeElbo).toBeLessThan(THRESHOLD);
    expect(trained.kl).toBeGreaterThan(5); // the latent code is used: no posterior collapse
  });

  it('reconstructions beat the mean training image, in Bernoulli NLL and in squared error', async () => {
    // Measured after 4 epochs: NLL 107.1 vs 206.1 nats per digit, MSE 0.0237 vs 0.0673 per pixel.
    const stats = tf.tidy(() => {
      const meanImage = tf.mean(data.train, 0, true); // [1, 784]
      const p = tf.clipByValue(meanImage, 1e-4, 1 - 1e-4);
      const meanLogits = tf.broadcastTo(tf.sub(tf.log(p), tf.log1p(tf.neg(p))), data.test.shape); // logit(p̄)
      const { mean } = vae.encode(data.test);
      const { output, mean: reconstruction } = vae.decode(mean); // through the mean of q(z|x)
      return tf.stack([
        bernoulliReconstructionLoss(data.test, output),
        bernoulliReconstructionLoss(data.test, meanLogits),
        tf.mean(tf.squaredDifference(data.test, reconstruction)),
        tf.mean(tf.squaredDifference(data.test, meanImage)),
      ]);
    });
    const [vaeNll, meanNll, vaeMse, meanMse] = await stats.data();
    stats.dispose();
    expect(vaeNll!).toBeLessThan(0.7 * meanNll!);
    expect(vaeMse!).toBeLessThan(0.5 * meanMse!);
  });

  it('the IWAE bound is below the −ELBO and falls as k grows (k = 1, 5, 50)', async () => {
    const [k1, k5, k50] = [
      await vae.importanceWeightedBound(data.test, 1, { seed: 1 }),
      await vae.importanceWeightedBound(data.test, 5, { seed: 2 }),
      await vae.importanceWeightedBound(data.test, 50, { seed: 3 }),
    ];
    // k = 1 is another single-sample −ELBO estimate: within noise of the evaluate() one.
    expect(Math.abs(k1! - trained.negativeElbo)).toBeLessThan(1.5);
    expect(k5!).toBeLessThan(k1! - 1);
    expect(k50!).toBeLessThan(k5! - 1);
    expect(k50!).toBeLessThan(trained.negativeElbo - 2);
  });
});
