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

/**
 * A factory's {@link ConfigError} from a default network a model builds out of its own config, renamed to the config
 * field the caller set: `new GAN({ latentDim: 2 ** 40 })` names `config.latentDim`, not the factory's
 * `options.latentDim`, which the caller never wrote. Anything else is returned as it is.
 *
 * @param fields - factory option → config field, e.g. `{ 'options.latentDim': 'config.latentDim' }`
 */
export function inConfigTerms(error: unknown, fields: Readonly<Record<string, string>>): unknown {
  if (!(error instanceof ConfigError)) return error;
  const root = /^[^[]*/.exec(error.argument)![0];
  const field = fields[root];
  if (field === undefined) return error;
  const stated = `${error.argument}: expected ${error.expected}, received ${error.received}.`;
  const hint = error.message.startsWith(stated) ? error.message.slice(stated.length).trim() : '';
  const argument = field + error.argument.slice(root.length);
  return new ConfigError(argument, error.expected, error.received, hint === '' ? undefined : hint);
}
