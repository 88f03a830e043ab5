import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  acganDiscriminatorLoss,
  acganGeneratorLoss,
  auxiliaryClassificationLoss,
  clipWeights,
  hingeDiscriminatorLoss,
  isConfigError,
  isShapeError,
  isValueError,
  leastSquaresDiscriminatorLoss,
  leastSquaresGeneratorLoss,
  wassersteinDiscriminatorLoss,
  wassersteinGeneratorLoss,
} from '../../src';
import { caught } from '../helpers/errors';
import { expectNoLeak } from '../helpers/memory';

const logits = () => tf.tensor2d([10, 4.4, -5.5, 3.6], [4, 1]);
const classLogits = () =>
  tf.tensor2d([
    [2, 0, -1],
    [0.5, 0.5, 3],
  ]);

describe('loss catalogue: bad input', () => {
  it('names the argument, expected and received', () => {
    const cases: [() => unknown, string, (e: unknown) => boolean][] = [
      [() => wassersteinGeneratorLoss([1, 2] as unknown as tf.Tensor), 'fakeLogits', isShapeError],
      [() => wassersteinGeneratorLoss(tf.scalar(1)), 'fakeLogits', isShapeError],
      [() => wassersteinDiscriminatorLoss(tf.tensor1d([1], 'int32'), logits()), 'realLogits', isShapeError],
      [() => hingeDiscriminatorLoss(logits(), tf.zeros([3, 1]), { reduction: 'none' }), 'fakeLogits', isShapeError],
      [
        () => hingeDiscriminatorLoss(logits(), logits(), { labelSmoothing: 0.1 } as never),
        'options.labelSmoothing',
        isConfigError,
      ],
      [() => wassersteinGeneratorLoss(logits(), { reduction: 'avg' as 'mean' }), 'options.reduction', isConfigError],
      [() => wassersteinGeneratorLoss(logits(), { weights: -1 }), 'options.weights', isConfigError],
      [
        () => wassersteinDiscriminatorLoss(logits(), logits(), { fakeWeights: tf.ones([4, 4]) }),
        'options.fakeWeights',
        isShapeError,
      ],
      [() => leastSquaresGeneratorLoss(logits(), { realLabel: NaN }), 'options.realLabel', isConfigError],
      [
        () => leastSquaresDiscriminatorLoss(logits(), logits(), { fakeLabel: '0' as unknown as number }),
        'options.fakeLabel',
        isConfigError,
      ],
      [
        () => leastSquaresDiscriminatorLoss(logits(), logits(), { reallabel: 1 } as never),
        'options.reallabel',
        isConfigError,
      ],
      [() => auxiliaryClassificationLoss(tf.tensor1d([1, 2]), tf.tensor1d([0], 'int32')), 'classLogits', isShapeError],
      [() => auxiliaryClassificationLoss(tf.ones([2, 1]), tf.tensor1d([0, 0], 'int32')), 'classLogits', isShapeError],
      [() => auxiliaryClassificationLoss(classLogits(), tf.tensor1d([0, 3], 'int32')), 'labels', isValueError],
      [() => auxiliaryClassificationLoss(classLogits(), tf.tensor1d([0, -1], 'int32')), 'labels', isValueError],
      [() => auxiliaryClassificationLoss(classLogits(), tf.tensor1d([0, 1, 2], 'int32')), 'labels', isShapeError],
      [() => auxiliaryClassificationLoss(classLogits(), tf.tensor1d([0, 1])), 'labels', isShapeError],
      [
        () =>
          auxiliaryClassificationLoss(
            classLogits(),
            tf.tensor2d([
              [1, 0, 0],
              [0, 1, 1],
            ]),
          ),
        'labels',
        isValueError,
      ],
      [
        () =>
          auxiliaryClassificationLoss(
            classLogits(),
            tf.tensor2d([
              [1, 0, 0],
              [NaN, 1, 0],
            ]),
          ),
        'labels',
        isValueError,
      ],
      [() => auxiliaryClassificationLoss(classLogits(), tf.tensor1d([0, 1], 'bool')), 'labels', isShapeError],
      [() => acganGeneratorLoss(classLogits(), tf.tensor1d([0, 9], 'int32')), 'fakeLabels', isValueError],
      [
        () => acganGeneratorLoss(classLogits(), tf.tensor1d([0, 1], 'int32'), { labelSmoothing: 2 }),
        'options.labelSmoothing',
        isConfigError,
      ],
      [
        () => acganGeneratorLoss(classLogits(), tf.tensor1d([0, 1], 'int32'), { weights: tf.ones([2, 3]) }),
        'options.weights',
        isShapeError,
      ],
      [
        () =>
          acganDiscriminatorLoss(
            classLogits(),
            tf.tensor1d([0, 1], 'int32'),
            tf.ones([2, 4]),
            tf.tensor1d([0, 1], 'int32'),
          ),
        'fakeClassLogits',
        isShapeError,
      ],
      [
        () =>
          acganDiscriminatorLoss(
            classLogits(),
            tf.tensor1d([0, 1], 'int32'),
            tf.ones([3, 3]),
            tf.tensor1d([0, 1, 2], 'int32'),
            {
              reduction: 'none',
            },
          ),
        'fakeClassLogits',
        isShapeError,
      ],
    ];
    for (const [call, argument, guard] of cases) {
      const e = caught(call);
      expect(guard(e), `${argument}: ${String(e)}`).toBe(true);
      expect(e.argument).toBe(argument);
    }
  });

  it('an ACGAN real side of another batch size is fine with a mean', async () => {
    const loss = acganDiscriminatorLoss(
      classLogits(),
      tf.tensor1d([0, 2], 'int32'),
      tf.ones([3, 3]),
      tf.tensor1d([0, 1, 2], 'int32'),
    );
    // Real side by hand: mean(logsumexp(2, 0, −1) − 2, logsumexp(0.5, 0.5, 3) − 3) = 0.1609272; fake: log 3.
    expect((await loss.data())[0]).toBeCloseTo(0.16092720197371047 + Math.log(3), 5);
  });
});

