import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { isShapeError, isValueError } from '../../src/errors';
import { SeedStream } from '../../src/random';
import { assertIterable, epochOrder, iterableSource, sliceBatches, tensorSource } from '../../src/training/batches';

async function drain<T>(it: AsyncIterator<T>): Promise<T[]> {
  const out: T[] = [];
  for (let r = await it.next(); r.done !== true; r = await it.next()) out.push(r.value);
  return out;
}

describe('epochOrder', () => {
  it('is the identity without seeds', () => {
    expect(Array.from(epochOrder(5))).toEqual([0, 1, 2, 3, 4]);
  });

  it('is a permutation that replays from the same seed and moves on between epochs', () => {
    const a = new SeedStream(3);
    const b = new SeedStream(3);
    const first = Array.from(epochOrder(20, a));
    expect([...first].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(Array.from(epochOrder(20, b))).toEqual(first);
    expect(Array.from(epochOrder(20, a))).not.toEqual(first);
    expect(Array.from(epochOrder(20, new SeedStream(4)))).not.toEqual(first);
  });

  it('handles a single example', () => {
    expect(Array.from(epochOrder(1, new SeedStream(1)))).toEqual([0]);
  });
});

describe('sliceBatches', () => {
  it('slices in order, keeps a partial last batch, and leaves the data alone', () => {
    const data = tf.tensor2d([0, 1, 2, 3, 4], [5, 1]);
    const batches = [...sliceBatches(data, epochOrder(5), 2, false, true)];
    expect(batches.map((b) => b.shape)).toEqual([[2, 1], [2, 1], [1, 1]]);
    expect(batches.map((b) => Array.from(b.dataSync()))).toEqual([[0, 1], [2, 3], [4]]);
    tf.dispose(batches);
    expect(data.isDisposed).toBe(false);
    expect(Array.from(data.dataSync())).toEqual([0, 1, 2, 3, 4]);
    data.dispose();
  });

  it('drops the remainder on request and follows a given order', () => {
    const data = tf.tensor2d([10, 11, 12, 13, 14], [5, 1]);
    const batches = [...sliceBatches(data, Int32Array.from([4, 3, 2, 1, 0]), 2, true, false)];
    expect(batches.map((b) => Array.from(b.dataSync()))).toEqual([[14, 13], [12, 11]]);
    tf.dispose([...batches, data]);
  });

  it('makes exactly one tensor per batch', () => {
    const data = tf.zeros([6, 2]);
    const before = tf.memory().numTensors;
    const batches = [...sliceBatches(data, Int32Array.from([5, 0, 4, 1, 3, 2]), 4, false, false)];
    expect(tf.memory().numTensors - before).toBe(2);
    tf.dispose([...batches, data]);
  });
});

describe('tensorSource', () => {
  const options = { batchSize: 2, shuffle: false, dropRemainder: false, seeds: new SeedStream(0) };

  it('rejects a scalar, an empty and a disposed dataset with a ShapeError on data', () => {
    const scalar = tf.scalar(1);
    const empty = tf.zeros([0, 3]);
    const gone = tf.zeros([2, 2]);
    gone.dispose();
    for (const data of [scalar, empty, gone]) {
      let error: unknown;
      try {
        tensorSource(data, options);
      } catch (e) {
        error = e;
      }
      expect(isShapeError(error)).toBe(true);
      expect((error as { argument: string }).argument).toBe('data');
    }
    tf.dispose([scalar, empty]);
  });

  it('is owned and yields every batch of an epoch', async () => {
    const data = tf.zeros([5, 3]);
    const source = tensorSource(data, options);
    expect(source.owned).toBe(true);
    const batches = await drain(source.epoch(0));
    expect(batches.map((b) => b.shape)).toEqual([[2, 3], [2, 3], [1, 3]]);
    tf.dispose([...batches, data]);
  });
});

describe('iterableSource', () => {
  it('replays an array each epoch and does not own it', async () => {
    const source = iterableSource([1, 2, 3]);
    expect(source.owned).toBe(false);
    expect(await drain(source.epoch(0))).toEqual([1, 2, 3]);
    expect(await drain(source.epoch(0))).toEqual([1, 2, 3]);
  });

  it('passes return() through to a sync generator, so it runs its finally', async () => {
    let closed = false;
    function* gen(): Generator<number> {
      try {
        yield 1;
        yield 2;
      } finally {
        closed = true;
      }
    }
    const it = iterableSource(gen()).epoch(0);
    expect((await it.next()).value).toBe(1);
    await it.return?.();
    expect(closed).toBe(true);
  });

  it('does not unwrap a thenable batch', async () => {
    const thenable = { then: () => undefined };
    const it = iterableSource([thenable]).epoch(0);
    expect((await it.next()).value).toBe(thenable);
  });

  it('rejects non-iterables with a ValueError on data', () => {
    for (const bad of [42, null, undefined, { length: 2 }]) {
      let error: unknown;
      try {
        assertIterable(bad);
      } catch (e) {
        error = e;
      }
      expect(isValueError(error)).toBe(true);
      expect((error as { argument: string }).argument).toBe('data');
    }
    expect(() => assertIterable('abc')).not.toThrow();
  });
});
