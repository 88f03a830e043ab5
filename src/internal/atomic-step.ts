import * as tf from '@tensorflow/tfjs-core';
import { NonFiniteError, StepError, ValueError } from '../errors';
import { closeAbandonedTape } from './engine';
import { firstNonFinite, StateCheck, type StateProbes, type TrainedPart } from './finite-check';
import { Rollback, type Counter } from './rollback';

/**
 * What a model does when a training step produces NaN or ±Infinity (in a loss, an updated weight or an optimizer
 * slot). In every case the step is rolled back first, so no such value reaches a weight or an optimizer slot:
 * - `'throw'`: the step rejects with a {@link NonFiniteError} naming the step and the offending part;
 * - `'skip'`: the step is dropped and training goes on with the next batch;
 * - `'stop'`: the step rejects with a {@link NonFiniteError} whose `stopTraining` is `true`, which a {@link Trainer}
 *   reads as a request to end the run (its `fit` resolves with `stopped: true`).
 *
 * Under `'skip'` the step's logs carry `skipped: 1` (0 on other steps), and the noise and dropout streams move on, so
 * the next step draws afresh.
 *
 * @example
 * ```ts
 * const gan = new GAN({ nonFinite: 'stop' });
 * ```
 * @group Models
 */
export type NonFinitePolicy = 'throw' | 'skip' | 'stop';

/** Everything a model's step may change. */
export interface StepParts {
  /** Every variable the step may write: all weights of the networks, trainable or not (batch-norm statistics). */
  readonly variables: readonly tf.Variable[];
  readonly optimizers: readonly tf.Optimizer[];
  /** Each optimizer with the weights it trains (a subset of `variables`). */
  readonly trained: readonly TrainedPart[];
  /** JavaScript state the step advances: seed streams, dropout mask counts, step counters. */
  readonly counters: readonly Counter[];
}

/**
 * The synchronous tensor work of a step: its log values followed by one finiteness probe per named part (the losses;
 * the step adds probes of everything it wrote).
 */
export interface StepOutput {
  readonly values: tf.Tensor1D;
  readonly probeNames: readonly string[];
}

/** A step's read-back values, and whether it was skipped under the `'skip'` policy. */
export interface StepValues {
  readonly values: Float32Array;
  readonly skipped: boolean;
}

/**
 * Runs a model's training steps all or nothing. One step at a time: a second concurrent call is refused. Whatever
 * fails after validation (a loss that throws, a backend error, a non-finite result) leaves every weight, optimizer
 * slot and counter as before the step, with no tensor leaked and no gradient tape left open.
 */
export class AtomicStep {
  private running = false;
  private readonly check = new StateCheck();

  /** @param model - the model's kind, for messages: `GAN`, `VAE` */
  constructor(private readonly model: string) {}

  /** Call after the model's state was restored: what the finiteness check had verified no longer holds. */
  stateRestored(): void {
    this.check.forget();
  }

  /** Whether a step is in progress (between its validation and its read-back). */
  get busy(): boolean {
    return this.running;
  }

  /**
   * @param parts - what the step may change, captured after `validate` succeeds
   * @param policy - the non-finite policy
   * @param step - the model's completed steps, for messages
   * @param validate - checks that throw before anything is captured or changed
   * @param body - the updates; calls `phase` as it enters each one, so a failure names where it happened
   */
  async run(
    parts: StepParts,
    policy: NonFinitePolicy,
    step: number,
    validate: () => Promise<void> | void,
    body: (phase: (name: string) => void) => StepOutput,
  ): Promise<StepValues> {
    return this.exclusive('trainStep', async () => {
      await validate();
      const rollback = new Rollback(parts.variables, parts.optimizers, parts.counters);
      let phase = 'start';
      let output: StepOutput | undefined;
      let all: tf.Tensor1D | undefined;
      let state: StateProbes | undefined;
      let values: Float32Array;
      try {
        output = body((name) => {
          phase = name;
        });
        phase = 'checking the updated state';
        const written = output.values;
        all = tf.tidy(() => {
          state = this.check.probe(parts.trained, parts.variables);
          return tf.concat([written, state.probes]);
        });
        phase = 'reading the results';
        values = (await all.data()) as Float32Array;
      } catch (e) {
        closeAbandonedTape();
        rollback.restore();
        throw new StepError(phase, e);
      } finally {
        output?.values.dispose();
        all?.dispose();
      }
      // The written state is named first: a non-finite weight, not the later losses it made non-finite.
      const { names, extra } = state!;
      const stateAt = values.length - extra - names.length;
      const losses = output.probeNames;
      const bad = firstNonFinite(values, names, stateAt) ?? firstNonFinite(values, losses, stateAt - losses.length);
      if (bad === undefined) {
        state!.settle(values.subarray(values.length - extra));
        rollback.release();
        return { values, skipped: false };
      }
      rollback.restore(policy !== 'skip');
      if (policy === 'skip') return { values, skipped: true };
      throw new NonFiniteError(bad, step, policy === 'stop');
    });
  }

  /**
   * Runs `fn` while no step or other exclusive call runs, refusing to start otherwise: a call that awaits part-way
   * (an evaluation that yields between chunks) must not see weights a step changes under it.
   *
   * @param call - the method's name, for the message
   */
  async exclusive<T>(call: string, fn: () => Promise<T>): Promise<T> {
    if (this.running) throw busyError(this.model, call);
    this.running = true;
    try {
      return await fn();
    } finally {
      this.running = false;
    }
  }
}

/** The error for a call that would interleave with a step (or an evaluation that yields) in progress. */
export function busyError(model: string, call: string): ValueError {
  return new ValueError(
    'this',
    `a ${model} with no training step or evaluation in progress`,
    `${/^[aeiou]/i.test(call) ? 'an' : 'a'} ${call} call during one`,
    'Await each trainStep (or fit) before starting the next.',
  );
}
