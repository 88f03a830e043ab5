import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError, ValueError } from '../errors';
import { invalidArgument } from './argument-error';
import { describe } from './describe';

/** A shape pattern: `null` matches any size (the batch axis, as in tfjs-layers' `inputShape`). */
export type ShapePattern = readonly (number | null)[];

export function formatShape(shape: ShapePattern): string {
  return `[${shape.map((d) => (d === null ? 'batch' : String(d))).join(', ')}]`;
}

export function assertTensor(value: unknown, argument: string): asserts value is tf.Tensor {
  if (!(value instanceof tf.Tensor)) {
    const received = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw new ShapeError(argument, 'a tf.Tensor', received);
  }
  if (value.isDisposed) throw new ValueError(argument, 'a live tensor', 'a disposed tensor');
}

export function assertFloat(t: tf.Tensor, argument: string): void {
  if (t.dtype !== 'float32') throw new ShapeError(argument, "dtype 'float32'", `dtype '${t.dtype}'`);
}

export function sameShape(a: ShapePattern, b: ShapePattern): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function shapeMatches(shape: readonly number[], pattern: ShapePattern): boolean {
  return shape.length === pattern.length && pattern.every((d, i) => d === null || d === shape[i]);
}

/** Throws a ShapeError unless `t` matches `pattern` and its batch axis is non-empty. */
export function assertShape(t: tf.Tensor, pattern: ShapePattern, argument: string): void {
  const batchOk = pattern[0] !== null || (t.shape[0] ?? 0) >= 1;
  if (!shapeMatches(t.shape, pattern) || !batchOk) {
    const expected = `shape ${formatShape(pattern).replace('batch', 'batch>=1')}`;
    throw new ShapeError(argument, expected, formatShape(t.shape));
  }
}

/** Whether a tensor's values are all finite, and their range (meaningful only when finite). */
interface ValueSummary {
  readonly finite: boolean;
  readonly min: number;
  readonly max: number;
}

/**
 * Finiteness and range of `t` by the cheapest read each backend allows:
 * - cpu keeps values in JavaScript: one synchronous scan instead of kernels and a read-back.
 * - wasm: Σ x·0 is 0 exactly when no value is NaN or ±Infinity (∞·0 = NaN, and NaN spreads through the sum), with
 *   min and max, in one synchronous read of three numbers.
 * - elsewhere (webgl, webgpu, tensorflow) the numbers are read back asynchronously, so a GPU pipeline never stalls.
 */
function summarize(t: tf.Tensor): ValueSummary | Promise<ValueSummary> {
  const backend = tf.getBackend();
  if (backend === 'cpu') {
    const values = t.dataSync() as Float32Array;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) return { finite: false, min: NaN, max: NaN };
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return { finite: true, min, max };
  }
  if (backend === 'wasm') {
    const stats = tf.tidy(() => tf.stack([tf.sum(tf.mul(t, 0)), tf.min(t), tf.max(t)]));
    const [zero, min = NaN, max = NaN] = stats.dataSync();
    stats.dispose();
    return { finite: zero === 0, min, max };
  }
  return readSummary(tf.tidy(() => tf.stack([tf.cast(tf.all(tf.isFinite(t)), 'float32'), tf.min(t), tf.max(t)])));
}

async function readSummary(stats: tf.Tensor): Promise<ValueSummary> {
  try {
    const [finite, min = NaN, max = NaN] = await stats.data();
    return { finite: finite === 1, min, max };
  } finally {
    stats.dispose();
  }
}

/**
 * Reads one summary back and throws a ValueError naming `argument` unless every value is finite and, when `range`
 * is given, inside it: the values are checked before any weight can change.
 *
 * @param range - `[min, max]` and the reason for it, e.g. `"the generator's tanh output"`
 * @param hint - a sentence on how to fix a value out of range
 */
export async function assertFiniteInRange(
  t: tf.Tensor,
  argument: string,
  range?: { readonly bounds: readonly [number, number]; readonly reason: string; readonly hint: string },
): Promise<void> {
  const { finite, min, max } = await summarize(t);
  if (!finite) throw new ValueError(argument, 'finite values', 'a tensor containing NaN or ±Infinity');
  if (range !== undefined && (min < range.bounds[0] || max > range.bounds[1])) {
    const [lo, hi] = range.bounds;
    throw new ValueError(
      argument,
      `values in [${lo}, ${hi}] (${range.reason})`,
      `values from ${min} to ${max}`,
      range.hint,
    );
  }
}

export function assertPositiveInteger(value: unknown, argument: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalidArgument(argument, 'an integer >= 1', describe(value));
  }
}

/** The number of values in a tensor of `shape`. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The most values one tensor can hold here (typed arrays are indexed by 32-bit integers). */
const MAX_TENSOR_SIZE = 2 ** 31 - 1;

/**
 * A count of items (examples, steps) that is an integer >= 1 and whose tensor of `perItem` values each can be
 * allocated, so an absurd count is a typed error instead of a RangeError from deep inside tfjs.
 */
export function assertCount(value: unknown, argument: string, perItem: number): asserts value is number {
  assertPositiveInteger(value, argument);
  if (value * perItem > MAX_TENSOR_SIZE) {
    const most = Math.floor(MAX_TENSOR_SIZE / perItem);
    throw invalidArgument(argument, `an integer in [1, ${most}] (at most 2^31 − 1 values per tensor)`, describe(value));
  }
}

export function assertNumberInRange(
  value: unknown,
  argument: string,
  min: number,
  max: number,
): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw invalidArgument(argument, `a number in [${min}, ${max}]`, describe(value));
  }
}

export { describe };

/** The shape of a network's single input or output, `[null, ...]`; a ConfigError when it has several. */
export function onlyShape(tensors: tfl.SymbolicTensor[], argument: string): (number | null)[] {
  const [only] = tensors;
  if (only === undefined || tensors.length !== 1) {
    throw new ConfigError(argument, 'exactly one tensor', String(tensors.length));
  }
  return [...only.shape];
}

/**
 * Checks that two networks join up (one's output is the other's input, or reproduces the data), naming the network
 * at fault, so a mismatch is a clear error at construction rather than a crash mid-training.
 */
export function assertNetworksJoin(
  received: ShapePattern,
  expected: ShapePattern,
  argument: string,
  port: 'an input' | 'an output',
  source: string,
  hint: string,
): void {
  if (!sameShape(received, expected)) {
    throw new ConfigError(
      argument,
      `${port} of shape ${formatShape(expected)} (${source})`,
      formatShape(received),
      hint,
    );
  }
}

/** Checks a configured example shape against the one the networks imply. */
export function assertConfiguredDataShape(
  configured: readonly number[] | undefined,
  dataShape: readonly number[],
): void {
  if (configured !== undefined && !sameShape(configured, dataShape)) {
    throw new ConfigError(
      'config.dataShape',
      `${formatShape(dataShape)} (the networks' example shape)`,
      formatShape(configured),
    );
  }
}
