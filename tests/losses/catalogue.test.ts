import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  acganDiscriminatorLoss,
  acganGeneratorLoss,
  auxiliaryClassificationLoss,
  hingeDiscriminatorLoss,
  hingeGeneratorLoss,
  leastSquaresDiscriminatorLoss,
  leastSquaresGeneratorLoss,
  wassersteinDiscriminatorLoss,
  wassersteinGeneratorLoss,
} from '../../src';
import { describeEachBackend } from '../helpers/backends';
import { expectNoLeak } from '../helpers/memory';
import { expectTensorClose, valueAndGrads } from '../helpers/tensors';

/**
 * The largest |analytic − central finite difference| over every element of every input (step h, float32
 * evaluations); disposes the inputs. The losses are linear or quadratic between kinks, so central differences are
 * exact there up to rounding.
 */
function maxFiniteDifferenceError(
  loss: (...xs: (tf.Tensor | undefined)[]) => tf.Tensor,
  inputs: tf.Tensor[],
  h = 1e-2,
): number {
  const analytic = tf
    .grads((...xs: tf.Tensor[]) => loss(...xs) as tf.Scalar)(inputs)
    .map((g) => g.dataSync());
  const at = (xs: tf.Tensor[]) => tf.tidy(() => loss(...xs).dataSync()[0]!);
  let worst = 0;
  inputs.forEach((x, k) => {
    const base = x.dataSync();
    for (let i = 0; i < base.length; i++) {
      const shifted = (d: number) => {
        const values = base.slice();
        values[i] = values[i]! + d;
        return inputs.map((y, j) => (j === k ? tf.tensor(values, x.shape) : y));
      };
      const [plus, minus] = [shifted(h), shifted(-h)];
      const fd = (at(plus) - at(minus)) / (2 * h);
      tf.dispose([plus[k]!, minus[k]!]);
      worst = Math.max(worst, Math.abs(fd - analytic[k]![i]!));
    }
  });
  tf.dispose(inputs);
  return worst;
}

// TF-GAN's loss-test inputs (losses_impl_test.py, _LossesTest). Every expected value below is derived by hand in
// float64 from the formula in the comment, with the mean over the 4 examples; where TF-GAN's test table has the same
// quantity it is quoted, and it agrees.
const REAL = [-5, 1.4, 12.5, 2.7];
const FAKE = [10, 4.4, -5.5, 3.6];
const real = () => tf.tensor2d(REAL, [4, 1]);
const fake = () => tf.tensor2d(FAKE, [4, 1]);

interface Family {
  readonly name: string;
  readonly g: (fake: tf.Tensor, options?: { weights?: number; reduction?: 'none' | 'sum' }) => tf.Tensor;
  readonly d: (
    real: tf.Tensor,
    fake: tf.Tensor,
    options?: { realWeights?: number; fakeWeights?: number; reduction?: 'none' },
  ) => tf.Tensor;
  readonly g0: number;
  readonly d0: number;
  /** ∂L_G/∂fake, ∂L_D/∂real, ∂L_D/∂fake. */
  readonly grads: readonly [number[], number[], number[]];
  /** L_G and L_D with reduction 'none'. */
  readonly none: readonly [number[], number[]];
}

const FAMILIES: Family[] = [
  {
    // L_G = −mean(f) = −12.5/4; L_D = mean(f) − mean(r) = 3.125 − 11.6/4 = 0.225. TF-GAN: −3.12500 and 0.22500.
    name: 'wasserstein',
    g: (f, o) => wassersteinGeneratorLoss(f, o),
    d: (r, f, o) => wassersteinDiscriminatorLoss(r, f, o),
    g0: -3.125,
    d0: 0.225,
    grads: [
      [-0.25, -0.25, -0.25, -0.25],
      [-0.25, -0.25, -0.25, -0.25],
      [0.25, 0.25, 0.25, 0.25],
    ],
    none: [FAKE.map((f) => -f), FAKE.map((f, i) => f - REAL[i]!)],
  },
  {
    // L_D = mean(relu(1 − r)) + mean(relu(1 + f)) = mean(6, 0, 0, 0) + mean(11, 5.4, 0, 4.6) = 1.5 + 5.25 = 6.75;
    // L_G = −mean(f). TF-GAN (wasserstein_hinge_*): −3.12500 and 6.7500.
    name: 'hinge',
    g: (f, o) => hingeGeneratorLoss(f, o),
    d: (r, f, o) => hingeDiscriminatorLoss(r, f, o),
    g0: -3.125,
    d0: 6.75,
    grads: [
      [-0.25, -0.25, -0.25, -0.25],
      [-0.25, 0, 0, 0],
      [0.25, 0.25, 0, 0.25],
    ],
    none: [FAKE.map((f) => -f), [17, 5.4, 0, 4.6]],
  },
  {
    // L_G = ½ mean((f − 1)²) = ½ mean(81, 11.56, 42.25, 6.76) = 17.69625;
    // L_D = ½ mean((r − 1)²) + ½ mean(f²) = ½·42.825 + ½·40.6425 = 41.73375. TF-GAN: 17.69625 and 41.73375.
    // Gradients: (f − 1)/4, (r − 1)/4 and f/4.
    name: 'least squares',
    g: (f, o) => leastSquaresGeneratorLoss(f, o),
    d: (r, f, o) => leastSquaresDiscriminatorLoss(r, f, o),
    g0: 17.69625,
    d0: 41.73375,
    grads: [
      [2.25, 0.85, -1.625, 0.65],
      [-1.5, 0.1, 2.875, 0.425],
      [2.5, 1.1, -1.375, 0.9],
    ],
    none: [
      [40.5, 5.78, 21.125, 3.38],
      [68, 9.76, 81.25, 7.925],
    ],
  },
];

