/**
 * Fuzz: a sweep over every function and class the package exports (src/index.ts and src/wasm/index.ts), found by
 * enumerating the modules, so an export added later is covered without a line here. Each is called (classes with
 * `new`) with 0–4 arguments drawn from junk values and small tensors of any dtype, shape or state: whatever it throws
 * must be a library error naming an argument, the caller's tensors must be untouched, and nothing may leak (a result
 * with a `dispose` method is disposed first).
 *
 * The other fuzz files test each function with inputs built for it; this one makes sure nothing was left out.
 *
 * Cases per CI run (FC_RUNS=1): 300.
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import * as library from '../../src';
import * as wasmEntry from '../../src/wasm';
import { fuzz, junk, probe, realize, tensorSpec } from './arbitraries';

type Callable = (...args: unknown[]) => unknown;

/** Exports that run without arguments by design and change global state; swept with care below. */
const GLOBAL = new Set(['installWasmTrainingKernels', 'uninstallWasmTrainingKernels', 'registerGenerativeLayers']);

/**
 * Exports that are not checked for typed errors: the error classes themselves (they record what they are given) and
 * the guards (a boolean for anything, checked in surface.test.ts).
 */
const NOT_SWEPT = /Error$|^is[A-Z]\w*Error$/;

const exported = { ...library, ...wasmEntry } as unknown as Record<string, unknown>;
const callables = Object.keys(exported)
  .filter((name) => typeof exported[name] === 'function' && !GLOBAL.has(name) && !NOT_SWEPT.test(name))
  .sort();

function isClass(fn: unknown): boolean {
  return typeof fn === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

/** Frees what a call returned: a model, a layer, a network (anything with dispose), or tensors inside an object. */
function release(result: unknown): void {
  if (result instanceof tf.Tensor || result === null || typeof result !== 'object') return;
  const disposable = result as { dispose?: unknown };
  if (typeof disposable.dispose === 'function') {
    try {
      (disposable.dispose as () => void)();
    } catch {
      // already disposed
    }
  }
}

describe('every export', () => {
  afterAll(() => {
    // A swept call may have installed nothing global, but make sure the next file starts clean.
    wasmEntry.uninstallWasmTrainingKernels();
  });

  it(`(${callables.length} functions and classes): typed errors naming something, inputs kept, no leak`, async () => {
    expect(callables.length).toBeGreaterThan(40);
    const arg = fc.oneof(
      { weight: 3, arbitrary: junk },
      { weight: 2, arbitrary: tensorSpec({ shapes: [[2, 1], [2, 3], [1, 4, 4, 1], [3]], disposedRate: 0.05 }) },
      { weight: 1, arbitrary: fc.constant({}) },
    );
    const call = fc.record({ name: fc.constantFrom(...callables), args: fc.array(arg, { maxLength: 4 }) });
    await fuzz(
      501,
      300,
      fc.asyncProperty(call, async ({ name, args }) => {
        const made: tf.Tensor[] = [];
        const baseline = tf.memory().numTensors;
        try {
          const real = args.map((a) => realize(a, made));
          const fn = exported[name] as Callable;
          const out = await probe(
            () => (isClass(fn) ? new (fn as unknown as new (...a: unknown[]) => unknown)(...real) : fn(...real)),
            {
              label: name,
              inputs: made,
              // Any argument name: what matters here is that the error is typed and names something.
              arguments: ['*'],
              retained: 'any',
            },
          );
          release(out.result);
        } finally {
          tf.dispose(made);
        }
        expect(tf.memory().numTensors, `${name}: tensors left after the call and its result are freed`).toBe(baseline);
      }),
    );
  });

  it('the global switches can be called any number of times, in any order, without throwing', () => {
    const ops = [
      wasmEntry.installWasmTrainingKernels,
      wasmEntry.uninstallWasmTrainingKernels,
      library.registerGenerativeLayers,
    ] as const;
    for (const order of [
      [0, 0, 1, 1, 2, 2],
      [1, 0, 2, 0, 1],
      [2, 1, 0, 2],
    ]) {
      let installed = wasmEntry.wasmTrainingKernelsInstalled();
      for (const i of order) {
        ops[i]!();
        if (i !== 2) installed = i === 0;
        expect(wasmEntry.wasmTrainingKernelsInstalled()).toBe(installed);
      }
    }
    wasmEntry.uninstallWasmTrainingKernels();
  });
});
