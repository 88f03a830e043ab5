import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Trainer, isShapeError, type Trainable } from '../../src';
import { rejected } from '../helpers/errors';

interface Pair {
  readonly x: tf.Tensor;
  readonly labels: tf.Tensor;
}

function recorder<B>(read: (batch: B) => number[][]) {
  const seen: number[][][] = [];
  const model: Trainable<B> = {
    trainStep(batch) {
      seen.push(read(batch));
      return { loss: 0 };
    },
  };
  return { model, seen };
}

it('a dataset { x, labels } is sliced together: same order for both fields, shuffled as a tensor dataset is', async () => {
  const n = 23;
  const x = tf.tensor2d(
    Array.from({ length: n }, (_, i) => [i, -i]),
    [n, 2],
  );
  const labels = tf.tensor1d(
    Array.from({ length: n }, (_, i) => i),
    'int32',
  );
  const before = tf.memory().numTensors;
  const pairs = recorder<Pair>((b) => [
    Array.from(b.x.dataSync()).filter((_, i) => i % 2 === 0),
    Array.from(b.labels.dataSync()),
  ]);
  const options = { batchSize: 5, epochs: 2, seed: 7 } as const;
  const history = await new Trainer(pairs.model).fit({ x, labels }, options);
  expect(history.steps.length).toBe(10);
  expect(tf.memory().numTensors).toBe(before); // the Trainer disposed every batch it sliced
  for (const [xs, ls] of pairs.seen) expect(xs).toEqual(ls);
  const plain = recorder<tf.Tensor>((b) => [Array.from(b.dataSync()).filter((_, i) => i % 2 === 0)]);
  await new Trainer(plain.model).fit(x, options);
  expect(pairs.seen.map(([xs]) => xs)).toEqual(plain.seen.map(([xs]) => xs));
  const epoch = pairs.seen.slice(0, 5).flatMap(([xs]) => xs!);
  expect([...epoch].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
  expect(epoch).not.toEqual(Array.from({ length: n }, (_, i) => i));
  tf.dispose([x, labels]);
});

it('fields of different lengths are refused, naming the field', async () => {
  const x = tf.zeros([4, 2]);
  const labels = tf.zeros([3], 'int32');
  const { model } = recorder<Pair>(() => []);
  const e = await rejected(new Trainer(model).fit({ x, labels }, { batchSize: 2 }));
  expect(isShapeError(e)).toBe(true);
  expect(e.argument).toBe('data.labels');
  const str = tf.tensor1d(['a', 'b', 'c', 'd'], 'string');
  const e2 = await rejected(new Trainer(model).fit({ x, labels: str }, { batchSize: 2 }));
  expect(e2.argument).toBe('data.labels');
  tf.dispose([x, labels, str]);
});
