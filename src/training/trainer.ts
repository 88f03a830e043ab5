import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';
import { assertPositiveInteger, describe } from '../internal/shapes';
import { SeedStream } from '../random';
import { batchSource, type BatchSource, type TrainingData } from './batches';
import {
  checkLogs,
  composeCallbacks,
  meanLogs,
  RunState,
  toCallbackList,
  type TrainerCallbacks,
  type TrainingHistory,
} from './callbacks';
import type { StepLogs, Trainable } from './trainable';

/**
 * How often `fit` hands control back to the event loop: every that many milliseconds, `'auto'` (125 ms, as in
 * tfjs-layers) or `'never'`.
 *
 * @example
 * ```ts
 * await trainer.fit(images, { batchSize: 64, yieldEvery: 50 }); // repaint at least every 50 ms
 * ```
 */
export type YieldEvery = number | 'auto' | 'never';

/**
 * Settings of a {@link Trainer} that hold for every `fit` call.
 *
 * @example
 * ```ts
 * const trainer = new Trainer(gan, { callbacks: progressBar, yieldEvery: 'never' });
 * ```
 */
export interface TrainerOptions {
  /** Callbacks of every run; those given to `fit` are called after these. */
  readonly callbacks?: TrainerCallbacks | readonly TrainerCallbacks[];
  /**
   * Default yield cadence of every run; `fit` may override it.
   * @defaultValue `'auto'`
   */
  readonly yieldEvery?: YieldEvery;
}

/**
 * Options of one {@link Trainer.fit} run. `batchSize`, `shuffle`, `seed` and `dropRemainder` apply to tensor data
 * only; iterable data arrives already batched and in its own order.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * await trainer.fit(images, { batchSize: 64, epochs: 20, steps: 5000, seed: 7, signal: controller.signal });
 * ```
 */
export interface FitOptions {
  /**
   * Examples per batch, sliced along axis 0 of a tensor dataset.
   * @defaultValue `32`
   */
  readonly batchSize?: number;
  /**
   * Passes over the data. An iterable is iterated afresh each epoch: an array replays, while a one-shot generator
   * is spent after the first epoch, and training then ends early (not counted as a stop).
   * @defaultValue `1`, or as many as `steps` needs when only `steps` is given
   */
  readonly epochs?: number;
  /** Cap on the total number of steps; training ends at the cap or after `epochs`, whichever comes first. */
  readonly steps?: number;
  /**
   * Reshuffle the examples of a tensor dataset each epoch.
   * @defaultValue `true`
   */
  readonly shuffle?: boolean;
  /** Seed of the shuffle, so a run replays the same batch order. Omitted, each run draws its own order. */
  readonly seed?: number;
  /**
   * Skip the last batch of an epoch when it is smaller than `batchSize`.
   * @defaultValue `false`
   */
  readonly dropRemainder?: boolean;
  /** Aborting it stops training before the next step; `fit` then resolves with `history.stopped: true`. */
  readonly signal?: AbortSignal;
  /** Callbacks of this run, called after the Trainer's own, in the order given. */
  readonly callbacks?: TrainerCallbacks | readonly TrainerCallbacks[];
  /**
   * Overrides the Trainer's yield cadence for this run.
   * @defaultValue the Trainer's `yieldEvery`, itself `'auto'` by default
   */
  readonly yieldEvery?: YieldEvery;
}

interface RunPlan<B> {
  readonly source: BatchSource<B>;
  readonly epochs: number;
  readonly maxSteps: number;
  readonly yieldMs: number;
  readonly signal: AbortSignal | undefined;
  readonly callbacks: Required<TrainerCallbacks>;
}

/**
 * Trains any {@link Trainable} by calling its `trainStep` once per batch: it owns the epochs, batching, shuffling,
 * callbacks, yielding to the event loop and stopping, and knows nothing else about the model.
 *
 * Memory: batches the Trainer slices from a tensor dataset are disposed after their step; the dataset itself, and
 * batches given through an iterable, belong to the caller and are never disposed.
 *
 * @typeParam B - the batch type that the model's `trainStep` takes
 *
 * @example
 * ```ts
 * const trainer = new Trainer(gan);
 * const history = await trainer.fit(images, { batchSize: 64, epochs: 5, seed: 1 });
 * console.log(history.epochs.map((logs) => logs.generatorLoss));
 * ```
 */
export class Trainer<B = tf.Tensor> {
  private readonly model: Trainable<B>;
  private readonly callbacks: readonly TrainerCallbacks[];
  private readonly yieldEvery: YieldEvery;

  /**
   * @param model - anything with a `trainStep(batch)` method
   * @param options - callbacks and yield cadence shared by every `fit`
   */
  constructor(model: Trainable<B>, options: TrainerOptions = {}) {
    if (typeof (model as Partial<Trainable<B>> | null | undefined)?.trainStep !== 'function') {
      throw new ConfigError('model', 'an object with a trainStep(batch) method', describe(model));
    }
    assertObject(options, 'options');
    this.model = model;
    this.callbacks = toCallbackList(options.callbacks, 'options.callbacks');
    this.yieldEvery = options.yieldEvery ?? 'auto';
    yieldMs(this.yieldEvery, 'options.yieldEvery');
  }

