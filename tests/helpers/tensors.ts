import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** Checks dtype, then shape, then values within an absolute-plus-relative tolerance. */
export async function expectTensorClose(
  actual: tf.Tensor,
  expected: tf.Tensor | number | number[],
  tolerance = 1e-5,
): Promise<void> {
  const want = expected instanceof tf.Tensor ? expected : tf.tensor(expected);
  expect(actual.dtype).toBe(want.dtype);
  expect(actual.shape).toEqual(want.shape);
  const [a, e] = [await actual.data(), await want.data()];
  for (let i = 0; i < e.length; i++) {
    const tol = tolerance * (1 + Math.abs(e[i]!));
    expect(Math.abs(a[i]! - e[i]!), `element ${i}: ${a[i]} vs ${e[i]}`).toBeLessThanOrEqual(tol);
  }
  if (!(expected instanceof tf.Tensor)) want.dispose();
}

/** A snapshot of a network's weight values, for comparing before and after a step. */
export function snapshot(weights: { read(): tf.Tensor }[]): Float32Array[] {
  return weights.map((w) => w.read().dataSync() as Float32Array).map((a) => a.slice());
}

/** A loss's value and its gradients with respect to each input, read back as numbers; disposes the inputs. */
export async function valueAndGrads(
  loss: (...xs: tf.Tensor[]) => tf.Scalar,
  ...inputs: tf.Tensor[]
): Promise<{ value: number; grads: number[][] }> {
  const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => loss(...xs))(inputs);
  const out = { value: (await value.data())[0]!, grads: await Promise.all(grads.map(async (g) => [...(await g.data())])) };
  tf.dispose([value, ...grads, ...inputs]);
  return out;
}
