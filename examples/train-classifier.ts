/**
 * Trains the small MNIST classifier that the other examples use as a judge of generated digits (examples/lib/judge.ts)
 * and writes its weights to examples/assets/mnist-classifier/ (model.json + weights.bin, tfjs's layers format).
 *
 *   npm run example:classifier -- --epochs 6 --backend wasm
 *
 * An MLP 784→128→64→10 (ReLU, softmax), trained with Adam on 9,000 of the `mnist` package's digits; the other 1,000
 * (`CLASSIFIER_SPLIT`) are held out and its accuracy on them is printed. Everything is seeded: the initial weights,
 * the split and the batch order.
 */

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { installWasmTrainingKernels } from 'tfjs-generative/wasm';
import { BACKENDS, useBackend } from './lib/backend';
import { parseFlags } from './lib/cli';
import { CLASSIFIER_DIR, CLASSIFIER_RANGE, CLASSIFIER_SPLIT, fileHandler } from './lib/judge';
import { mnistTensors } from './lib/mnist';
import { mulberry32 } from './lib/prng';

const flags = parseFlags(
  {
    backend: {
      type: 'choice',
      choices: BACKENDS,
      default: 'wasm',
      description: 'tfjs backend',
    },
    epochs: {
      type: 'number',
      integer: true,
      min: 1,
      default: 6,
      description: 'passes over the training digits',
    },
    batchSize: {
      type: 'number',
      integer: true,
      min: 1,
      default: 64,
      description: 'digits per step',
    },
    seed: {
      type: 'number',
      integer: true,
      default: 1,
      description: 'seed of the weights and the batch order',
    },
    out: {
      type: 'string',
      default: CLASSIFIER_DIR,
      description: 'directory for model.json and weights.bin',
    },
  },
  {
    description: 'Trains the MNIST classifier the examples judge digits with.',
    command: 'npm run example:classifier --',
  },
);

const backend = await useBackend(flags.backend);
if (backend === 'wasm') installWasmTrainingKernels();
const data = mnistTensors({ ...CLASSIFIER_SPLIT, range: CLASSIFIER_RANGE });

const model = tfl.sequential({
  layers: [
    tfl.layers.dense({
      inputShape: [784],
      units: 128,
      activation: 'relu',
      kernelInitializer: tfl.initializers.heNormal({ seed: flags.seed }),
    }),
    tfl.layers.dense({
      units: 64,
      activation: 'relu',
      kernelInitializer: tfl.initializers.heNormal({ seed: flags.seed + 1 }),
      // The judge reads this layer's activations as the features of the MNIST Fréchet distance.
      name: 'features',
    }),
    tfl.layers.dense({
      units: 10,
      activation: 'softmax',
      kernelInitializer: tfl.initializers.glorotUniform({
        seed: flags.seed + 2,
      }),
    }),
  ],
});
model.compile({
  optimizer: tf.train.adam(1e-3),
  loss: 'sparseCategoricalCrossentropy',
  metrics: ['accuracy'],
});

const nTrain = data.train.shape[0];
const random = mulberry32(flags.seed);
const started = performance.now();
for (let epoch = 1; epoch <= flags.epochs; epoch++) {
  // Our own seeded shuffle: layers' `fit` shuffles with Math.random.
  const order = Int32Array.from({ length: nTrain }, (_, i) => i);
  for (let i = nTrain - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  let lossSum = 0;
  let batches = 0;
  for (let start = 0; start < nTrain; start += flags.batchSize) {
    const rows = tf.tensor1d(order.subarray(start, start + flags.batchSize), 'int32');
    const x = tf.gather(data.train, rows);
    const y = tf.cast(tf.gather(data.trainLabels, rows), 'float32');
    const [loss] = (await model.trainOnBatch(x, y)) as number[];
    tf.dispose([rows, x, y]);
    lossSum += loss!;
    batches++;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`epoch ${epoch}/${flags.epochs}: loss ${(lossSum / batches).toFixed(4)} (${seconds} s)`);
}

const accuracy = tf.tidy(() => {
  const predicted = tf.argMax(model.predict(data.test) as tf.Tensor2D, 1);
  return tf.mean(tf.cast(tf.equal(predicted, data.testLabels), 'float32'));
});
const testAccuracy = (await accuracy.data())[0]!;
accuracy.dispose();
await model.save(fileHandler(flags.out));
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  `test accuracy ${(testAccuracy * 100).toFixed(2)}% on ${data.test.shape[0]} held-out digits; ` +
    `${seconds} s on ${backend}; weights in ${flags.out}/`,
);
model.dispose();
tf.dispose(data);
