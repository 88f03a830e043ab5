import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { installWasmTrainingKernels, uninstallWasmTrainingKernels, wasmTrainingKernelsInstalled } from '../../src/wasm';

const PATCHED = ['BatchMatMul', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Tile', 'Identity', 'Tanh'];

/** The wasm kernel registry as kernel name → config object, to compare by identity. */
function registry(): Map<string, tf.KernelConfig> {
  return new Map(tf.getKernelsForBackend('wasm').map((k) => [k.kernelName, k]));
}

describe('installWasmTrainingKernels', () => {
  afterAll(async () => {
    uninstallWasmTrainingKernels();
    await tf.setBackend('cpu');
  });

  it('swaps in every training kernel, once, and uninstalling restores the stock registry exactly', async () => {
    await tf.setBackend('wasm');
    const stock = registry();
    expect(stock.has('Conv2DBackpropFilter')).toBe(false); // what makes conv nets untrainable on stock wasm
    const uninstall = installWasmTrainingKernels();
    const patched = registry();
    for (const name of PATCHED) expect(patched.get(name), name).not.toBe(stock.get(name));
    for (const [name, config] of stock) if (!PATCHED.includes(name)) expect(patched.get(name), name).toBe(config);
    installWasmTrainingKernels(); // idempotent: nothing stacks
    expect(registry()).toEqual(patched);
    uninstall();
    expect(wasmTrainingKernelsInstalled()).toBe(false);
    const restored = registry();
    expect([...restored.keys()].sort()).toEqual([...stock.keys()].sort());
    for (const [name, config] of stock) expect(restored.get(name), name).toBe(config);
  });

  it('leaves the kernels of other backends alone', async () => {
    const cpu = tf.getKernelsForBackend('cpu').length;
    installWasmTrainingKernels();
    expect(tf.getKernelsForBackend('cpu').length).toBe(cpu);
    uninstallWasmTrainingKernels();
  });
});
