/**
 * Trains a VAE (Kingma & Welling's 784 → 400 → 20 → 400 → 784 MLP, Bernoulli likelihood) on the real MNIST digits of
 * the `mnist` package, with a seeded 9,000 / 1,000 train/test split, and prints the test −ELBO after every epoch and
 * the importance-weighted bound at the end. Writes two PNGs: test digits beside their reconstructions, and either a
 * grid decoded across the 2-D latent plane (`--latent 2`) or interpolations between test digits.
 *
 *   npm run example:vae -- --epochs 30 --backend wasm
 *   npm run example:vae -- --latent 2 --epochs 30
 *   npm run example:vae -- --checkpoint out/vae.ckpt   # Ctrl-C, then the same command carries on
 */
import * as tf from '@tensorflow/tfjs-core';
import { Trainer, VAE, imageGrid } from 'tfjs-generative';
import { installWasmTrainingKernels } from 'tfjs-generative/wasm';
import { BACKENDS, useBackend } from './lib/backend';
import { Checkpointer } from './lib/checkpoint';
import { parseFlags } from './lib/cli';
import { mnistTensors } from './lib/mnist';
import { writePng } from './lib/png';
import { Progress } from './lib/progress';

const flags = parseFlags(
  {
    backend: { type: 'choice', choices: BACKENDS, default: 'wasm', description: 'tfjs backend' },
    epochs: { type: 'number', integer: true, min: 1, default: 30, description: 'passes over the 9,000 training digits' },
    batchSize: { type: 'number', integer: true, min: 1, max: 9000, default: 100, description: 'digits per step' },
    latent: { type: 'number', integer: true, min: 1, default: 20, description: 'latent size; 2 draws the latent plane' },
    iwae: { type: 'number', integer: true, min: 0, default: 50, description: 'samples of the final IWAE bound (0: skip)' },
    seed: { type: 'number', integer: true, default: 1, description: 'seed of the split, weights, noise and data order' },
    out: { type: 'string', default: 'out/vae', description: 'prefix of the two PNGs: <out>-reconstructions.png, …' },
    checkpoint: { type: 'string', default: '', description: 'file to save the run to, and to resume from if it exists' },
    checkpointEvery: { type: 'number', integer: true, min: 1, default: 100, description: 'steps between checkpoints' },
  },
  { description: 'Trains a VAE on real MNIST digits and writes reconstructions and a latent grid.', command: 'npm run example:vae --' },
);

const backend = await useBackend(flags.backend);
// Stock wasm takes a slow path for the transposed products of every backward pass; this swaps in a fast one.
if (backend === 'wasm') installWasmTrainingKernels();
// Bernoulli likelihood: pixels in [0, 1]. The split is fixed by the seed: the same digits are held out every run.
const data = mnistTensors({ range: [0, 1], testFraction: 0.1, seed: flags.seed });
const vae = new VAE({ latentDim: flags.latent, seed: flags.seed });
const nTrain = data.train.shape[0];
const stepsPerEpoch = Math.floor(nTrain / flags.batchSize);

// The flags that shape the run: a checkpoint resumes only under the same ones (--epochs and --backend may change).
const checkpoints =
  flags.checkpoint === ''
    ? undefined
    : new Checkpointer(vae, {
        path: flags.checkpoint,
        every: flags.checkpointEvery,
        run: { example: 'vae-mnist', latent: flags.latent, batchSize: flags.batchSize, seed: flags.seed },
        flags: { latent: '--latent', batchSize: '--batch-size', seed: '--seed' },
      });
const resumeFrom = await checkpoints?.restore(flags.epochs * stepsPerEpoch);

