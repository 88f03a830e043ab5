import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/**
 * Runs `fn` once to prime lazily created state (optimizer slots, kernels), then again and asserts that the number of
 * live tensors grew by exactly `returned` (the tensors the call hands back to its caller, who disposes them).
 */
export async function expectNoLeak(fn: () => unknown, returned = 0): Promise<void> {
  await settle(await fn());
  const before = tf.memory().numTensors;
  const result = await fn();
  expect(tf.memory().numTensors - before).toBe(returned);
  await settle(result);
}

async function settle(result: unknown): Promise<void> {
  if (result instanceof tf.Tensor) result.dispose();
  else if (Array.isArray(result)) for (const r of result) if (r instanceof tf.Tensor) r.dispose();
}
