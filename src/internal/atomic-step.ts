import type * as tf from '@tensorflow/tfjs-core';
import { NonFiniteError, StepError, ValueError } from '../errors';
import { closeAbandonedTape } from './engine';
import { firstNonFinite } from './finite-check';
import { Rollback, type Counter } from './rollback';

/**
 * What a model does when a step produces NaN or ±Infinity: `'throw'` rolls the step back and rejects with a
 * NonFiniteError; `'skip'` rolls back the weights and optimizer state, resolves with `skipped: 1` in the logs, and
 * goes on with fresh noise on the next step; `'stop'` rolls back and rejects with a NonFiniteError whose
 * `stopTraining` is true, which ends a Trainer run cleanly (`history.stopped`).
 */
export type NonFinitePolicy = 'throw' | 'skip' | 'stop';

/** Everything a model's step may change. */
export interface StepParts {
  /** Every variable the step may write: all weights of the networks, trainable or not (batch-norm statistics). */
  readonly variables: readonly tf.Variable[];
  readonly optimizers: readonly tf.Optimizer[];
  /** JavaScript state the step advances: seed streams, dropout mask counts, step counters. */
  readonly counters: readonly Counter[];
}

/** The synchronous tensor work of a step: its log values followed by one finiteness probe per named part. */
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

  /** @param model - the model's kind, for messages: `GAN`, `VAE` */
  constructor(private readonly model: string) {}

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
    if (this.running) throw busyError(this.model, 'trainStep');
    this.running = true;
    try {
      await validate();
      const rollback = new Rollback(parts.variables, parts.optimizers, parts.counters);
      let phase = 'start';
      let output: StepOutput | undefined;
      let values: Float32Array;
      try {
        output = body((name) => {
          phase = name;
        });
        phase = 'reading the results';
        values = (await output.values.data()) as Float32Array;
      } catch (e) {
        closeAbandonedTape();
        rollback.restore();
        throw new StepError(phase, e);
      } finally {
        output?.values.dispose();
      }
      const names = output.probeNames;
      const bad = firstNonFinite(values, names, values.length - names.length);
      if (bad === undefined) {
        rollback.release();
        return { values, skipped: false };
      }
      rollback.restore(policy !== 'skip');
      if (policy === 'skip') return { values, skipped: true };
      throw new NonFiniteError(bad, step, policy === 'stop');
    } finally {
      this.running = false;
    }
  }
}

/** The error for a call that would interleave with a step in progress. */
export function busyError(model: string, call: string): ValueError {
  return new ValueError(
    'this',
    `a ${model} with no training step in progress`,
    `a ${call} call during a trainStep`,
    'Await each trainStep (or fit) before starting the next.',
  );
}
