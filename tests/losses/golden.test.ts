import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  minimaxDiscriminatorLoss,
  minimaxDiscriminatorLossFromProbabilities,
  minimaxGeneratorLoss,
  minimaxGeneratorLossFromProbabilities,
  nonSaturatingGeneratorLoss,
  nonSaturatingGeneratorLossFromProbabilities,
} from '../../src';
import { describeEachBackend } from '../helpers/backends';
import { expectTensorClose, valueAndGrads } from '../helpers/tensors';

// TF-GAN's loss-test inputs. Expected values are derived by hand in float64 from
// −log σ(x) = softplus(−x) and −log(1 − σ(x)) = softplus(x), with the mean over the 4 examples.
const REAL = [-5, 1.4, 12.5, 2.7];
const FAKE = [10, 4.4, -5.5, 3.6];

const real = () => tf.tensor2d(REAL, [4, 1]);
const fake = () => tf.tensor2d(FAKE, [4, 1]);


function expectAllClose(actual: number[], expected: number[], tol = 1e-5): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i]!, -Math.log10(tol)));
}

describeEachBackend('GAN losses from logits: golden values', () => {
  it('non-saturating generator loss −log D(G(z)) and its gradient −σ(−x)/n', async () => {
    const { value, grads } = await valueAndGrads((f) => nonSaturatingGeneratorLoss(f!), fake());
    expect(value).toBeCloseTo(1.385820879946423, 5);
    expectAllClose(grads[0]!, [-1.1349467175608599e-5, -0.0030321087460685593, -0.248982465571026, -0.006649248394216464]);
  });

  it('minimax generator loss log(1 − D(G(z))) and its gradient −σ(x)/n', async () => {
    const { value, grads } = await valueAndGrads((f) => minimaxGeneratorLoss(f!), fake());
    expect(value).toBeCloseTo(-4.510820879946423, 5);
    expectAllClose(grads[0]!, [-0.2499886505328244, -0.24696789125393143, -0.001017534428974032, -0.2433507516057835]);
  });

  it('discriminator loss −log D(x) − log(1 − D(G(z))) and its gradients', async () => {
    const { value, grads } = await valueAndGrads((r, f) => minimaxDiscriminatorLoss(r!, f!), real(), fake());
    expect(value).toBeCloseTo(5.83386589165402, 5);
    expectAllClose(grads[0]!, [-0.24832678726892882, -0.04945402786035456, -9.316598210466402e-7, -0.01574333901424912]);
    expectAllClose(grads[1]!, [0.2499886505328244, 0.24696789125393143, 0.001017534428974032, 0.2433507516057835]);
  });

  it('one-sided label smoothing scores real examples against 1 − α', async () => {
    const loss = minimaxDiscriminatorLoss(real(), fake(), { labelSmoothing: 0.25 });
    await expectTensorClose(loss, 6.55886589165402);
    // α = 0 is the unsmoothed loss exactly.
    await expectTensorClose(minimaxDiscriminatorLoss(real(), fake(), { labelSmoothing: 0 }), 5.83386589165402);
  });

  it('reduction none returns per-example values with the input shape', async () => {
    await expectTensorClose(
      nonSaturatingGeneratorLoss(fake(), { reduction: 'none' }),
      tf.tensor2d([4.539889921686465e-5, 0.012202584607696094, 5.504078443270571, 0.026957093008208057], [4, 1]),
    );
    await expectTensorClose(minimaxGeneratorLoss(fake(), { reduction: 'sum' }), -4 * 4.510820879946423);
  });
});

describeEachBackend('GAN losses at extreme logits', () => {
  const extreme = () => tf.tensor1d([1e4, -1e4, 100, -100]);

  it('stay finite with finite gradients at ±1e4', async () => {
    const ns = await valueAndGrads((f) => nonSaturatingGeneratorLoss(f!), extreme());
    expect(ns.value).toBeCloseTo((1e4 + 100) / 4, 2);
    expectAllClose(ns.grads[0]!, [0, -0.25, 0, -0.25]);

    const mm = await valueAndGrads((f) => minimaxGeneratorLoss(f!), extreme());
    expect(mm.value).toBeCloseTo(-(1e4 + 100) / 4, 2);
    expectAllClose(mm.grads[0]!, [-0.25, 0, -0.25, 0]);

    const d = await valueAndGrads((r, f) => minimaxDiscriminatorLoss(r!, f!, { labelSmoothing: 0.1 }), extreme(), extreme());
    expect(Number.isFinite(d.value)).toBe(true);
    for (const g of d.grads.flat()) expect(Number.isFinite(g)).toBe(true);
    // real term: 0.9·softplus(−x) + 0.1·softplus(x), mean; fake term: softplus(x), mean.
    const realTerm = (0.9 * (1e4 + 100) + 0.1 * (1e4 + 100)) / 4;
    expect(d.value).toBeCloseTo(realTerm + (1e4 + 100) / 4, 1);
  });
});

describeEachBackend('GAN losses from probabilities', () => {
  it('match the logit form on unsaturated inputs', async () => {
    const probs = () => tf.sigmoid(fake());
    await expectTensorClose(nonSaturatingGeneratorLossFromProbabilities(probs()), 1.385820879946423, 1e-4);
    await expectTensorClose(minimaxGeneratorLossFromProbabilities(probs()), -4.510820879946423, 1e-4);
    await expectTensorClose(minimaxDiscriminatorLossFromProbabilities(tf.sigmoid(real()), probs()), 5.83386589165402, 1e-4);
  });

  it('golden values at hand-picked probabilities', async () => {
    const p = () => tf.tensor1d([0.9, 0.5]);
    await expectTensorClose(nonSaturatingGeneratorLossFromProbabilities(p()), 0.39925384810888576);
    await expectTensorClose(minimaxGeneratorLossFromProbabilities(p()), -1.4978661367769954);
    await expectTensorClose(
      minimaxDiscriminatorLossFromProbabilities(tf.tensor1d([0.9]), tf.tensor1d([0.2])),
      0.328504066972036,
    );
  });

  it('are clipped at 0 and 1: a capped, finite loss and a zero gradient', async () => {
    const { value, grads } = await valueAndGrads(
      (f) => nonSaturatingGeneratorLossFromProbabilities(f!),
      tf.tensor1d([0, 1]),
    );
    expect(value).toBeCloseTo(-Math.log(1e-7) / 2, 3);
    expectAllClose(grads[0]!, [0, 0]);
    const big = minimaxDiscriminatorLossFromProbabilities(tf.tensor1d([0]), tf.tensor1d([1]));
    const [v] = await big.data();
    expect(v!).toBeGreaterThan(31);
    expect(Number.isFinite(v!)).toBe(true);
  });
});

describe('the article example values quoted in the docs', () => {
  it('hold', async () => {
    await expectTensorClose(nonSaturatingGeneratorLoss(fake()), 1.3858, 1e-4);
    await expectTensorClose(minimaxGeneratorLoss(fake()), -4.5108, 1e-4);
    await expectTensorClose(minimaxDiscriminatorLoss(real(), fake()), 5.8339, 1e-4);
  });
});
