import * as tf from '@tensorflow/tfjs-core';
import { probedOptimizerState, slotVariables } from './optimizer-state';

/** One optimizer and the weights it trains. */
export interface TrainedPart {
  readonly optimizer: tf.Optimizer;
  readonly variables: readonly tf.Variable[];
}

/** A step's finiteness probes, their names, and what to learn from their values once read. */
export interface StateProbes {
  readonly probes: tf.Tensor1D;
  readonly names: readonly string[];
  /** Extra values after the named probes, handed to `settle`. */
  readonly extra: number;
  settle(extra: ArrayLike<number>): void;
}

/*
 * An update smaller than half a unit in the last place of float32's largest value (2^103 ≈ 1.01e31) cannot carry a
 * finite weight past it: the sum rounds back to a finite number. Half of that leaves room for rounding in the bound.
 */
const SAFE_UPDATE = 5e30;
const SLACK = 1.001;

interface AdamBound {
  /** The most one update can move a weight, given Adam's moments are consistent (see adamBound). */
  readonly update: number;
  /** |m| ≤ ratio·√v elementwise is the consistency the bound rests on. */
  readonly ratio: number;
}

/*
 * Adam's update is lr·m̂/(√v̂ + ε). Its moments, grown from zero by the same gradients, satisfy |m| ≤ K·√v with
 * K = (1 − β1)/√((1 − β2)(1 − β1²/β2)) (Cauchy–Schwarz over the geometric weights, when β1² < β2), and the bias
 * corrections add at most 1/(1 − β1). So each update moves a weight by at most lr·K/(1 − β1), whatever the gradient.
 */
function adamBound(optimizer: tf.Optimizer): AdamBound | undefined {
  if (Object.getPrototypeOf(optimizer) !== tf.AdamOptimizer.prototype) return undefined;
  const fields = optimizer as unknown as Record<string, unknown>;
  const [lr, beta1, beta2, epsilon] = ['learningRate', 'beta1', 'beta2', 'epsilon'].map((k) => fields[k]);
  if (![lr, beta1, beta2, epsilon].every((x) => typeof x === 'number' && Number.isFinite(x))) return undefined;
  return boundFor(lr as number, beta1 as number, beta2 as number, epsilon as number);
}

function boundFor(lr: number, beta1: number, beta2: number, epsilon: number): AdamBound | undefined {
  if (lr < 0 || epsilon < 0 || !(beta1 >= 0 && beta1 < 1 && beta2 > 0 && beta2 < 1)) return undefined;
  if (!(beta1 * beta1 < beta2)) return undefined;
  const ratio = (SLACK * (1 - beta1)) / Math.sqrt((1 - beta2) * (1 - (beta1 * beta1) / beta2));
  return { update: (lr * ratio) / (1 - beta1), ratio };
}

interface Verified {
  readonly slots: readonly tf.Variable[];
  readonly ratio: number;
}

/**
 * What a step's finiteness check reads: every weight it wrote and the optimizer slots the weights do not vouch for,
 * one sum each (a sum spreads NaN and ±Infinity), riding on the step's single read-back. Checking the written state
 * rather than the gradients is what keeps every non-finite value out: a finite gradient can still overflow a second
 * moment (its square) or a weight (a huge learning rate). A sum beyond float32's range also reads as non-finite.
 *
 * Adam's weights are left out once its moments are seen to be consistent: its updates are then too small to
 * overflow a finite weight, and a non-finite gradient shows in the second moment, which is probed. That halves the
 * check's cost for the default optimizer. The first step (and the first after a restore, a change of the slot
 * variables or of β) probes the weights and verifies the moments.
 */
export class StateCheck {
  private readonly verified = new Map<tf.Optimizer, Verified>();

  /** Forgets what was verified: after a restore, the moments are whatever the state held. */
  forget(): void {
    this.verified.clear();
  }

  /**
   * Call inside `tf.tidy`, after the step's updates.
   *
   * @param trained - each optimizer with the weights it trains
   * @param variables - every variable the step may write, those weights included (batch-norm statistics, averages)
   */
  probe(trained: readonly TrainedPart[], variables: readonly tf.Variable[]): StateProbes {
    const probes: tf.Scalar[] = [];
    const names: string[] = [];
    const add = (name: string, variable: tf.Tensor) => {
      names.push(name);
      probes.push(tf.sum(variable));
    };
    const checks: tf.Scalar[] = [];
    const pending: [tf.Optimizer, Verified][] = [];
    const byOptimizer = new Set(trained.flatMap((part) => part.variables));
    for (const variable of variables) if (!byOptimizer.has(variable)) add(`weight ${variable.name}`, variable);
    for (const { optimizer, variables } of trained) {
      for (const { name, variable } of probedOptimizerState(optimizer)) add(name, variable);
      const bound = adamBound(optimizer);
      const safe = bound !== undefined && bound.update < SAFE_UPDATE;
      const slots = slotVariables(optimizer);
      const known = this.verified.get(optimizer);
      if (safe && known !== undefined && known.ratio === bound.ratio && sameVariables(known.slots, slots)) continue;
      for (const variable of variables) add(`weight ${variable.name}`, variable);
      if (safe) {
        checks.push(momentsExcess(optimizer, bound.ratio));
        pending.push([optimizer, { slots, ratio: bound.ratio }]);
      }
    }
    return {
      probes: tf.stack([...probes, ...checks]) as tf.Tensor1D,
      names,
      extra: checks.length,
      settle: (extra) => {
        pending.forEach(([optimizer, verified], i) => {
          if (extra[i]! <= 0) this.verified.set(optimizer, verified);
          else this.verified.delete(optimizer);
        });
      },
    };
  }
}

/**
 * max(|m| − ratio·√v) over Adam's moments, and 1 when the bias-correction products are out of [0, β]: at most 0
 * exactly when the bound holds.
 */
function momentsExcess(optimizer: tf.Optimizer, ratio: number): tf.Scalar {
  const fields = optimizer as unknown as Record<string, unknown>;
  const first = fields['accumulatedFirstMoment'] as ({ variable: tf.Variable } | undefined)[];
  const second = fields['accumulatedSecondMoment'] as ({ variable: tf.Variable } | undefined)[];
  const beta1 = fields['beta1'] as number;
  const accBeta1 = fields['accBeta1'] as tf.Variable;
  const accBeta2 = fields['accBeta2'] as tf.Variable;
  const excess: tf.Scalar[] = [
    // accβ1 ∈ [0, β1] and accβ2 ∈ [0, 1]: each term is ≤ 0 exactly then.
    tf.maximum(tf.neg(accBeta1), tf.sub(accBeta1, beta1)),
    tf.maximum(tf.neg(accBeta2), tf.sub(accBeta2, 1)),
  ];
  first.forEach((m, i) => {
    const v = second[i];
    if (m === undefined || v === undefined) return;
    excess.push(tf.max(tf.sub(tf.abs(m.variable), tf.mul(tf.sqrt(v.variable), ratio))));
  });
  // A NaN anywhere must fail the check, and tf.max may skip NaN: count it in through a sum.
  const all = tf.stack(excess);
  return tf.add(tf.max(all), tf.mul(tf.sum(all), 0));
}

function sameVariables(a: readonly tf.Variable[], b: readonly tf.Variable[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The name of the first part whose probe value is not finite, or undefined when all are. */
export function firstNonFinite(values: ArrayLike<number>, names: readonly string[], offset = 0): string | undefined {
  for (let i = 0; i < names.length; i++) if (!Number.isFinite(values[offset + i]!)) return names[i];
  return undefined;
}
