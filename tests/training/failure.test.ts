import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  isConfigError,
  isNonFiniteError,
  isStepError,
  isValueError,
  NonFiniteError,
  StepError,
} from '../../src/errors';
import {
  Trainer,
  trainingHistoryOf,
  type FitOptions,
  type StepLogs,
  type Trainable,
  type TrainerCallbacks,
  type YieldEvery,
} from '../../src/training';
import { caught, rejected } from '../helpers/errors';
import { expectNoLeak } from '../helpers/memory';

/** Returns `{ loss: batch }`, and throws what `fail` returns at the step it names. */
function model(fail?: { step: number; error: () => unknown }): Trainable<number> & { calls: number } {
  return {
    calls: 0,
    trainStep(batch) {
      const call = this.calls++;
      if (call === fail?.step) throw fail.error();
      return { loss: batch };
    },
  };
}

function block(ms: number): void {
  const end = tf.util.now() + ms;
  while (tf.util.now() < end);
}

describe('a failed fit carries its partial history', () => {
  it('rejects with the StepError itself, its history attached out of sight', async () => {
    const cause = new Error('generator loss threw');
    const stepError = new StepError('generator update: loss', cause);
    const error = await rejected(
      new Trainer(model({ step: 5, error: () => stepError })).fit([1, 2, 3, 4], { epochs: 3 }),
    );
    expect(error).toBe(stepError);
    expect(isStepError(error)).toBe(true);
    expect(error.cause).toBe(cause);
    expect(Object.keys(error)).not.toContain('history');
    const history = trainingHistoryOf(error);
    expect(history?.steps.map((s) => s['loss'])).toEqual([1, 2, 3, 4, 1]);
    expect(history?.epochs).toEqual([{ loss: 2.5 }, { loss: 1 }]); // the second epoch, partial
    expect(history?.stopped).toBe(false);
    expect(history?.position).toMatchObject({ step: 5, epoch: 1, batch: 1 }); // the step that failed, to retry
  });

  it.each<[string, TrainerCallbacks, number]>([
    ['onTrainBegin', { onTrainBegin: () => Promise.reject(new Error('x')) }, 0],
    ['onEpochBegin of epoch 1', { onEpochBegin: (e) => (e === 1 ? raise() : undefined) }, 2],
    ['onStepBegin of step 1', { onStepBegin: (s) => (s === 1 ? raise() : undefined) }, 1],
    ['onStepEnd of step 1', { onStepEnd: (s) => (s === 1 ? raise() : undefined) }, 2],
    ['onEpochEnd of epoch 0', { onEpochEnd: () => raise() }, 2],
    ['onTrainEnd', { onTrainEnd: () => raise() }, 4],
  ])('when %s throws, with the steps that completed', async (_, callbacks, completed) => {
    const error = await rejected(new Trainer(model()).fit([1, 2], { epochs: 2, callbacks }));
    expect(trainingHistoryOf(error)?.steps).toHaveLength(completed);
    expect(trainingHistoryOf(error)?.position.step).toBe(completed);
  });

  it('when the data fails, and when a step returns a tensor instead of numbers', async () => {
    async function* flaky(): AsyncGenerator<number> {
      yield 1;
      yield 2;
      throw new Error('network down');
    }
    const dataError = await rejected(new Trainer(model()).fit(flaky()));
    expect(dataError.message).toBe('network down');
    expect(trainingHistoryOf(dataError)?.steps).toHaveLength(2);

    const t = tf.scalar(1);
    const tensorLogs: Trainable<number> = {
      trainStep: (b) => (b < 3 ? { loss: b } : { loss: t as unknown as number }),
    };
    const logsError = await rejected(new Trainer(tensorLogs).fit([1, 2, 3, 4]));
    expect(isValueError(logsError)).toBe(true);
    expect(trainingHistoryOf(logsError)?.position.step).toBe(2);
    t.dispose();
  });

  it('wraps only what cannot carry a property: a thrown primitive or a frozen error', async () => {
    const primitive = await rejected(new Trainer(model({ step: 1, error: () => 'boom' })).fit([1, 2, 3]));
    expect(primitive).toBeInstanceOf(Error);
    expect(primitive.cause).toBe('boom');
    expect(primitive.message).toBe('Training failed: boom');
    expect(trainingHistoryOf(primitive)?.steps).toHaveLength(1);

    const frozen = Object.freeze(new RangeError('frozen'));
    const wrapped = await rejected(new Trainer(model({ step: 2, error: () => frozen })).fit([1, 2, 3]));
    expect(wrapped.cause).toBe(frozen);
    expect(trainingHistoryOf(wrapped)?.steps).toHaveLength(2);
  });

  it('is absent from option errors, thrown before any step, and from unrelated errors', async () => {
    const error = await rejected(new Trainer(model()).fit([1], { batchSize: 0 }));
    expect(isConfigError(error)).toBe(true);
    expect(trainingHistoryOf(error)).toBeUndefined();
    expect(trainingHistoryOf(new Error('x'))).toBeUndefined();
    expect(trainingHistoryOf('x')).toBeUndefined();
    expect(trainingHistoryOf({ history: { steps: 'no' } })).toBeUndefined();
  });

  it('leaks no batch when a step fails on tensor data', async () => {
    const data = tf.zeros([8, 2]);
    const failing: Trainable<tf.Tensor> = {
      trainStep: () => {
        throw new Error('x');
      },
    };
    await expectNoLeak(() => new Trainer(failing).fit(data, { batchSize: 3 }).catch(() => undefined));
    data.dispose();
  });
});