describe('clipWeights', () => {
  it('clips every value of each variable into [−c, c] and leaves the others alone', async () => {
    const a = tf.variable(
      tf.tensor2d([
        [-0.5, 0.004],
        [0.02, -0.01],
      ]),
    );
    const b = tf.variable(tf.tensor1d([3, -3]));
    const untouched = tf.variable(tf.tensor1d([1, -1]));
    clipWeights([a, b], 0.01);
    expect([...(await a.data())]).toEqual([-0.01, 0.004, 0.01, -0.01].map(Math.fround));
    expect([...(await b.data())]).toEqual([0.01, -0.01].map(Math.fround));
    expect([...(await untouched.data())]).toEqual([1, -1]);
    await expectNoLeak(() => clipWeights([a, b], 0.01));
    tf.dispose([a, b, untouched]);
  });

  it('checks everything before it writes anything', async () => {
    const a = tf.variable(tf.tensor1d([5]));
    const disposed = tf.variable(tf.tensor1d([5]));
    disposed.dispose();
    const cases: [() => unknown, string, (e: unknown) => boolean][] = [
      [() => clipWeights([a], 0), 'clipValue', isValueError],
      [() => clipWeights([a], Infinity), 'clipValue', isValueError],
      [() => clipWeights(a as unknown as tf.Variable[], 0.1), 'variables', isValueError],
      [() => clipWeights([a, tf.ones([1]) as tf.Variable], 0.1), 'variables[1]', isShapeError],
      [() => clipWeights([a, disposed], 0.1), 'variables[1]', isValueError],
    ];
    for (const [call, argument, guard] of cases) {
      const e = caught(call);
      expect(guard(e), `${argument}: ${String(e)}`).toBe(true);
      expect(e.argument).toBe(argument);
    }
    expect([...(await a.data())]).toEqual([5]);
    a.dispose();
  });
});
