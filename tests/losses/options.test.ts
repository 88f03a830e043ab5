import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  bernoulliReconstructionLoss,
  gaussianKlDivergence,
  gaussianReconstructionLoss,
  isConfigError,
  isShapeError,
  isValueError,
  minimaxDiscriminatorLoss,
  minimaxDiscriminatorLossFromProbabilities,
  minimaxGeneratorLoss,
  negativeElbo,
  nonSaturatingGeneratorLoss,
  nonSaturatingGeneratorLossFromProbabilities,
} from '../../src';
import { caught } from '../helpers/errors';
import { expectTensorClose } from '../helpers/tensors';

const LOGITS = [10, 4.4, -5.5, 3.6];
const logits = () => tf.tensor2d(LOGITS, [4, 1]);

/** Asserts the call throws the guarded error naming `argument`, and allocates no tensor on the way. */
function expectRejected(call: () => unknown, argument: string, guard: (e: unknown) => boolean): void {
  const before = tf.memory().numTensors;
  const error = caught(call);
  expect(guard(error), String(error)).toBe(true);
  expect(error.argument).toBe(argument);
  expect(error.message).toMatch(/expected .*, received /);
  expect(tf.memory().numTensors).toBe(before);
}

describe('loss weights', () => {
  it('rejects numbers that are not finite and >= 0, and values that are not numbers or tensors', () => {
    const x = logits();
    const bad: [unknown, string][] = [
      [NaN, 'NaN'],
      [-1, '-1'],
      [Infinity, 'Infinity'],
      ['2', '"2"'],
      [null, 'null'],
      [[1, 2, 3, 4], 'an array'],
      [{}, 'an object'],
    ];
    for (const [w, received] of bad) {
      expectRejected(() => nonSaturatingGeneratorLoss(x, { weights: w as number }), 'options.weights', isConfigError);
      expectRejected(() => minimaxGeneratorLoss(x, { weights: w as number }), 'options.weights', isConfigError);
      expectRejected(() => minimaxDiscriminatorLoss(x, x, { realWeights: w as number }), 'options.realWeights', isConfigError);
      expectRejected(() => minimaxDiscriminatorLoss(x, x, { fakeWeights: w as number }), 'options.fakeWeights', isConfigError);
      expect(caught(() => minimaxDiscriminatorLoss(x, x, { realWeights: w as number })).received).toBe(received);
    }
    x.dispose();
  });

  it('rejects a tensor whose shape would change the result’s shape', () => {
    const x = logits(); // [4, 1]
    for (const shape of [[4, 4], [4], [2, 1], [1, 4, 1], [3]]) {
      const w = tf.ones(shape);
      expectRejected(() => nonSaturatingGeneratorLoss(x, { weights: w, reduction: 'none' }), 'options.weights', isShapeError);
      expectRejected(() => minimaxDiscriminatorLoss(x, x, { fakeWeights: w }), 'options.fakeWeights', isShapeError);
      w.dispose();
    }
    x.dispose();
  });

  it('rejects tensors with NaN, ±Infinity or negative values, int32 and disposed tensors', () => {
    const x = logits();
    const values: [number[], RegExp][] = [
      [[1, NaN, 1, 1], /NaN \(at flat index 1\)/],
      [[1, 1, -0.5, 1], /-0.5 \(at flat index 2\)/],
      [[1, 1, 1, Infinity], /Infinity \(at flat index 3\)/],
    ];
    for (const [v, received] of values) {
      const w = tf.tensor2d(v, [4, 1]);
      expectRejected(() => minimaxDiscriminatorLoss(x, x, { realWeights: w }), 'options.realWeights', isValueError);
      expect(caught(() => nonSaturatingGeneratorLoss(x, { weights: w })).received).toMatch(received);
      w.dispose();
    }
    const ints = tf.ones([4, 1], 'int32');
    expectRejected(() => nonSaturatingGeneratorLoss(x, { weights: ints }), 'options.weights', isShapeError);
    ints.dispose();
    const gone = tf.ones([4, 1]);
    gone.dispose();
    expectRejected(() => nonSaturatingGeneratorLoss(x, { weights: gone }), 'options.weights', isValueError);
    x.dispose();
  });

  it('accepts shapes that broadcast without changing the result: [batch, 1], [1], [1, 1], [] and 0', async () => {
    const x = logits();
    const plain = nonSaturatingGeneratorLoss(x, { reduction: 'none' });
    for (const w of [tf.fill([4, 1], 2), tf.tensor1d([2]), tf.tensor2d([[2]]), tf.scalar(2)]) {
      const none = nonSaturatingGeneratorLoss(x, { weights: w, reduction: 'none' });
      expect(none.shape).toEqual([4, 1]);
      await expectTensorClose(none, tf.mul(plain, 2));
      tf.dispose([none, w]);
    }
    await expectTensorClose(minimaxDiscriminatorLoss(x, x, { realWeights: 0, fakeWeights: 0 }), 0);
    plain.dispose();
    x.dispose();
  });

  it('checks each side of the discriminator loss against its own logits', async () => {
    const real = tf.zeros([4, 1]);
    const patch = tf.zeros([4, 2, 2, 1]); // a patch discriminator's fake logits
    const w = tf.ones([4, 2, 2, 1]);
    await expectTensorClose(minimaxDiscriminatorLoss(real, patch, { fakeWeights: w }), 2 * Math.LN2);
    expectRejected(() => minimaxDiscriminatorLoss(real, patch, { realWeights: w }), 'options.realWeights', isShapeError);
    tf.dispose([real, patch, w]);
  });
});

