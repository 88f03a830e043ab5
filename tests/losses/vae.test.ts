import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  bernoulliReconstructionLoss,
  gaussianKlDivergence,
  gaussianReconstructionLoss,
  isConfigError,
  isShapeError,
  isValueError,
  negativeElbo,
} from '../../src';
import { describeEachBackend } from '../helpers/backends';
import { expectNoLeak } from '../helpers/memory';
import { expectTensorClose, valueAndGrads } from '../helpers/tensors';
import { caught } from '../helpers/errors';

// Hand-derived in float64 (the derivations are in the comments). Two examples, three pixels, two latent dimensions.
const TARGETS = [
  [1, 0, 0.5],
  [0, 1, 1],
];
const LOGITS = [
  [2, -1, 0],
  [3, 0.5, -4],
];
const MEANS = [
  [0.5, 0, 0],
  [0, 0, 1],
];
const Z_MEAN = [
  [0, 1],
  [-2, 0.5],
];
const Z_LOGVAR = [
  [0, -1],
  [1, 0.2],
];
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

const targets = () => tf.tensor2d(TARGETS);
const logits = () => tf.tensor2d(LOGITS);
const means = () => tf.tensor2d(MEANS);
const zMean = () => tf.tensor2d(Z_MEAN);
const zLogVar = () => tf.tensor2d(Z_LOGVAR);

// Bernoulli, per pixel softplus(x) − t·x: row 1 softplus(−2) + softplus(−1) + log 2 = 0.126928 + 0.313262 + 0.693147;
// row 2 softplus(3) + softplus(−0.5) + softplus(−4) + 4 = 3.048587 + 0.474077 + 0.018150 + 4.
const BERNOULLI = [1.133336879121141, 7.540814263671658];
// KL, per dimension ½(e^lv + m² − 1 − lv): row 1 0 + ½(e^−1 + 1 − 1 + 1); row 2 ½(e + 4 − 2) + ½(e^0.2 + 0.25 − 1.2).
const KL = [0.6839397205857212, 2.494842293309607];
// Gaussian, σ² = 1: ½·Σ(x − μ)² + 3·½·log 2π: row 1 ½(0.25 + 0 + 0.25), row 2 ½(0 + 1 + 0).
const GAUSSIAN = [0.25 + 3 * HALF_LOG_2PI, 0.5 + 3 * HALF_LOG_2PI];

const mean2 = (v: number[]) => (v[0]! + v[1]!) / 2;

function expectAllClose(actual: number[], expected: number[], digits = 5): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(a, `element ${i}`).toBeCloseTo(expected[i]!, digits));
}

