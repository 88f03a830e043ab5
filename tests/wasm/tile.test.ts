import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useWasmTrainingKernels } from '../helpers/backends';

async function tileOn(backend: string, shape: number[], reps: number[], dtype: 'float32' | 'int32' | 'bool') {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const size = shape.reduce((a, b) => a * b, 1);
    const base = tf.range(0, size, 1, 'float32');
    const x = tf.reshape(dtype === 'bool' ? tf.greater(tf.mod(base, 3), 0.5) : tf.cast(tf.sub(base, 4), dtype), shape);
    const out = tf.tile(x, reps);
    return { shape: out.shape, dtype: out.dtype, values: [...out.dataSync()] };
  });
}

// [shape, reps]: ranks 0 to 5, reps of 1 on inner and outer axes, the batch-norm broadcast, and empty tensors.
const CASES: [number[], number[]][] = [
  [[], []],
  [[1], [5]],
  [[3], [1]],
  [[3], [4]],
  [[2, 3], [3, 1]],
  [[2, 3], [1, 3]],
  [[2, 3], [2, 2]],
  [[1, 1, 1, 5], [3, 4, 2, 1]], // batch norm's 1/σ tiled over [n, h, w]
  [[2, 1, 3], [1, 4, 1]],
  [[2, 3, 1, 2, 1], [2, 1, 3, 1, 2]],
  [[3, 1], [1, 7]],
  [[0, 3], [2, 2]],
  [[2, 3], [0, 1]],
];

describe('wasm Tile', () => {
  useWasmTrainingKernels();

  it.each(CASES)('matches cpu exactly for shape %j tiled %j', async (shape, reps) => {
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      const want = await tileOn('cpu', shape, reps, dtype);
      const got = await tileOn('wasm', shape, reps, dtype);
      expect(got).toEqual(want);
    }
  });

  it('keeps backend data ids flat', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([1, 1, 1, 8]);
    tf.tile(x, [4, 3, 3, 1]).dispose();
    const before = [tf.memory().numTensors, tf.engine().backend.numDataIds()];
    for (let i = 0; i < 5; i++) tf.tile(x, [4, 3, 3, 1]).dispose();
    expect([tf.memory().numTensors, tf.engine().backend.numDataIds()]).toEqual(before);
    x.dispose();
  });
});
