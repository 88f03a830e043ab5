/**
 * Step 3 of the scaling-out round trip (see README.md beside this file): loads the networks that
 * train_distributed.py trained in TensorFlow back into tfjs-layers, checks the generator against Keras's output on
 * the same z, puts both networks into a GAN again and samples from it.
 *
 *   npx tsx examples/scaling-out/import.ts --dir out/scaling-out
 *
 * Writes `samples.png` (100 digits) under `--dir` and prints the MNIST Fréchet distance and class coverage of 1,000
 * samples, as the GAN example does.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { GAN, imageGrid } from 'tfjs-generative';
import { BACKENDS, useBackend } from '../lib/backend';
import { parseFlags } from '../lib/cli';
import { fileHandler } from '../lib/judge';
import { writePng } from '../lib/png';
import { formatQuality, sampleQuality } from '../lib/quality';

const flags = parseFlags(
  {
    backend: { type: 'choice', choices: BACKENDS, default: 'wasm', description: 'tfjs backend' },
    dir: { type: 'string', default: 'out/scaling-out', description: 'folder export.ts and the Python step wrote' },
  },
  {
    description: 'Loads the networks trained in TensorFlow back into a GAN.',
    command: 'npx tsx examples/scaling-out/import.ts',
  },
);

await useBackend(flags.backend);
const f32 = async (name: string) => {
  const bytes = await readFile(join(flags.dir, name));
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
};

// Plain tfjs-layers models: exportNetwork wrote standard layers only, so no registerGenerativeLayers() is needed.
const generator = await tfl.loadLayersModel(fileHandler(join(flags.dir, 'generator-trained')));
const discriminator = await tfl.loadLayersModel(fileHandler(join(flags.dir, 'discriminator-trained')));
const gan = new GAN({ seed: 1 }, { generator, discriminator }); // the GAN owns them now

const zValues = await f32('z.f32');
const z = tf.tensor2d(zValues, [zValues.length / gan.latentDim, gan.latentDim]);
const ours = gan.generate(z); // inference mode, as Keras's generator(z, training=False)
const keras = tf.tensor(await f32('g-keras.f32'), ours.shape);
const difference = tf.max(tf.abs(tf.sub(ours, keras)));
console.log(
  `generator in tfjs vs Keras on the same z: max |difference| ${(await difference.data())[0]!.toExponential(2)}`,
);

const grid = tf.tidy(() => imageGrid(ours, { imageShape: [28, 28] }));
await writePng(join(flags.dir, 'samples.png'), grid, { scale: 2 });
tf.dispose([z, ours, keras, difference, grid]);
console.log(formatQuality(await sampleQuality((n) => gan.sample(n, { seed: 2 }) as tf.Tensor2D)));
console.log(`Wrote ${join(flags.dir, 'samples.png')}.`);
gan.dispose();