describe('a step that asks to stop (the stopTraining contract)', () => {
  it('ends the run as ctx.stop() would, with the error as stopReason', async () => {
    const stop = new NonFiniteError('discriminator gradient', 3, true);
    const events: string[] = [];
    const history = await new Trainer(model({ step: 3, error: () => stop })).fit([1, 2, 3, 4, 5], {
      epochs: 2,
      callbacks: {
        onStepEnd: (s) => void events.push(`stepEnd ${s}`),
        onEpochEnd: (e, logs) => void events.push(`epochEnd ${e} ${logs['loss']}`),
        onTrainEnd: (h) => void events.push(`trainEnd ${h.stopped}`),
      },
    });
    expect(history.stopped).toBe(true);
    expect(history.stopReason).toBe(stop);
    expect(history.steps).toHaveLength(3);
    expect(history.position).toMatchObject({ step: 3, epoch: 0, batch: 3 });
    expect(events).toEqual(['stepEnd 0', 'stepEnd 1', 'stepEnd 2', 'epochEnd 0 2', 'trainEnd true']);
  });

  it('takes any error whose stopTraining is true, and rejects as usual otherwise', async () => {
    const plain = { stopTraining: true, message: 'enough' };
    const stopped = await new Trainer(model({ step: 0, error: () => plain })).fit([1, 2]);
    expect(stopped).toMatchObject({ stopped: true, stopReason: plain, steps: [] });

    const failing = new NonFiniteError('generator loss', 1, false);
    const error = await rejected(new Trainer(model({ step: 1, error: () => failing })).fit([1, 2]));
    expect(error).toBe(failing);
    expect(isNonFiniteError(error)).toBe(true);
    expect(trainingHistoryOf(error)?.steps).toHaveLength(1);
  });

  it('is for trainStep alone: a callback that throws such an error fails the run', async () => {
    const stop = new NonFiniteError('x', 0, true);
    const callbacks = { onStepEnd: () => Promise.reject(stop) };
    expect(await rejected(new Trainer(model()).fit([1, 2], { callbacks }))).toBe(stop);
  });

  it('is reported even after ctx.stop(), and leaks no batch of tensor data', async () => {
    const data = tf.zeros([6, 2]);
    const stop = new NonFiniteError('loss', 1, true);
    let calls = 0;
    const stopping: Trainable<tf.Tensor> = {
      trainStep: () => {
        if (calls++ === 1) throw stop;
        return { loss: 0 };
      },
    };
    const before = tf.memory().numTensors;
    const history = await new Trainer(stopping).fit(data, {
      batchSize: 2,
      callbacks: { onStepBegin: (s, ctx) => (s === 1 ? ctx.stop('by hand') : undefined) },
    });
    expect(history.stopReason).toBe(stop);
    expect(tf.memory().numTensors).toBe(before);
    data.dispose();
  });

  it('records the reason given to ctx.stop(reason), and none without one', async () => {
    const withReason = await new Trainer(model()).fit([1, 2, 3], {
      callbacks: { onStepEnd: (_, __, ctx) => ctx.stop('plateau') },
    });
    expect(withReason.stopReason).toBe('plateau');
    const without = await new Trainer(model()).fit([1, 2, 3], { callbacks: { onStepEnd: (_, __, ctx) => ctx.stop() } });
    expect(without.stopped).toBe(true);
    expect('stopReason' in without).toBe(false);
  });
});

