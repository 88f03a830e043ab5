import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, StateError, ValueError } from '../errors';
import { assertOptions } from '../internal/options';
import { assertPositiveInteger, describe } from '../internal/shapes';
import { assertSeed, SeedStream } from '../random';
import { batchSource, type TrainingData } from './batches';
import { composeCallbacks, toCallbackList, type TrainerCallbacks, type TrainingHistory } from './callbacks';
import { checkPosition, initialPosition, type TrainerPosition } from './position';
import { runTraining, type RunPlan } from './run';
import type { NumericLogs, StepLogs, Trainable } from './trainable';

/**
 * How often `fit` hands control back to the event loop: every that many milliseconds, `'auto'` (125 ms, as in
 * tfjs-layers) or `'never'`.
 *
 * A yield is one macrotask (a `MessageChannel` message, else `setTimeout(0)`), never an animation frame, so training
 * goes on in a hidden tab and in workers, and costs microseconds rather than a frame. Between yields, timers, input
 * events and messages wait. With `'never'` and a `signal`, the Trainer still yields every 125 ms: an abort that comes
 * from a timer, an event or a worker message could not land otherwise.
 *
 * @example
 * ```ts
 * await trainer.fit(images, { batchSize: 64, yieldEvery: 50 }); // repaint at least every 50 ms
 * ```
 * @group Training
 */
export type YieldEvery = number | 'auto' | 'never';

/**
 * Settings of a {@link Trainer} that hold for every `fit` call. An unknown field is a {@link ConfigError}.
 *
 * @example
 * ```ts
 * const progress: TrainerCallbacks = { onStepEnd: (step) => void (step % 100 === 0 && console.log(step)) };
 * const trainer = new Trainer(gan, { callbacks: progress, yieldEvery: 'never' });
 * ```
 * @group Training
 */
export interface TrainerOptions<L extends NumericLogs<L> = StepLogs> {
  /** Callbacks of every run; those given to `fit` are called after these. */
  readonly callbacks?: TrainerCallbacks<L> | readonly TrainerCallbacks<L>[];
  /**
   * Default yield cadence of every run; `fit` may override it.
   * @defaultValue `'auto'`
   */
  readonly yieldEvery?: YieldEvery;
}

const TRAINER_OPTIONS = ['callbacks', 'yieldEvery'] as const;

/**
 * Options of one {@link Trainer.fit} run. `batchSize`, `shuffle`, `seed` and `dropRemainder` apply to tensor data
 * (a tensor, or a record of tensors such as `{ x, labels }`, sliced together) only; iterable data arrives already
 * batched and in its own order. An unknown field is a {@link ConfigError}.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * await trainer.fit(images, { batchSize: 64, epochs: 20, steps: 5000, seed: 7, signal: controller.signal });
 * ```
 * @group Training
 */
export interface FitOptions<L extends NumericLogs<L> = StepLogs> {
  /**
   * Examples per batch, sliced along axis 0 of a tensor dataset (of every field of a `{ x, labels }` dataset).
   * @defaultValue `32`
   */
  readonly batchSize?: number;
  /**
   * Passes over the data. An iterable is iterated afresh each epoch: an array replays, while a one-shot generator
   * is spent after the first epoch, and training then ends early (not counted as a stop).
   * @defaultValue `1`, or as many as `steps` needs when only `steps` is given
   */
  readonly epochs?: number;
  /**
   * Cap on the total number of steps, counted from the first run: a run resumed at step N with `steps: N + M` runs
   * M more. Training ends at the cap or after `epochs`, whichever comes first.
   */
  readonly steps?: number;
  /**
   * Reshuffle the examples of a tensor dataset each epoch.
   * @defaultValue `true`
   */
  readonly shuffle?: boolean;
  /**
   * Seed of the shuffle, a safe integer, so a run replays the same batch order. Omitted, each run draws its own
   * (`history.position.seed` records it; a resumed run takes it from `resumeFrom`).
   */
  readonly seed?: number;
  /**
   * Skip the last batch of an epoch when it is smaller than `batchSize`.
   * @defaultValue `false`
   */
  readonly dropRemainder?: boolean;
  /**
   * Aborting it stops training before the next step, whatever `yieldEvery` is: it is checked before every step,
   * including after `onStepBegin`. `fit` then resolves with `history.stopped: true` and the signal's `reason` as
   * `history.stopReason`.
   */
  readonly signal?: AbortSignal;
  /** Callbacks of this run, called after the Trainer's own, in the order given. */
  readonly callbacks?: TrainerCallbacks<L> | readonly TrainerCallbacks<L>[];
  /**
   * Overrides the Trainer's yield cadence for this run.
   * @defaultValue the Trainer's `yieldEvery`, itself `'auto'` by default
   */
  readonly yieldEvery?: YieldEvery;
  /**
   * Carry on a run from where it was (`ctx.position` or `history.position` of that run), with the model's state
   * restored to the same moment. Pass the same data and options as the first run: the run continues in the same
   * epoch with the same batch order, skips the batches already trained, and numbers its steps on from
   * `resumeFrom.step`; the result is then bit-identical to a run that was never interrupted.
   *
   * For a tensor dataset the skipped batches are never built. An iterable is opened afresh for the resumed epoch and
   * its first `resumeFrom.batch` batches are read and dropped (not disposed), so an array, or an iterable that starts
   * each iteration from the epoch's beginning, carries on exactly; a generator that already continues where the last
   * run stopped would lose that many batches. A position that does not fit the options (another seed, a batch past
   * the epoch's end, draws from a shuffled run given `shuffle: false`) is a {@link StateError}.
   */
  readonly resumeFrom?: TrainerPosition;
}