  /**
   * Trains on `data` until the epochs run out, `steps` is reached, or a stop is requested.
   *
   * Options are checked before any step runs, and a bad one rejects with a {@link ConfigError} naming it. An error
   * thrown by `trainStep` or a callback rejects `fit` after the Trainer has disposed what it created.
   *
   * @param data - a tensor `[N, ...]`, or an `Iterable`/`AsyncIterable` of batches
   * @param options - see {@link FitOptions}
   * @returns the logs of every step and epoch, and whether training was stopped
   *
   * @example
   * ```ts
   * const history = await new Trainer(vae).fit(images, { batchSize: 128, epochs: 10 });
   * ```
   */
  async fit(data: TrainingData<B>, options: FitOptions = {}): Promise<TrainingHistory> {
    const plan = this.plan(data, options);
    return runTraining(this.model, plan);
  }

  private plan(data: TrainingData<B>, options: FitOptions): RunPlan<B> {
    assertObject(options, 'options');
    const { batchSize = 32, steps, shuffle = true, seed, dropRemainder = false, signal } = options;
    // `{ steps: 5000 }` alone means 5000 steps, however many passes over the data that takes.
    const epochs = options.epochs ?? (steps === undefined ? 1 : Infinity);
    assertPositiveInteger(batchSize, 'options.batchSize');
    if (epochs !== Infinity) assertPositiveInteger(epochs, 'options.epochs');
    if (steps !== undefined) assertPositiveInteger(steps, 'options.steps');
    assertBoolean(shuffle, 'options.shuffle');
    assertBoolean(dropRemainder, 'options.dropRemainder');
    if (seed !== undefined && (typeof seed !== 'number' || !Number.isFinite(seed))) {
      throw new ConfigError('options.seed', 'a finite number', describe(seed));
    }
    if (signal !== undefined && typeof (signal as Partial<AbortSignal> | null)?.aborted !== 'boolean') {
      throw new ConfigError('options.signal', 'an AbortSignal', describe(signal));
    }
    const ms = yieldMs(options.yieldEvery ?? this.yieldEvery, 'options.yieldEvery');
    const callbacks = [...this.callbacks, ...toCallbackList(options.callbacks, 'options.callbacks')];

    const source = batchSource(data, { batchSize, shuffle, dropRemainder, seeds: new SeedStream(seed) });
    return {
      source,
      epochs,
      maxSteps: steps ?? Infinity,
      yieldMs: ms,
      signal,
      callbacks: composeCallbacks(callbacks),
    };
  }
}

async function runTraining<B>(model: Trainable<B>, plan: RunPlan<B>): Promise<TrainingHistory> {
  const { source, callbacks: cb } = plan;
  const steps: StepLogs[] = [];
  const epochs: StepLogs[] = [];
  const state = new RunState(plan.signal);
  const ctx = state.context;
  const halted = (): boolean => state.stopRequested || state.step >= plan.maxSteps;
  const release = (batch: B): void => {
    if (source.owned) (batch as unknown as tf.Tensor).dispose();
  };
  let lastYield = tf.util.now();

  await cb.onTrainBegin(ctx);
  for (; state.epoch < plan.epochs && !halted(); state.epoch++) {
    const iterator = source.epoch();
    let open = false; // whether the iterator must be closed if we leave early, as for-await would
    let pending: IteratorResult<B> | undefined;
    const advance = async (): Promise<IteratorResult<B>> => {
      open = false;
      const result = await iterator.next();
      open = result.done !== true;
      return result;
    };
    try {
      // The first batch is fetched before onEpochBegin, so spent data ends training instead of opening an empty epoch.
      pending = await advance();
      if (pending.done === true) break;
      const first = state.step;
      await cb.onEpochBegin(state.epoch, ctx);
      while (pending !== undefined && pending.done !== true && !halted()) {
        const batch = pending.value;
        pending = undefined;
        let logs: StepLogs;
        try {
          await cb.onStepBegin(state.step, ctx);
          logs = checkLogs(await model.trainStep(batch));
        } finally {
          release(batch);
        }
        steps.push(logs);
        await cb.onStepEnd(state.step, logs, ctx);
        state.step++;
        if (tf.util.now() - lastYield >= plan.yieldMs) {
          // Lets a page repaint and timers fire; on Node, tf.nextFrame is a setImmediate.
          await tf.nextFrame();
          lastYield = tf.util.now();
        }
        if (!halted()) pending = await advance();
      }
      const logs = meanLogs(steps.slice(first));
      epochs.push(logs);
      await cb.onEpochEnd(state.epoch, logs, ctx);
    } finally {
      if (pending !== undefined && pending.done !== true) release(pending.value);
      if (open) await iterator.return?.();
    }
  }
  const history: TrainingHistory = { steps, epochs, stopped: state.stopRequested };
  await cb.onTrainEnd(history, ctx);
  return history;
}

function yieldMs(value: unknown, argument: string): number {
  if (value === 'auto') return 125;
  if (value === 'never') return Infinity;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  throw new ConfigError(argument, "a number of milliseconds >= 0, 'auto' or 'never'", describe(value));
}

function assertBoolean(value: unknown, argument: string): void {
  if (typeof value !== 'boolean') throw new ConfigError(argument, 'a boolean', describe(value));
}

function assertObject(value: unknown, argument: string): void {
  if (typeof value !== 'object' || value === null) throw new ConfigError(argument, 'an options object', describe(value));
}
