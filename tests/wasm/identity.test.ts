import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useWasmTrainingKernels } from '../helpers/backends';

describe('wasm Identity without a copy', () => {
  useWasmTrainingKernels();

  it.each(['float32', 'int32', 'bool'] as const)('clones %s tensors that outlive their source, and the reverse', (dtype) => {
    const baseline = tf.engine().backend.numDataIds();
    const a = tf.tensor([1, 0, 3, 0, 5, 6], [2, 3], dtype);
    const b = tf.clone(a);
    expect(b.shape).toEqual([2, 3]);
    expect(b.dtype).toBe(dtype);
    a.dispose();
    expect([...b.dataSync()]).toEqual(dtype === 'bool' ? [1, 0, 1, 0, 1, 1] : [1, 0, 3, 0, 5, 6]);
    const c = tf.clone(b);
    b.dispose();
    expect([...c.dataSync()]).toEqual(dtype === 'bool' ? [1, 0, 1, 0, 1, 1] : [1, 0, 3, 0, 5, 6]);
    c.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(baseline); // the shared buffer is freed with its last tensor
  });

  it('gives the same gradients as cpu through custom gradients that clone', async () => {
    const run = () =>
      tf.tidy(() => {
        const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
          const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
          save([x]);
          return { value: tf.clone(tf.square(x)), gradFunc: (dy: tf.Tensor, [s]: tf.Tensor[]) => tf.mul(dy, tf.mul(s!, 2)) };
        });
        return [...tf.grad((x: tf.Tensor) => f(x) as tf.Tensor)(tf.tensor([1, -2, 3])).dataSync()];
      });
    await tf.setBackend('cpu');
    const want = run();
    await tf.setBackend('wasm');
    expect(run()).toEqual(want);
  });

  it('still clones strings (through the stock kernel)', async () => {
    await tf.setBackend('wasm');
    const a = tf.tensor(['x', 'yz']);
    const b = tf.clone(a);
    a.dispose();
    expect(b.dataSync()).toEqual(['x', 'yz']);
    b.dispose();
  });
});
