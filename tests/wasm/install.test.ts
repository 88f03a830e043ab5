import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { isValueError } from '../../src/errors';
import { installWasmTrainingKernels, uninstallWasmTrainingKernels, wasmTrainingKernelsInstalled } from '../../src/wasm';
import { applyKernelPatches, type KernelPatch } from '../../src/wasm/kernel-patch';
import { caught } from '../helpers/errors';

const PATCHED = ['BatchMatMul', '_FusedMatMul', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Tile', 'Identity', 'Tanh'];

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
    // Every other kernel is wrapped only to compute a deferred gradient input first: same name and setup.
    for (const [name, config] of stock) {
      if (PATCHED.includes(name)) continue;
      const wrapped = patched.get(name)!;
      expect(wrapped.kernelName, name).toBe(config.kernelName);
      expect(wrapped.setupFunc, name).toBe(config.setupFunc);
    }
    installWasmTrainingKernels(); // idempotent: nothing stacks
    expect(registry()).toEqual(patched);
    uninstall();
    expect(wasmTrainingKernelsInstalled()).toBe(false);
    const restored = registry();
    expect([...restored.keys()].sort()).toEqual([...stock.keys()].sort());
    for (const [name, config] of stock) expect(restored.get(name), name).toBe(config);
  });

  it('rolls back a failed install: a ValueError, and the stock registry entry by entry', async () => {
    await tf.setBackend('wasm');
    const stock = registry();
    // The filter-gradient kernel is built from the stock Slice; without it, the install fails part-way through.
    const slice = stock.get('Slice')!;
    tf.unregisterKernel('Slice', 'wasm');
    try {
      const error = caught(() => installWasmTrainingKernels());
      expect(isValueError(error), String(error)).toBe(true);
      expect(error.message).toContain('Slice');
      expect(wasmTrainingKernelsInstalled()).toBe(false);
      const after = registry();
      expect([...after.keys()].sort()).toEqual([...stock.keys()].filter((k) => k !== 'Slice').sort());
      for (const [name, config] of after) expect(config, name).toBe(stock.get(name));
    } finally {
      tf.registerKernel(slice);
    }
    installWasmTrainingKernels(); // and a later install still works
    expect(wasmTrainingKernelsInstalled()).toBe(true);
    uninstallWasmTrainingKernels();
    for (const [name, config] of registry()) expect(config, name).toBe(stock.get(name));
  });

  it('builds every kernel before touching the registry, so a patch that fails to build changes nothing', async () => {
    await tf.setBackend('wasm');
    const stock = registry();
    const ok: KernelPatch = { kernelName: 'Tile', create: (s) => s!.kernelFunc };
    const added: KernelPatch = { kernelName: 'Conv2DBackpropFilter', create: () => () => [] };
    const failing: KernelPatch = {
      kernelName: 'Identity',
      create: () => {
        throw new Error('cannot build');
      },
    };
    expect(() => applyKernelPatches([ok, added, failing])).toThrow('cannot build');
    const after = registry();
    expect([...after.keys()].sort()).toEqual([...stock.keys()].sort());
    for (const [name, config] of after) expect(config, name).toBe(stock.get(name));
  });

  it('leaves the kernels of other backends alone', async () => {
    const cpu = tf.getKernelsForBackend('cpu').length;
    installWasmTrainingKernels();
    expect(tf.getKernelsForBackend('cpu').length).toBe(cpu);
    uninstallWasmTrainingKernels();
  });
});
