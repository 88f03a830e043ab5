/**
 * Typed errors thrown by tfjs-generative. Each names the offending argument and says what was expected and what was
 * received, so that a caller can report it or branch on it without parsing the message.
 * @module
 */

/** Which check an error comes from. */
export type GenerativeErrorKind = 'shape' | 'value' | 'config';

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
 */
export class ShapeError extends GenerativeError {
  /** See {@link GenerativeError}. */
  constructor(argument: string, expected: string, received: string, hint?: string) {
    super('shape', argument, expected, received, hint);
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
 */
export class ValueError extends GenerativeError {
  /** See {@link GenerativeError}. */
  constructor(argument: string, expected: string, received: string, hint?: string) {
    super('value', argument, expected, received, hint);
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
 */
export class ConfigError extends GenerativeError {
  /** See {@link GenerativeError}. */
  constructor(argument: string, expected: string, received: string, hint?: string) {
    super('config', argument, expected, received, hint);
  }
}

// Guards check `kind` rather than `instanceof`, so they hold when the ESM and CJS builds are both loaded.
function hasKind(e: unknown, kind?: GenerativeErrorKind): e is GenerativeError {
  if (!(e instanceof Error)) return false;
  const k = (e as Partial<GenerativeError>).kind;
  const known = k === 'shape' || k === 'value' || k === 'config';
  return known && typeof (e as Partial<GenerativeError>).argument === 'string' && (kind === undefined || k === kind);
}

/**
 * Whether `e` is any error of this library.
 *
 * @example
 * ```ts
 * if (isGenerativeError(e)) console.error(e.argument);
 * ```
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
 */
export function isConfigError(e: unknown): e is ConfigError {
  return hasKind(e, 'config');
}
