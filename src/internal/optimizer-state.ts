import * as tf from '@tensorflow/tfjs-core';
import { StateError } from '../errors';
import { describe } from './describe';
import { HeldValue } from './engine';
import { checkTensorState, restoreTensor, tensorState, type TensorState } from './tensor-state';

/*
 * What a tfjs optimizer holds between steps, read off the instance rather than through getWeights/setWeights: those
 * lose bits (Adam's setWeights recomputes β^t with pow instead of the running product), leak the slots they replace,
 * and cannot express "no slot yet". Every optimizer in tfjs-core 4.x keeps its state in three kinds of own field:
 * - scalar variables (Adam's accBeta1/accBeta2, Adamax's iteration),
 * - slot lists, one `{ originalName, variable }` per trained variable, created lazily in varList order,
 * - the JavaScript counter `iterations_`.
 * A subclass that follows the same pattern is covered too.
 */

interface Slot {
  originalName: string;
  variable: tf.Variable;
}

type Fields = Record<string, unknown>;

function isSlotList(value: unknown): value is (Slot | undefined)[] {
  return Array.isArray(value) && value.every((s) => s == null || (s as Partial<Slot>).variable instanceof tf.Variable);
}

interface FieldNames {
  readonly scalars: readonly string[];
  readonly slots: readonly string[];
}

// Which fields hold state, found once per optimizer: tfjs optimizers create every such field in their constructor,
// and the scan (with tfjs's instanceof checks) would otherwise cost more than the rest of a step's snapshot.
const fieldNames = new WeakMap<tf.Optimizer, FieldNames>();

function namesOf(optimizer: tf.Optimizer): FieldNames {
  let names = fieldNames.get(optimizer);
  if (names === undefined) {
    const entries = Object.entries(optimizer as unknown as Fields);
    names = {
      scalars: entries.filter(([, v]) => v instanceof tf.Variable).map(([k]) => k),
      slots: entries.filter(([, v]) => isSlotList(v)).map(([k]) => k),
    };
    fieldNames.set(optimizer, names);
  }
  return names;
}

function scalarVariables(optimizer: tf.Optimizer): [string, tf.Variable][] {
  const fields = optimizer as unknown as Fields;
  return namesOf(optimizer).scalars.map((name) => [name, fields[name] as tf.Variable]);
}

function slotLists(optimizer: tf.Optimizer): [string, (Slot | undefined)[]][] {
  const fields = optimizer as unknown as Fields;
  return namesOf(optimizer).slots.map((name) => [name, fields[name] as (Slot | undefined)[]]);
}

// The suffixes tfjs gives each slot list's variables (`${variable}/m`), kept so getWeights() names restored slots alike.
const SLOT_SUFFIXES: Readonly<Record<string, string>> = {
  accumulatedFirstMoment: 'm',
  accumulatedSecondMoment: 'v',
  accumulatedWeightedInfNorm: 'v',
  accumulatedGrads: 'accumulator',
  accumulatedUpdates: 'accum_var',
  accumulatedMeanSquares: 'rms',
  accumulatedMoments: 'momentum',
  accumulatedMeanGrads: 'mg',
  accumulations: 'momentum',
};

function iterationsOf(optimizer: tf.Optimizer): number {
  const it = (optimizer as unknown as Fields)['iterations_'];
  return typeof it === 'number' ? it : 0;
}

function setIterations(optimizer: tf.Optimizer, iterations: number): void {
  (optimizer as unknown as Fields)['iterations_'] = iterations;
}

/**
 * Gradients as a list in the order of `variables`. Optimizers create their slots in the order they are handed
 * gradients, and a gradient map's key order is not the insertion order when a variable's name looks like an integer
 * (tfjs names unnamed variables by number): passing a list keeps slot `i` with `variables[i]`, which saved states rely on.
 */
export function inOrder(
  variables: readonly tf.Variable[],
  grads: tf.NamedTensorMap,
): { name: string; tensor: tf.Tensor }[] {
  return variables.map((v) => ({ name: v.name, tensor: grads[v.name]! }));
}

/*
 * Slots whose finiteness follows from the updated weights', in tfjs's own optimizer classes (a subclass may update
 * otherwise, so it gets every slot probed). Each is a running average or maximum of the gradient, or a momentum the
 * weight update adds in whole: a non-finite value there comes from a non-finite gradient or makes the update
 * non-finite, and either way the weight it feeds is non-finite too (NaN, ∞ − ∞, ∞/∞ and 0·∞ all reach it). Second
 * moments are left in: a finite gradient whose square overflows float32 leaves them at Infinity while the weight
 * update, divided by that Infinity, stays finite.
 */
