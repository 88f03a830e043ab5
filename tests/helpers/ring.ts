import * as tf from '@tensorflow/tfjs-core';
import { mlpDiscriminator, mlpGenerator, type GAN, type HiddenActivation } from '../../src';
import type * as tfl from '@tensorflow/tfjs-layers';
import { mulberry32 } from '../../examples/lib/prng';

// The classic mode-collapse benchmark: 8 Gaussians (σ = 0.02) on a circle of radius 2. A collapsed GAN puts its
// samples on one or two modes; a GAN that learns covers them all.
const MODES = Array.from({ length: 8 }, (_, k) => [2 * Math.cos((k * Math.PI) / 4), 2 * Math.sin((k * Math.PI) / 4)]);
const STD = 0.02;
const NEAR = 0.2;

/** The ring tests' generator: z of 8 → 64 → 64 → a point, plain ReLU (the factory's default adds batch norm). */
export function ringGenerator(seed: number): tfl.LayersModel {
  return mlpGenerator({
    latentDim: 8,
    hiddenUnits: [64, 64],
    outputShape: [2],
    outputActivation: 'linear',
    activation: 'relu',
    batchNorm: false,
    seed,
  });
}

/** The ring tests' discriminator: a point → 64 → 64 → a logit, without dropout. */
export function ringDiscriminator(seed: number, activation: HiddenActivation): tfl.LayersModel {
  return mlpDiscriminator({ inputShape: [2], hiddenUnits: [64, 64], activation, dropout: 0, seed });
}

export function* ringBatches(batchSize: number, seed: number): Generator<tf.Tensor2D> {
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  for (;;) {
    const points = new Float32Array(batchSize * 2);
    for (let i = 0; i < batchSize; i++) {
      const [mx, my] = MODES[Math.floor(rand() * MODES.length)]!;
      points[2 * i] = mx! + STD * gauss();
      points[2 * i + 1] = my! + STD * gauss();
    }
    const batch = tf.tensor2d(points, [batchSize, 2]);
    try {
      yield batch; // the Trainer does not dispose batches it is given; the source does
    } finally {
      batch.dispose();
    }
  }
}

export async function modeCoverage(gan: GAN, n: number): Promise<{ covered: number; nearFraction: number }> {
  const samples = gan.sample(n, { seed: 12345 });
  const xy = await samples.data();
  samples.dispose();
  const counts = new Array<number>(MODES.length).fill(0);
  let near = 0;
  for (let i = 0; i < n; i++) {
    const distances = MODES.map(([mx, my]) => Math.hypot(xy[2 * i]! - mx!, xy[2 * i + 1]! - my!));
    const best = Math.min(...distances);
    if (best < NEAR) {
      near++;
      counts[distances.indexOf(best)]!++;
    }
  }
  // A mode counts as covered when it holds at least 2% of the samples (a uniform spread gives 12.5%).
  return { covered: counts.filter((c) => c >= 0.02 * n).length, nearFraction: near / n };
}
