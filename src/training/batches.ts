import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError, ValueError } from '../errors';
import { describe, formatShape } from '../internal/shapes';
import type { SeedStream } from '../random';

/**
 * Where one epoch's batches come from. `owned` says whether the Trainer made the batches (and so disposes each one
 * after its step) or they belong to the caller. `batchesPerEpoch` is known for tensor data only.
 * @internal
 */
export interface BatchSource<B> {
  readonly owned: boolean;
  readonly batchesPerEpoch: number | undefined;
  /** The batches of the next epoch, after the first `skip` (already trained before a resume). */
  epoch(skip: number): AsyncIterator<B>;
}

/**
 * What `fit` trains on: a tensor of examples `[N, ...]` that the Trainer batches itself (when batches are tensors),
 * a record of tensors that share their first axis, such as `{ x, labels }`, that the Trainer slices together into
 * batches of the same fields (when batches are such records), or ready-made batches from an `Iterable` or
 * `AsyncIterable`.
 *
 * @example
 * ```ts
 * const fromTensor: TrainingData<tf.Tensor> = tf.randomNormal([1000, 784]);
 * const fromArray: TrainingData<tf.Tensor> = [tf.zeros([32, 784]), tf.ones([32, 784])];
 * const labelled: TrainingData<LabelledBatch> = { x: tf.randomNormal([1000, 784]), labels: tf.zeros([1000], 'int32') };
 * ```
 * @group Training
 */
export type TrainingData<B> =
  | Iterable<B>
  | AsyncIterable<B>
  | (B extends tf.Tensor ? tf.Tensor : never)
  | TensorRecordOf<B>;

/**
 * `B` itself when it is a record of tensors (`{ x, labels }`), the form of a dataset the Trainer slices field by field;
 * never for tensors and arrays, which the Trainer treats as a dataset and as a list of batches.
 *
 * @example
 * ```ts
 * type Data = TensorRecordOf<LabelledBatch>; // LabelledBatch: fit({ x, labels }) slices both fields together
 * ```
 * @group Training
 */
export type TensorRecordOf<B> = B extends tf.Tensor
  ? never
  : B extends readonly unknown[]
  ? never
  : B extends { readonly [K in keyof B]: tf.Tensor }
  ? B
  : never;

/** @internal */
export interface TensorBatchOptions {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropRemainder: boolean;
  readonly seeds: SeedStream;
}

const UINT32 = 0x1_0000_0000;

/**
 * The example order of one epoch: `0..n-1`, shuffled with a seeded Fisher–Yates when `seeds` is given. Done in plain
 * JS rather than with `tf.util.shuffle`, which draws from `Math.random` and so cannot replay a run.
 * @internal
 */