const IMPLIED_SLOTS = new Map<object, readonly string[]>([
  [tf.AdamOptimizer.prototype, ['accumulatedFirstMoment']],
  [tf.AdamaxOptimizer.prototype, ['accumulatedFirstMoment', 'accumulatedWeightedInfNorm']],
  [tf.MomentumOptimizer.prototype, ['accumulations']],
  [tf.RMSPropOptimizer.prototype, ['accumulatedMoments', 'accumulatedMeanGrads']],
]);

/**
 * The optimizer state a step's finiteness check reads: its scalar variables, and the slots not implied by the weights
 * (see IMPLIED_SLOTS), each with a name for messages.
 */
export function probedOptimizerState(optimizer: tf.Optimizer): { name: string; variable: tf.Variable }[] {
  const implied = IMPLIED_SLOTS.get(Object.getPrototypeOf(optimizer) as object) ?? [];
  const state = scalarVariables(optimizer).map(([field, variable]) => ({ name: `optimizer ${field}`, variable }));
  for (const [field, slots] of slotLists(optimizer)) {
    if (implied.includes(field)) continue;
    for (const slot of slots) {
      if (slot != null) state.push({ name: `optimizer slot ${slot.originalName} (${field})`, variable: slot.variable });
    }
  }
  return state;
}

/** Every slot variable the optimizer holds, in field then list order. */
export function slotVariables(optimizer: tf.Optimizer): tf.Variable[] {
  return slotLists(optimizer).flatMap(([, slots]) => slots.flatMap((s) => (s == null ? [] : [s.variable])));
}

/** Whether the optimizer's state variables are still alive (a disposed optimizer has freed them). */
export function optimizerIsLive(optimizer: tf.Optimizer): boolean {
  if (scalarVariables(optimizer).some(([, v]) => v.isDisposed)) return false;
  return slotLists(optimizer).every(([, slots]) => slots.every((s) => s == null || !s.variable.isDisposed));
}

/**
 * The optimizer's state as it is now, held without copying, so that a failed step can put it back exactly: values,
 * the iteration count, and which slots existed (slots created by the failed step are freed again).
 */
export class OptimizerSnapshot {
  private readonly iterations: number;
  private readonly scalars: HeldValue[];
  private readonly slots: [string, number, HeldValue[]][];

  constructor(private readonly optimizer: tf.Optimizer) {
    this.iterations = iterationsOf(optimizer);
    this.scalars = scalarVariables(optimizer).map(([, v]) => new HeldValue(v));
    this.slots = slotLists(optimizer).map(([name, list]) => [
      name,
      list.length,
      list.map((s) => new HeldValue(s!.variable)),
    ]);
  }

  /** Puts every value back, drops slots created since, and releases the snapshot. */
  restore(): void {
    setIterations(this.optimizer, this.iterations);
    for (const value of this.scalars) value.restore();
    const fields = this.optimizer as unknown as Fields;
    for (const [name, length, values] of this.slots) {
      for (const value of values) value.restore();
      const list = fields[name] as (Slot | undefined)[];
      for (const extra of list.splice(length)) extra?.variable.dispose();
    }
  }

  /** Releases the snapshot, keeping the optimizer as it is. */
  release(): void {
    for (const value of this.scalars) value.release();
    for (const [, , values] of this.slots) for (const value of values) value.release();
  }
}

/**
 * An optimizer's saved state: plain numbers and typed arrays.
 *
 * @example
 * ```ts
 * const { className, iterations }: OptimizerState = (await vae.getState()).optimizer; // 'Adam', steps taken
 * ```
 * @group Models
 */
export interface OptimizerState {
  /** tfjs's class name, e.g. `Adam`; restoring into another class is refused. */
  readonly className: string;
  /** Steps taken. */
  readonly iterations: number;
  /** Scalar state variables by field name. */
  readonly scalars: Readonly<Record<string, TensorState>>;
  /** Slot lists by field name, one entry per trained variable, in the order the optimizer created them. */
  readonly slots: Readonly<Record<string, readonly TensorState[]>>;
}

