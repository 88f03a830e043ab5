import * as tf from '@tensorflow/tfjs-core';
import type { SeedStream } from '../random';
import type { BatchSource } from './batches';
import { checkLogs, meanLogs, type TrainerCallbacks, type TrainerContext, type TrainingHistory } from './callbacks';
import { attachHistory } from './failure';
import { TRAINER_POSITION_VERSION, type TrainerPosition } from './position';
import type { StepLogs, Trainable } from './trainable';
import { nextMacrotask } from './yield';

/**
 * Everything one `fit` run needs, checked and resolved.
 * @internal
 */
export interface RunPlan<B> {
  readonly source: BatchSource<B>;
  readonly seeds: SeedStream;
  /** Where to start: a fresh position, or the caller's `resumeFrom`. */
  readonly start: TrainerPosition;
  readonly epochs: number;
  readonly maxSteps: number;
  readonly yieldMs: number;
  readonly signal: AbortSignal | undefined;
  readonly callbacks: Required<TrainerCallbacks>;
}

/**
 * The counters and stop flag of one run, with the read-only view of them that callbacks receive. `epoch` and `step`
 * are what the context shows; the position fields track the next step to run, which runs ahead of `step` during
 * `onStepEnd` and ahead of `epoch` once an epoch is known to be over.
 * @internal
 */
export class RunState {
  epoch: number;
  step: number;
  private completed: number;
  private positionEpoch: number;
  private batch: number;
  private draws: number;
  private stopCalled = false;
  private reason: { readonly value: unknown } | undefined;
  private readonly seed: number;
  readonly context: TrainerContext;

  constructor(
    private readonly signal: AbortSignal | undefined,
    start: TrainerPosition,
  ) {
    this.epoch = this.positionEpoch = start.epoch;
    this.step = this.completed = start.step;
    this.batch = start.batch;
    this.draws = start.draws;
    this.seed = start.seed;
    const view = { stop: (...reason: unknown[]): void => this.requestStop(reason[0], reason.length > 0) };
    Object.defineProperties(view, {
      epoch: { get: () => this.epoch, enumerable: true },
      step: { get: () => this.step, enumerable: true },
      position: { get: () => this.position, enumerable: true },
      stopRequested: { get: () => this.stopRequested, enumerable: true },
    });
    this.context = Object.freeze(view) as TrainerContext;
  }

  /** Steps completed in total, resumed ones included. */
  get stepsDone(): number {
    return this.completed;
  }

  get position(): TrainerPosition {
    const { completed: step, positionEpoch: epoch, batch, seed, draws } = this;
    return { version: TRAINER_POSITION_VERSION, step, epoch, batch, seed, draws };
  }

  get stopRequested(): boolean {
    return this.stopCalled || this.signal?.aborted === true;
  }

  /** The reason to report, if any: the first stop's own, else the signal's. */
  get stopReason(): { readonly value: unknown } | undefined {
    if (this.stopCalled) return this.reason;
    return this.signal?.aborted === true ? { value: (this.signal as { reason?: unknown }).reason } : undefined;
  }

  /** The first request wins, unless `override` (a step's own stop error is always the one reported). */
  requestStop(reason: unknown, hasReason: boolean, override = false): void {
    if (this.stopCalled && !override) return;
    if (!this.stopCalled && this.signal?.aborted === true && !override) return;
    this.stopCalled = true;
    this.reason = hasReason ? { value: reason } : undefined;
  }

  /** An epoch opens at `skip` batches in, with the seed stream at `draws`. */
  enterEpoch(skip: number, draws: number): void {
    this.positionEpoch = this.epoch;
    this.batch = skip;
    this.draws = draws;
  }

  /** A step completed; when that was the epoch's last batch, the position moves to the next epoch. */
  stepDone(batchesPerEpoch: number | undefined, draws: number): void {
    this.completed++;
    this.batch++;
    if (this.batch === batchesPerEpoch) this.epochDone(draws);
  }

  /** The epoch has no batch left: the next step is the next epoch's first. */
  epochDone(draws: number): void {
    this.positionEpoch = this.epoch + 1;
    this.batch = 0;
    this.draws = draws;
  }
}

