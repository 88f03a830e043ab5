import { StateError } from '../errors';
import { describe } from '../internal/shapes';

/**
 * The format version of {@link TrainerPosition}; `fit` refuses a `resumeFrom` of another version with a
 * {@link StateError}.
 *
 * @example
 * ```ts
 * const saved = JSON.parse(localStorage.getItem('position') ?? 'null') as TrainerPosition | null;
 * const resumeFrom = saved?.version === TRAINER_POSITION_VERSION ? saved : undefined; // else start afresh
 * ```
 * @group Training
 */
export const TRAINER_POSITION_VERSION = 1;

/**
 * Where a {@link Trainer} run stands, as a plain object of numbers: enough to resume it exactly with
 * `fit(data, { ...sameOptions, resumeFrom: position })`. It always describes the next step to run, so it matches the
 * model's state at the moment it is read: in `onStepBegin` the step has not run yet, in `onStepEnd` it has.
 *
 * Read it from `ctx.position` in any callback, from `history.position` once `fit` resolves, or from
 * `error.history.position` when it rejects. It holds no tensor and no reference, so it can be stored as it is (e.g.
 * next to the model's state in a checkpoint).
 *
 * @example
 * ```ts
 * // Save every 100 steps, alongside the model's own state.
 * let bytes: ArrayBuffer | undefined;
 * const checkpoint: TrainerCallbacks = {
 *   async onStepEnd(_step, _logs, ctx) {
 *     if (ctx.position.step % 100 === 0) bytes = encodeState({ model: await gan.getState(), trainer: ctx.position });
 *   },
 * };
 * // Later, after restoring the model: the same options, plus where to carry on.
 * const saved = decodeState<{ model: GANState; trainer: TrainerPosition }>(bytes!);
 * gan.setState(saved.model);
 * await new Trainer(gan).fit(images, { batchSize: 64, steps: 5000, seed: 1, resumeFrom: saved.trainer });
 * ```
 * @group Training
 */
export interface TrainerPosition {
  /** Format version, {@link TRAINER_POSITION_VERSION} (1). */
  readonly version: number;
  /** Steps completed since the first run began, which is also the global index of the next step. */
  readonly step: number;
  /** The epoch the next step belongs to (0-based). */
  readonly epoch: number;
  /**
   * Batches of that epoch already trained. After an epoch's last batch the position moves on to `{ epoch: epoch + 1,
   * batch: 0 }` when the Trainer knows the epoch is over (always for tensor data; for iterable data once the iterator
   * has reported its end).
   */
  readonly batch: number;
  /** The shuffle seed: `options.seed`, or the seed the Trainer drew when none was given. */
  readonly seed: number;
  /** How many numbers the shuffle's seed stream had drawn when this epoch began (0 without shuffling). */
  readonly draws: number;
}

const FIELDS = ['version', 'step', 'epoch', 'batch', 'seed', 'draws'] as const;

/**
 * The position of a fresh run with shuffle seed `seed`.
 * @internal
 */
export function initialPosition(seed: number): TrainerPosition {
  return { version: TRAINER_POSITION_VERSION, step: 0, epoch: 0, batch: 0, seed, draws: 0 };
}

/**
 * Checks that `value` is a well-formed position: the right version, exactly the known fields, and every count a safe
 * integer >= 0 (the seed any safe integer). Throws a {@link StateError} naming the field; returns a copy.
 * @internal
 */
export function checkPosition(value: unknown, argument: string): TrainerPosition {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StateError(argument, 'a TrainerPosition object', describe(value));
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!(FIELDS as readonly string[]).includes(key)) {
      throw new StateError(`${argument}.${key}`, `a TrainerPosition field (${FIELDS.join(', ')})`, 'an unknown field');
    }
  }
  if (record.version !== TRAINER_POSITION_VERSION) {
    const hint = 'It was saved by another version of tfjs-generative.';
    throw new StateError(`${argument}.version`, String(TRAINER_POSITION_VERSION), describe(record.version), hint);
  }
  for (const key of FIELDS) {
    const n = record[key];
    const ok = typeof n === 'number' && Number.isSafeInteger(n) && (key === 'seed' || n >= 0);
    if (!ok) {
      const expected = key === 'seed' ? 'a safe integer' : 'a safe integer >= 0';
      throw new StateError(`${argument}.${key}`, expected, n === undefined ? 'nothing (missing)' : describe(n));
    }
  }
  const position = record as unknown as TrainerPosition;
  if (position.batch > position.step) {
    const expected = `at most step (${position.step}): every batch trained is a step`;
    throw new StateError(`${argument}.batch`, expected, String(position.batch));
  }
  return { ...position };
}
