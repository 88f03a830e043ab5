import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { installWasmTrainingKernels, uninstallWasmTrainingKernels } from '../../src/wasm';
import { lazyCounts } from '../../src/wasm/lazy';
import { useWasmTrainingKernels } from '../helpers/backends';

function values(shape: number[], seed: number): Float32Array {
  return tf.tidy(() => tf.randomUniform(shape, -1, 1, 'float32', seed).dataSync() as Float32Array);
}

const dataIds = () => tf.engine().backend.numDataIds();

/** A dense layer's weight gradients on constant input: tfjs-core also computes its input gradient, never read. */
function denseWeightGradient(): Float32Array[] {
  return tf.tidy(() => {
    const w = tf.variable(tf.tensor(values([13, 7], 1), [13, 7]));
    const bias = tf.variable(tf.tensor(values([7], 2), [7]));
    const x = tf.tensor(values([9, 13], 3), [9, 13]);
    // What a tfjs-layers dense layer runs: a fused product with its bias.
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(tf.fused.matMul({ a: x, b: w, bias }))) as tf.Scalar, [w, bias]);
    const out = [w, bias].map((v) => grads[v.name]!.dataSync() as Float32Array);
    tf.dispose([w, bias]);
    return out;
  });
}

describe('deferred gradient kernels on wasm', () => {
  useWasmTrainingKernels();

  it('never compute the input gradient of a layer on constant input, and give the cpu weight gradients', async () => {
    await tf.setBackend('cpu');
    const want = denseWeightGradient();
    await tf.setBackend('wasm');
    const before = lazyCounts();
    const got = denseWeightGradient();
    const after = lazyCounts();
    expect(after.dropped - before.dropped).toBeGreaterThanOrEqual(1); // dx of the fused product, freed unread
    expect(after.pending).toBe(0);
    got.forEach((g, i) => expect(Array.from(g).map((v, j) => Math.abs(v - want[i]![j]!)).every((d) => d < 1e-5)).toBe(true));
  });

  it('compute a deferred product when it is read, synchronously or not, or used by another kernel', async () => {
    await tf.setBackend('wasm');
    const a = tf.tensor(values([5, 3], 3), [5, 3]);
    const b = tf.tensor(values([3, 4], 4), [3, 4]);
    const want = await (async () => {
      await tf.setBackend('cpu');
      const r = tf.matMul(tf.tensor(values([5, 3], 3), [5, 3]), tf.tensor(values([3, 4], 4), [3, 4]));
      const v = r.dataSync();
      r.dispose();
      await tf.setBackend('wasm');
      return Array.from(v);
    })();
    const close = (got: ArrayLike<number>, exp: number[]) => exp.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));

    const p1 = tf.matMul(a, b);
    expect(lazyCounts().pending).toBe(1);
    close(p1.dataSync(), want);
    const p2 = tf.matMul(a, b);
    close(await p2.data(), want);
    const p3 = tf.matMul(a, b);
    const doubled = tf.mul(p3, 2);
    close(doubled.dataSync(), want.map((v) => 2 * v));
    expect(lazyCounts().pending).toBe(0);
    tf.dispose([a, b, p1, p2, p3, doubled]);
  });

  it('keep their inputs alive until computed, and free everything when dropped unread', async () => {
    await tf.setBackend('wasm');
    const baseline = dataIds();
    const a = tf.tensor(values([6, 6], 5), [6, 6]);
    const b = tf.tensor(values([6, 6], 6), [6, 6]);
    const product = tf.matMul(a, b, false, true);
    const want = await (async () => {
      await tf.setBackend('cpu');
      const r = tf.matMul(tf.tensor(values([6, 6], 5), [6, 6]), tf.tensor(values([6, 6], 6), [6, 6]), false, true);
      const v = Array.from(r.dataSync());
      r.dispose();
      await tf.setBackend('wasm');
      return v;
    })();
    tf.dispose([a, b]); // the caller frees the inputs before the product is read
    const got = product.dataSync();
    want.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
    product.dispose();
    expect(dataIds()).toBe(baseline);

    const dropped = tf.tidy(() => {
      tf.matMul(tf.ones([4, 4]), tf.ones([4, 4]));
      return lazyCounts().pending;
    });
    expect(dropped).toBe(1);
    expect(lazyCounts().pending).toBe(0);
    expect(dataIds()).toBe(baseline);
  });

  it('compute whatever is deferred on uninstall and on a switch to another backend', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor([[1, 2], [3, 4]]);
    const deferredThenUninstalled = tf.matMul(x, x);
    uninstallWasmTrainingKernels();
    expect(Array.from(deferredThenUninstalled.dataSync())).toEqual([7, 10, 15, 22]);
    installWasmTrainingKernels();
    const moved = tf.matMul(x, x);
    await tf.setBackend('cpu');
    expect(Array.from(moved.dataSync())).toEqual([7, 10, 15, 22]);
    await tf.setBackend('wasm');
    tf.dispose([x, deferredThenUninstalled, moved]);
    expect(lazyCounts().pending).toBe(0);
  });

  it('leak nothing over repeated training-like gradients', async () => {
    await tf.setBackend('wasm');
    const w = tf.variable(tf.tensor(values([13, 7], 7), [13, 7]));
    const x = tf.tensor(values([9, 13], 8), [9, 13]);
    const step = () => tf.tidy(() => tf.variableGrads(() => tf.sum(tf.square(tf.fused.matMul({ a: x, b: w }))) as tf.Scalar, [w]).grads[w.name]!.dataSync());
    step();
    const before = [tf.memory().numTensors, dataIds()];
    for (let i = 0; i < 5; i++) step();
    expect([tf.memory().numTensors, dataIds()]).toEqual(before);
    tf.dispose([w, x]);
  });
});