/** Whether a step's error asks the Trainer to end the run rather than fail it (see {@link Trainable}). */
function asksToStop(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { stopTraining?: unknown }).stopTraining === true;
}

async function trainOne<B>(model: Trainable<B>, batch: B, state: RunState): Promise<StepLogs | undefined> {
  let result: unknown;
  try {
    result = await model.trainStep(batch);
  } catch (e) {
    if (!asksToStop(e)) throw e;
    state.requestStop(e, true, true);
    return undefined;
  }
  return checkLogs(result);
}

/**
 * Runs the epochs of `plan` on `model`. Whatever it throws carries the history of the steps that completed.
 * @internal
 */
export async function runTraining<B>(model: Trainable<B>, plan: RunPlan<B>): Promise<TrainingHistory> {
  const { source, seeds, callbacks: cb } = plan;
  const steps: StepLogs[] = [];
  const epochs: StepLogs[] = [];
  const state = new RunState(plan.signal, plan.start);
  const ctx = state.context;
  let epochFirst: number | undefined; // index in `steps` where the open epoch began, while one is open
  const history = (): TrainingHistory => {
    const partial = epochFirst !== undefined && steps.length > epochFirst; // an epoch cut short by a failure
    const all = partial ? [...epochs, meanLogs(steps.slice(epochFirst))] : epochs;
    const reason = state.stopRequested ? state.stopReason : undefined;
    const base = { steps: [...steps], epochs: [...all], stopped: state.stopRequested, position: state.position };
    return reason === undefined ? base : { ...base, stopReason: reason.value };
  };
  const halted = (): boolean => state.stopRequested || state.stepsDone >= plan.maxSteps;
  const release = (batch: B): void => {
    // An owned batch is a tensor or a record of tensors (see recordSource); tf.dispose takes both.
    if (source.owned) tf.dispose(batch as unknown as tf.TensorContainer);
  };

  try {
    await cb.onTrainBegin(ctx);
    let skip = plan.start.batch;
    let lastYield = tf.util.now();
    for (; state.epoch < plan.epochs && !halted(); state.epoch++) {
      state.enterEpoch(skip, seeds.draws);
      const iterator = source.epoch(skip);
      let open = false; // whether the iterator must be closed if we leave early, as for-await would
      let pending: IteratorResult<B> | undefined;
      const advance = async (): Promise<IteratorResult<B>> => {
        open = false;
        const result = await iterator.next();
        open = result.done !== true;
        return result;
      };
      try {
        // The first batch is fetched before onEpochBegin, so spent data ends training instead of opening an empty
        // epoch; a resumed epoch with nothing left after its trained batches just moves on to the next one.
        pending = await advance();
        if (pending.done === true) {
          if (skip === 0) break;
          skip = 0;
          continue;
        }
        skip = 0;
        epochFirst = steps.length;
        await cb.onEpochBegin(state.epoch, ctx);
        while (pending !== undefined && pending.done !== true && !halted()) {
          const batch = pending.value;
          pending = undefined;
          let logs: StepLogs | undefined;
          try {
            await cb.onStepBegin(state.step, ctx);
            // An abort that landed during onStepBegin (or before) cancels the step; ctx.stop() lets it run.
            if (plan.signal?.aborted !== true) logs = await trainOne(model, batch, state);
          } finally {
            release(batch);
          }
          if (logs === undefined) break;
          steps.push(logs);
          state.stepDone(source.batchesPerEpoch, seeds.draws);
          await cb.onStepEnd(state.step, logs, ctx);
          state.step++;
          if (tf.util.now() - lastYield >= plan.yieldMs) {
            await nextMacrotask();
            lastYield = tf.util.now();
          }
          if (!halted()) {
            pending = await advance();
            if (pending.done === true) state.epochDone(seeds.draws);
          }
        }
        const logs = meanLogs(steps.slice(epochFirst));
        epochs.push(logs);
        epochFirst = undefined;
        await cb.onEpochEnd(state.epoch, logs, ctx);
      } finally {
        if (pending !== undefined && pending.done !== true) release(pending.value);
        if (open) await iterator.return?.();
      }
    }
    const result = history();
    await cb.onTrainEnd(result, ctx);
    return result;
  } catch (e) {
    throw attachHistory(e, history());
  }
}
