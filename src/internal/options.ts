import { ConfigError } from '../errors';
import { describe } from './shapes';

/**
 * Checks that `value` is a plain options object whose keys are all in `known`, so a typo such as
 * `{ step: 1 }` for `{ steps: 1 }` is an error naming the field instead of a silently ignored option.
 *
 * @param value - the caller's object (not modified)
 * @param known - the field names the object may have
 * @param argument - its path as the caller wrote it, e.g. `config.updates` or `options`
 * @param typeName - the documented type, for the message, e.g. `GANUpdates`
 */
export function assertOptions<T>(
  value: T,
  known: readonly string[],
  argument: string,
  typeName: string,
): asserts value is T & Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(argument, `an object (${typeName})`, describe(value));
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new ConfigError(
        `${argument}.${key}`,
        `a known ${typeName} field (${known.join(', ')})`,
        'an unknown field',
      );
    }
  }
}
