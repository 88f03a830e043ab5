import { ConfigError, ValueError } from '../errors';

// The roots of argument paths that name a field of a configuration or options object.
const CONFIG_ROOTS = new Set(['config', 'options', 'networks', 'args']);

/**
 * The error for an argument outside its domain, by the rule of docs/guides/errors.md: a {@link ConfigError} for a
 * field of a configuration or options object (how the caller asked), a {@link ValueError} for any other argument
 * (what the caller passed: a count, a model, data).
 *
 * @param argument - the argument's path as the caller wrote it: `config.latentDim`, `options.seed`, `n`
 */
export function invalidArgument(
  argument: string,
  expected: string,
  received: string,
  hint?: string,
): ConfigError | ValueError {
  const root = /^[^.[]*/.exec(argument)![0];
  return CONFIG_ROOTS.has(root)
    ? new ConfigError(argument, expected, received, hint)
    : new ValueError(argument, expected, received, hint);
}