describe('epsilon of the probability losses', () => {
  it('rejects an ε that rounds 1 − ε to 1 in float32, is 0, negative, above 0.5 or not a number', () => {
    const p = tf.tensor1d([0, 1]);
    for (const epsilon of [1e-8, 2 ** -25, 1e-50, Number.MIN_VALUE, 0, -1e-7, 0.7, NaN, '1e-7']) {
      expectRejected(
        () => nonSaturatingGeneratorLossFromProbabilities(p, { epsilon: epsilon as number }),
        'options.epsilon',
        isConfigError,
      );
      expectRejected(
        () => minimaxDiscriminatorLossFromProbabilities(p, p, { epsilon: epsilon as number }),
        'options.epsilon',
        isConfigError,
      );
    }
    p.dispose();
  });

  it('any accepted ε keeps the loss finite at probabilities 0 and 1', async () => {
    const p = tf.tensor1d([0, 1]);
    for (const epsilon of [3e-8, 1e-7, 0.5]) {
      const values = await minimaxDiscriminatorLossFromProbabilities(p, p, { epsilon, reduction: 'none' }).data();
      expect([...values].every(Number.isFinite), `ε = ${epsilon}`).toBe(true);
    }
    p.dispose();
  });
});

describe('per-call options reject unknown keys', () => {
  it('names the misspelt option', () => {
    const x = logits();
    const m = tf.zeros([2, 3]);
    const cases: [() => unknown, string][] = [
      [() => nonSaturatingGeneratorLoss(x, { reductin: 'sum' } as never), 'options.reductin'],
      [() => minimaxGeneratorLoss(x, { weight: 2 } as never), 'options.weight'],
      [() => nonSaturatingGeneratorLoss(x, { labelSmoothing: 0.1 } as never), 'options.labelSmoothing'],
      [() => nonSaturatingGeneratorLoss(x, { epsilon: 1e-7 } as never), 'options.epsilon'],
      [() => minimaxDiscriminatorLoss(x, x, { labelSmothing: 0.1 } as never), 'options.labelSmothing'],
      [() => minimaxDiscriminatorLoss(x, x, { weights: 2 } as never), 'options.weights'],
      [() => minimaxDiscriminatorLossFromProbabilities(x, x, { epsilom: 0.1 } as never), 'options.epsilom'],
      [() => nonSaturatingGeneratorLoss(x, null as never), 'options'],
      [() => gaussianKlDivergence(m, m, { beta: 1 } as never), 'options.beta'],
      [() => bernoulliReconstructionLoss(m, m, { logVar: 0 } as never), 'options.logVar'],
      [() => gaussianReconstructionLoss(m, m, { logvar: 0 } as never), 'options.logvar'],
      [() => gaussianReconstructionLoss(m, m, { includeConstant: 'yes' } as never), 'options.includeConstant'],
      [() => negativeElbo(m, m, m, m, { betta: 2 } as never), 'options.betta'],
      [() => negativeElbo(m, m, m, m, { likelihood: 'gaussian', includeConstant: 1 } as never), 'options.includeConstant'],
    ];
    for (const [call, argument] of cases) expectRejected(call, argument, isConfigError);
    tf.dispose([x, m]);
  });
});