describeEachBackend('loss catalogue: golden values', () => {
  describe.each(FAMILIES)('$name', (family) => {
    it('generator loss, and its gradient by hand and by finite differences', async () => {
      const { value, grads } = await valueAndGrads((f) => family.g(f!) as tf.Scalar, fake());
      expect(value).toBeCloseTo(family.g0, 5);
      grads[0]!.forEach((g, i) => expect(g).toBeCloseTo(family.grads[0][i]!, 5));
      expect(maxFiniteDifferenceError((f) => family.g(f!) as tf.Scalar, [fake()])).toBeLessThan(2e-3);
    });

    it('discriminator loss, and its gradients by hand and by finite differences', async () => {
      const { value, grads } = await valueAndGrads((r, f) => family.d(r!, f!) as tf.Scalar, real(), fake());
      expect(value).toBeCloseTo(family.d0, 5);
      grads[0]!.forEach((g, i) => expect(g).toBeCloseTo(family.grads[1][i]!, 5));
      grads[1]!.forEach((g, i) => expect(g).toBeCloseTo(family.grads[2][i]!, 5));
      expect(maxFiniteDifferenceError((r, f) => family.d(r!, f!) as tf.Scalar, [real(), fake()])).toBeLessThan(2e-3);
    });

    it("'none' keeps the input shape and holds the per-element terms; 'sum' is 4 × 'mean'", async () => {
      await expectTensorClose(family.g(fake(), { reduction: 'none' }), tf.tensor2d(family.none[0], [4, 1]));
      await expectTensorClose(family.d(real(), fake(), { reduction: 'none' }), tf.tensor2d(family.none[1], [4, 1]));
      await expectTensorClose(family.g(fake(), { reduction: 'sum' }), 4 * family.g0);
    });

    it('a scalar weight scales the result (TF-GAN’s 2.3)', async () => {
      await expectTensorClose(family.g(fake(), { weights: 2.3 }), 2.3 * family.g0);
      await expectTensorClose(family.d(real(), fake(), { realWeights: 2.3, fakeWeights: 2.3 }), 2.3 * family.d0);
    });

    it('a 2×2 reshape (patch outputs) gives the same mean', async () => {
      await expectTensorClose(family.g(tf.reshape(fake(), [2, 2])), family.g0);
      await expectTensorClose(family.d(tf.reshape(real(), [2, 2]), tf.reshape(fake(), [2, 2])), family.d0);
    });

    it('stays finite, with finite gradients, at ±1e4', async () => {
      const extreme = () => tf.tensor1d([1e4, -1e4, 100, -100]);
      const g = await valueAndGrads((f) => family.g(f!) as tf.Scalar, extreme());
      const d = await valueAndGrads((r, f) => family.d(r!, f!) as tf.Scalar, extreme(), extreme());
      for (const v of [g.value, d.value, ...g.grads.flat(), ...d.grads.flat()]) expect(Number.isFinite(v)).toBe(true);
    });

    it('is leak-free and leaves the caller’s tensors alone', async () => {
      const [r, f] = [real(), fake()];
      await expectNoLeak(() => family.g(f), 1);
      await expectNoLeak(() => family.d(r, f), 1);
      expect(r.isDisposed || f.isDisposed).toBe(false);
      expect([...(await f.data())]).toEqual(FAKE.map(Math.fround));
      tf.dispose([r, f]);
    });
  });

  it('least squares with other labels: a = −1, b = 1 (D) and c = 0 (G)', async () => {
    // ½·42.825 + ½ mean((f + 1)²) = 21.4125 + ½·(121 + 29.16 + 20.25 + 21.16)/4 = 45.35875; ½ mean(f²) = 20.32125.
    await expectTensorClose(leastSquaresDiscriminatorLoss(real(), fake(), { realLabel: 1, fakeLabel: -1 }), 45.35875);
    await expectTensorClose(leastSquaresGeneratorLoss(fake(), { realLabel: 0 }), 20.32125);
  });
});

