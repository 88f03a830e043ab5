/**
 * A tiny typed flag parser for the examples, on `node:util`'s `parseArgs`. A spec object declares each flag once; the
 * parsed values come back typed (numbers as numbers, choices as their string union), `--help` prints the usage and
 * exits 0, and a bad flag prints one clear line and exits 2.
 */

import { parseArgs } from 'node:util';

/** A numeric flag, `--steps 1500` or `--steps=1500`. */
export interface NumberFlag {
  readonly type: 'number';
  readonly default: number;
  readonly description: string;
  /** Reject non-integers. */
  readonly integer?: boolean;
  /** Inclusive lower bound. */
  readonly min?: number;
  /** Inclusive upper bound. */
  readonly max?: number;
}

/** A free-form string flag, `--out out/gan-mnist.png`. */
export interface StringFlag {
  readonly type: 'string';
  readonly default: string;
  readonly description: string;
}

/** A flag that takes one of a fixed set of values, `--backend wasm`. */
export interface ChoiceFlag<C extends string = string> {
  readonly type: 'choice';
  readonly choices: readonly C[];
  readonly default: C;
  readonly description: string;
}

/** An on/off switch, `--verbose`; `false` unless given. */
export interface BooleanFlag {
  readonly type: 'boolean';
  readonly description: string;
}

export type FlagSpec = NumberFlag | StringFlag | ChoiceFlag | BooleanFlag;

/** Flags by camelCase name; `batchSize` is written `--batch-size` on the command line. */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** The parsed values of `S`, typed from the spec. */
export type FlagValues<S extends FlagSpecs> = {
  -readonly [K in keyof S]: S[K] extends ChoiceFlag<infer C>
    ? C
    : S[K] extends NumberFlag
      ? number
      : S[K] extends BooleanFlag
        ? boolean
        : string;
};

/** How the usage text presents the program. */
export interface CliInfo {
  /** One or two sentences on what the program does, printed first by `--help`. */
  readonly description?: string;
  /** How to invoke it, e.g. `npm run example --`; default `tsx <script>`. */
  readonly command?: string;
  /** The arguments to parse; default `process.argv.slice(2)`. */
  readonly argv?: readonly string[];
}

/** A command-line mistake; its message is meant for the user as it stands. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Parses the command line against `specs`. On `--help` / `-h` prints the usage to stdout and exits 0; on an unknown
 * flag, a stray argument or a bad value prints the problem to stderr and exits 2.
 *
 * @example
 * ```ts
 * const flags = parseFlags(
 *   {
 *     backend: { type: 'choice', choices: ['cpu', 'wasm'], default: 'wasm', description: 'tfjs backend' },
 *     steps: { type: 'number', integer: true, min: 1, default: 1500, description: 'training steps' },
 *     out: { type: 'string', default: 'out/gan-mnist.png', description: 'where to write the PNG' },
 *   },
 *   { description: 'Trains a GAN on MNIST.', command: 'npm run example --' },
 * );
 * flags.backend; // 'cpu' | 'wasm'
 * flags.steps; // number
 * ```
 */
export function parseFlags<const S extends FlagSpecs>(specs: S, info: CliInfo = {}): FlagValues<S> {
  const argv = info.argv ?? process.argv.slice(2);
  try {
    const result = parseFlagsOrThrow(specs, argv);
    if (result === 'help') {
      process.stdout.write(formatUsage(specs, info));
      process.exit(0);
    }
    return result;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`error: ${e.message}\nRun with --help to see the flags.\n`);
    process.exit(2);
  }
}

/**
 * The testable core of {@link parseFlags}: returns the values, or `'help'` when `--help` / `-h` was given, and throws
 * a {@link UsageError} instead of exiting.
 */
export function parseFlagsOrThrow<const S extends FlagSpecs>(
  specs: S,
  argv: readonly string[],
): FlagValues<S> | 'help' {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [key, spec] of Object.entries(specs)) {
    options[flagName(key)] = { type: spec.type === 'boolean' ? 'boolean' : 'string' };
  }
  let parsed: Record<string, string | boolean | undefined>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as typeof parsed;
  } catch (e) {
    // parseArgs' messages ("Unknown option '--stpes'", "Option '--steps <value>' argument missing") read well as-is.
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  if (parsed['help'] === true) return 'help';

  const values: Record<string, string | number | boolean> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const raw = parsed[flagName(key)];
    values[key] = raw === undefined ? defaultOf(spec) : convert(`--${flagName(key)}`, spec, raw);
  }
  return values as FlagValues<S>;
}

/** The `--help` text: description, usage line, and one line per flag with its default. */
export function formatUsage(specs: FlagSpecs, info: CliInfo = {}): string {
  const command = info.command ?? `tsx ${process.argv[1] ?? '<script>'}`;
  const rows: [string, string][] = Object.entries(specs).map(([key, spec]) => {
    const name = `--${flagName(key)}`;
    switch (spec.type) {
      case 'boolean':
        return [name, spec.description];
      case 'choice':
        return [`${name} <${spec.choices.join('|')}>`, `${spec.description} (default: ${spec.default})`];
      case 'number':
        return [`${name} <n>`, `${spec.description} (default: ${spec.default})`];
      case 'string':
        return [`${name} <value>`, spec.default === '' ? spec.description : `${spec.description} (default: ${spec.default})`];
    }
  });
  rows.push(['--help, -h', 'show this help and exit']);
  const width = Math.max(...rows.map(([left]) => left.length));
  const lines = rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
  const head = info.description === undefined ? '' : `${info.description}\n\n`;
  return `${head}Usage: ${command} [flags]\n\nFlags:\n${lines.join('\n')}\n`;
}

function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function defaultOf(spec: FlagSpec): string | number | boolean {
  return spec.type === 'boolean' ? false : spec.default;
}

function convert(name: string, spec: FlagSpec, raw: string | boolean): string | number | boolean {
  if (spec.type === 'boolean' || typeof raw === 'boolean') return raw;
  if (spec.type === 'string') return raw;
  if (spec.type === 'choice') {
    if (!spec.choices.includes(raw)) {
      throw new UsageError(`${name} must be one of ${spec.choices.join(', ')}; received "${raw}".`);
    }
    return raw;
  }
  const value = raw.trim() === '' ? NaN : Number(raw);
  const integer = spec.integer === true;
  const bounds = [
    spec.min === undefined ? '' : ` >= ${spec.min}`,
    spec.max === undefined ? '' : `${spec.min === undefined ? '' : ' and'} <= ${spec.max}`,
  ].join('');
  const ok =
    Number.isFinite(value) &&
    (!integer || Number.isInteger(value)) &&
    (spec.min === undefined || value >= spec.min) &&
    (spec.max === undefined || value <= spec.max);
  if (!ok) throw new UsageError(`${name} must be ${integer ? 'an integer' : 'a number'}${bounds}; received "${raw}".`);
  return value;
}
