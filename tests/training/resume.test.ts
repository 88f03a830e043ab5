import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { isConfigError, isStateError, NonFiniteError } from '../../src/errors';
import {
  Trainer,
  trainingHistoryOf,
  type FitOptions,
  type StepLogs,
  type Trainable,
  type TrainerPosition,
  type TrainingHistory,
} from '../../src/training';
import { rejected } from '../helpers/errors';
import { expectNoLeak } from '../helpers/memory';

/**
 * A deterministic model in plain JS whose update depends on the order of everything it sees, so any change in batch
 * order, batch content or step count shows in its weights. `trainStep` fails (or asks to stop) at a chosen step.
 */
class OrderSensitive implements Trainable<tf.Tensor | number> {
  weights = new Float32Array([0.5, -0.25, 1, 2]);
  readonly seen: number[][] = [];
  private failure: { readonly step: number; readonly error: () => unknown } | undefined;

  async trainStep(batch: tf.Tensor | number): Promise<StepLogs> {
    if (this.failure?.step === this.seen.length) {
      const { error } = this.failure;
      this.failure = undefined;
      throw error();
    }
    const ids = typeof batch === 'number' ? [batch] : firstColumn(batch.shape, await batch.data());
    this.seen.push(ids);
    const w = this.weights;
    for (const [i, id] of ids.entries()) {
      for (let k = 0; k < w.length; k++) w[k] = Math.fround(Math.fround(w[k]! * 0.9) + Math.sin(id * (k + 1) + i));
    }
    return { loss: w[0]!, size: ids.length };
  }

  /** Makes this model's step number `step` (0-based, its own count) throw what `error` returns, once. */
  failOn(step: number, error: () => unknown): void {
    this.failure = { step, error };
  }

  /** A model restored from this one's state, as a checkpoint would. */
  restored(): OrderSensitive {
    const copy = new OrderSensitive();
    copy.weights = Float32Array.from(this.weights);
    return copy;
  }
}

function firstColumn(shape: number[], values: ArrayLike<number>): number[] {
  const width = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0]! }, (_, i) => values[i * width]!);
}

/** `[n, 2]` rows `[i, -i]`. */
function indexed(n: number): tf.Tensor2D {
  return tf.tensor2d(Array.from({ length: n }, (_, i) => [i, -i]));
}

/** Fits `model` on tensor data or on an array of number batches. */
function fitOn(model: OrderSensitive, data: tf.Tensor | number[], options: FitOptions): Promise<TrainingHistory> {
  return data instanceof tf.Tensor
    ? new Trainer<tf.Tensor>(model).fit(data, options)
    : new Trainer<number>(model).fit(data, options);
}

type StopHow = 'steps cap' | 'ctx.stop()' | 'abort' | 'failure' | 'stopTraining error';

/** Runs `model` to a halt after `stopAt` steps in the way given, and returns where it ended. */
async function runUntil(
  model: OrderSensitive,
  data: tf.Tensor | number[],
  options: FitOptions,
  stopAt: number,
  how: StopHow,
): Promise<{ position: TrainerPosition; steps: readonly StepLogs[] }> {
  if (how === 'steps cap') return fitOn(model, data, { ...options, steps: stopAt });
  if (how === 'ctx.stop()' || how === 'abort') {
    const controller = new AbortController();
    const history = await fitOn(model, data, {
      ...options,
      signal: controller.signal,
      callbacks: {
        onStepEnd: (step, _logs, ctx) => {
          if (step !== stopAt - 1) return;
          if (how === 'abort') controller.abort();
          else ctx.stop();
        },
      },
    });
    expect(history.stopped).toBe(true);
    return history;
  }
  if (how === 'failure') {
    model.failOn(stopAt, () => new Error('backend lost'));
    const error = await rejected(fitOn(model, data, options));
    expect(error.message).toBe('backend lost');
    const history = trainingHistoryOf(error);
    expect(history).toBeDefined();
    return history!;
  }
  const stop = new NonFiniteError('generator loss', stopAt, true);
  model.failOn(stopAt, () => stop);
  const history = await fitOn(model, data, options);
  expect(history).toMatchObject({ stopped: true, stopReason: stop });
  return history;
}