const FIT_OPTIONS = [
  'batchSize',
  'epochs',
  'steps',
  'shuffle',
  'seed',
  'dropRemainder',
  'signal',
  'callbacks',
  'yieldEvery',
  'resumeFrom',
] as const;

/** The cadence that lets an abort from another task land, when `'never'` is asked for with a signal. */
const AUTO_YIELD_MS = 125;

// Models a fit is training right now, across every Trainer: created on first use, so importing has no side effect.
let training: WeakSet<object> | undefined;

/**
 * Trains any {@link Trainable} by calling its `trainStep` once per batch: it owns the epochs, batching, shuffling,
 * callbacks, yielding to the event loop, stopping and resuming, and knows nothing else about the model.
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
 * @group Training
 */
export class Trainer<B = tf.Tensor, L extends NumericLogs<L> = StepLogs> {
  private readonly model: Trainable<B, L>;
  private readonly callbacks: readonly TrainerCallbacks[];
  private readonly yieldEvery: YieldEvery;

  /**
   * @param model - anything with a `trainStep(batch)` method
   * @param options - callbacks and yield cadence shared by every `fit`
   */
  constructor(model: Trainable<B, L>, options: TrainerOptions<L> = {}) {
    if (typeof (model as Partial<Trainable<B, L>> | null | undefined)?.trainStep !== 'function') {
      throw new ValueError('model', 'an object with a trainStep(batch) method', describe(model));
    }
    checkKeys(options, TRAINER_OPTIONS, 'TrainerOptions');
    this.model = model;
    this.callbacks = toCallbackList(options.callbacks, 'options.callbacks');
    this.yieldEvery = options.yieldEvery ?? 'auto';
    yieldMs(this.yieldEvery, 'options.yieldEvery');
  }

  /**
   * Trains on `data` until the epochs run out, `steps` is reached, or a stop is requested.
   *
   * Options are checked before any step runs, and a bad one rejects with a {@link ConfigError} naming it (a bad
   * `resumeFrom`, with a {@link StateError}). A second `fit` on a model that a `fit` is still training rejects with
   * a {@link ValueError}: steps of the two would interleave.
   *
   * An error thrown by `trainStep`, a callback or the data rejects `fit` after the Trainer has disposed what it
   * created. The error is the original one (so `isStepError(e)` and the like still hold) with the partial history
   * attached: read it with {@link trainingHistoryOf}. A `trainStep` that rejects with an error whose `stopTraining`
   * is `true` does not fail the run: see {@link Trainable}.
   *
   * @param data - a tensor `[N, ...]`, a record of tensors `{ x: [N, ...], labels: [N] }` sliced together, or an
   *   `Iterable`/`AsyncIterable` of batches
   * @param options - see {@link FitOptions}
   * @returns the logs of every step and epoch, whether training was stopped and why, and where it ended
   *
   * @example
   * ```ts
   * const history = await new Trainer(vae).fit(images, { batchSize: 128, epochs: 10 });
   * ```
   */
  async fit(data: TrainingData<B>, options: FitOptions<L> = {}): Promise<TrainingHistory<L>> {
    const plan = this.plan(data, options);
    training ??= new WeakSet();
    if (training.has(this.model)) {
      const hint = 'Await each fit (and trainStep) before starting the next.';
      throw new ValueError('model', 'a model no other fit is training', 'a model a running fit is training', hint);
    }
    training.add(this.model);
    try {
      // The logs are the model's own, checked to be plain numbers: the history holds them as its type says.
      return (await runTraining(this.model as Trainable<B>, plan)) as unknown as TrainingHistory<L>;
    } finally {
      training.delete(this.model);
    }
  }

