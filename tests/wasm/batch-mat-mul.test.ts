import * as tf from '@tensorflow/tfjs-core';
// The union package and tfjs-layers register gradients; this test imports neither.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { installWasmTrainingKernels, uninstallWasmTrainingKernels, wasmTrainingKernelsInstalled } from '../../src/wasm';
import { swapIsCheaper } from '../../src/wasm/batch-mat-mul';
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
  [64, 128, 784], // a dense layer's input gradient: run swapped, packing the batch-sized side
  [64, 400, 784],
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

type Activation = 'linear' | 'relu' | 'relu6' | 'elu' | 'sigmoid' | 'leakyrelu';

function fusedOnce(m: number, k: number, n: number, opts: { activation: Activation; bias?: 'n' | '1'; ta?: boolean; tb?: boolean }) {
  return tf.tidy(() => {
    const aShape = opts.ta === true ? [k, m] : [m, k];
    const bShape = opts.tb === true ? [n, k] : [k, n];
    const a = tf.tensor2d(values(aShape, 1), aShape as [number, number]);
    const b = tf.tensor2d(values(bShape, 2), bShape as [number, number]);
    const bias = opts.bias === undefined ? undefined : tf.tensor(values([opts.bias === 'n' ? n : 1], 3));
    const out = tf.fused.matMul({
      a,
      b,
      transposeA: opts.ta ?? false,
      transposeB: opts.tb ?? false,
      activation: opts.activation,
      leakyreluAlpha: 0.3,
      ...(bias === undefined ? {} : { bias }),
    });
    return out.dataSync() as Float32Array;
  });
}

describe('wasm _FusedMatMul (every dense layer forward pass)', () => {
  useWasmTrainingKernels();

  const ACTIVATIONS: Activation[] = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'];
  // The first two run swapped (fresh weights far larger than the batch), the others directly.
  const SHAPES: [number, number, number][] = [
    [64, 200, 300],
    [32, 64, 200],
    [3, 5, 7],
    [1, 1, 1],
    [130, 20, 9],
  ];

  it.each(SHAPES)('matches cpu for [%i×%i]·[%i×…] with every activation and bias form', async (m, k, n) => {
    for (const activation of ACTIVATIONS) {
      for (const bias of [undefined, 'n', '1'] as const) {
        const opts = { activation, ...(bias === undefined ? {} : { bias }) };
        const want = await on('cpu', () => fusedOnce(m, k, n, opts));
        const got = await on('wasm', () => fusedOnce(m, k, n, opts));
        expectRelClose(got, want);
      }
    }
  });

  it('matches cpu with transposed operands (which the stock kernel multiplies in a scalar loop)', async () => {
    for (const [ta, tb] of [[true, false], [false, true], [true, true]] as const) {
      for (const [m, k, n] of [[32, 64, 200], [5, 9, 3]] as const) {
        const opts = { activation: 'relu' as const, bias: 'n' as const, ta, tb };
        const want = await on('cpu', () => fusedOnce(m, k, n, opts));
        const got = await on('wasm', () => fusedOnce(m, k, n, opts));
        expectRelClose(got, want);
      }
    }
  });

  it('gives the same numbers when the same weights come back (packed once, then reused)', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomUniform([64, 784], -1, 1, 'float32', 1);
    const w = tf.randomUniform([784, 128], -1, 1, 'float32', 2);
    const bias = tf.randomUniform([128], -1, 1, 'float32', 3);
    const first = tf.fused.matMul({ a: x, b: w, bias, activation: 'relu' });
    const again = tf.fused.matMul({ a: x, b: w, bias, activation: 'relu' });
    expect(again.dataSync()).toEqual(first.dataSync());
    tf.dispose([x, w, bias, first, again]);
  });

  it('frees its temporaries in the backend', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomUniform([64, 400]);
    const w = tf.randomUniform([400, 784]);
    const bias = tf.randomUniform([784]);
    const run = () => tf.tidy(() => tf.fused.matMul({ a: x, b: tf.add(w, 0), bias, activation: 'relu' })).dispose();
    run();
    const before = [tf.memory().numTensors, tf.engine().backend.numDataIds()];
    for (let i = 0; i < 5; i++) run();
    expect([tf.memory().numTensors, tf.engine().backend.numDataIds()]).toEqual(before);
    tf.dispose([x, w, bias]);
  });
});

describe('swapIsCheaper', () => {
  it('packs the batch-sized side of a dense layer input gradient, dY·Wᵀ', () => {
    expect(swapIsCheaper({ m: 64, k: 128, n: 784 }, false, true, false)).toBe(true);
  });

  it('keeps a weight gradient, Xᵀ·dY, direct: its b is already the small side', () => {
    expect(swapIsCheaper({ m: 784, k: 64, n: 128 }, true, false, false)).toBe(false);
  });

  it('keeps weights that XNNPACK already holds packed direct', () => {
    expect(swapIsCheaper({ m: 64, k: 784, n: 400 }, false, false, false)).toBe(true);
    expect(swapIsCheaper({ m: 64, k: 784, n: 400 }, false, false, true)).toBe(false);
  });

  it('leaves small square products direct', () => {
    expect(swapIsCheaper({ m: 8, k: 8, n: 8 }, false, false, false)).toBe(false);
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