describeEachBackend('VAE losses: golden values', () => {
  it('gaussianKlDivergence: ½·Σ(e^logVar + mean² − 1 − logVar) per example, and its gradients', async () => {
    await expectTensorClose(gaussianKlDivergence(zMean(), zLogVar(), { reduction: 'none' }), KL);
    await expectTensorClose(gaussianKlDivergence(zMean(), zLogVar(), { reduction: 'sum' }), KL[0]! + KL[1]!);
    const { value, grads } = await valueAndGrads((m, v) => gaussianKlDivergence(m!, v!), zMean(), zLogVar());
    expect(value).toBeCloseTo(mean2(KL), 5);
    expectAllClose(grads[0]!, [0, 0.5, -1, 0.25]); // mean / batch
    expectAllClose(grads[1]!, [0, -0.15803013970713942, 0.4295704571147613, 0.055350689540042464]); // ½(e^lv − 1) / batch
  });

  it('gaussianKlDivergence is 0 exactly at the prior, whatever the batch', async () => {
    await expectTensorClose(
      gaussianKlDivergence(tf.zeros([5, 3]), tf.zeros([5, 3]), { reduction: 'none' }),
      [0, 0, 0, 0, 0],
    );
  });

  it('bernoulliReconstructionLoss: Σ sigmoid cross-entropy per example, gradient (σ(x) − t) / batch', async () => {
    await expectTensorClose(bernoulliReconstructionLoss(targets(), logits(), { reduction: 'none' }), BERNOULLI);
    const { value, grads } = await valueAndGrads((t, l) => bernoulliReconstructionLoss(t!, l!), targets(), logits());
    expect(value).toBeCloseTo(mean2(BERNOULLI), 5);
    expectAllClose(
      grads[1]!,
      [-0.05960146101105884, 0.13447071068499755, 0, 0.4762870634112167, -0.1887703343990727, -0.4910068950189542],
    );
  });

  it('gaussianReconstructionLoss: ½·Σ[(x − μ)²/σ² + log σ² + log 2π], with and without the constant', async () => {
    await expectTensorClose(gaussianReconstructionLoss(targets(), means(), { reduction: 'none' }), GAUSSIAN);
    // Without the constant and σ² = 1 it is half the summed squared error.
    await expectTensorClose(
      gaussianReconstructionLoss(targets(), means(), { includeConstant: false }),
      (0.25 + 0.5) / 2,
    );
    // A fixed σ² = 0.25: ½·Σ(4·(x − μ)² + log 0.25).
    const quarter = mean2([2 * 0.5 + 1.5 * Math.log(0.25), 2 * 1 + 1.5 * Math.log(0.25)]);
    await expectTensorClose(
      gaussianReconstructionLoss(targets(), means(), { logVar: Math.log(0.25), includeConstant: false }),
      quarter,
    );
    // A per-dimension log σ² tensor [0, −1, 1] broadcasts over the batch.
    const perDim = gaussianReconstructionLoss(targets(), means(), {
      logVar: tf.tensor1d([0, -1, 1]),
      reduction: 'none',
    });
    await expectTensorClose(perDim, [2.9278005297604484, 4.115956513843541]);
    const { grads } = await valueAndGrads((t, m) => gaussianReconstructionLoss(t!, m!), targets(), means());
    expectAllClose(grads[1]!, [-0.25, 0, -0.25, 0, -0.5, 0]); // (μ − x) / batch
  });

  it('negativeElbo: reconstruction + β·KL as named parts, means over the batch', async () => {
    const parts = negativeElbo(targets(), logits(), zMean(), zLogVar(), { beta: 0.5 });
    await expectTensorClose(parts.reconstruction, mean2(BERNOULLI));
    await expectTensorClose(parts.kl, mean2(KL));
    await expectTensorClose(parts.loss, mean2(BERNOULLI) + 0.5 * mean2(KL));
    const none = negativeElbo(targets(), means(), zMean(), zLogVar(), { likelihood: 'gaussian', reduction: 'none' });
    await expectTensorClose(none.loss, [GAUSSIAN[0]! + KL[0]!, GAUSSIAN[1]! + KL[1]!]);
    expect(none.kl.shape).toEqual([2]);
    const learned = negativeElbo(targets(), means(), zMean(), zLogVar(), {
      likelihood: 'gaussian',
      decoderLogVar: tf.tensor1d([0, -1, 1]),
    });
    await expectTensorClose(learned.reconstruction, 3.5218785218019946);
  });
});

describe('the values printed in the TSDoc examples', () => {
  it('hold', async () => {
    await expectTensorClose(
      bernoulliReconstructionLoss(targets(), logits(), { reduction: 'none' }),
      [1.1333, 7.5408],
      1e-4,
    );
    await expectTensorClose(bernoulliReconstructionLoss(targets(), logits()), 4.3371, 1e-4);
    await expectTensorClose(
      gaussianReconstructionLoss(targets(), means(), { reduction: 'none' }),
      [3.0068, 3.2568],
      1e-4,
    );
    await expectTensorClose(
      gaussianReconstructionLoss(targets(), means(), { logVar: Math.log(0.25), includeConstant: false }),
      -0.5794,
      1e-4,
    );
    await expectTensorClose(gaussianKlDivergence(zMean(), zLogVar(), { reduction: 'none' }), [0.6839, 2.4948], 1e-4);
    await expectTensorClose(gaussianKlDivergence(zMean(), zLogVar()), 1.5894, 1e-4);
    await expectTensorClose(negativeElbo(targets(), logits(), zMean(), zLogVar(), { beta: 0.5 }).loss, 5.1318, 1e-4);
  });
});

