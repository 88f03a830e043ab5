import type { TrainingHistory } from './callbacks';

/**
 * Gives `error` a non-enumerable `history` property, so the caller keeps the error it would have seen (its class,
 * `kind`, `phase` and `cause`, so guards such as `isStepError` still hold) and learns how far the run got. Only a
 * primitive, or an object that cannot take the property (frozen, sealed), is wrapped: in a plain `Error` whose
 * `cause` is the original.
 * @internal
 */
export function attachHistory(error: unknown, history: TrainingHistory): unknown {
  if ((typeof error === 'object' && error !== null) || typeof error === 'function') {
    // Non-enumerable, so printing the error does not print every step's logs.
    try {
      defineHistory(error, history);
      return error;
    } catch {
      // Frozen, sealed, or a non-configurable `history` of its own: wrapped below.
    }
  }
  const wrapper = new Error(`Training failed: ${describeThrown(error)}`);
  wrapper.cause = error;
  defineHistory(wrapper, history);
  return wrapper;
}

function defineHistory(target: object, history: TrainingHistory): void {
  Object.defineProperty(target, 'history', { value: history, configurable: true, writable: true, enumerable: false });
}

function describeThrown(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return String(error);
  } catch {
    return typeof error;
  }
}

/**
 * The partial history a rejected {@link Trainer.fit} attached to its error: the logs of every step that completed
 * before the failure, the epochs so far (the last one partial), and the position to resume from, which points at the
 * step that failed. `undefined` for an error that did not come out of a `fit` run (including an options error, thrown
 * before any step).
 *
 * The error is the one `trainStep`, a callback or the data threw, unchanged but for a non-enumerable `history`
 * property, so `isStepError(e)`, `instanceof` and `e.cause` work as before. Only a thrown primitive (`throw 'x'`) or a
 * frozen object is wrapped, in a plain `Error` whose `cause` is what was thrown. When `fit` calls run inside one
 * another, the error carries the history of the outermost one it passed through.
 *
 * @param error - what `fit` rejected with
 * @returns the run's history up to the failure, or `undefined`
 *
 * @example
 * ```ts
 * let resumeFrom: TrainerPosition | undefined;
 * try {
 *   await trainer.fit(images, { batchSize: 64, steps: 5000, seed: 1 });
 * } catch (e) {
 *   const history = trainingHistoryOf(e);
 *   console.error(`failed after ${history?.steps.length} steps`, isStepError(e) ? e.phase : e);
 *   if (history) resumeFrom = history.position; // retry the failed step later
 * }
 * ```
 * @group Training
 */
export function trainingHistoryOf(error: unknown): TrainingHistory | undefined {
  if ((typeof error !== 'object' || error === null) && typeof error !== 'function') return undefined;
  const history = (error as { history?: unknown }).history;
  if (typeof history !== 'object' || history === null) return undefined;
  const h = history as Partial<TrainingHistory>;
  const looksRight = Array.isArray(h.steps) && Array.isArray(h.epochs) && typeof h.stopped === 'boolean';
  return looksRight && typeof h.position === 'object' ? (history as TrainingHistory) : undefined;
}
