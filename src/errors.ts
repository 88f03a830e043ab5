/**
 * Typed errors thrown by tfjs-generative. Each names the offending argument and says what was expected and what was
 * received, so that a caller can report it or branch on it without parsing the message.
 * @module
 */

import { describe } from './internal/describe';

/**
 * Which check an error comes from: a tensor's shape or dtype (`'shape'`), a value outside its domain (`'value'`), a
 * configuration or option (`'config'`), a training step that failed and was rolled back (`'step'`), a NaN or
 * ±Infinity produced by a step (`'non-finite'`), or a saved state that cannot be restored (`'state'`).
 *
 * @example
 * ```ts
 * const kind: GenerativeErrorKind | undefined = isGenerativeError(e) ? e.kind : undefined;
 * if (kind === 'shape') console.error('check the tensor you passed');
 * ```
 * @group Utilities
 */
export type GenerativeErrorKind = 'shape' | 'value' | 'config' | 'step' | 'non-finite' | 'state';

/**
 * Base class of every error this library throws on bad input.
 *
 * @example
 * ```ts
 * try {
 *   await gan.trainStep(batch);
 * } catch (e) {
 *   if (isGenerativeError(e)) console.error(e.argument, e.expected, e.received);
 * }
 * ```
 * @group Utilities
 */
export class GenerativeError extends Error {
  /** Which check failed. */
  readonly kind: GenerativeErrorKind;
  /** The argument (or config field) at fault, as a path: `realBatch`, `config.latentDim`. */
  readonly argument: string;
  /** What the argument had to be. */
  readonly expected: string;
  /** What it was. */
  readonly received: string;

  /**
   * @param kind - which check failed
   * @param argument - the argument's name as the caller wrote it
   * @param expected - what it had to be
   * @param received - what it was
   * @param hint - an optional sentence on the likely cause
   */
  constructor(kind: GenerativeErrorKind, argument: string, expected: string, received: string, hint?: string) {
    super(`${argument}: expected ${expected}, received ${received}.${hint === undefined ? '' : ` ${hint}`}`);
    // Each library class also sets its name literally: minified bundles rename classes, and `err.name` must survive.
    this.name = new.target.name;
    this.kind = kind;
    this.argument = argument;
    this.expected = expected;
    this.received = received;
  }
}

/**
 * A tensor had the wrong rank, shape or dtype.
 *
 * @example
 * ```ts
 * // realBatch: expected shape [batch>=1, 784], received [64, 28, 28, 1].
 * gan.trainStep(tf.zeros([64, 28, 28, 1])).catch((e) => isShapeError(e));
 * ```
 * @group Utilities
 */
export class ShapeError extends GenerativeError {
  /** See {@link GenerativeError}. */
  constructor(argument: string, expected: string, received: string, hint?: string) {
    super('shape', argument, expected, received, hint);
    this.name = 'ShapeError';
  }
}

/**
 * A tensor or number had a value outside its domain: NaN, ±Infinity, a negative rate.
 *
 * @example
 * ```ts
 * // realBatch: expected finite values, received a tensor containing NaN or ±Infinity.
 * gan.trainStep(tf.fill([64, 784], NaN)).catch((e) => isValueError(e));
 * ```
 * @group Utilities
 */
export class ValueError extends GenerativeError {
  /** See {@link GenerativeError}. */
  constructor(argument: string, expected: string, received: string, hint?: string) {
    super('value', argument, expected, received, hint);
    this.name = 'ValueError';
  }
}

/**
 * A configuration object, or the networks given with it, do not fit together.
 *
 * @example
 * ```ts
 * // config.latentDim: expected an integer >= 1, received 0.
 * try { new GAN({ latentDim: 0 }); } catch (e) { isConfigError(e); }
 * ```
 * @group Utilities
 */
export class ConfigError extends GenerativeError {
  /** See {@link GenerativeError}. */
  constructor(argument: string, expected: string, received: string, hint?: string) {
    super('config', argument, expected, received, hint);
    this.name = 'ConfigError';
  }
}

/**
 * A training step failed part-way (a loss function threw or returned a non-scalar, a network or optimizer was
 * disposed, the backend failed) and was rolled back: every weight, optimizer slot and counter is as before the step.
 * `argument` names the phase that failed; the original error is the `cause`.
 *
 * @example
 * ```ts
 * try { await gan.trainStep(batch); } catch (e) { if (isStepError(e)) console.error(e.phase, e.cause); }
 * ```
 * @group Utilities
 */
export class StepError extends GenerativeError {
  /** The phase that failed, e.g. `discriminator update 2 of 5: loss`. */
  readonly phase: string;

  /**
   * @param phase - the phase that failed
   * @param cause - the error it raised
   */
  constructor(phase: string, cause: unknown) {
    super('step', phase, 'a step that completes', describeCause(cause), 'The step was rolled back; no weight changed.');
    this.name = 'StepError';
    this.phase = phase;
    this.cause = cause;
  }
}

/**
 * What a failed step threw, for {@link StepError}'s `received`. A user's loss may throw anything (a null-prototype
 * object, a symbol, an Error whose message getter throws), and describing it must not replace the StepError.
 */
