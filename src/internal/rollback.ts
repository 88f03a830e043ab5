import type * as tf from '@tensorflow/tfjs-core';
import { HeldValue } from './engine';
import { OptimizerSnapshot } from './optimizer-state';

/** A piece of JavaScript state a step advances (a seed stream's position, a dropout layer's mask count). */
export interface Counter {
  get(): number;
  set(value: number): void;
}

/**
 * Everything a training step may change, taken before the step so that a failed one can be undone: the values of
 * the variables (trainable weights and batch-norm statistics), the optimizers' slots and iteration counts, and the
 * counters. Values are held, not copied: tfjs never writes a buffer in place, so holding the old buffer is enough.
 */
export class Rollback {
  private readonly values: HeldValue[];
  private readonly optimizers: OptimizerSnapshot[];
  private readonly counts: number[];

  constructor(
    variables: readonly tf.Variable[],
    optimizers: readonly tf.Optimizer[],
    private readonly counters: readonly Counter[] = [],
  ) {
    this.values = variables.map((v) => new HeldValue(v));
    this.optimizers = optimizers.map((o) => new OptimizerSnapshot(o));
    this.counts = counters.map((c) => c.get());
  }

  /** Puts back every weight and optimizer value; with `counters`, the counters too. Frees the snapshot. */
  restore(counters = true): void {
    for (const v of this.values) v.restore();
    for (const o of this.optimizers) o.restore();
    if (counters) this.counters.forEach((c, i) => c.set(this.counts[i]!));
  }

  /** Keeps the step: frees the snapshot. */
  release(): void {
    for (const v of this.values) v.release();
    for (const o of this.optimizers) o.release();
  }
}
