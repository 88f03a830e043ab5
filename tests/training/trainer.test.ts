import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { isConfigError, isValueError, type GenerativeError } from '../../src/errors';
import {
  Trainer,
  type FitOptions,
  type StepLogs,
  type Trainable,
  type TrainerCallbacks,
  type TrainingHistory,
} from '../../src/training';

/** Records what it is given and returns `{ loss: <call index> }`. */
class FakeModel<B> implements Trainable<B> {
  readonly seen: B[] = [];
  constructor(private readonly logs: (call: number) => StepLogs = (call) => ({ loss: call })) {}
  trainStep(batch: B): StepLogs {
    this.seen.push(batch);
    return this.logs(this.seen.length - 1);
  }
}

/** Reads each tensor batch inside its step, since the Trainer disposes it afterwards. */
class RecordingModel implements Trainable<tf.Tensor> {
  readonly batches: { shape: number[]; values: number[] }[] = [];
  readonly tensors: tf.Tensor[] = [];
  async trainStep(batch: tf.Tensor): Promise<StepLogs> {
    this.tensors.push(batch);
    this.batches.push({ shape: batch.shape, values: Array.from(await batch.data()) });
    return { loss: this.batches.length };
  }
  /** First column of each example, in the order seen, one array per batch. */
  ids(): number[][] {
    return this.batches.map(({ shape, values }) => values.filter((_, i) => i % (shape[1] ?? 1) === 0));
  }
}

/** Examples whose first column is their index: `[n, 2]` with rows `[i, -i]`. */
function indexed(n: number): tf.Tensor2D {
  return tf.tensor2d(Array.from({ length: n }, (_, i) => [i, -i]));
}

function recorder(events: string[], name = ''): TrainerCallbacks {
  return {
    onTrainBegin: (ctx) => void events.push(`${name}trainBegin e${ctx.epoch} s${ctx.step}`),
    onEpochBegin: (epoch, ctx) => void events.push(`${name}epochBegin ${epoch} e${ctx.epoch}`),
    onStepBegin: (step, ctx) => void events.push(`${name}stepBegin ${step} s${ctx.step}`),
    onStepEnd: (step, logs) => void events.push(`${name}stepEnd ${step} loss=${logs.loss}`),
    onEpochEnd: (epoch, logs) => void events.push(`${name}epochEnd ${epoch} loss=${logs.loss}`),
    onTrainEnd: (history, ctx) =>
      void events.push(`${name}trainEnd steps=${history.steps.length} e${ctx.epoch} s${ctx.step}`),
  };
}

async function rejection(promise: Promise<unknown>): Promise<GenerativeError> {
  try {
    await promise;
  } catch (e) {
    return e as GenerativeError;
  }
  throw new Error('expected a rejection');
}

describe('Trainer callbacks', () => {
  it('calls every hook in order for 2 epochs × 3 steps, with global step numbers', async () => {
    const events: string[] = [];
    await new Trainer(new FakeModel<number>()).fit([10, 11, 12], { epochs: 2, callbacks: recorder(events) });
    expect(events).toEqual([
      'trainBegin e0 s0',
      'epochBegin 0 e0',
      'stepBegin 0 s0',
      'stepEnd 0 loss=0',
      'stepBegin 1 s1',
      'stepEnd 1 loss=1',
      'stepBegin 2 s2',
      'stepEnd 2 loss=2',
      'epochEnd 0 loss=1',
      'epochBegin 1 e1',
      'stepBegin 3 s3',
      'stepEnd 3 loss=3',
      'stepBegin 4 s4',
      'stepEnd 4 loss=4',
      'stepBegin 5 s5',
      'stepEnd 5 loss=5',
      'epochEnd 1 loss=4',
      'trainEnd steps=6 e2 s6',
    ]);
  });

  it("awaits async hooks and calls the Trainer's callbacks before fit's, in list order", async () => {
    const events: string[] = [];
    const slow: TrainerCallbacks = {
      async onStepEnd(step) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        events.push(`slow ${step}`);
      },
    };
    const trainer = new Trainer(new FakeModel<number>(), { callbacks: recorder(events, 'A.') });
    await trainer.fit([1, 2], { callbacks: [slow, recorder(events, 'B.')] });
    const steps = events.filter((e) => /step(Begin|End)|^slow/.test(e));
    expect(steps).toEqual([
      'A.stepBegin 0 s0',
      'B.stepBegin 0 s0',
      'A.stepEnd 0 loss=0',
      'slow 0',
      'B.stepEnd 0 loss=0',
      'A.stepBegin 1 s1',
      'B.stepBegin 1 s1',
      'A.stepEnd 1 loss=1',
      'slow 1',
      'B.stepEnd 1 loss=1',
    ]);
  });
});

