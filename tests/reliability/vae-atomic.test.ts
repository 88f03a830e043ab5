import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { isNonFiniteError, isStepError, type VAE } from '../../src';
import { describeEachBackend } from '../helpers/backends';
import { rejected } from '../helpers/errors';
import { expectSameState, tapeOpen } from '../helpers/state';
import { TINY_DIM, tinyData, tinyVae } from '../helpers/vae';

async function allWeightsFinite(vae: VAE): Promise<boolean> {
  const state = await vae.getState();
  const arrays = [...state.encoder.weights, ...state.decoder.weights].map((w) => w.values);
  const slots = Object.values(state.optimizer.slots)
    .flat()
    .map((s) => s.values);
  return [...arrays, ...slots].every((values) => values.every(Number.isFinite));
}

describeEachBackend('VAE steps are all or nothing', () => {
  it('raw 0–255 pixels under a Gaussian likelihood: the step that would overflow is refused, no weight is ever NaN', async () => {
    // Huge targets and a large learning rate drive the decoder's output, and its gradients, past float32's range.
    const vae = tinyVae({ seed: 1, likelihood: 'gaussian', optimizer: tf.train.sgd(1e4) });
    const pixels = tf.mul(tinyData(16, 2), 255);
    let refused: unknown;
    for (let step = 0; step < 30 && refused === undefined; step++) {
      const before = await vae.getState();
      try {
        await vae.trainStep(pixels);
      } catch (e) {
        refused = e;
        expectSameState(await vae.getState(), before);
      }
      expect(await allWeightsFinite(vae)).toBe(true);
    }
    expect(isNonFiniteError(refused)).toBe(true);
    expect((refused as { argument: string }).argument).toMatch(/^(update: loss|weight |optimizer )/);
    vae.dispose();
    pixels.dispose();
  });

  it('a backend failure inside the update leaves weights, optimizer, β position and noise stream as before', async () => {
    const fault = { on: false };
    class FailingAdam extends tf.AdamOptimizer {
      override applyGradients(grads: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
        super.applyGradients(grads);
        if (fault.on) throw new Error('device lost');
      }
    }
    const vae = tinyVae({ seed: 2, betaWarmup: { steps: 5 }, optimizer: new FailingAdam(1e-3, 0.9, 0.999, 1e-7) });
    const twin = tinyVae({ seed: 2, betaWarmup: { steps: 5 } });
    const batch = tinyData();
    await vae.trainStep(batch);
    await twin.trainStep(batch);
    const before = await vae.getState();
    const tensors = tf.memory().numTensors;
    fault.on = true;
    const e = await rejected(vae.trainStep(batch));
    fault.on = false;
    expect(isStepError(e)).toBe(true);
    expect((e as unknown as { phase: string }).phase).toBe('update');
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tapeOpen()).toBe(false);
    expectSameState(await vae.getState(), before);
    expect(vae.beta).toBe(0.2);
    expect(await vae.trainStep(batch)).toEqual(await twin.trainStep(batch));
    vae.dispose();
    twin.dispose();
    batch.dispose();
  });

  it('a batch of the wrong width changes nothing and leaks nothing', async () => {
    const vae = tinyVae({ seed: 3 });
    const wrong = tf.zeros([4, TINY_DIM + 1]);
    const before = await vae.getState();
    const tensors = tf.memory().numTensors;
    await rejected(vae.trainStep(wrong));
    expect(tf.memory().numTensors).toBe(tensors);
    expectSameState(await vae.getState(), before);
    vae.dispose();
    wrong.dispose();
  });
});