describe('resume', () => {
  const base = { batchSize: 3, epochs: 10 } as const;

  describe.each<[string, FitOptions]>([
    ['tensor data, shuffled', { ...base, seed: 11 }],
    ['tensor data, in order', { ...base, seed: 11, shuffle: false }],
  ])('%s', (_, options) => {
    // 10 examples in batches of 3: 4 batches an epoch, so step 7 ends mid-epoch 1 and step 8 at its end.
    it.each<[number, StopHow]>([
      [7, 'steps cap'],
      [8, 'steps cap'],
      [3, 'steps cap'],
      [7, 'ctx.stop()'],
      [8, 'ctx.stop()'],
      [7, 'abort'],
      [7, 'failure'],
      [8, 'failure'],
      [7, 'stopTraining error'],
      [4, 'stopTraining error'],
    ])('stopped at step %i by %s, then resumed to 20, equals 20 uninterrupted steps', async (stopAt, how) => {
      const data = indexed(10);
      const whole = new OrderSensitive();
      const wholeHistory = await new Trainer<tf.Tensor>(whole).fit(data, { ...options, steps: 20 });

      const first = new OrderSensitive();
      const halted = await runUntil(first, data, options, stopAt, how);
      expect(halted.steps).toHaveLength(stopAt);
      expect(halted.position).toMatchObject({ version: 1, step: stopAt, seed: 11 });
      expect(halted.position.epoch * 4 + halted.position.batch).toBe(stopAt);
      expect(halted.position.draws).toBe(options.shuffle === false ? 0 : 9 * halted.position.epoch);

      const second = first.restored();
      const begun: number[] = [];
      const rest = await new Trainer<tf.Tensor>(second).fit(data, {
        ...options,
        steps: 20,
        resumeFrom: halted.position,
        callbacks: { onStepBegin: (step) => void begun.push(step) },
      });
      expect(begun).toEqual(Array.from({ length: 20 - stopAt }, (_, i) => stopAt + i));
      expect([...first.seen, ...second.seen]).toEqual(whole.seen);
      expect(Array.from(second.weights)).toEqual(Array.from(whole.weights));
      expect([...halted.steps, ...rest.steps]).toEqual(wholeHistory.steps);
      expect(rest.position).toEqual(wholeHistory.position);
      data.dispose();
    });
  });

  it('resumes twice in a row (3, then 9, then 20) on the uninterrupted path', async () => {
    const data = indexed(10);
    const options = { ...base, seed: 5 };
    const whole = new OrderSensitive();
    await new Trainer<tf.Tensor>(whole).fit(data, { ...options, steps: 20 });
    let model = new OrderSensitive();
    const seen: number[][] = [];
    let position: TrainerPosition | undefined;
    for (const steps of [3, 9, 20]) {
      const history = await new Trainer<tf.Tensor>(model).fit(data, {
        ...options,
        steps,
        ...(position === undefined ? {} : { resumeFrom: position }),
      });
      seen.push(...model.seen);
      position = history.position;
      model = model.restored();
    }
    expect(seen).toEqual(whole.seen);
    expect(Array.from(model.weights)).toEqual(Array.from(whole.weights));
    data.dispose();
  });

  it('takes the seed from the position when the first run drew its own', async () => {
    const data = indexed(10);
    const first = new OrderSensitive();
    const halted = await new Trainer<tf.Tensor>(first).fit(data, { batchSize: 3, steps: 6 });
    const second = first.restored();
    await new Trainer<tf.Tensor>(second).fit(data, { batchSize: 3, steps: 13, resumeFrom: halted.position });
    const whole = new OrderSensitive();
    await new Trainer<tf.Tensor>(whole).fit(data, { batchSize: 3, steps: 13, seed: halted.position.seed });
    expect([...first.seen, ...second.seen]).toEqual(whole.seen);
    data.dispose();
  });

  it.each<[number, StopHow]>([
    [6, 'steps cap'], // mid-epoch 1 of 4 batches
    [8, 'steps cap'], // the end of epoch 1, which an iterable cannot know until it asks for more
    [8, 'ctx.stop()'],
    [5, 'failure'],
  ])('iterable data: stopped at step %i by %s, then resumed to 20', async (stopAt, how) => {
    const batches = [0, 1, 2, 3];
    const whole = new OrderSensitive();
    await fitOn(whole, batches, { epochs: 10, steps: 20 });
    const first = new OrderSensitive();
    const halted = await runUntil(first, batches, { epochs: 10 }, stopAt, how);
    expect(halted.position).toMatchObject({ step: stopAt, draws: 0 });
    const second = first.restored();
    await fitOn(second, batches, { epochs: 10, steps: 20, resumeFrom: halted.position });
    expect([...first.seen, ...second.seen]).toEqual(whole.seen);
    expect(Array.from(second.weights)).toEqual(Array.from(whole.weights));
  });

  it('with iterable data, moves the position to the next epoch once the iterator reports its end', async () => {
    const positions: TrainerPosition[] = [];
    const history = await new Trainer(new OrderSensitive()).fit([0, 1], {
      epochs: 2,
      callbacks: { onEpochEnd: (_, __, ctx) => void positions.push(ctx.position) },
    });
    expect(positions.map((p) => [p.epoch, p.batch])).toEqual([
      [1, 0],
      [2, 0],
    ]);
    expect(history.position).toMatchObject({ step: 4, epoch: 2, batch: 0 });
  });

  it('exposes the position of the next step in every callback', async () => {
    const data = indexed(6); // 2 batches of 3 per epoch
    const seen: string[] = [];
    const p = (pos: TrainerPosition): string => `s${pos.step} e${pos.epoch} b${pos.batch} d${pos.draws}`;
    await new Trainer<tf.Tensor>(new OrderSensitive()).fit(data, {
      batchSize: 3,
      epochs: 2,
      seed: 1,
      callbacks: {
        onTrainBegin: (ctx) => void seen.push(`train ${p(ctx.position)}`),
        onEpochBegin: (epoch, ctx) => void seen.push(`epoch ${epoch} ${p(ctx.position)}`),
        onStepBegin: (step, ctx) => void seen.push(`begin ${step} ${p(ctx.position)}`),
        onStepEnd: (step, _, ctx) => void seen.push(`end ${step} ${p(ctx.position)}`),
      },
    });
    expect(seen).toEqual([
      'train s0 e0 b0 d0',
      'epoch 0 s0 e0 b0 d0',
      'begin 0 s0 e0 b0 d0',
      'end 0 s1 e0 b1 d0',
      'begin 1 s1 e0 b1 d0',
      'end 1 s2 e1 b0 d5', // the epoch is over: the next step is epoch 1's first, after 5 shuffle draws
      'epoch 1 s2 e1 b0 d5',
      'begin 2 s2 e1 b0 d5',
      'end 2 s3 e1 b1 d5',
      'begin 3 s3 e1 b1 d5',
      'end 3 s4 e2 b0 d10',
    ]);
    data.dispose();
  });

  it('resuming a finished run runs no step', async () => {
    const model = new OrderSensitive();
    const done = await new Trainer(model).fit([1, 2, 3], { steps: 5 });
    const again = await new Trainer(model).fit([1, 2, 3], { steps: 5, resumeFrom: done.position });
    expect(again.steps).toEqual([]);
    expect(again.position).toEqual(done.position);
    expect(model.seen).toHaveLength(5);
  });

  it('leaks no tensor when a tfjs model resumes mid-epoch', async () => {
    const data = tf.randomNormal([10, 2], 0, 1, 'float32', 3);
    const w = tf.variable(tf.zeros([2, 1]));
    // Least squares towards 1 by hand-written gradient descent: w -= 0.1 · 2/b · Xᵀ(Xw − 1).
    const model: Trainable<tf.Tensor> = {
      async trainStep(batch) {
        const loss = tf.tidy(() => {
          const residual = tf.sub(tf.matMul(batch, w), 1); // [b, 1]
          const gradient = tf.mul(tf.matMul(batch, residual, true), 2 / batch.shape[0]!); // [2, 1]
          w.assign(tf.sub(w, tf.mul(gradient, 0.1)));
          return tf.mean(tf.square(residual));
        });
        const [value] = await loss.data();
        loss.dispose();
        return { loss: value! };
      },
    };
    const resumeFrom: TrainerPosition = { version: 1, step: 5, epoch: 1, batch: 1, seed: 2, draws: 9 };
    await expectNoLeak(() => new Trainer(model).fit(data, { batchSize: 3, steps: 12, seed: 2, resumeFrom }));
    tf.dispose([data, w]);
  });
});