describe('Trainer logs', () => {
  it('records numeric step logs and per-key epoch means', async () => {
    // `gp` appears only on even steps, so its mean is over those steps alone.
    const model = new FakeModel<number>((c) => (c % 2 === 0 ? { loss: c, gp: 10 * c } : { loss: c }));
    const history = await new Trainer(model).fit([0, 0, 0, 0], { epochs: 2 });
    expect(history.steps).toHaveLength(8);
    for (const logs of history.steps) for (const v of Object.values(logs)) expect(typeof v).toBe('number');
    expect(history.steps[1]).toEqual({ loss: 1 });
    expect(history.epochs).toEqual([
      { loss: 1.5, gp: 10 },
      { loss: 5.5, gp: 50 },
    ]);
    expect(history.stopped).toBe(false);
  });

  it('copies the logs, so a model reusing its object cannot rewrite history', async () => {
    const shared: Record<string, number> = { loss: 0 };
    const model: Trainable<number> = {
      trainStep: (b) => {
        shared.loss = b;
        return shared;
      },
    };
    const history = await new Trainer(model).fit([1, 2, 3]);
    expect(history.steps.map((s) => s.loss)).toEqual([1, 2, 3]);
  });

  it('rejects non-numeric logs with a ValueError naming the key', async () => {
    const t = tf.scalar(1);
    const model: Trainable<number> = { trainStep: () => ({ loss: t as unknown as number }) };
    const error = await rejection(new Trainer(model).fit([1]));
    expect(isValueError(error)).toBe(true);
    expect(error.argument).toBe('trainStep result.loss');
    t.dispose();
  });
});

describe('Trainer stopping', () => {
  it('ends at the steps cap, mid-epoch, without calling it a stop', async () => {
    const events: string[] = [];
    const model = new FakeModel<number>();
    const history = await new Trainer(model).fit([0, 1, 2], { epochs: 5, steps: 4, callbacks: recorder(events) });
    expect(model.seen).toEqual([0, 1, 2, 0]);
    expect(history.epochs).toEqual([{ loss: 1 }, { loss: 3 }]);
    expect(history.stopped).toBe(false);
    expect(events.at(-2)).toBe('epochEnd 1 loss=3');
  });

  it('with only steps given, runs as many epochs as the steps need', async () => {
    const model = new FakeModel<number>();
    const history = await new Trainer(model).fit([0, 1, 2], { steps: 7 });
    expect(model.seen).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(history.epochs).toHaveLength(3);
  });

  it('runs no step when the signal is aborted before fit', async () => {
    const events: string[] = [];
    const model = new FakeModel<number>();
    const controller = new AbortController();
    controller.abort();
    const history = await new Trainer(model).fit([1, 2], { signal: controller.signal, callbacks: recorder(events) });
    expect(model.seen).toEqual([]);
    expect(history).toMatchObject({ steps: [], epochs: [], stopped: true, stopReason: controller.signal.reason });
    expect(history.position).toMatchObject({ step: 0, epoch: 0, batch: 0 });
    expect(events).toEqual(['trainBegin e0 s0', 'trainEnd steps=0 e0 s0']);
  });

  it('stops before the next step when the signal aborts mid-training, leaking no batch', async () => {
    const data = indexed(20);
    const controller = new AbortController();
    const model = new RecordingModel();
    const before = tf.memory().numTensors;
    const events: string[] = [];
    const history = await new Trainer(model).fit(data, {
      batchSize: 2,
      epochs: 3,
      signal: controller.signal,
      callbacks: [{ onStepEnd: (step) => (step === 2 ? controller.abort() : undefined) }, recorder(events)],
    });
    expect(model.batches).toHaveLength(3);
    expect(history.stopped).toBe(true);
    expect(history.epochs).toHaveLength(1);
    expect(events.slice(-2)).toEqual(['epochEnd 0 loss=2', 'trainEnd steps=3 e1 s3']);
    expect(tf.memory().numTensors).toBe(before);
    data.dispose();
  });

  it('stops after the current step on ctx.stop(), and still runs onTrainEnd', async () => {
    const model = new FakeModel<number>();
    let ended: TrainingHistory | undefined;
    const history = await new Trainer(model).fit([0, 1, 2], {
      epochs: 4,
      callbacks: {
        onStepBegin: (step, ctx) => (step === 4 ? ctx.stop() : undefined),
        onStepEnd: (_, __, ctx) => expect(ctx.stopRequested).toBe(ctx.step === 4),
        onTrainEnd: (h) => void (ended = h),
      },
    });
    expect(model.seen).toHaveLength(5);
    expect(history.stopped).toBe(true);
    expect(history.epochs).toEqual([{ loss: 1 }, { loss: 3.5 }]);
    expect(ended).toBe(history);
  });
});

