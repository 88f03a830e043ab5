import { ConfigError, ValueError } from '../errors';
import { assertOptions } from '../internal/options';
import { describe } from '../internal/shapes';
import type { TrainerPosition } from './position';
import type { NumericLogs, StepLogs } from './trainable';

/**
 * What every callback receives: where training is, and a way to end it.
 *
 * @example
 * ```ts
 * const stopOnNaN: TrainerCallbacks = {
 *   onStepEnd(step, logs, ctx) {
 *     if (Object.values(logs).some(Number.isNaN)) ctx.stop(`NaN loss at step ${step}`);
 *   },
 * };
 * ```
 * @group Training
 */
export interface TrainerContext {
  /**
   * Index of the current epoch (0-based); between epochs, the index the next one will get, which is also how many
   * epochs have ended.
   */
  readonly epoch: number;
  /**
   * Global index of the current step (0-based, counted across epochs and resumed runs); between steps, the index the
   * next one will get, which is also how many steps have run.
   */
  readonly step: number;
  /**
   * Where to resume from if the model's state were saved now: a fresh plain object on every read. In `onStepEnd` it
   * already counts the step that just ended. See {@link TrainerPosition}.
   */
  readonly position: TrainerPosition;
  /**
   * Whether the run will stop: {@link TrainerContext.stop} was called, the run's abort signal has aborted, or a step
   * asked to stop (see {@link Trainable}).
   */
  readonly stopRequested: boolean;
  /**
   * Asks the Trainer to stop after the current step (a step whose `onStepBegin` calls it still runs). `fit` then
   * resolves normally, with `history.stopped: true` and `history.stopReason: reason`, and `onEpochEnd` and
   * `onTrainEnd` still run. The first stop requested wins.
   *
   * @param reason - anything that says why, kept as `history.stopReason`
   */
  stop(reason?: unknown): void;
}

/**
 * The numbers `fit` hands back: one entry per step run and one per epoch run, and where the run ended. Data only
 * (save for `stopReason`, which is what asked to stop), so it can be stored as it is.
 *
 * A `fit` that rejects attaches the same record, covering the steps that completed, to its error: see
 * {@link trainingHistoryOf}.
 *
 * @example
 * ```ts
 * const history = await trainer.fit(images, { batchSize: 64, epochs: 5 });
 * const last = history.epochs[history.epochs.length - 1];
 * console.log(last?.loss, history.steps.length, history.stopped, history.position.step);
 * ```
 * @group Training
 */
export interface TrainingHistory<L extends NumericLogs<L> = StepLogs> {
  /**
   * The logs of every step this run completed, in order: `steps[i]` is what step `start + i` returned, where `start`
   * is `resumeFrom.step` (0 for a fresh run).
   */
  readonly steps: readonly L[];
  /**
   * Per epoch this run trained in, the mean of each key over the steps of that epoch that reported it (over this
   * run's steps only, when it resumed part-way through an epoch). The last entry may cover a partial epoch when
   * training was stopped, failed, or hit `steps`.
   */
  readonly epochs: readonly L[];
  /**
   * `true` when `ctx.stop()` was called, the abort signal aborted, or a step asked to stop during the run; reaching
   * `steps` or running out of epochs or data is not a stop.
   */
  readonly stopped: boolean;
  /**
   * Why the run stopped: the `reason` given to `ctx.stop(reason)`, the abort signal's `reason`, or the error of a
   * step that asked to stop (e.g. a {@link NonFiniteError} under the `'stop'` policy). Absent when not stopped or
   * when `ctx.stop()` was called without a reason.
   */
  readonly stopReason?: unknown;
  /** Where the run ended: pass it as `resumeFrom` to carry on. */
  readonly position: TrainerPosition;
}

/**
 * Hooks into a `fit` run. Every hook is optional and may be async; the Trainer awaits each one, in the order the
 * callbacks were given, outside any `tf.tidy`, before it goes on.
 *
 * A plain object literal may hold only these six hooks: a misspelt one (`onStepEnds`) is a {@link ConfigError}. An
 * instance of a class is checked for the hooks alone, so it may keep its own fields.
 *
 * @example
 * ```ts
 * const progress: TrainerCallbacks = {
 *   onEpochEnd(epoch, logs) {
 *     console.log(`epoch ${epoch}: loss ${logs.loss?.toFixed(4)}`);
 *   },
 * };
 * await trainer.fit(images, { batchSize: 64, epochs: 10, callbacks: progress });
 * ```
 * @group Training
 */
