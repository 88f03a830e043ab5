import { ConfigError, ValueError } from '../errors';
import { describe } from '../internal/shapes';
import type { StepLogs } from './trainable';

/**
 * What every callback receives: where training is, and a way to end it.
 *
 * @example
 * ```ts
 * const stopOnNaN: TrainerCallbacks = {
 *   onStepEnd(step, logs, ctx) {
 *     if (Object.values(logs).some(Number.isNaN)) ctx.stop();
 *   },
 * };
 * ```
 */
export interface TrainerContext {
  /**
   * Index of the current epoch (0-based); between epochs, the index the next one will get, which is also how many
   * epochs have ended.
   */
  readonly epoch: number;
  /**
   * Global index of the current step (0-based, counted across epochs); between steps, the index the next one will get,
   * which is also how many steps have run.
   */
  readonly step: number;
  /** Whether {@link TrainerContext.stop} has been called or the run's abort signal has aborted. */
  readonly stopRequested: boolean;
  /**
   * Asks the Trainer to stop after the current step. `fit` then resolves normally, with `history.stopped: true`, and
   * `onTrainEnd` still runs.
   */
  stop(): void;
}

/**
 * The numbers `fit` hands back: one entry per step run and one per epoch run. Data only, so it can be stored or
 * serialised as it is.
 *
 * @example
 * ```ts
 * const history = await trainer.fit(images, { batchSize: 64, epochs: 5 });
 * const last = history.epochs[history.epochs.length - 1];
 * console.log(last?.loss, history.steps.length, history.stopped);
 * ```
 */
export interface TrainingHistory {
  /** The logs of every step, in order: `steps[i]` is what step `i` returned. */
  readonly steps: readonly StepLogs[];
  /**
   * Per epoch, the mean of each key over the steps of that epoch that reported it. The last entry may cover a
   * partial epoch when training was stopped or hit `steps`.
   */
  readonly epochs: readonly StepLogs[];
  /** `true` when `ctx.stop()` was called or the abort signal aborted during the run; reaching `steps` is not a stop. */
  readonly stopped: boolean;
}

/**
 * Hooks into a `fit` run. Every hook is optional and may be async; the Trainer awaits each one, in the order the
 * callbacks were given, outside any `tf.tidy`, before it goes on.
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
 */
export interface TrainerCallbacks {
  /** Before the first epoch. */
  onTrainBegin?(ctx: TrainerContext): void | Promise<void>;
  /** Before the first step of `epoch` (0-based). */
  onEpochBegin?(epoch: number, ctx: TrainerContext): void | Promise<void>;
  /** Before step `step` (0-based, global across epochs). */
  onStepBegin?(step: number, ctx: TrainerContext): void | Promise<void>;
  /** After step `step`, with what `trainStep` returned. */
  onStepEnd?(step: number, logs: StepLogs, ctx: TrainerContext): void | Promise<void>;
  /** After the last step of `epoch`, with the per-key means of its steps. */
  onEpochEnd?(epoch: number, logs: StepLogs, ctx: TrainerContext): void | Promise<void>;
  /** Once training ends, stopped or not; not called when `trainStep` or a callback throws. */
  onTrainEnd?(history: TrainingHistory, ctx: TrainerContext): void | Promise<void>;
}

/**
 * The counters and stop flag of one run, with the read-only view of them that callbacks receive.
 * @internal
 */
export class RunState {
  epoch = 0;
  step = 0;
  private stopCalled = false;
  readonly context: TrainerContext;

  constructor(private readonly signal: AbortSignal | undefined) {
    const view = { stop: (): void => void (this.stopCalled = true) };
    Object.defineProperties(view, {
      epoch: { get: () => this.epoch, enumerable: true },
      step: { get: () => this.step, enumerable: true },
      stopRequested: { get: () => this.stopRequested, enumerable: true },
    });
    this.context = Object.freeze(view) as TrainerContext;
  }

  get stopRequested(): boolean {
    return this.stopCalled || this.signal?.aborted === true;
  }
}

const HOOKS = ['onTrainBegin', 'onEpochBegin', 'onStepBegin', 'onStepEnd', 'onEpochEnd', 'onTrainEnd'] as const;

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