describe('Trainer data', () => {
  it('trains on an async generator and ends early when a one-shot generator is spent', async () => {
    async function* batches(): AsyncGenerator<string> {
      yield 'a';
      await Promise.resolve();
      yield 'b';
    }
    const model = new FakeModel<string>();
    const events: string[] = [];
    const history = await new Trainer(model).fit(batches(), { epochs: 3, callbacks: recorder(events) });
    expect(model.seen).toEqual(['a', 'b']);
    expect(history.epochs).toHaveLength(1);
    expect(history.stopped).toBe(false);
    expect(events.filter((e) => e.startsWith('epoch'))).toEqual(['epochBegin 0 e0', 'epochEnd 0 loss=0.5']);
    expect(events.at(-1)).toBe('trainEnd steps=2 e1 s2');
  });

  it('closes an async generator left early, so its cleanup runs', async () => {
    let closed = false;
    async function* endless(): AsyncGenerator<number> {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    const model = new FakeModel<number>();
    await new Trainer(model).fit(endless(), { steps: 5 });
    expect(model.seen).toEqual([0, 1, 2, 3, 4]);
    expect(closed).toBe(true);
  });

  it('replays a plain array of tensor batches each epoch and never disposes them', async () => {
    const batches = [tf.zeros([2, 3]), tf.ones([1, 3])];
    const model = new RecordingModel();
    await new Trainer(model).fit(batches, { epochs: 2, batchSize: 7 });
    expect(model.tensors).toEqual([...batches, ...batches]);
    expect(batches.every((b) => !b.isDisposed)).toBe(true);
    tf.dispose(batches);
  });

  it('slices a tensor dataset into batches, keeping the partial last one, and disposes them', async () => {
    const data = indexed(10);
    const model = new RecordingModel();
    await new Trainer(model).fit(data, { batchSize: 4, shuffle: false });
    expect(model.batches.map((b) => b.shape)).toEqual([[4, 2], [4, 2], [2, 2]]);
    expect(model.ids()).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(model.batches[0]?.values).toEqual([0, -0, 1, -1, 2, -2, 3, -3]);
    expect(model.tensors.every((t) => t.isDisposed)).toBe(true);
    expect(data.isDisposed).toBe(false);
    expect(Array.from(data.dataSync())).toEqual(Array.from({ length: 10 }, (_, i) => [i, -i]).flat());
    data.dispose();
  });

  it('drops the remainder on request', async () => {
    const data = indexed(10);
    const model = new RecordingModel();
    await new Trainer(model).fit(data, { batchSize: 4, dropRemainder: true, epochs: 2, seed: 1 });
    expect(model.batches.map((b) => b.shape)).toEqual([[4, 2], [4, 2], [4, 2], [4, 2]]);
    data.dispose();
  });

  it('shows every example exactly once per epoch, reshuffled each epoch', async () => {
    const data = indexed(10);
    const model = new RecordingModel();
    await new Trainer(model).fit(data, { batchSize: 3, epochs: 3, seed: 5 });
    const ids = model.ids();
    const epochs = [ids.slice(0, 4).flat(), ids.slice(4, 8).flat(), ids.slice(8, 12).flat()];
    const all = Array.from({ length: 10 }, (_, i) => i);
    for (const order of epochs) expect([...order].sort((a, b) => a - b)).toEqual(all);
    expect(epochs[0]).not.toEqual(all);
    expect(epochs[1]).not.toEqual(epochs[0]);
    data.dispose();
  });

  it('replays the order from the same seed and changes it with another', async () => {
    const data = indexed(12);
    const orderFor = async (options: FitOptions): Promise<number[]> => {
      const model = new RecordingModel();
      await new Trainer(model).fit(data, { batchSize: 5, epochs: 2, ...options });
      return model.ids().flat();
    };
    const first = await orderFor({ seed: 42 });
    expect(await orderFor({ seed: 42 })).toEqual(first);
    expect(await orderFor({ seed: 43 })).not.toEqual(first);
    const ordered = Array.from({ length: 12 }, (_, i) => i);
    expect(await orderFor({ seed: 42, shuffle: false })).toEqual([...ordered, ...ordered]);
    data.dispose();
  });
});

describe('Trainer memory and errors', () => {
  const meanModel: Trainable<tf.Tensor> = {
    async trainStep(batch) {
      const loss = tf.tidy(() => tf.mean(tf.square(batch)));
      const [value] = await loss.data();
      loss.dispose();
      return { loss: value! };
    },
  };

  it('leaks no tensor over a 20-step fit', async () => {
    const data = tf.randomNormal([30, 4], 0, 1, 'float32', 1);
    const trainer = new Trainer(meanModel);
    await trainer.fit(data, { batchSize: 3, steps: 2 }); // primes kernels
    const before = tf.memory().numTensors;
    const history = await trainer.fit(data, { batchSize: 3, epochs: 2, seed: 9 });
    expect(history.steps).toHaveLength(20);
    expect(tf.memory().numTensors).toBe(before);
    data.dispose();
  });

  it('propagates an error from trainStep after disposing the batch', async () => {
    const data = indexed(8);
    const before = tf.memory().numTensors;
    const events: string[] = [];
    const boom: Trainable<tf.Tensor> = {
      trainStep: (batch) => {
        if (events.at(-1) === 'stepBegin 2 s2') throw new Error('boom');
        return meanModel.trainStep(batch);
      },
    };
    await expect(new Trainer(boom).fit(data, { batchSize: 2, callbacks: recorder(events) })).rejects.toThrow('boom');
    expect(events.at(-1)).toBe('stepBegin 2 s2');
    expect(tf.memory().numTensors).toBe(before);
    data.dispose();
  });

  it('propagates an error from a callback, leaking nothing and skipping onTrainEnd', async () => {
    const data = indexed(8);
    const before = tf.memory().numTensors;
    let ended = false;
    const callbacks: TrainerCallbacks = {
      onEpochBegin: () => {
        throw new Error('callback failed');
      },
      onTrainEnd: () => void (ended = true),
    };
    await expect(new Trainer(meanModel).fit(data, { batchSize: 2, callbacks })).rejects.toThrow('callback failed');
    expect(ended).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
    data.dispose();
  });

  it.each<[string, FitOptions]>([
    ['options.batchSize', { batchSize: 0 }],
    ['options.batchSize', { batchSize: 2.5 }],
    ['options.batchSize', { batchSize: 11, dropRemainder: true }],
    ['options.epochs', { epochs: 0 }],
    ['options.steps', { steps: -1 }],
    ['options.shuffle', { shuffle: 'yes' as unknown as boolean }],
    ['options.seed', { seed: Number.NaN }],
    ['options.yieldEvery', { yieldEvery: -1 }],
    ['options.signal', { signal: {} as AbortSignal }],
    ['options.callbacks[1].onStepEnd', { callbacks: [{}, { onStepEnd: 3 as unknown as () => void }] }],
  ])('rejects bad options with a ConfigError on %s before any step', async (argument, options) => {
    const data = indexed(10);
    const model = new FakeModel<tf.Tensor>();
    const error = await rejection(new Trainer(model).fit(data, options));
    expect(isConfigError(error)).toBe(true);
    expect(error.argument).toBe(argument);
    expect(model.seen).toHaveLength(0);
    data.dispose();
  });

  it('rejects bad data and a model without trainStep', async () => {
    const model = new FakeModel<tf.Tensor>();
    const scalar = tf.scalar(3);
    const empty = tf.zeros([0, 2]);
    for (const data of [scalar, empty, 42 as unknown as tf.Tensor]) {
      expect((await rejection(new Trainer(model).fit(data))).argument).toBe('data');
    }
    expect(model.seen).toHaveLength(0);
    expect(() => new Trainer({} as Trainable<tf.Tensor>)).toThrow(/^model: expected/);
    expect(() => new Trainer(model, { yieldEvery: 'often' as 'auto' })).toThrow(/^options\.yieldEvery/);
    tf.dispose([scalar, empty]);
  });
});

describe('Trainer yielding', () => {
  // Each step blocks the thread for 2 ms, like a real step would, so a timer is due by the next yield.
  const busy: Trainable<number> = {
    trainStep(b) {
      const end = tf.util.now() + 2;
      while (tf.util.now() < end);
      return { loss: b };
    },
  };
  const batches = Array.from({ length: 20 }, (_, i) => i);

  async function timerStepDuring(options: FitOptions): Promise<number | undefined> {
    let stepsWhenFired: number | undefined;
    let steps = 0;
    setTimeout(() => (stepsWhenFired = steps), 0);
    await new Trainer(busy).fit(batches, { ...options, callbacks: { onStepEnd: () => void steps++ } });
    return stepsWhenFired;
  }

  it('lets a pending timer run during training with yieldEvery: 0', async () => {
    const fired = await timerStepDuring({ yieldEvery: 0 });
    expect(fired).toBeGreaterThanOrEqual(1);
    expect(fired).toBeLessThan(20);
  });

  it("holds the thread for the whole run with yieldEvery: 'never'", async () => {
    expect(await timerStepDuring({ yieldEvery: 'never' })).toBeUndefined();
  });
});