describeEachBackend('VAE losses at extreme inputs', () => {
  it('the Bernoulli term stays finite with bounded gradients at logits ±1e4 and ±100', async () => {
    const t = tf.tensor2d([[0, 1, 1, 0.5]]);
    const { value, grads } = await valueAndGrads(
      (x) => bernoulliReconstructionLoss(t, x!),
      tf.tensor2d([[1e4, -1e4, 100, -100]]),
    );
    // softplus(1e4) = 1e4; softplus(−1e4) + 1e4 = 1e4; softplus(100) − 100 = 0; softplus(−100) + 50 = 50.
    expect(value).toBeCloseTo(20050, 0);
    expectAllClose(grads[0]!, [1, -1, 0, -0.5]);
    t.dispose();
  });

  it('the KL term has finite gradients at logVar ±50 and means ±1e3', async () => {
    const { value, grads } = await valueAndGrads(
      (m, v) => gaussianKlDivergence(m!, v!),
      tf.tensor2d([[1e3, -1e3]]),
      tf.tensor2d([[50, -50]]),
    );
    expect(Number.isFinite(value)).toBe(true);
    for (const g of grads.flat()) expect(Number.isFinite(g)).toBe(true);
    expectAllClose(grads[0]!, [1e3, -1e3], 2);
    expect(grads[1]![1]).toBeCloseTo(-0.5, 5); // ½(e^−50 − 1)
  });

  it('the Gaussian term has finite gradients at log σ² = ±20', async () => {
    const x = tf.tensor2d([[1e3, -1e3]]);
    const { value, grads } = await valueAndGrads(
      (m, v) => gaussianReconstructionLoss(x, m!, { logVar: v! }),
      tf.tensor2d([[0, 0]]),
      tf.tensor1d([20, -20]),
    );
    expect(Number.isFinite(value)).toBe(true);
    for (const g of grads.flat()) expect(Number.isFinite(g)).toBe(true);
    x.dispose();
  });
});

describe('VAE loss invariants', () => {
  it('every non-batch axis is summed: a [2, 3] batch reshaped to [2, 1, 3, 1] gives the same values', async () => {
    const flat = bernoulliReconstructionLoss(targets(), logits(), { reduction: 'none' });
    const image = bernoulliReconstructionLoss(tf.reshape(targets(), [2, 1, 3, 1]), tf.reshape(logits(), [2, 1, 3, 1]), {
      reduction: 'none',
    });
    await expectTensorClose(image, flat);
  });

  it("'sum' is batch × 'mean' and 'none' has shape [batch]", async () => {
    const none = gaussianReconstructionLoss(targets(), means(), { reduction: 'none' });
    expect(none.shape).toEqual([2]);
    await expectTensorClose(
      gaussianReconstructionLoss(targets(), means(), { reduction: 'sum' }),
      GAUSSIAN[0]! + GAUSSIAN[1]!,
    );
  });

  it('is leak-free and leaves the caller’s tensors alone', async () => {
    const [t, l, m, v] = [targets(), logits(), zMean(), zLogVar()];
    await expectNoLeak(() => bernoulliReconstructionLoss(t, l), 1);
    await expectNoLeak(() => gaussianReconstructionLoss(t, l, { logVar: 0.5 }), 1);
    await expectNoLeak(() => gaussianKlDivergence(m, v), 1);
    await expectNoLeak(() => Object.values(negativeElbo(t, l, m, v, { beta: 2 })), 3);
    expect([t, l, m, v].every((x) => !x.isDisposed)).toBe(true);
    expect(await t.array()).toEqual(TARGETS);
    tf.dispose([t, l, m, v]);
  });
});