  private plan(data: TrainingData<B>, options: FitOptions<L>): RunPlan<B> {
    checkKeys(options, FIT_OPTIONS, 'FitOptions');
    const { batchSize = 32, steps, shuffle = true, seed, dropRemainder = false, signal, resumeFrom } = options;
    // `{ steps: 5000 }` alone means 5000 steps, however many passes over the data that takes.
    const epochs = options.epochs ?? (steps === undefined ? 1 : Infinity);
    assertPositiveInteger(batchSize, 'options.batchSize');
    if (epochs !== Infinity) assertPositiveInteger(epochs, 'options.epochs');
    if (steps !== undefined) assertPositiveInteger(steps, 'options.steps');
    assertBoolean(shuffle, 'options.shuffle');
    assertBoolean(dropRemainder, 'options.dropRemainder');
    if (seed !== undefined) assertSeed(seed, 'options.seed');
    if (signal !== undefined && typeof (signal as Partial<AbortSignal> | null)?.aborted !== 'boolean') {
      throw new ConfigError('options.signal', 'an AbortSignal', describe(signal));
    }
    let ms = yieldMs(options.yieldEvery ?? this.yieldEvery, 'options.yieldEvery');
    if (ms === Infinity && signal !== undefined) ms = AUTO_YIELD_MS;
    const callbacks = [...this.callbacks, ...toCallbackList(options.callbacks, 'options.callbacks')];

    const resumed = resumeFrom === undefined ? undefined : checkPosition(resumeFrom, 'options.resumeFrom');
    if (resumed !== undefined && seed !== undefined && resumed.seed !== seed) {
      const hint = 'Resume with the options of the run the position comes from.';
      throw new StateError('options.resumeFrom.seed', `${seed} (options.seed)`, String(resumed.seed), hint);
    }
    const seeds = new SeedStream(resumed?.seed ?? seed, resumed?.draws ?? 0);
    const source = batchSource(data, { batchSize, shuffle, dropRemainder, seeds });
    const start = resumed ?? initialPosition(seeds.seed);
    const { batchesPerEpoch } = source;
    if (resumed !== undefined) checkResume(resumed, { epochs, steps, shuffle, batchesPerEpoch });
    return {
      source,
      seeds,
      start,
      epochs,
      maxSteps: steps ?? Infinity,
      yieldMs: ms,
      signal,
      callbacks: composeCallbacks(callbacks),
    };
  }
}

interface ResumeContext {
  readonly epochs: number;
  readonly steps: number | undefined;
  readonly shuffle: boolean;
  readonly batchesPerEpoch: number | undefined;
}

/** Checks a well-formed position against the run's options. */
function checkResume(position: TrainerPosition, run: ResumeContext): void {
  const { batchesPerEpoch } = run;
  if (batchesPerEpoch !== undefined) {
    if (position.batch > batchesPerEpoch) {
      const expected = `at most ${batchesPerEpoch} (the batches in one epoch of this data and batchSize)`;
      throw new StateError('options.resumeFrom.batch', expected, String(position.batch));
    }
    if (!run.shuffle && position.draws !== 0) {
      const expected = '0 with shuffle: false (the position comes from a shuffled run)';
      throw new StateError('options.resumeFrom.draws', expected, String(position.draws));
    }
  }
  if (run.steps !== undefined && run.steps < position.step) {
    const expected = `at least resumeFrom.step (${position.step}): steps counts every step, those already run included`;
    throw new ConfigError('options.steps', expected, String(run.steps));
  }
  const minEpochs = position.batch > 0 ? position.epoch + 1 : position.epoch;
  if (run.epochs < minEpochs) {
    const expected = `at least ${minEpochs} (resumeFrom.epoch is ${position.epoch}): epochs counts those already run`;
    throw new ConfigError('options.epochs', expected, String(run.epochs));
  }
}

function yieldMs(value: unknown, argument: string): number {
  if (value === 'auto') return AUTO_YIELD_MS;
  if (value === 'never') return Infinity;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  throw new ConfigError(argument, "a number of milliseconds >= 0, 'auto' or 'never'", describe(value));
}

// Through an `unknown`, so the assertion does not narrow the typed options to a bare record.
function checkKeys(options: unknown, known: readonly string[], typeName: string): void {
  assertOptions(options, known, 'options', typeName);
}

function assertBoolean(value: unknown, argument: string): void {
  if (typeof value !== 'boolean') throw new ConfigError(argument, 'a boolean', describe(value));
}
