import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** Byte-for-byte equality of two state trees: typed arrays compared as raw bytes, so -0, NaN payloads and all count. */
export function expectSameState(actual: unknown, expected: unknown, path = 'state'): void {
  if (ArrayBuffer.isView(expected)) {
    expect(ArrayBuffer.isView(actual), `${path} is a typed array`).toBe(true);
    const a = new Uint8Array(
      (actual as ArrayBufferView).buffer,
      (actual as ArrayBufferView).byteOffset,
      (actual as ArrayBufferView).byteLength,
    );
    const b = new Uint8Array(expected.buffer, expected.byteOffset, expected.byteLength);
    expect(a.length, `${path} byte length`).toBe(b.length);
    const first = a.findIndex((v, i) => v !== b[i]);
    expect(first, `${path}: first differing byte`).toBe(-1);
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${path} is an array`).toBe(true);
    expect((actual as unknown[]).length, `${path} length`).toBe(expected.length);
    expected.forEach((e, i) => expectSameState((actual as unknown[])[i], e, `${path}[${i}]`));
    return;
  }
  if (typeof expected === 'object' && expected !== null) {
    expect(Object.keys(actual as object).sort(), `${path} keys`).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected))
      expectSameState((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
    return;
  }
  expect(Object.is(actual, expected), `${path}: ${String(actual)} vs ${String(expected)}`).toBe(true);
}

/** Whether tfjs still has a gradient tape recorded (left behind by a failed gradient computation). */
export function tapeOpen(): boolean {
  const state = (tf.engine() as unknown as { state: { activeTape: unknown[] | null; gradientDepth: number } }).state;
  return state.activeTape !== null || state.gradientDepth !== 0;
}
