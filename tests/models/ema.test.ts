import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { isConfigError, isStateError } from '../../src';
import { caught } from '../helpers/errors';
import { tinyBatch, tinyGan } from '../helpers/gan';
import { expectSameState } from '../helpers/state';

it('EMA weights follow ema ← decay·ema + (1 − decay)·w after every step, from the initial weights', async () => {
  const decay = 0.9;
  const gan = tinyGan({ seed: 2, ema: { decay } }, true);
  const batch = tinyBatch();
  const initial = (await gan.getState()).generator.weights.map((w) => Float64Array.from(w.values));
  let expected = initial;
  for (let step = 0; step < 4; step++) {
    await gan.trainStep(batch);
    const weights = (await gan.getState()).generator.weights.map((w) => w.values);
    expected = expected.map((e, i) => e.map((v, j) => decay * v + (1 - decay) * weights[i]![j]!));
    const ema = (await gan.getState()).ema!;
    ema.forEach((w, i) => w.values.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 5)));
  }
  gan.dispose();
  batch.dispose();
});

it('samples come from the averaged weights by default, from the trained ones with ema: false; nothing leaks', async () => {
  const averaged = tinyGan({ seed: 3, ema: { decay: 0.5 } });
  const plain = tinyGan({ seed: 3 });
  const batch = tinyBatch();
  for (let i = 0; i < 3; i++) {
    await averaged.trainStep(batch);
    await plain.trainStep(batch);
  }
  const tensors = tf.memory().numTensors;
  const [fromTrained, fromPlain, fromAverage] = [
    averaged.sample(4, { seed: 1, ema: false }),
    plain.sample(4, { seed: 1 }),
    averaged.sample(4, { seed: 1 }),
  ];
  expect(tf.memory().numTensors).toBe(tensors + 3);
  expect(await fromTrained.data()).toEqual(await fromPlain.data());
  expect(await fromAverage.data()).not.toEqual(await fromTrained.data());
  // Sampling swapped the average in and out by reference: the trained weights are untouched.
  expectSameState((await averaged.getState()).generator, (await plain.getState()).generator);
  expect(isConfigError(caught(() => plain.sample(2, { ema: true })))).toBe(true);
  tf.dispose([fromTrained, fromPlain, fromAverage, batch]);
  averaged.dispose();
  plain.dispose();
});

it('the average is saved and restored, and a state without one does not fit a GAN that keeps one', async () => {
  const gan = tinyGan({ seed: 4, ema: { decay: 0.99 } });
  const batch = tinyBatch();
  await gan.trainStep(batch);
  const state = await gan.getState();
  const resumed = tinyGan({ seed: 9, ema: { decay: 0.99 } });
  resumed.setState(state);
  expectSameState(await resumed.getState(), state);
  expect(isStateError(caught(() => resumed.setState({ ...state, ema: null })))).toBe(true);
  for (const m of [gan, resumed]) m.dispose();
  batch.dispose();
  expect(isConfigError(caught(() => tinyGan({ ema: { decay: 1 } })))).toBe(true);
});