describe('abort with every yieldEvery', () => {
  const everyCadence: YieldEvery[] = [0, 5, 'auto', 'never'];

  it.each(everyCadence)('yieldEvery %s: an abort from a callback stops before the next step', async (yieldEvery) => {
    const controller = new AbortController();
    const m = model();
    const history = await new Trainer(m).fit([1, 2, 3, 4, 5, 6], {
      yieldEvery,
      signal: controller.signal,
      callbacks: { onStepEnd: (s) => (s === 2 ? controller.abort('user') : undefined) },
    });
    expect(m.calls).toBe(3);
    expect(history).toMatchObject({ stopped: true, stopReason: 'user' });
  });

  it.each(everyCadence)('yieldEvery %s: an abort during onStepBegin cancels that step', async (yieldEvery) => {
    const controller = new AbortController();
    const m = model();
    const history = await new Trainer(m).fit([1, 2, 3, 4], {
      yieldEvery,
      signal: controller.signal,
      // A paused page: the hook waits, and the user aborts while it does.
      callbacks: { onStepBegin: (s) => (s === 2 ? Promise.resolve().then(() => controller.abort()) : undefined) },
    });
    expect(m.calls).toBe(2);
    expect(history.position.step).toBe(2);
  });

  it.each<YieldEvery>([0, 20, 'auto', 'never'])(
    'yieldEvery %s: an abort from a timer (another task) lands within about one yield interval',
    async (yieldEvery) => {
      const busy: Trainable<number> = {
        trainStep: (b) => {
          block(2);
          return { loss: b };
        },
      };
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 10);
      const batches = Array.from({ length: 400 }, (_, i) => i); // 800 ms of steps, uninterrupted
      const history = await new Trainer(busy).fit(batches, { yieldEvery, signal: controller.signal });
      expect(history.stopped).toBe(true);
      // 'never' with a signal still yields every 125 ms, so the abort lands long before the 400th step.
      expect(history.steps.length).toBeLessThan(200);
    },
  );
});

describe('options at every level', () => {
  it.each<[string, unknown]>([
    ['options.step', { step: 1 }],
    ['options.resume', { resume: {} }],
    ['options.callbacks.onStepEnds', { callbacks: { onStepEnds: () => undefined } }],
    ['options.callbacks[1].onEpochStart', { callbacks: [{}, { onEpochStart: () => undefined }] }],
  ])('fit rejects the unknown field %s', async (argument, options) => {
    const m = model();
    const error = await rejected(new Trainer(m).fit([1], options as FitOptions));
    expect(isConfigError(error)).toBe(true);
    expect(error.argument).toBe(argument);
    expect(m.calls).toBe(0);
  });

  it('the Trainer rejects unknown fields in its options and callbacks', () => {
    expect(caught(() => new Trainer(model(), { yieldevery: 0 } as never)).argument).toBe('options.yieldevery');
    const callbacks = { onTrainStart: () => undefined } as TrainerCallbacks;
    expect(caught(() => new Trainer(model(), { callbacks })).argument).toBe('options.callbacks.onTrainStart');
  });

  it('accepts callbacks written as a class with fields of its own', async () => {
    class Counter implements TrainerCallbacks {
      count = 0;
      onStepEnd(): void {
        this.count++;
      }
    }
    const counter = new Counter();
    await new Trainer(model(), { callbacks: counter }).fit([1, 2, 3]);
    expect(counter.count).toBe(3);
  });

  const badSeeds = [1.5, 2 ** 53, -(2 ** 53), Number.NaN, Infinity, '7'];

  it.each(badSeeds)('rejects the seed %s with a ConfigError', async (seed) => {
    const error = await rejected(new Trainer(model()).fit([1], { seed: seed as number }));
    expect(isConfigError(error)).toBe(true);
    expect(error.argument).toBe('options.seed');
  });

  it('accepts any safe integer seed, and keeps every bit of it', async () => {
    const data = tf.tensor2d(Array.from({ length: 16 }, (_, i) => [i]));
    const order = async (seed: number): Promise<number[]> => {
      const seen: number[] = [];
      const recorder: Trainable<tf.Tensor> = {
        async trainStep(batch) {
          seen.push(...(await batch.data()));
          return {};
        },
      };
      const history = await new Trainer(recorder).fit(data, { batchSize: 16, seed });
      expect(history.position.seed).toBe(seed);
      return seen;
    };
    const low = await order(1);
    expect(await order(2 ** 32 + 1)).not.toEqual(low);
    expect(await order(Number.MAX_SAFE_INTEGER)).toHaveLength(16);
    expect(await order(-5)).toHaveLength(16);
    data.dispose();
  });
});

describe('one fit at a time per model', () => {
  it('refuses a second concurrent fit on a model, from any Trainer, and allows one after', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: Trainable<number> & { calls: number } = {
      calls: 0,
      async trainStep(b): Promise<StepLogs> {
        this.calls++;
        await gate;
        return { loss: b };
      },
    };
    const first = new Trainer(slow).fit([1, 2]);
    for (const trainer of [new Trainer(slow), new Trainer(slow)]) {
      const error = await rejected(trainer.fit([3]));
      expect(isValueError(error)).toBe(true);
      expect(error.argument).toBe('model');
    }
    release();
    expect((await first).steps).toHaveLength(2);
    expect((await new Trainer(slow).fit([3])).steps).toHaveLength(1);
    expect(slow.calls).toBe(3);
  });

  it('frees the model when a fit fails', async () => {
    const m = model({ step: 0, error: () => new Error('x') });
    await rejected(new Trainer(m).fit([1]));
    expect((await new Trainer(m).fit([1])).steps).toHaveLength(1);
  });
});

function raise(): never {
  throw new Error('callback failed');
}