export interface TrainerCallbacks<L extends NumericLogs<L> = StepLogs> {
  /** Before the first epoch. */
  onTrainBegin?(ctx: TrainerContext): void | Promise<void>;
  /**
   * Before the first step of `epoch` (0-based); for a run resumed part-way through an epoch, before its first
   * remaining step (`ctx.position.batch > 0` then).
   */
  onEpochBegin?(epoch: number, ctx: TrainerContext): void | Promise<void>;
  /** Before step `step` (0-based, global across epochs and resumed runs). */
  onStepBegin?(step: number, ctx: TrainerContext): void | Promise<void>;
  /** After step `step`, with what `trainStep` returned; not called for a step that failed or asked to stop. */
  onStepEnd?(step: number, logs: L, ctx: TrainerContext): void | Promise<void>;
  /** After the last step of `epoch`, with the per-key means of its steps. */
  onEpochEnd?(epoch: number, logs: L, ctx: TrainerContext): void | Promise<void>;
  /** Once training ends, stopped or not; not called when `trainStep` or a callback throws. */
  onTrainEnd?(history: TrainingHistory<L>, ctx: TrainerContext): void | Promise<void>;
}

const HOOKS = ['onTrainBegin', 'onEpochBegin', 'onStepBegin', 'onStepEnd', 'onEpochEnd', 'onTrainEnd'] as const;

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Checks a callbacks option and flattens it into one list.
 * @internal
 */
export function toCallbackList(value: unknown, argument: string): TrainerCallbacks[] {
  if (value === undefined) return [];
  const list: unknown[] = Array.isArray(value) ? value : [value];
  list.forEach((item, i) => {
    const path = Array.isArray(value) ? `${argument}[${i}]` : argument;
    if (typeof item !== 'object' || item === null) {
      throw new ConfigError(path, 'an object of callback functions', describe(item));
    }
    if (isPlainObject(item)) assertOptions(item, HOOKS, path, 'TrainerCallbacks');
    for (const hook of HOOKS) {
      const fn = (item as Record<string, unknown>)[hook];
      if (fn !== undefined && typeof fn !== 'function') {
        throw new ConfigError(`${path}.${hook}`, 'a function', describe(fn));
      }
    }
  });
  return list as TrainerCallbacks[];
}

/**
 * One set of hooks that calls each callback of `list` in order, awaiting each before the next.
 * @internal
 */
export function composeCallbacks(list: readonly TrainerCallbacks[]): Required<TrainerCallbacks> {
  // Methods are called on their object, so callbacks written as classes keep their `this`.
  return {
    async onTrainBegin(ctx) {
      for (const c of list) await c.onTrainBegin?.(ctx);
    },
    async onEpochBegin(epoch, ctx) {
      for (const c of list) await c.onEpochBegin?.(epoch, ctx);
    },
    async onStepBegin(step, ctx) {
      for (const c of list) await c.onStepBegin?.(step, ctx);
    },
    async onStepEnd(step, logs, ctx) {
      for (const c of list) await c.onStepEnd?.(step, logs, ctx);
    },
    async onEpochEnd(epoch, logs, ctx) {
      for (const c of list) await c.onEpochEnd?.(epoch, logs, ctx);
    },
    async onTrainEnd(history, ctx) {
      for (const c of list) await c.onTrainEnd?.(history, ctx);
    },
  };
}

/**
 * Per key, the mean over the steps that reported it.
 * @internal
 */
export function meanLogs(list: readonly StepLogs[]): StepLogs {
  const sums: Record<string, number> = {};
  const counts: Record<string, number> = {};
  for (const logs of list) {
    for (const [key, value] of Object.entries(logs)) {
      sums[key] = (sums[key] ?? 0) + value;
      counts[key] = (counts[key] ?? 0) + 1;
    }
  }
  const mean: Record<string, number> = {};
  for (const key of Object.keys(sums)) mean[key] = sums[key]! / counts[key]!;
  return Object.freeze(mean);
}

/**
 * Checks that a step returned plain numbers, and copies them.
 * @internal
 */
// A copy, frozen, so a model that reuses its logs object cannot rewrite the history afterwards.
export function checkLogs(logs: unknown): StepLogs {
  if (typeof logs !== 'object' || logs === null || Array.isArray(logs)) {
    throw new ValueError('trainStep result', 'an object of numbers', describe(logs));
  }
  for (const [key, value] of Object.entries(logs)) {
    if (typeof value !== 'number') {
      const hint = 'Read tensor values with `await t.data()` and return plain numbers.';
      throw new ValueError(`trainStep result.${key}`, 'a number', describe(value), hint);
    }
  }
  return Object.freeze({ ...(logs as StepLogs) });
}
