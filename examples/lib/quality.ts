/**
 * The examples' closing measure of sample quality: the MNIST Fréchet distance of 1,000 generated digits to 1,000 real
 * ones the classifier never trained on, beside the same distance for 1,000 real training digits (the floor a perfect
 * generator would reach at these sample sizes), and how many digit classes the samples cover.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CLASSIFIER_SPLIT, MnistJudge } from './judge';
import { mnistTensors } from './mnist';

/** What {@link sampleQuality} measured. */
export interface SampleQuality {
  readonly frechetDistance: number;
  readonly realFloor: number;
  readonly classesCovered: number;
}

const N = 1000;

/** Measures `draw(n)` (generated digits `[n, 784]` in [-1, 1]) against the classifier's held-out digits. */
export async function sampleQuality(draw: (n: number) => tf.Tensor2D): Promise<SampleQuality> {
  const judge = await MnistJudge.load();
  const data = mnistTensors({ range: [-1, 1], ...CLASSIFIER_SPLIT });
  const heldOut = tf.slice(data.test, 0, N);
  const training = tf.slice(data.train, 0, N);
  const samples = draw(N);
  try {
    const real = await judge.statistics(heldOut);
    const frechetDistance = await judge.mnistFrechetDistance(samples, real);
    const realFloor = await judge.mnistFrechetDistance(training, real);
    const { covered } = await judge.mnistClassCoverage(samples, { minFraction: 0.02 });
    return { frechetDistance, realFloor, classesCovered: covered };
  } finally {
    tf.dispose([heldOut, training, samples, data]);
    judge.dispose();
  }
}

/** One line for the console. */
export function formatQuality(q: SampleQuality): string {
  return (
    `MNIST Fréchet distance ${q.frechetDistance.toFixed(1)} (real held-out digits: ${q.realFloor.toFixed(2)}), ` +
    `${q.classesCovered} of 10 digit classes covered.`
  );
}