/** Checks that `saved` has the fields of an {@link OptimizerState}, before any of them is read. */
function checkOptimizerShape(saved: unknown, path: string): OptimizerState {
  const isRecord = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isRecord(saved))
    throw new StateError(path, 'a saved optimizer { className, iterations, scalars, slots }', describe(saved));
  if (!isRecord(saved['scalars'])) throw new StateError(`${path}.scalars`, 'an object', describe(saved['scalars']));
  const slots = saved['slots'];
  if (!isRecord(slots)) throw new StateError(`${path}.slots`, 'an object', describe(slots));
  for (const [name, list] of Object.entries(slots)) {
    if (!Array.isArray(list)) throw new StateError(`${path}.slots.${name}`, 'an array', describe(list));
  }
  return saved as unknown as OptimizerState;
}

/** Reads the optimizer's state into plain arrays. */
export async function readOptimizerState(optimizer: tf.Optimizer): Promise<OptimizerState> {
  const scalars: Record<string, TensorState> = {};
  for (const [name, v] of scalarVariables(optimizer)) scalars[name] = await tensorState(v);
  const slots: Record<string, TensorState[]> = {};
  for (const [name, list] of slotLists(optimizer)) {
    slots[name] = await Promise.all(list.map((s) => tensorState(s!.variable)));
  }
  return { className: optimizer.getClassName(), iterations: iterationsOf(optimizer), scalars, slots };
}

/**
 * Checks a saved optimizer state against `optimizer` and the variables it trains, without changing anything; returns
 * a function that applies it. Slot `i` of each list belongs to `variables[i]`, the order the model always trains in.
 */
export function prepareOptimizerState(
  optimizer: tf.Optimizer,
  saved: unknown,
  variables: readonly tf.Variable[],
  path: string,
): () => void {
  const state = checkOptimizerShape(saved, path);
  if (state.className !== optimizer.getClassName()) {
    const expected = `'${optimizer.getClassName()}' (the model's optimizer)`;
    throw new StateError(`${path}.className`, expected, describe(state.className));
  }
  if (!Number.isSafeInteger(state.iterations) || state.iterations < 0) {
    throw new StateError(`${path}.iterations`, 'an integer >= 0', describe(state.iterations));
  }
  const scalars = scalarVariables(optimizer);
  const writes: (() => void)[] = [];
  for (const [name, v] of scalars) {
    const saved = state.scalars[name];
    if (saved === undefined) throw new StateError(`${path}.scalars.${name}`, 'a saved value', 'nothing');
    writes.push(restoreTensor(v, saved, `${path}.scalars.${name}`));
  }
  for (const name of Object.keys(state.scalars)) {
    if (!scalars.some(([n]) => n === name)) throw new StateError(`${path}.scalars.${name}`, 'no such field', 'a value');
  }
  const lists = new Map(slotLists(optimizer));
  for (const name of lists.keys()) {
    if (state.slots[name] === undefined) throw new StateError(`${path}.slots.${name}`, 'a saved slot list', 'nothing');
  }
  const slotWrites: string[] = [];
  for (const [name, saved] of Object.entries(state.slots)) {
    if (!lists.has(name)) throw new StateError(`${path}.slots.${name}`, 'no such slot list', 'a list');
    if (saved.length !== 0 && saved.length !== variables.length) {
      const expected = `0 or ${variables.length} slots (one per trained variable)`;
      throw new StateError(`${path}.slots.${name}`, expected, String(saved.length));
    }
    // Shapes are checked against the variable each slot belongs to, so a state from another architecture fails here.
    saved.forEach((s, i) => checkTensorState(s, variables[i]!.shape, 'float32', `${path}.slots.${name}[${i}]`));
    slotWrites.push(name);
  }
  return () => {
    setIterations(optimizer, state.iterations);
    for (const write of writes) write();
    const fields = optimizer as unknown as Fields;
    for (const name of slotWrites) {
      const list = fields[name] as (Slot | undefined)[];
      const suffix = SLOT_SUFFIXES[name] ?? name;
      for (const old of list.splice(0)) old?.variable.dispose();
      state.slots[name]!.forEach((s, i) => {
        const value = tf.tensor(s.values, [...s.shape], s.dtype);
        list.push({ originalName: `${variables[i]!.name}/${suffix}`, variable: tf.variable(value, false) });
        value.dispose();
      });
    }
  };
}
