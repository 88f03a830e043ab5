import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  isNonFiniteError,
  isStepError,
  isValueError,
  logitObjective,
  minimaxDiscriminatorLoss,
  nonSaturatingGeneratorLoss,
  type GANConfig,
  type GANStepLogs,
} from '../../src';
import { describeEachBackend } from '../helpers/backends';
import { rejected } from '../helpers/errors';
import { tinyBatch, tinyGan } from '../helpers/gan';
import { expectSameState, tapeOpen } from '../helpers/state';

/** A switch a test flips to make a loss fail on its next call. */
interface Fault {
  on: boolean;
}

/** A recommended-recipe tiny GAN (batch norm and dropout, so statistics and mask counters are at stake too). */
function gan(config: GANConfig = {}) {
  return tinyGan({ seed: 5, updates: { discriminator: 3, generator: 2 }, ...config }, true);
}

/**
 * Trains two steps, arms the fault, and checks that the failing step rejects as `check` expects while leaving the
 * state byte-identical, no tensor leaked and no tape open; then that the next step equals the same step of a twin
 * that never failed.
 */
async function expectRolledBack(config: (fault: Fault) => GANConfig, check: (e: unknown) => void): Promise<void> {
  const fault = { on: false };
  const model = gan(config(fault));
  const twin = gan(config({ on: false }));
  const batch = tinyBatch();
  for (let i = 0; i < 2; i++) {
    await model.trainStep(batch);
    await twin.trainStep(batch);
  }
  const before = await model.getState();
  const tensors = tf.memory().numTensors;
  fault.on = true;
  check(await rejected(model.trainStep(batch)));
  fault.on = false;
  expect(tf.memory().numTensors).toBe(tensors);
  expect(tapeOpen()).toBe(false);
  expectSameState(await model.getState(), before);

  const logs: GANStepLogs = await model.trainStep(batch);
  expect(logs).toEqual(await twin.trainStep(batch));
  expectSameState(await model.getState(), await twin.getState());
  model.dispose();
  twin.dispose();
  batch.dispose();
}

/** A loss wrapper that throws, or returns `broken(...)`, while the fault is on; the `nth` call of a step fails. */
function failingD(fault: Fault, broken: (real: tf.Tensor, fake: tf.Tensor) => tf.Tensor, nth = 2) {
  let calls = 0;
  return (real: tf.Tensor, fake: tf.Tensor) => {
    calls = fault.on ? calls + 1 : 0;
    return (fault.on && calls === nth ? broken(real, fake) : minimaxDiscriminatorLoss(real, fake)) as tf.Scalar;
  };
}

function failingG(fault: Fault, broken: (fake: tf.Tensor) => tf.Tensor) {
  return (fake: tf.Tensor) => (fault.on ? broken(fake) : nonSaturatingGeneratorLoss(fake)) as tf.Scalar;
}

const withD = (d: (r: tf.Tensor, f: tf.Tensor) => tf.Scalar) => ({
  objective: logitObjective((f) => nonSaturatingGeneratorLoss(f), d),
});
const withG = (g: (f: tf.Tensor) => tf.Scalar) => ({
  objective: logitObjective(g, (r, f) => minimaxDiscriminatorLoss(r, f)),
});

const boom = (): never => {
  throw new Error('user loss failed');
};

