import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GAN, Trainer } from '../../src';
import { installWasmTrainingKernels, uninstallWasmTrainingKernels } from '../../src/wasm';
import { mnistTensors, type MnistTensors } from '../../examples/lib/mnist';
import { DigitJudge } from '../helpers/mnist-quality';

// Measured with this setup on wasm (recommended recipe, seed 1, batch 64), over 500 samples:
//   step:               0      500    1000   | real test digits
//   classes covered:    0      8      10     | 10
//   confident fraction: 0      0.19   0.42   | 0.80
//   nearest distance:   27.0   13.9   13.2   | 9.4
//   diversity:          8.6    14.2   16.2   | 20.4
// The thresholds sit well inside the 600-step figures and far from what an untrained or collapsed generator gives.
const STEPS = 600;

let data: MnistTensors;
let judge: DigitJudge;

beforeAll(async () => {
  await tf.setBackend('wasm');
  installWasmTrainingKernels();
  data = mnistTensors({ range: [-1, 1], seed: 0, testFraction: 0.1 });
  judge = await DigitJudge.fit(data.train, data.trainLabels);
});

afterAll(() => {
  judge.dispose();
  tf.dispose(data);
  uninstallWasmTrainingKernels();
});

it(`the default GAN learns real MNIST digits in ${STEPS} steps`, async () => {
  expect(await judge.accuracy(data.test, data.testLabels)).toBeGreaterThan(0.85); // the judge itself reads digits

  const gan = new GAN({ seed: 1 });
  const sampleQuality = async () => {
    const samples = gan.sample(500, { seed: 99 });
    const quality = await judge.judge(samples);
    samples.dispose();
    return quality;
  };
  const before = await sampleQuality();
  await new Trainer(gan).fit(data.train, { batchSize: 64, steps: STEPS, seed: 1, dropRemainder: true });
  const after = await sampleQuality();
  const realDigits = tf.slice(data.test, [0, 0], [500, 784]);
  const real = await judge.judge(realDigits);
  realDigits.dispose();
  gan.dispose();

  expect(before.classesCovered).toBe(0);
  expect(after.classesCovered).toBeGreaterThanOrEqual(7); // many digit classes, no collapse onto a few
  expect(after.confidentFraction).toBeGreaterThan(0.1); // samples that read as a definite digit
  expect(after.nearestDistance).toBeLessThan(0.6 * before.nearestDistance); // close to real digits ...
  expect(after.nearestDistance).toBeLessThan(1.7 * real.nearestDistance);
  expect(after.diversity).toBeGreaterThan(0.55 * real.diversity); // ... yet varied
}, 400_000);
