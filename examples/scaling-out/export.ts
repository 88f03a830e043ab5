/**
 * Step 1 of the scaling-out round trip (see README.md beside this file): builds a GAN with the library, exports its
 * two networks as plain tfjs-layers models, and writes what the Python side needs as raw little-endian float32 files.
 *
 *   npx tsx examples/scaling-out/export.ts --dir out/scaling-out
 *
 * Writes, under `--dir`:
 * - `generator/`, `discriminator/`: `model.json` (the Keras-2-style layers topology tfjs-layers writes) + `weights.bin`
 * - `mnist.f32`: the 10,000 MNIST digits of the `mnist` package, `[10000, 784]`, scaled to [-1, 1]
 * - `z.f32`: a fixed latent batch `[100, latentDim]`, and `g-tfjs.f32`: the exported generator's output on it
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { GAN, exportNetwork } from 'tfjs-generative';
import { BACKENDS, useBackend } from '../lib/backend';
import { parseFlags } from '../lib/cli';
import { fileHandler } from '../lib/judge';
import { loadMnist } from '../lib/mnist';

const flags = parseFlags(
  {
    backend: { type: 'choice', choices: BACKENDS, default: 'wasm', description: 'tfjs backend' },
    seed: { type: 'number', integer: true, default: 1, description: 'seed of the weights and of z' },
    dir: { type: 'string', default: 'out/scaling-out', description: 'folder to write to' },
  },
  {
    description: 'Exports a GAN’s networks and MNIST for training in Python.',
    command: 'npx tsx examples/scaling-out/export.ts',
  },
);

await useBackend(flags.backend);
await mkdir(flags.dir, { recursive: true });
const f32 = (name: string, values: Float32Array) => writeFile(join(flags.dir, name), new Uint8Array(values.buffer));

const gan = new GAN({ seed: flags.seed }); // the recommended MLP recipe: 784-pixel data in [-1, 1]
await exportNetwork(gan.generator, fileHandler(join(flags.dir, 'generator')));
await exportNetwork(gan.discriminator, fileHandler(join(flags.dir, 'discriminator')));

const { images, count } = loadMnist();
await f32(
  'mnist.f32',
  images.map((v) => v * 2 - 1),
); // [0, 1] → the tanh range
const z = tf.randomNormal([100, gan.latentDim], 0, 1, 'float32', flags.seed);
const out = gan.generate(z); // inference mode: batch norm on its moving statistics
await f32('z.f32', (await z.data()) as Float32Array);
await f32('g-tfjs.f32', (await out.data()) as Float32Array);
tf.dispose([z, out]);
gan.dispose();
console.log(`Wrote ${flags.dir}: generator/, discriminator/, mnist.f32 (${count} digits), z.f32, g-tfjs.f32.`);
