import * as tf from '@tensorflow/tfjs-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { snippetsOf } from './snippets';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The README's tour, run as written but on 128 random images for 3 steps: the code a new user pastes first must run,
 * not only type-check. The tour's `images` is defined after its imports, and its console is collected.
 */
it('the README tour runs as written on a small tensor', async () => {
  const tour = snippetsOf(join(root, 'README.md'), root)[0]!;
  expect(tour.code).toMatch(/new GAN\(/);
  const lines = tour.code.split('\n');
  const body = lines.findIndex((l) => l.trim() !== '' && !l.startsWith('import '));
  const code = [
    ...lines.slice(0, body),
    "const images = tf.randomUniform([128, 784], -1, 1, 'float32', 1);",
    'const printed: unknown[][] = [];',
    'const console = { log: (...args: unknown[]) => printed.push(args) };',
    ...lines.slice(body).map((l) => l.replace(/steps: \d+/, 'steps: 3')),
    'export { gan, grid, history, images, printed };',
  ].join('\n');
  const dir = join(root, 'tests/docs/.generated');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'readme-tour.ts');
  writeFileSync(file, code);
  const before = tf.memory().numTensors;
  const run = (await import(/* @vite-ignore */ file)) as {
    gan: { dispose(): void };
    grid: tf.Tensor;
    history: { steps: unknown[] };
    images: tf.Tensor;
    printed: unknown[][];
  };
  expect(tf.getBackend()).toBe('wasm');
  expect(run.history.steps).toHaveLength(3);
  expect(run.printed).toHaveLength(3);
  expect(run.printed.every(([, g, d]) => Number.isFinite(g) && Number.isFinite(d))).toBe(true);
  expect(run.grid.shape).toEqual([302, 302, 1]);
  // What the tour leaves is what it made: the model, the grid and the images.
  tf.dispose([run.grid, run.images]);
  run.gan.dispose();
  expect(tf.memory().numTensors).toBe(before);
}, 180_000);
