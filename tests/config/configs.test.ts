import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { isConfigError } from '../../src';
import { resolveGanConfig, type GANConfig } from '../../src/models/gan/config';
import { resolveVaeConfig, type VAEConfig } from '../../src/models/vae/config';
import { caught } from '../helpers/errors';

const gan = (config: unknown) => resolveGanConfig(config as GANConfig);
const vae = (config: unknown) => resolveVaeConfig(config as VAEConfig);

function expectConfigError(fn: () => unknown, argument: string): void {
  const e = caught(fn);
  expect(isConfigError(e), String(e)).toBe(true);
  expect(e.argument).toBe(argument);
}

describe('nonFinite', () => {
  it("defaults to 'throw' and resolves each policy", () => {
    expect(gan({}).nonFinite).toBe('throw');
    expect(vae({}).nonFinite).toBe('throw');
    for (const policy of ['throw', 'skip', 'stop'] as const) {
      expect(gan({ nonFinite: policy }).nonFinite).toBe(policy);
      expect(vae({ nonFinite: policy }).nonFinite).toBe(policy);
    }
  });

  it.each(['ignore', 'Throw', null, 0])('rejects %s', (policy) => {
    expectConfigError(() => gan({ nonFinite: policy }), 'config.nonFinite');
    expectConfigError(() => vae({ nonFinite: policy }), 'config.nonFinite');
  });
});

describe('GAN dataRange', () => {
  it("is undefined (infer from the generator) by default, and keeps 'any' or a copy of [min, max]", () => {
    expect(gan({}).dataRange).toBeUndefined();
    expect(gan({ dataRange: 'any' }).dataRange).toBe('any');
    const range = [0, 255] as const;
    const resolved = gan({ dataRange: range }).dataRange;
    expect(resolved).toEqual([0, 255]);
    expect(resolved).not.toBe(range);
  });

  it.each([
    [[1, 0]],
    [[0, 0]],
    [[0, NaN]],
    [[-Infinity, 1]],
    [[0, 1, 2]],
    [[0]],
    ['all'],
    [{ min: 0, max: 1 }],
    [['0', 1]],
  ])('rejects %j', (range) => expectConfigError(() => gan({ dataRange: range }), 'config.dataRange'));
});

describe('nested option objects reject unknown keys', () => {
  it('names the misspelt field with its path', () => {
    expectConfigError(() => gan({ updates: { discrimnator: 5 } }), 'config.updates.discrimnator');
    expectConfigError(() => gan({ updates: 5 }), 'config.updates');
    expectConfigError(() => vae({ betaWarmup: { steps: 10, step: 5 } }), 'config.betaWarmup.step');
    expectConfigError(() => vae({ likelihood: { kind: 'gaussian', varience: 0.5 } }), 'config.likelihood.varience');
    expectConfigError(() => vae({ nonfinite: 'skip' }), 'config.nonfinite');
  });

  it('points the pre-0.1.0 GANConfig.steps to its new name, updates', () => {
    const e = caught(() => gan({ steps: { discriminator: 5 } }));
    expect(e.argument).toBe('config.steps');
    expect(e.message).toContain('updates: { discriminator, generator }');
  });

  it('still accepts the documented fields', () => {
    expect(gan({ updates: { discriminator: 5, generator: 2 } }).discriminatorUpdates).toBe(5);
    expect(vae({ betaWarmup: { steps: 10 } }).warmupSteps).toBe(10);
    expect(vae({ likelihood: { kind: 'gaussian', variance: 'learned' } }).variance).toBe('learned');
  });
});

describe('seeds', () => {
  it('keeps any safe integer as given', () => {
    expect(gan({ seed: 2 ** 32 + 1 }).seed).toBe(2 ** 32 + 1);
    expect(vae({ seed: -(2 ** 53 - 1) }).seed).toBe(-(2 ** 53 - 1));
    expect(gan({ seed: 0 }).seed).toBe(0);
  });

  it.each([1.5, NaN, Infinity, 2 ** 53, '1'])('rejects %s', (seed) => {
    expectConfigError(() => gan({ seed }), 'config.seed');
    expectConfigError(() => vae({ seed }), 'config.seed');
  });
});

