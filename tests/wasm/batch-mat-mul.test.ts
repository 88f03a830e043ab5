import * as tf from '@tensorflow/tfjs-core';
// The union package and tfjs-layers register gradients; this test imports neither.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { installWasmTrainingKernels, uninstallWasmTrainingKernels, wasmTrainingKernelsInstalled } from '../../src/wasm';
import { useWasmTrainingKernels } from '../helpers/backends';

function values(shape: number[], seed: number): Float32Array {
  return tf.tidy(() => tf.randomUniform(shape, -1, 1, 'float32', seed).dataSync() as Float32Array);
}

async function on<T>(backend: string, fn: () => T): Promise<T> {
  await tf.setBackend(backend);
  return fn();
}

function matMulOnce(aShape: number[], bShape: number[], ta: boolean, tb: boolean): Float32Array {
  return tf.tidy(() => {
    const a = tf.tensor(values(aShape, 1), aShape);
    const b = tf.tensor(values(bShape, 2), bShape);
    const product = aShape.length === 2 ? tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, ta, tb) : tf.matMul(a, b, ta, tb);
    return product.dataSync() as Float32Array;
  });
}

function expectRelClose(actual: Float32Array, expected: Float32Array, rel = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(...expected.map(Math.abs), 1e-12);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / scale);
  expect(worst).toBeLessThanOrEqual(rel);
}

// [m, k, n] with the odd and degenerate sizes that break index arithmetic.
const SIZES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 1],
  [3, 5, 7],
  [17, 1, 9],
  [64, 784, 128],
  [33, 65, 129],
];

describe('wasm BatchMatMul with transposed operands', () => {
  useWasmTrainingKernels();

  it.each(SIZES)('matches cpu for [%i×%i]·[%i×…] in every transpose combination', async (m, k, n) => {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const aShape = ta ? [k, m] : [m, k];
      const bShape = tb ? [n, k] : [k, n];
      const want = await on('cpu', () => matMulOnce(aShape, bShape, ta, tb));
      const got = await on('wasm', () => matMulOnce(aShape, bShape, ta, tb));
      expectRelClose(got, want);
    }
  });

  it('matches cpu with batch dimensions and broadcasting', async () => {
    const cases: [number[], number[], boolean, boolean][] = [
      [[3, 5, 4], [3, 6, 5], true, true],
      [[2, 4, 5], [1, 6, 5], false, true],
      [[1, 5, 4], [4, 5, 3], true, false],
      [[2, 3, 7, 5], [2, 3, 7, 2], true, false],
    ];
    for (const [aShape, bShape, ta, tb] of cases) {
      const want = await on('cpu', () => matMulOnce(aShape, bShape, ta, tb));
      const got = await on('wasm', () => matMulOnce(aShape, bShape, ta, tb));
      expectRelClose(got, want);
    }
  });

  it('gives the cpu gradient of a dense layer', async () => {
    const grads = () =>
      tf.tidy(() => {
        const x = tf.tensor(values([31, 20], 3), [31, 20]);
        const w = tf.tensor(values([20, 11], 4), [20, 11]);
        const g = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.square(tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D))));
        return g([x, w]).map((t) => t.dataSync() as Float32Array);
      });
    const want = await on('cpu', grads);
    const got = await on('wasm', grads);
    got.forEach((g, i) => expectRelClose(g, want[i]!));
  });

  it('frees its temporaries in the backend', async () => {
    await tf.setBackend('wasm');
    const a = tf.randomUniform([40, 30]);
    const b = tf.randomUniform([50, 30]);
    tf.matMul(a, b, false, true).dispose();
    const before = [tf.memory().numTensors, tf.engine().backend.numDataIds()];
    for (let i = 0; i < 5; i++) tf.matMul(a, b, false, true).dispose();
    expect([tf.memory().numTensors, tf.engine().backend.numDataIds()]).toEqual(before);
    tf.dispose([a, b]);
  });
});

describe('installing and uninstalling', () => {
  it('swaps the kernel in and restores the stock one', async () => {
    await tf.setBackend('wasm');
    const stock = tf.getKernel('BatchMatMul', 'wasm');
    const uninstall = installWasmTrainingKernels();
    expect(wasmTrainingKernelsInstalled()).toBe(true);
    expect(tf.getKernel('BatchMatMul', 'wasm')).not.toBe(stock);
    installWasmTrainingKernels(); // idempotent
    uninstall();
    expect(wasmTrainingKernelsInstalled()).toBe(false);
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(stock);
    uninstallWasmTrainingKernels(); // safe when nothing is installed
    await tf.setBackend('cpu');
  });
});