describe('resumeFrom checks', () => {
  const good: TrainerPosition = { version: 1, step: 5, epoch: 1, batch: 1, seed: 7, draws: 9 };

  it.each<[string, unknown, FitOptions?]>([
    ['options.resumeFrom', 'step 5'],
    ['options.resumeFrom.stp', { ...good, stp: 5 }],
    ['options.resumeFrom.draws', { version: 1, step: 5, epoch: 1, batch: 1, seed: 7 }],
    ['options.resumeFrom.version', { ...good, version: 2 }],
    ['options.resumeFrom.step', { ...good, step: -1 }],
    ['options.resumeFrom.epoch', { ...good, epoch: 1.5 }],
    ['options.resumeFrom.seed', { ...good, seed: 2 ** 53 }],
    ['options.resumeFrom.draws', { ...good, draws: Number.NaN }],
    ['options.resumeFrom.batch', { ...good, batch: 6 }], // more batches in the epoch than steps run
    ['options.resumeFrom.seed', good, { seed: 8 }],
    ['options.resumeFrom.batch', { ...good, step: 9, batch: 5 }], // 10 examples in batches of 3: 4 per epoch
    ['options.resumeFrom.draws', good, { shuffle: false }],
  ])('rejects a bad position with a StateError on %s, before any step', async (argument, position, extra = {}) => {
    const data = indexed(10);
    const model = new OrderSensitive();
    const options = { batchSize: 3, seed: 7, steps: 20, ...extra, resumeFrom: position as TrainerPosition };
    const error = await rejected(new Trainer<tf.Tensor>(model).fit(data, options));
    expect(isStateError(error)).toBe(true);
    expect(error.argument).toBe(argument);
    expect(model.seen).toHaveLength(0);
    data.dispose();
  });

  it.each<[string, FitOptions]>([
    ['options.steps', { steps: 4 }],
    ['options.epochs', { epochs: 1 }],
  ])('rejects %s that ends before the position, since it counts the whole run', async (argument, options) => {
    const model = new OrderSensitive();
    const error = await rejected(new Trainer(model).fit(indexedArray(), { ...options, seed: 7, resumeFrom: good }));
    expect(isConfigError(error)).toBe(true);
    expect(error.argument).toBe(argument);
    expect(model.seen).toHaveLength(0);
  });
});

function indexedArray(): number[] {
  return [0, 1, 2, 3];
}
