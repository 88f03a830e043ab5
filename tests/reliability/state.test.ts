import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { isStateError, type GANState } from '../../src';
import { describeEachBackend } from '../helpers/backends';
import { caught } from '../helpers/errors';
import { tinyBatch, tinyGan } from '../helpers/gan';
import { expectSameState } from '../helpers/state';
import { tinyVae } from '../helpers/vae';

const steps = async (model: { trainStep(b: tf.Tensor): Promise<unknown> }, batch: tf.Tensor, n: number) => {
  const logs: unknown[] = [];
  for (let i = 0; i < n; i++) logs.push(await model.trainStep(batch));
  return logs;
};

const vae = (seed: number) =>
  tinyVae({ seed, beta: 1, betaWarmup: { steps: 10 }, likelihood: { kind: 'gaussian', variance: 'learned' } });

describeEachBackend('saved state resumes a run exactly', () => {
  it('GAN: 3 steps, restore into a GAN built from another seed, 4 more = 7 uninterrupted', async () => {
    const batch = tinyBatch();
    const straight = tinyGan({ seed: 7, updates: { discriminator: 2, generator: 1 } }, true);
    const first = tinyGan({ seed: 7, updates: { discriminator: 2, generator: 1 } }, true);
    await steps(straight, batch, 3);
    await steps(first, batch, 3);
    const saved = await first.getState();
    expect(saved.steps).toBe(3);
    expect(saved.generatorOptimizer.iterations).toBe(3);
    expect(saved.discriminatorOptimizer.iterations).toBe(6);

    const resumed = tinyGan({ seed: 99, updates: { discriminator: 2, generator: 1 } }, true);
    resumed.setState(saved);
    expectSameState(await resumed.getState(), saved);
    expect(await steps(resumed, batch, 4)).toEqual(await steps(straight, batch, 4));
    expectSameState(await resumed.getState(), await straight.getState());
    const samples = [resumed.sample(4, { seed: 3 }), straight.sample(4, { seed: 3 })];
    expect(await samples[0]!.data()).toEqual(await samples[1]!.data());
    tf.dispose([...samples, batch]);
    for (const m of [straight, first, resumed]) m.dispose();
  });

  it('VAE: the β warm-up, a learned variance and the optimizer carry on', async () => {
    const batch = tf.randomUniform([8, 6], 0, 1, 'float32', 2);
    const straight = vae(3);
    const first = vae(3);
    await steps(straight, batch, 4);
    await steps(first, batch, 4);
    const saved = await first.getState();
    const resumed = vae(40);
    expect(resumed.beta).toBe(0);
    resumed.setState(saved);
    expect(resumed.beta).toBeCloseTo(0.4, 6);
    expect(await steps(resumed, batch, 3)).toEqual(await steps(straight, batch, 3));
    expectSameState(await resumed.getState(), await straight.getState());
    batch.dispose();
    for (const m of [straight, first, resumed]) m.dispose();
  });
});

it('getState hands back plain arrays (no tensors) and setState frees what it replaces', async () => {
  const gan = tinyGan({ seed: 1 }, true);
  const batch = tinyBatch();
  await gan.trainStep(batch);
  const tensors = tf.memory().numTensors;
  const state = await gan.getState();
  expect(tf.memory().numTensors).toBe(tensors);
  gan.setState(state);
  gan.setState(state);
  expect(tf.memory().numTensors).toBe(tensors);
  gan.dispose();
  batch.dispose();
});

it('a state that does not fit is refused with a StateError naming the field, and nothing changes', async () => {
  const gan = tinyGan({ seed: 1 }, true);
  const batch = tinyBatch();
  await gan.trainStep(batch);
  const good = await gan.getState();
  const other = tinyGan({ seed: 2 }, true);
  const before = await other.getState();
  const weights = good.generator.weights;
  const w0 = weights[0]!;
  const bad: [string, unknown][] = [
    ['state', null],
    ['state.format', { ...good, format: 'tfjs-generative/vae' }],
    ['state.version', { ...good, version: 2 }],
    ['state.steps', { ...good, steps: -1 }],
    ['state.generator.weights', { ...good, generator: { ...good.generator, weights: weights.slice(1) } }],
    [
      'state.generator.weights[0].shape',
      { ...good, generator: { ...good.generator, weights: [{ ...w0, shape: [1, 2] }, ...weights.slice(1)] } },
    ],
    [
      'state.generator.weights[0].values',
      {
        ...good,
        generator: { ...good.generator, weights: [{ ...w0, values: new Float32Array(1) }, ...weights.slice(1)] },
      },
    ],
    [
      'state.generator.weights[0].dtype',
      { ...good, generator: { ...good.generator, weights: [{ ...w0, dtype: 'int32' }, ...weights.slice(1)] } },
    ],
    ['state.discriminator.dropout[0]', { ...good, discriminator: { ...good.discriminator, dropout: [[1.5, 0]] } }],
    [
      'state.generatorOptimizer.className',
      { ...good, generatorOptimizer: { ...good.generatorOptimizer, className: 'SGD' } },
    ],
    [
      'state.generatorOptimizer.slots.accumulatedSecondMoment',
      {
        ...good,
        generatorOptimizer: {
          ...good.generatorOptimizer,
          slots: {
            ...good.generatorOptimizer.slots,
            accumulatedFirstMoment: [],
            accumulatedSecondMoment: good.generatorOptimizer.slots['accumulatedSecondMoment']!.slice(1),
          },
        },
      },
    ],
    ['state.seeds.noise', { ...good, seeds: { ...good.seeds, noise: [1] } }],
  ];
  for (const [argument, state] of bad) {
    const e = caught(() => other.setState(state as GANState));
    expect(isStateError(e), argument).toBe(true);
    expect(e.argument.startsWith(argument), `${e.argument} vs ${argument}`).toBe(true);
    expectSameState(await other.getState(), before);
  }
  for (const m of [gan, other]) m.dispose();
  batch.dispose();
});

it("a state is the caller's own copy: editing it does not touch the model", async () => {
  const gan = tinyGan({ seed: 1 });
  const state = await gan.getState();
  const first = state.generator.weights[0]!.values;
  const original = first[0];
  first[0] = 123;
  expect((await gan.getState()).generator.weights[0]!.values[0]).toBe(original);
  gan.dispose();
});
