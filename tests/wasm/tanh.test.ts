import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { useWasmTrainingKernels } from '../helpers/backends';

async function tanhOn(backend: string, values: Float32Array, shape: number[]): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => tf.tanh(tf.tensor(values, shape)).dataSync() as Float32Array);
}

/** Every element within `rel` of the reference, relative to its own magnitude (not the tensor's largest). */
function expectElementwiseClose(actual: Float32Array, expected: Float32Array, rel: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    worst = Math.max(worst, Math.abs(actual[i]! - e) / Math.max(Math.abs(e), 1e-30));
  }
  expect(worst).toBeLessThanOrEqual(rel);
}

describe('wasm Tanh', () => {
  useWasmTrainingKernels();

  it('matches cpu to 1e-6 per element over a dense sweep of [-12, 12] and near 0', async () => {
    const n = 240_001;
    const sweep = Float32Array.from({ length: n }, (_, i) => -12 + (24 * i) / (n - 1));
    const tiny = Float32Array.from({ length: 2001 }, (_, i) => (i - 1000) * 1e-7);
    for (const values of [sweep, tiny]) {
      expectElementwiseClose(await tanhOn('wasm', values, [values.length]), await tanhOn('cpu', values, [values.length]), 1e-6);
    }
  });

  it('keeps the special values: ±0, ±1 at ±Infinity and beyond 9, NaN', async () => {
    const values = Float32Array.from([0, -0, 9, -9, 50, -50, Infinity, -Infinity, NaN]);
    const got = [...(await tanhOn('wasm', values, [values.length]))];
    expect(got).toEqual([0, -0, 1, -1, 1, -1, 1, -1, NaN]);
  });

  it.each([[[1]], [[3, 5]], [[2, 3, 4, 5]], [[64, 784]]])('matches cpu for shape %j', async (shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = tf.tidy(() => tf.randomNormal([size], 0, 3, 'float32', size).dataSync() as Float32Array);
    expectElementwiseClose(await tanhOn('wasm', values, shape), await tanhOn('cpu', values, shape), 1e-6);
  });

  it('gives the cpu gradient', async () => {
    const grad = () =>
      tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.tanh(x), tf.range(0, 7))))(tf.linspace(-3, 3, 7)).dataSync() as Float32Array);
    await tf.setBackend('cpu');
    const want = grad();
    await tf.setBackend('wasm');
    expectElementwiseClose(grad(), want, 1e-5);
  });
});