console.log(
  `Training a VAE (latent ${flags.latent}) on ${nTrain} MNIST digits, testing on ${data.test.shape[0]}: ` +
    `${flags.epochs} epochs of ${stepsPerEpoch} steps of ${flags.batchSize}, backend ${backend}, seed ${flags.seed}.`,
);
const started = performance.now();
let progress: Progress | undefined;
const history = await new Trainer(vae).fit(data.train, {
  batchSize: flags.batchSize,
  epochs: flags.epochs,
  dropRemainder: true,
  seed: flags.seed,
  ...(resumeFrom !== undefined && { resumeFrom }),
  ...(checkpoints !== undefined && { signal: checkpoints.signal }),
  callbacks: [
    {
      onEpochBegin(epoch, ctx) {
        // A resumed run starts part-way through an epoch: ctx.position.batch steps of it are done already.
        const label = `epoch ${epoch + 1}/${flags.epochs}`;
        progress = new Progress(stepsPerEpoch, { label, lines: 1, start: ctx.position.batch });
      },
      onStepEnd: (step, logs) => progress?.update((step % stepsPerEpoch) + 1, logs),
      async onEpochEnd() {
        progress?.done();
        if (checkpoints?.signal.aborted) return; // interrupted part-way: the epoch is not over

        // One z per test digit, and the same seed every epoch, so the epochs are compared on the same noise.
        const test = await vae.evaluate(data.test, { seed: 0 });
        const elapsed = (performance.now() - started) / 1000;
        console.log(
          `  test −ELBO ${test.negativeElbo.toFixed(2)} nats (reconstruction ${test.reconstruction.toFixed(2)}, ` +
            `KL ${test.kl.toFixed(2)}) · ${elapsed.toFixed(0)} s`,
        );
      },
    },
    checkpoints?.callbacks ?? {},
  ],
});
if (await checkpoints?.finish(history)) process.exit(130);
const seconds = (performance.now() - started) / 1000;
console.log(`Trained in ${seconds.toFixed(1)} s (${(history.steps.length / seconds).toFixed(1)} steps/s).`);

if (flags.iwae > 0) {
  const t = performance.now();
  const bound = await vae.importanceWeightedBound(data.test, flags.iwae, { seed: 0 });
  const elbo = await vae.evaluate(data.test, { seed: 0 });
  console.log(
    `Test NLL estimates: −ELBO ${elbo.negativeElbo.toFixed(2)} nats, IWAE bound (k = ${flags.iwae}) ` +
      `${bound.toFixed(2)} nats (${((performance.now() - t) / 1000).toFixed(1)} s).`,
  );
}

// Test digits beside their reconstructions (through the mean of q(z|x)): pairs, six per row.
const originals = tf.slice(data.test, [0, 0], [30, 784]);
const output = vae.reconstruct(originals);
const pairs = tf.reshape(tf.stack([originals, output.reconstruction], 1), [60, 784]); // original, reconstruction, …
const pairGrid = imageGrid(pairs, { imageShape: [28, 28], cols: 12, range: [0, 1] });
const reconstructionsPath = `${flags.out}-reconstructions.png`;
await writePng(reconstructionsPath, pairGrid, { scale: 2 });
console.log(`Wrote test digits (odd columns) beside their reconstructions (even columns) to ${reconstructionsPath}.`);

// With a 2-D latent space, decode a 15×15 grid over [−2, 2]²: most of the prior's mass. Otherwise interpolate.
let latentGrid: tf.Tensor3D;
let latentPath: string;
if (flags.latent === 2) {
  const side = 15;
  const axis = Array.from({ length: side }, (_, i) => -2 + (4 * i) / (side - 1));
  const points = tf.tensor2d(axis.flatMap((y) => axis.map((x) => [x, -y])), [side * side, 2]); // row = y, top is +2
  const decoded = vae.decode(points);
  latentGrid = imageGrid(decoded.mean, { imageShape: [28, 28], cols: side, range: [0, 1] });
  latentPath = `${flags.out}-latent-plane.png`;
  tf.dispose([points, decoded]);
} else {
  // Eight rows, each a spherical path between two test digits, endpoints included.
  const rows = Array.from({ length: 8 }, (_, i) => {
    const [a, b] = [tf.slice(data.test, [2 * i, 0], [1, 784]), tf.slice(data.test, [2 * i + 1, 0], [1, 784])];
    const path = vae.interpolate(a, b, 10, { method: 'spherical' });
    tf.dispose([a, b]);
    return path;
  });
  const paths = tf.concat(rows, 0);
  latentGrid = imageGrid(paths, { imageShape: [28, 28], cols: 10, range: [0, 1] });
  latentPath = `${flags.out}-interpolations.png`;
  tf.dispose([...rows, paths]);
}
await writePng(latentPath, latentGrid, { scale: 2 });
console.log(
  flags.latent === 2
    ? `Wrote the decoded latent plane, z ∈ [−2, 2]², to ${latentPath}.`
    : `Wrote spherical interpolations between pairs of test digits to ${latentPath}.`,
);

tf.dispose([originals, output, pairs, pairGrid, latentGrid, data]);
vae.dispose();