describe('negativeElbo with a β below float32’s normal range (fuzz finding F28)', () => {
  it('drops the KL term as β = 0 does: the loss is the reconstruction, no NaN in value or gradient', async () => {
    const [t, o, m] = [tf.tensor2d([[0.3]]), tf.tensor2d([[1.5]]), tf.tensor2d([[0.2, -0.4]])];
    const logVar = tf.fill([1, 2], 1000); // the KL overflows
    for (const beta of [9.73e-46, 1.5e-45, 1e-40, 1.1e-38]) {
      const options = { beta, likelihood: 'gaussian', decoderLogVar: 1000, reduction: 'sum' } as const;
      const { loss, reconstruction, kl } = negativeElbo(t, o, m, logVar, options);
      expect(await loss.data()).toEqual(await reconstruction.data());
      // (+ 0·Σx: with the KL dropped the loss does not depend on logVar, and tf.grad refuses such a function.)
      const g = tf.grad((x: tf.Tensor) => tf.add(negativeElbo(t, o, m, x, options).loss, tf.mul(tf.sum(x), 0)))(logVar);
      expect([...(await g.data())].some(Number.isNaN)).toBe(false);
      tf.dispose([loss, reconstruction, kl, g]);
    }
    // The smallest normal β is used as given: +Infinity, honestly.
    const { loss } = negativeElbo(t, o, m, logVar, { beta: 2 ** -126, likelihood: 'gaussian', decoderLogVar: 1000 });
    expect(await loss.data()).toEqual(new Float32Array([Infinity]));
    tf.dispose([t, o, m, logVar, loss]);
  });
});

describe('VAE losses: bad input', () => {
  it('names the argument, expected and received', () => {
    const [t, l, m, v] = [targets(), logits(), zMean(), zLogVar()];
    const cases: [() => unknown, string, (e: unknown) => boolean][] = [
      [() => bernoulliReconstructionLoss(t, tf.zeros([2, 4])), 'logits', isShapeError],
      [() => bernoulliReconstructionLoss(tf.zeros([3]), tf.zeros([3])), 'targets', isShapeError],
      [() => bernoulliReconstructionLoss(t, tf.zeros([2, 3], 'int32')), 'logits', isShapeError],
      [() => bernoulliReconstructionLoss(t, [1] as unknown as tf.Tensor), 'logits', isShapeError],
      [() => bernoulliReconstructionLoss(t, l, { reduction: 'avg' as 'mean' }), 'options.reduction', isConfigError],
      [() => gaussianKlDivergence(m, tf.zeros([2, 3])), 'logVar', isShapeError],
      [() => gaussianReconstructionLoss(t, l, { logVar: tf.zeros([4]) }), 'options.logVar', isShapeError],
      [() => gaussianReconstructionLoss(t, l, { logVar: NaN }), 'options.logVar', isValueError],
      [() => negativeElbo(t, l, m, v, { beta: -1 }), 'options.beta', isConfigError],
      [() => negativeElbo(t, l, m, v, { beta: 1e39 }), 'options.beta', isConfigError], // Infinity in float32
      [() => negativeElbo(t, l, m, v, { decoderLogVar: 0 }), 'options.decoderLogVar', isConfigError],
      [() => negativeElbo(t, l, m, v, { likelihood: 'poisson' as 'gaussian' }), 'options.likelihood', isConfigError],
      [() => negativeElbo(t, l, tf.zeros([3, 2]), tf.zeros([3, 2])), 'mean', isShapeError],
    ];
    for (const [call, argument, guard] of cases) {
      const before = tf.memory().numTensors;
      const error = caught(call);
      expect(guard(error), String(error)).toBe(true);
      expect(error.argument).toBe(argument);
      expect(error.message).toMatch(/expected .*, received /);
      // Only the bad arguments built inline in the call (at most two) are new: the checks come before any math.
      expect(tf.memory().numTensors - before).toBeLessThanOrEqual(2);
    }
    tf.dispose([t, l, m, v]);
  });
});