describe('optimizer hyper-parameters', () => {
  const cases: [string, () => tf.Optimizer, string][] = [
    ['adam(NaN)', () => tf.train.adam(NaN), 'learningRate'],
    ['adam(-1e-3)', () => tf.train.adam(-1e-3), 'learningRate'],
    ['adam(Infinity)', () => tf.train.adam(Infinity), 'learningRate'],
    ['adam ε 1e-50 (0 in float32)', () => tf.train.adam(1e-3, 0.9, 0.999, 1e-50), 'epsilon'],
    ['adam ε -1e-7', () => tf.train.adam(1e-3, 0.9, 0.999, -1e-7), 'epsilon'],
    ['adam β₁ 1', () => tf.train.adam(1e-3, 1, 0.999), 'beta1'],
    ['adam β₂ -0.1', () => tf.train.adam(1e-3, 0.9, -0.1), 'beta2'],
    ['adamax decay -1', () => tf.train.adamax(1e-3, 0.9, 0.999, 1e-7, -1), 'decay'],
    ['rmsprop decay 1', () => tf.train.rmsprop(1e-3, 1), 'decay'],
    ['rmsprop momentum -0.5', () => tf.train.rmsprop(1e-3, 0.9, -0.5), 'momentum'],
    ['momentum NaN', () => tf.train.momentum(1e-3, NaN), 'momentum'],
    ['adadelta ρ 1.5', () => tf.train.adadelta(1e-3, 1.5), 'rho'],
    ['adagrad accumulator -1', () => tf.train.adagrad(1e-3, -1), 'initialAccumulatorValue'],
    ['sgd(NaN)', () => tf.train.sgd(NaN), 'learningRate'],
    // Finite in float64, Infinity in float32, where the update runs (fuzz finding F23).
    ['sgd(1e39)', () => tf.train.sgd(1e39), 'learningRate'],
    ['adam(Number.MAX_VALUE)', () => tf.train.adam(Number.MAX_VALUE), 'learningRate'],
    ['rmsprop momentum 1e39', () => tf.train.rmsprop(1e-3, 0.9, 1e39), 'momentum'],
    ['adagrad accumulator 1e39', () => tf.train.adagrad(1e-3, 1e39), 'initialAccumulatorValue'],
  ];

  it.each(cases)('%s is a ConfigError naming the field', (_, make, field) => {
    const [g, d, v] = [make(), make(), make()];
    try {
      expectConfigError(() => gan({ generatorOptimizer: g }), `config.generatorOptimizer.${field}`);
      expectConfigError(() => gan({ discriminatorOptimizer: d }), `config.discriminatorOptimizer.${field}`);
      expectConfigError(() => vae({ optimizer: v }), `config.optimizer.${field}`);
    } finally {
      [g, d, v].forEach((o) => o.dispose());
    }
  });

  it('accepts sound settings, a zero learning rate (a frozen network) and the smallest float32 ε', () => {
    const ok = [
      tf.train.adam(0),
      tf.train.adam(2e-4, 0.5, 0.999, 1e-7),
      tf.train.adam(1e-3, 0, 0, 1.5e-45),
      tf.train.sgd(0.1),
      tf.train.momentum(0.1, 0.9, true),
      tf.train.rmsprop(1e-3, 0.9, 0.5, 1e-7, true),
      tf.train.adadelta(1, 1),
      tf.train.adagrad(0.1, 0),
      tf.train.adamax(2e-3),
    ];
    for (const optimizer of ok) expect(() => vae({ optimizer })).not.toThrow();
    ok.forEach((o) => o.dispose());
  });

  it('rejects what is not an optimizer', () => {
    expectConfigError(() => gan({ generatorOptimizer: { minimize: () => null } }), 'config.generatorOptimizer');
    expectConfigError(() => vae({ optimizer: 'adam' }), 'config.optimizer');
    // tfjs's own instanceof check reads .minimize, which null does not have (fuzz finding F21).
    expectConfigError(() => gan({ discriminatorOptimizer: null }), 'config.discriminatorOptimizer');
    expectConfigError(() => vae({ optimizer: null }), 'config.optimizer');
  });
});

describe('other fields', () => {
  it('rejects a β that is not a number >= 0 finite in float32', () => {
    for (const beta of [-1, NaN, Infinity, 1e39, '1']) expectConfigError(() => vae({ beta }), 'config.beta');
    expect(vae({ beta: 3e38 }).beta).toBe(3e38);
  });

  it('rejects a dataShape that is not a non-empty array', () => {
    expectConfigError(() => gan({ dataShape: 784 }), 'config.dataShape');
    expectConfigError(() => gan({ dataShape: [] }), 'config.dataShape');
    expectConfigError(() => gan({ dataShape: [28, 0] }), 'config.dataShape[1]');
  });

  it('never modifies the caller’s config', () => {
    const config = Object.freeze({
      seed: 3,
      updates: Object.freeze({ discriminator: 2 }),
      dataRange: Object.freeze([0, 1] as const),
    });
    expect(gan(config).discriminatorUpdates).toBe(2);
    expect(config).toEqual({ seed: 3, updates: { discriminator: 2 }, dataRange: [0, 1] });
  });
});
