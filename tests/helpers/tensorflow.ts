/**
 * The `tensorflow` tier: tests of the library on tfjs-node's native backend. tfjs-node is not a dependency of this
 * package (its install script downloads libtensorflow), so the tier runs only where it is installed, and otherwise
 * skips with its reason printed once by tests/tensorflow/global-setup.ts and named by a skipped test in each file.
 *
 * Nothing here imports tfjs-node: tests/tensorflow/setup.ts loads it, and only after `tfjsNodeMissing()`
 * (tests/tensorflow/availability.ts) found it.
 */

import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { GAN, dcganDiscriminator, dcganGenerator } from '../../src';
import { mulberry32 } from '../../examples/lib/prng';
import { tfjsNodeMissing } from '../tensorflow/availability';
import type { ParityTrace } from './parity';

export { INSTALL_HINT, TFJS_NODE, tfjsNodeMissing } from '../tensorflow/availability';

/**
 * `describe` on the tensorflow backend: the block's tests run with `tensorflow` active and cpu is restored after. When
 * tfjs-node is missing, the block is replaced by one skipped test whose name says why.
 */
export function describeOnTensorflow(name: string, body: () => void): void {
  const missing = tfjsNodeMissing();
  if (missing !== null) {
    it.skip(`${name} [tensorflow]: skipped, ${missing}`);
    return;
  }
  describe(`${name} [tensorflow]`, () => {
    beforeAll(async () => {
      if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend failed to initialise');
    });
    afterAll(async () => {
      await tf.setBackend('cpu');
    });
    body();
  });
}

/** Options of {@link dcganParityTrace}. */
export interface DcganParityOptions {
  /** Training steps compared (default 5). */
  readonly steps?: number;
  /** Images per batch (default 8). */
  readonly batchSize?: number;
  /** Seed of weights, noise and data (default 7). */
  readonly seed?: number;
}

const IMAGE = [8, 8, 1] as const;

/**
 * The DCGAN counterpart of tests/helpers/parity.ts's `parityTrace` (which knows the MLP GAN and VAE only): a small
 * `dcganGenerator`/`dcganDiscriminator` pair, with batch norm, stride-2 (transposed) convolutions, LeakyReLU and
 * seeded dropout, trained on fixed sparse 8×8 batches from the reference's initial weights. Its trace compares with
 * `compareTraces` like the MLP ones; it is labelled `gan`, the model class it trains.
 */
export async function dcganParityTrace(
  backend: string,
  options: DcganParityOptions = {},
  reference?: ParityTrace,
): Promise<ParityTrace> {
  const { steps = 5, batchSize = 8, seed = 7 } = options;
  const previous = tf.getBackend();
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to initialise`);
  const gan = new GAN(
    { seed },
    {
      generator: dcganGenerator({ imageShape: IMAGE, latentDim: 8, filters: [16, 8], seed: seed + 1 }),
      discriminator: dcganDiscriminator({ imageShape: IMAGE, filters: [8, 16], seed: seed + 2 }),
    },
  );
  const weights = [...gan.generator.weights, ...gan.discriminator.weights];
  const readAll = () => Promise.all(weights.map(async (w) => ((await w.read().data()) as Float32Array).slice()));
  const next = mulberry32(seed);
  const size = batchSize * IMAGE[0] * IMAGE[1] * IMAGE[2];
  try {
    if (reference !== undefined) {
      weights.forEach((w, i) => {
        tf.tidy(() => {
          w.write(tf.tensor(reference.initial[i]!, w.read().shape, 'float32'));
        });
      });
    }
    const initial = await readAll();
    const logs: Readonly<Record<string, number>>[] = [];
    const trace: Float32Array[][] = [];
    for (let k = 0; k < steps; k++) {
      const values = new Float32Array(size);
      for (let i = 0; i < size; i++) values[i] = next() < 0.2 ? 2 * next() - 1 : -1;
      const batch = tf.tensor4d(values, [batchSize, ...IMAGE]);
      try {
        logs.push({ ...(await gan.trainStep(batch)) });
      } finally {
        batch.dispose();
      }
      trace.push(await readAll());
    }
    return {
      backend,
      model: 'gan',
      names: weights.map((w) => w.name),
      logs,
      weights: trace,
      initial,
      excluded: [], // the layers before batch norm have no bias (see dcganGenerator)
      learningRate: 2e-4, // the GAN's default Adam
    };
  } finally {
    gan.dispose();
    await tf.setBackend(previous);
  }
}
