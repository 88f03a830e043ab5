import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  isConfigError,
  isShapeError,
  minimaxDiscriminatorLoss,
  minimaxDiscriminatorLossFromProbabilities,
  minimaxGeneratorLoss,
  nonSaturatingGeneratorLoss,
  nonSaturatingGeneratorLossFromProbabilities,
  type GeneratorLossFn,
} from '../../src';
import { expectNoLeak } from '../helpers/memory';
import { expectTensorClose } from '../helpers/tensors';
import { caught } from '../helpers/errors';

const FAKE = [10, 4.4, -5.5, 3.6];
const fake = () => tf.tensor2d(FAKE, [4, 1]);

const generatorLosses: [string, GeneratorLossFn][] = [
  ['nonSaturatingGeneratorLoss', (f) => nonSaturatingGeneratorLoss(f)],
  ['minimaxGeneratorLoss', (f) => minimaxGeneratorLoss(f)],
  ['minimaxDiscriminatorLoss (fake term)', (f) => tf.tidy(() => minimaxDiscriminatorLoss(tf.zerosLike(f), f))],
];

describe.each(generatorLosses)('%s invariants', (_, loss) => {
  it('a 2×2 reshape of the logits gives the same mean (patch outputs)', async () => {
    const flat = loss(fake());
    await expectTensorClose(loss(tf.reshape(fake(), [2, 2])), flat);
  });

  it('is leak-free', async () => {
    const input = fake();
    await expectNoLeak(() => loss(input), 1);
    input.dispose();
  });
});

describe('weights and reductions', () => {
  it('a scalar weight scales the result', async () => {
    const plain = (await nonSaturatingGeneratorLoss(fake()).data())[0]!;
    await expectTensorClose(nonSaturatingGeneratorLoss(fake(), { weights: 3 }), 3 * plain);
    await expectTensorClose(
      minimaxDiscriminatorLoss(fake(), fake(), { realWeights: 2, fakeWeights: 0 }),
      2 * (await minimaxDiscriminatorLoss(fake(), fake(), { fakeWeights: 0 }).data())[0]!,
    );
  });

  it('tensor weights select elements', async () => {
    const w = tf.tensor2d([0, 0, 1, 0], [4, 1]);
    await expectTensorClose(nonSaturatingGeneratorLoss(fake(), { weights: w }), 5.504078443270571 / 4);
  });

  it("'sum' is n × 'mean' and 'none' sums real and fake element-wise", async () => {
    const mean = (await minimaxDiscriminatorLoss(fake(), fake()).data())[0]!;
    await expectTensorClose(minimaxDiscriminatorLoss(fake(), fake(), { reduction: 'sum' }), 4 * mean);
    const none = minimaxDiscriminatorLoss(fake(), fake(), { reduction: 'none' });
    expect(none.shape).toEqual([4, 1]);
    await expectTensorClose(tf.mean(none), mean);
  });

  it('does not dispose or modify the caller’s tensors', async () => {
    const input = fake();
    nonSaturatingGeneratorLoss(input).dispose();
    nonSaturatingGeneratorLossFromProbabilities(tf.sigmoid(input)).dispose();
    expect(input.isDisposed).toBe(false);
    expect([...(await input.data())]).toEqual(FAKE.map(Math.fround));
  });
});

describe('bad input', () => {
  it('names the argument, expected and received', () => {
    const cases: [() => unknown, string, (e: unknown) => boolean][] = [
      [() => nonSaturatingGeneratorLoss([1, 2] as unknown as tf.Tensor), 'fakeLogits', isShapeError],
      [() => nonSaturatingGeneratorLoss(tf.scalar(1)), 'fakeLogits', isShapeError],
      [() => minimaxGeneratorLoss(tf.tensor1d([1], 'int32')), 'fakeLogits', isShapeError],
      [() => minimaxDiscriminatorLoss(tf.tensor1d([1]), 'x' as unknown as tf.Tensor), 'fakeLogits', isShapeError],
      [() => nonSaturatingGeneratorLoss(fake(), { reduction: 'avg' as 'mean' }), 'options.reduction', isConfigError],
      [() => minimaxDiscriminatorLoss(fake(), fake(), { labelSmoothing: 1.5 }), 'options.labelSmoothing', isConfigError],
      [() => minimaxDiscriminatorLoss(fake(), tf.zeros([3, 1]), { reduction: 'none' }), 'fakeLogits', isShapeError],
      [() => minimaxDiscriminatorLossFromProbabilities(fake(), fake(), { epsilon: 0.7 }), 'options.epsilon', isConfigError],
    ];
    for (const [call, argument, guard] of cases) {
      const error = caught(call);
      expect(guard(error), String(error)).toBe(true);
      expect(error.argument).toBe(argument);
      expect(error.message).toMatch(/expected .*, received /);
    }
  });
});