function describeCause(cause: unknown): string {
  try {
    if (cause instanceof Error) {
      const { name, message } = cause;
      if (typeof name === 'string' && typeof message === 'string') return `${name}: ${message}`;
    }
    return typeof cause === 'string' ? cause : describe(cause);
  } catch {
    return 'a thrown value that cannot be described';
  }
}

/**
 * A training step produced NaN or ±Infinity (in a loss, a gradient or an updated weight) and was rolled back before
 * it reached a weight or an optimizer slot. `argument` names the offending part; `step` is the model's step count.
 * `stopTraining` is true under the `'stop'` policy, and tells the {@link Trainer} to end the run.
 *
 * @example
 * ```ts
 * try { await gan.trainStep(batch); } catch (e) { if (isNonFiniteError(e)) console.error(e.step, e.argument); }
 * ```
 * @group Utilities
 */
export class NonFiniteError extends GenerativeError {
  /** How many steps the model had completed before the failed one. */
  readonly step: number;
  /** True when the model's policy is `'stop'`: the Trainer ends the run instead of rejecting. */
  readonly stopTraining: boolean;

  /**
   * @param part - what was not finite, e.g. `discriminator gradient of dense_Dense2/kernel`
   * @param step - the model's completed steps
   * @param stopTraining - whether the run should end rather than fail
   */
  constructor(part: string, step: number, stopTraining = false) {
    super(
      'non-finite',
      part,
      'finite values',
      'NaN or ±Infinity',
      `Step ${step} was rolled back. Lower the learning rate, check the data's scale, or clip gradients.`,
    );
    this.name = 'NonFiniteError';
    this.step = step;
    this.stopTraining = stopTraining;
  }
}

/**
 * A saved state is corrupt, truncated, of another format version, or does not fit the model it is restored into.
 * Nothing was changed.
 *
 * @example
 * ```ts
 * try {
 *   gan.setState(decodeState<GANState>(bytes));
 * } catch (e) {
 *   if (isStateError(e)) console.error(e.argument, e.expected);
 * }
 * ```
 * @group Utilities
 */
export class StateError extends GenerativeError {
  /** See {@link GenerativeError}. */
  constructor(argument: string, expected: string, received: string, hint?: string) {
    super('state', argument, expected, received, hint);
    this.name = 'StateError';
  }
}

// Guards check `kind` rather than `instanceof`, so they hold when the ESM and CJS builds are both loaded.
function hasKind(e: unknown, kind?: GenerativeErrorKind): e is GenerativeError {
  if (!(e instanceof Error)) return false;
  const k = (e as Partial<GenerativeError>).kind;
  const known = k === 'shape' || k === 'value' || k === 'config' || k === 'step' || k === 'non-finite' || k === 'state';
  return known && typeof (e as Partial<GenerativeError>).argument === 'string' && (kind === undefined || k === kind);
}

/**
 * Whether `e` is any error of this library.
 *
 * @example
 * ```ts
 * if (isGenerativeError(e)) console.error(e.argument);
 * ```
 * @group Utilities
 */
export function isGenerativeError(e: unknown): e is GenerativeError {
  return hasKind(e);
}

/**
 * Whether `e` is a {@link ShapeError}.
 *
 * @example
 * ```ts
 * if (isShapeError(e)) console.error(`${e.argument} should be ${e.expected}`);
 * ```
 * @group Utilities
 */
export function isShapeError(e: unknown): e is ShapeError {
  return hasKind(e, 'shape');
}

/**
 * Whether `e` is a {@link ValueError}.
 *
 * @example
 * ```ts
 * if (isValueError(e)) console.error(`${e.argument} was ${e.received}`);
 * ```
 * @group Utilities
 */
export function isValueError(e: unknown): e is ValueError {
  return hasKind(e, 'value');
}

/**
 * Whether `e` is a {@link ConfigError}.
 *
 * @example
 * ```ts
 * if (isConfigError(e)) console.error(`fix ${e.argument}: ${e.expected}`);
 * ```
 * @group Utilities
 */
export function isConfigError(e: unknown): e is ConfigError {
  return hasKind(e, 'config');
}

/**
 * Whether `e` is a {@link StepError}.
 *
 * @example
 * ```ts
 * if (isStepError(e)) console.error(`${e.phase} failed: ${e.received}`);
 * ```
 * @group Utilities
 */
export function isStepError(e: unknown): e is StepError {
  return hasKind(e, 'step');
}

/**
 * Whether `e` is a {@link NonFiniteError}.
 *
 * @example
 * ```ts
 * if (isNonFiniteError(e)) console.error(`step ${e.step}: ${e.argument} is not finite`);
 * ```
 * @group Utilities
 */
export function isNonFiniteError(e: unknown): e is NonFiniteError {
  return hasKind(e, 'non-finite');
}

/**
 * Whether `e` is a {@link StateError}.
 *
 * @example
 * ```ts
 * if (isStateError(e)) console.error(`cannot restore ${e.argument}: ${e.received}`);
 * ```
 * @group Utilities
 */
export function isStateError(e: unknown): e is StateError {
  return hasKind(e, 'state');
}