export function epochOrder(n: number, seeds?: SeedStream): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (seeds === undefined) return order;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor((seeds.next() / UINT32) * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/**
 * Slices `data` into batches along axis 0, following `order`, from batch `first` on (the ones before it are never
 * built). Each batch is a new tensor that the caller disposes; `data` itself is only read.
 * @internal
 */
export function* sliceBatches(
  data: tf.Tensor,
  order: Int32Array,
  batchSize: number,
  dropRemainder: boolean,
  ordered: boolean,
  first = 0,
): Generator<tf.Tensor, void, undefined> {
  const n = order.length;
  for (let start = first * batchSize; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    if (size < batchSize && dropRemainder) return;
    if (data.isDisposed) {
      const hint = 'The Trainer reads the dataset until the run ends: dispose it after fit resolves.';
      throw new ValueError('data', 'a tensor that stays alive during fit', 'a tensor disposed during the run', hint);
    }
    // An unshuffled epoch is contiguous, so a slice does without building an index tensor.
    yield ordered
      ? tf.slice(data, start, size) // [size, ...]
      : tf.tidy(() => tf.gather(data, tf.tensor1d(order.subarray(start, start + size), 'int32'))); // [size, ...]
  }
}

/**
 * Checks a tensor dataset and returns a source that reshuffles it each epoch.
 * @internal
 */
export function tensorSource(data: tf.Tensor, options: TensorBatchOptions): BatchSource<tf.Tensor> {
  if (data.isDisposed) throw new ShapeError('data', 'a live tensor', 'a disposed tensor');
  if (data.dtype !== 'float32' && data.dtype !== 'int32' && data.dtype !== 'bool') {
    throw new ShapeError(
      'data',
      "a tensor of dtype 'float32', 'int32' or 'bool' (one the Trainer can batch)",
      `dtype '${data.dtype}'`,
    );
  }
  const n = data.shape[0];
  if (n === undefined || n < 1) {
    throw new ShapeError('data', 'a tensor of shape [N>=1, ...] (examples along axis 0)', formatShape(data.shape));
  }
  const { batchSize, shuffle, dropRemainder, seeds } = options;
  return {
    owned: true,
    batchesPerEpoch: dropRemainder ? Math.floor(n / batchSize) : Math.ceil(n / batchSize),
    epoch(skip) {
      // The whole epoch's order is drawn even when resuming part-way, so the seed stream advances as it did.
      const order = epochOrder(n, shuffle ? seeds : undefined);
      return toAsync(sliceBatches(data, order, batchSize, dropRemainder, !shuffle, skip));
    },
  };
}

/**
 * A source that re-iterates the caller's batches each epoch and never disposes them. Resuming part-way through an
 * epoch reads and discards the batches already trained, so an array (or any iterable that starts each iteration
 * afresh) carries on exactly where it was.
 * @internal
 */
export function iterableSource<B>(data: Iterable<B> | AsyncIterable<B>): BatchSource<B> {
  return {
    owned: false,
    batchesPerEpoch: undefined,
    epoch(skip) {
      const it = isAsyncIterable(data) ? data[Symbol.asyncIterator]() : toAsync(data[Symbol.iterator]());
      return skip === 0 ? it : skipping(it, skip);
    },
  };
}

/** `it` without its first `skip` values; ends at once when it has no more than that. */
function skipping<T>(it: AsyncIterator<T>, skip: number): AsyncIterator<T> {
  let left = skip;
  return {
    async next() {
      for (; left > 0; left--) {
        const skipped = await it.next();
        if (skipped.done === true) {
          left = 0;
          return skipped;
        }
      }
      return it.next();
    },
    return: async () => (await it.return?.()) ?? { done: true, value: undefined },
  };
}

/**
 * Whether `data` is something the Trainer can iterate; throws a ConfigError naming `data` otherwise.
 * @internal
 */
export function assertIterable<B>(data: unknown): asserts data is Iterable<B> | AsyncIterable<B> {
  if (!isAsyncIterable(data) && !isIterable(data)) {
    const expected = 'a tf.Tensor, a record of tf.Tensors ({ x, labels }), an Iterable or an AsyncIterable of batches';
    throw new ValueError('data', expected, describe(data));
  }
}

function isIterable(x: unknown): x is Iterable<unknown> {
  return x !== null && x !== undefined && typeof (x as Iterable<unknown>)[Symbol.iterator] === 'function';
}

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return x !== null && x !== undefined && typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

// A hand-written adapter rather than an async generator: values pass through unawaited, so a batch that happens to
// be a thenable is not unwrapped, and `return()` reaches the inner iterator so a closed generator runs its finally.
function toAsync<T>(it: Iterator<T>): AsyncIterator<T> {
  return {
    next: async () => it.next(),
    return: async () => it.return?.() ?? { done: true, value: undefined },
  };
}

/**
 * Checks a record-of-tensors dataset (`{ x, labels }`) and returns a source whose batches are records of the same
 * fields, each sliced with the same example order, which is drawn exactly as for a tensor dataset.
 * @internal
 */
export function recordSource(
  data: Readonly<Record<string, tf.Tensor>>,
  options: TensorBatchOptions,
): BatchSource<Record<string, tf.Tensor>> {
  const keys = Object.keys(data);
  const sources = keys.map((key) => {
    try {
      return tensorSource(data[key]!, options);
    } catch (e) {
      if (e instanceof ShapeError) throw new ShapeError(`data.${key}`, e.expected, e.received);
      throw e;
    }
  });
  const n = data[keys[0]!]!.shape[0];
  for (const key of keys) {
    if (data[key]!.shape[0] !== n) {
      const expected = `${n} examples along axis 0 (as data.${keys[0]})`;
      throw new ShapeError(`data.${key}`, expected, formatShape(data[key]!.shape));
    }
  }
  const { batchSize, shuffle, dropRemainder, seeds } = options;
  return {
    owned: true,
    batchesPerEpoch: sources[0]!.batchesPerEpoch,
    epoch(skip) {
      // One order for every field, drawn as a tensor dataset's is, so the fields stay aligned.
      const order = epochOrder(n ?? 0, shuffle ? seeds : undefined);
      const slicers = keys.map((key) => sliceBatches(data[key]!, order, batchSize, dropRemainder, !shuffle, skip));
      const batches = (function* () {
        for (;;) {
          const parts = slicers.map((it) => it.next());
          if (parts.some((p) => p.done === true)) {
            tf.dispose(parts.flatMap((p) => (p.done === true ? [] : [p.value])));
            return;
          }
          yield Object.fromEntries(keys.map((key, i) => [key, parts[i]!.value as tf.Tensor]));
        }
      })();
      return toAsync(batches);
    },
  };
}

function isTensorRecord(data: unknown): data is Readonly<Record<string, tf.Tensor>> {
  if (typeof data !== 'object' || data === null || data instanceof tf.Tensor || Array.isArray(data)) return false;
  if (isIterable(data) || isAsyncIterable(data)) return false;
  const values = Object.values(data);
  return values.length > 0 && values.every((v) => v instanceof tf.Tensor);
}

/**
 * Picks the source for `data`: the Trainer's own batching for a tensor or a record of tensors, the caller's batches
 * otherwise.
 * @internal
 */
export function batchSource<B>(data: TrainingData<B>, options: TensorBatchOptions): BatchSource<B> {
  if (data instanceof tf.Tensor || isTensorRecord(data)) {
    const first: tf.Tensor = data instanceof tf.Tensor ? data : Object.values(data as Record<string, tf.Tensor>)[0]!;
    const n = first.shape[0] ?? 0;
    if (options.dropRemainder && n >= 1 && options.batchSize > n) {
      const expected = `at most ${n} (the examples in data) with dropRemainder`;
      throw new ConfigError('options.batchSize', expected, String(options.batchSize));
    }
    // Only reachable when B is a tensor or record type (see TrainingData), so the casts restate what the types proved.
    if (data instanceof tf.Tensor) return tensorSource(data, options) as unknown as BatchSource<B>;
    return recordSource(data as Readonly<Record<string, tf.Tensor>>, options) as unknown as BatchSource<B>;
  }
  assertIterable<B>(data);
  return iterableSource(data);
}