describeEachBackend('GAN steps are all or nothing', () => {
  it('a discriminator loss that throws in the 2nd of 3 updates', async () => {
    await expectRolledBack(
      (fault) => withD(failingD(fault, boom)),
      (e) => {
        expect(isStepError(e)).toBe(true);
        expect((e as { phase: string }).phase).toBe('discriminator update 2 of 3');
        expect((e as Error).cause).toBeInstanceOf(Error);
        expect((e as Error).message).toMatch(/user loss failed/);
      },
    );
  });

  it('a discriminator loss that returns a non-scalar', async () => {
    await expectRolledBack(
      (fault) => withD(failingD(fault, (r, f) => minimaxDiscriminatorLoss(r, f, { reduction: 'none' }))),
      (e) => {
        expect(isStepError(e)).toBe(true);
        expect(isValueError((e as Error).cause)).toBe(true);
        expect((e as Error).message).toMatch(
          /config\.objective\.discriminatorLoss: expected a function returning a float32 scalar/,
        );
      },
    );
  });

  it('a generator loss that throws after every discriminator update was applied', async () => {
    await expectRolledBack(
      (fault) => withG(failingG(fault, boom)),
      (e) => expect((e as { phase: string }).phase).toBe('generator update 1 of 2'),
    );
  });

  it('an optimizer that fails after writing the weights and its slots (a backend error)', async () => {
    await expectRolledBack(
      (fault) => {
        class FailingAdam extends tf.AdamOptimizer {
          override applyGradients(grads: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
            super.applyGradients(grads);
            if (fault.on) throw new Error('device lost');
          }
        }
        return { generatorOptimizer: new FailingAdam(2e-4, 0.5, 0.999, 1e-7) };
      },
      (e) => {
        expect(isStepError(e)).toBe(true);
        expect((e as Error).message).toMatch(/device lost/);
      },
    );
  });

  it('a NaN loss is refused under the default policy, naming the step and the part', async () => {
    await expectRolledBack(
      (fault) => withG(failingG(fault, (f) => tf.add(nonSaturatingGeneratorLoss(f), NaN))),
      (e) => {
        expect(isNonFiniteError(e)).toBe(true);
        expect((e as { argument: string }).argument).toBe('generator update 1 of 2: loss');
        expect((e as { step: number }).step).toBe(2);
        expect((e as { stopTraining: boolean }).stopTraining).toBe(false);
      },
    );
  });

  it('a finite loss with a non-finite gradient is refused, naming the weight it would have reached', async () => {
    // √0 has an infinite derivative: the loss is 0 but its gradient is not finite.
    const sqrtOfZero = (r: tf.Tensor, f: tf.Tensor) =>
      tf.add(minimaxDiscriminatorLoss(r, f), tf.sum(tf.sqrt(tf.sub(r, r))));
    await expectRolledBack(
      (fault) => withD(failingD(fault, sqrtOfZero, 1)),
      (e) => {
        expect(isNonFiniteError(e)).toBe(true);
        expect((e as { argument: string }).argument).toMatch(/^weight /);
      },
    );
  });

  it('a finite gradient whose square overflows float32 is refused, naming the second moment it would fill with Infinity', async () => {
    // Gradients near 1e20 are finite, their squares are not: Adam's update divides by √∞ and leaves the weights finite.
    const huge = (r: tf.Tensor, f: tf.Tensor) => tf.add(minimaxDiscriminatorLoss(r, f), tf.mul(tf.mean(r), 1e20));
    await expectRolledBack(
      (fault) => withD(failingD(fault, huge, 1)),
      (e) => {
        expect(isNonFiniteError(e)).toBe(true);
        expect((e as { argument: string }).argument).toMatch(/^optimizer slot \S+\/v \(accumulatedSecondMoment\)$/);
      },
    );
  });

  it('an update that overflows a weight is refused though the loss and every gradient are finite', async () => {
    // SGD at 100 on a loss scaled by 1e-3 trains gently, until a finite gradient near 1e37 meets that learning rate.
    const d = (fault: Fault) => (r: tf.Tensor, f: tf.Tensor) =>
      (fault.on
        ? tf.add(minimaxDiscriminatorLoss(r, f), tf.mul(tf.mean(r), 1e37))
        : tf.mul(minimaxDiscriminatorLoss(r, f), 1e-3)) as tf.Scalar;
    await expectRolledBack(
      (fault) => ({ ...withD(d(fault)), discriminatorOptimizer: tf.train.sgd(100) }),
      (e) => {
        expect(isNonFiniteError(e)).toBe(true);
        expect((e as { argument: string }).argument).toMatch(/^weight /);
      },
    );
  });

  it("'stop' rolls back and marks the error so a Trainer ends the run", async () => {
    await expectRolledBack(
      (fault) => ({
        nonFinite: 'stop',
        ...withG(failingG(fault, (f) => tf.mul(nonSaturatingGeneratorLoss(f), Infinity))),
      }),
      (e) => {
        expect(isNonFiniteError(e)).toBe(true);
        expect((e as { stopTraining: boolean }).stopTraining).toBe(true);
      },
    );
  });

  it("'skip' resolves with skipped: 1, keeps every weight and optimizer slot, and draws fresh noise next", async () => {
    const fault = { on: false };
    const model = gan({
      nonFinite: 'skip',
      ...withG(failingG(fault, (f) => tf.add(nonSaturatingGeneratorLoss(f), NaN))),
    });
    const batch = tinyBatch();
    expect((await model.trainStep(batch)).skipped).toBe(0);
    const before = await model.getState();
    fault.on = true;
    const logs = await model.trainStep(batch);
    fault.on = false;
    expect(logs.skipped).toBe(1);
    expect(Number.isNaN(logs.generatorLoss)).toBe(true);
    // Weights and optimizers are as before; the noise and dropout streams move on, so the next step differs.
    const after = await model.getState();
    const moved = ({ generator, discriminator, ...rest }: typeof before) => ({
      ...rest,
      seeds: null,
      generator: generator.weights,
      discriminator: discriminator.weights,
    });
    expectSameState(moved(after), moved(before));
    expect(after.seeds.noise[1]).toBeGreaterThan(before.seeds.noise[1]);
    expect((await model.trainStep(batch)).skipped).toBe(0);
    model.dispose();
    batch.dispose();
  });
});