// TF-GAN's ACGAN test inputs (ACGANLossTest). Expected values by hand in float64: per example
// CE = logsumexp(row) − row[label]; L_G = mean CE(gen), L_D = mean CE(real) + mean CE(gen). TF-GAN: 3.84974, 9.43950.
const GEN_CLASS = [
  [10, 4.4, -5.5, 3.6],
  [-4, 4.4, 5.2, 4.6],
  [1.1, 2.4, -3.5, 5.6],
  [1.1, 2.4, -3.5, 5.6],
];
const REAL_CLASS = [
  [-2, 0.4, 12.5, 2.7],
  [-1.2, 1.9, 12.3, 2.6],
  [-2.4, -1.7, 2.5, 2.7],
  [1.1, 2.4, -3.5, 5.6],
];
const LABELS = [1, 2, 0, 0];
const GEN_CE = [5.6053452949512295, 0.6922676136609089, 4.550676827419673, 4.550676827419673];
const genClass = () => tf.tensor2d(GEN_CLASS);
const realClass = () => tf.tensor2d(REAL_CLASS);
const indices = () => tf.tensor1d(LABELS, 'int32');
const oneHot = () => tf.cast(tf.oneHot(indices(), 4), 'float32');

describeEachBackend('ACGAN auxiliary classification: golden values', () => {
  it('generator and discriminator terms match TF-GAN’s table, with index or one-hot labels', async () => {
    await expectTensorClose(acganGeneratorLoss(genClass(), indices()), 3.8497416408628715);
    await expectTensorClose(acganGeneratorLoss(genClass(), oneHot()), 3.8497416408628715);
    await expectTensorClose(acganDiscriminatorLoss(realClass(), indices(), genClass(), oneHot()), 9.439497215678477);
    await expectTensorClose(auxiliaryClassificationLoss(genClass(), indices(), { reduction: 'none' }), GEN_CE);
  });

  it('gradient (softmax − one-hot)/n, and finite differences', async () => {
    const { grads } = await valueAndGrads((l) => auxiliaryClassificationLoss(l!, indices()), genClass());
    // softmax(row)ₖ − [k = label], over 4, by hand in float64 (first row).
    const row0 = [0.24866724142933846, -0.24908046243044055, 4.6137505191353673e-8, 0.0004131748635970159];
    row0.forEach((g, i) => expect(grads[0]![i]!).toBeCloseTo(g, 6));
    expect(maxFiniteDifferenceError((l) => auxiliaryClassificationLoss(l!, indices()), [genClass()])).toBeLessThan(
      2e-3,
    );
    const d = (r: tf.Tensor | undefined, g: tf.Tensor | undefined) =>
      acganDiscriminatorLoss(r!, indices(), g!, indices());
    expect(maxFiniteDifferenceError(d, [realClass(), genClass()])).toBeLessThan(2e-3);
  });

  it('label smoothing, weights, patches and reductions', async () => {
    // Targets 0.9·one-hot + 0.025: mean over examples of −Σ target·logsoftmax, by hand = 3.932866640862872.
    await expectTensorClose(acganGeneratorLoss(genClass(), indices(), { labelSmoothing: 0.1 }), 3.932866640862872);
    await expectTensorClose(acganGeneratorLoss(genClass(), indices(), { weights: 2.3 }), 2.3 * 3.8497416408628715);
    const patch = acganGeneratorLoss(tf.reshape(genClass(), [2, 2, 4]), tf.reshape(indices(), [2, 2]));
    await expectTensorClose(patch, 3.8497416408628715);
    const none = acganDiscriminatorLoss(realClass(), indices(), genClass(), indices(), { reduction: 'none' });
    expect(none.shape).toEqual([4]);
    await expectTensorClose(tf.mean(none), 9.439497215678477);
    const w = tf.tensor1d([0, 1, 0, 0]);
    await expectTensorClose(auxiliaryClassificationLoss(genClass(), indices(), { weights: w }), GEN_CE[1]! / 4);
  });

  it('stays finite, with finite gradients, at ±1e4 logits', async () => {
    const extreme = () =>
      tf.tensor2d([
        [1e4, -1e4, 0],
        [-1e4, 1e4, 100],
      ]);
    const { value, grads } = await valueAndGrads(
      (l) => auxiliaryClassificationLoss(l!, tf.tensor1d([1, 0], 'int32')),
      extreme(),
    );
    // Each row: logsumexp ≈ 1e4, minus the labelled logit −1e4.
    expect(value).toBeCloseTo(2e4, 0);
    for (const g of grads.flat()) expect(Number.isFinite(g)).toBe(true);
  });

  it('is leak-free', async () => {
    const [l, y] = [genClass(), indices()];
    await expectNoLeak(() => acganDiscriminatorLoss(l, y, l, y), 1);
    tf.dispose([l, y]);
  });
});
