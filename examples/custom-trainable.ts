/**
 * Plugs a model of your own into the library's Trainer: anything with a `trainStep(batch)` that resolves to numeric
 * logs trains the way the built-in GAN and VAE do. Here, a small autoencoder on MNIST digits.
 *
 *   npx tsx examples/custom-trainable.ts --steps 300 --backend wasm
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Trainer, type Trainable } from 'tfjs-generative';
import { BACKENDS, useBackend } from './lib/backend';
import { parseFlags } from './lib/cli';
import { mnistTensors } from './lib/mnist';

class Autoencoder implements Trainable<tf.Tensor> {
  private readonly optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-7);
  private readonly variables: tf.Variable[];

  constructor(private readonly net: tfl.LayersModel) {
    // Name the variables a step may move: without a list, tfjs updates every trainable variable it knows.
    this.variables = net.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  async trainStep(batch: tf.Tensor): Promise<{ loss: number }> {
    const loss = tf.tidy(
      () =>
        this.optimizer.minimize(
          () => tf.mean(tf.square(tf.sub(this.net.apply(batch, { training: true }) as tf.Tensor, batch))),
          true,
          this.variables,
        ) as tf.Scalar,
    );
    const [value] = await loss.data(); // one read-back per step, outside the tidy
    loss.dispose();
    return { loss: value! };
  }

  dispose(): void {
    this.net.dispose();
    this.optimizer.dispose();
  }
}

const flags = parseFlags(
  {
    backend: { type: 'choice', choices: BACKENDS, default: 'wasm', description: 'tfjs backend' },
    steps: { type: 'number', integer: true, min: 1, default: 300, description: 'training steps' },
    seed: { type: 'number', integer: true, default: 1, description: 'seed of the data order' },
  },
  { description: 'Trains a custom Trainable (an autoencoder) with the Trainer.', command: 'npx tsx examples/custom-trainable.ts' },
);

await useBackend(flags.backend);
const data = mnistTensors({ range: [0, 1], seed: flags.seed });
const net = tfl.sequential({
  layers: [
    tfl.layers.dense({ inputShape: [784], units: 64, activation: 'relu' }),
    tfl.layers.dense({ units: 784, activation: 'sigmoid' }),
  ],
});
const model = new Autoencoder(net);
const history = await new Trainer(model).fit(data.train, {
  batchSize: 64,
  steps: flags.steps,
  seed: flags.seed,
  callbacks: {
    onEpochEnd: (epoch, logs) => console.log(`epoch ${epoch}: mean loss ${logs['loss']?.toFixed(4)}`),
  },
});
const first = history.steps[0]?.['loss'] ?? NaN;
const last = history.steps.at(-1)?.['loss'] ?? NaN;
console.log(`${history.steps.length} steps: reconstruction MSE ${first.toFixed(4)} -> ${last.toFixed(4)}`);
model.dispose();
tf.dispose(data);
