/**
 * Shared pieces of the fuzz tier (tests/fuzz): seeded fast-check parameters, arbitraries of ill-typed values and of
 * tensors (described as plain data, made inside each run and freed after it), and `probe`, which runs one call of
 * the public API and checks the properties every call must keep whatever its input:
 *
 * - (a) no untyped error: whatever it throws is a library error (`isGenerativeError`) whose `argument` names one of
 *   the call's arguments (or `this`, the model);
 * - (d) the caller's tensors untouched: every live input tensor is still live, with the same bytes, after the call;
 * - (e) no leak: the live-tensor count grows by exactly the tensors the call returned (which `probe` then frees), and
 *   no gradient tape is left open.
 *
 * Property (b), no NaN from finite in-domain input, and (c), a model's state byte-identical after a rejected call,
 * are checked by the files that know the domain and the model.
 *
 * Seeds: every property runs with `FC_SEED` (default {@link DEFAULT_SEED}) plus a fixed per-property salt, so one
 * environment variable replays a whole run; a failure's message ends with the `FC_SEED` to replay it, after
 * fast-check's own seed, path and shrunk counterexample. `FC_RUNS` scales every property's run count (e.g. 10 for a
 * deeper local run). `FUZZ_LOG=file` appends one line per probed call (label and outcome), to see what a run reached.
 */

import { appendFileSync } from 'node:fs';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { isGenerativeError } from '../../src';

/** The seed of a CI run unless `FC_SEED` says otherwise. */
export const DEFAULT_SEED = 20_250_917;

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, not ${JSON.stringify(raw)}`);
  return value;
}

/** The base seed of this run. */
export const BASE_SEED = Math.trunc(envNumber('FC_SEED', DEFAULT_SEED));
const RUN_SCALE = envNumber('FC_RUNS', 1);

/**
 * Runs a fast-check property with `runs` cases (times `FC_RUNS`), seeded by `FC_SEED` plus `salt`, and adds the
 * replay instruction to a failure's message. Returns the number of cases run, for the per-file totals.
 */
export async function fuzz<Ts>(
  salt: number,
  runs: number,
  property: fc.IAsyncPropertyWithHooks<Ts> | fc.IPropertyWithHooks<Ts>,
): Promise<number> {
  const numRuns = Math.max(1, Math.round(runs * RUN_SCALE));
  try {
    await fc.assert(property as fc.IAsyncProperty<Ts>, { seed: (BASE_SEED + salt) | 0, numRuns, endOnFailure: true });
  } catch (e) {
    if (e instanceof Error)
      e.message += `\nReplay the whole file with FC_SEED=${BASE_SEED} (this property: salt ${salt}).`;
    throw e;
  }
  return numRuns;
}

// ---------------------------------------------------------------------------------------------------------------
// Ill-typed values
// ---------------------------------------------------------------------------------------------------------------

/**
 * Sizes too large for any typed array (V8 refuses more than 2^32 elements at once, without allocating), so a call
 * that wrongly accepts one fails at once instead of filling the shared machine's memory. Smaller "huge" sizes (2^31
 * and below) are never generated for the same reason.
 */
export const HUGE_SIZES = [2 ** 40, 2 ** 53 - 1, 2 ** 53, 1e300, Number.MAX_VALUE] as const;

/** Numbers at the edges: NaN, infinities, -0, fractions, negatives, denormals and the huge sizes. */
export const edgeNumber = fc.constantFrom(
  NaN,
  Infinity,
  -Infinity,
  -0,
  0,
  -1,
  0.5,
  1.5,
  -2.5,
  1e-46,
  Number.MIN_VALUE,
  -(2 ** 53),
  ...HUGE_SIZES,
);

/** Objects of kinds an API might choke on when describing them: no prototype, class instances, arrays. */
function oddObject(): fc.Arbitrary<unknown> {
  return fc
    .constantFrom<() => unknown>(
      () => Object.create(null) as object,
      () => Object.freeze({}),
      () => [],
      () => [1, 2],
      () => new Date(0),
      () => new Map([[1, 2]]),
      () => new Float32Array(2),
      () => new ArrayBuffer(4),
      () => Promise.resolve(1),
      () => /re/,
      () => new Error('not a library error'),
    )
    .map((make) => make());
}

/**
 * Any ill-typed value: edge numbers, small integers and non-integral doubles (never a size large enough to
 * allocate), strings, booleans, null and undefined, a bigint, a symbol, a function and odd objects.
 */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  edgeNumber,
  fc.integer({ min: -8, max: 8 }),
  fc.double({ noInteger: true }),
  fc.string({ maxLength: 6 }),
  fc.constantFrom('', 'mean', 'none', 'tanh', '1', 'NaN', 'any', '__proto__'),
  fc.constantFrom(undefined, null, true, false),
  fc.constant(10n),
  fc.constant(Symbol('junk')),
  fc.constant(() => 1),
  oddObject(),
);

/** Option keys nobody documents: typos of real ones and prototype names. */
export const unknownKey = fc.oneof(
  fc.constantFrom('reductin', 'seeed', 'latentdim', 'step', 'wieghts', 'constructor', 'toString', 'valueOf'),
  fc.string({ minLength: 1, maxLength: 5 }).map((s) => `x_${s}`),
);

/**
 * An options object: each known key absent, set to one of its `good` values, or set to junk; sometimes an unknown
 * key too; and sometimes not an object at all. The object is frozen, so a call that writes to it throws.
 */
export function options(
  fields: Readonly<Record<string, fc.Arbitrary<unknown>>>,
  { junkRate = 0.3, allowUnknown = true }: { junkRate?: number; allowUnknown?: boolean } = {},
): fc.Arbitrary<unknown> {
  const keys = Object.keys(fields);
  const perKey = keys.map((k) =>
    fc.oneof(
      { weight: 60, arbitrary: fc.constant(ABSENT) },
      { weight: Math.round(100 * (1 - junkRate)), arbitrary: fields[k]! },
      { weight: Math.round(100 * junkRate), arbitrary: junk },
    ),
  );
  const object = fc
    .tuple(
      fc.tuple(...perKey),
      allowUnknown
        ? fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(unknownKey, junk) })
        : fc.constant(null),
    )
    .map(([values, extra]) => {
      const out: Record<string, unknown> = {};
      values.forEach((v, i) => {
        if (v !== ABSENT) out[keys[i]!] = v;
      });
      if (extra !== null) Object.defineProperty(out, extra[0], { value: extra[1], enumerable: true });
      return Object.freeze(out);
    });
  return fc.oneof({ weight: 12, arbitrary: object }, { weight: 1, arbitrary: junk });
}

const ABSENT = Symbol('absent');

// ---------------------------------------------------------------------------------------------------------------
// Tensors, described as data
// ---------------------------------------------------------------------------------------------------------------

export type Fill = 'unit' | 'symmetric' | 'wide' | 'big' | 'extreme' | 'zeros' | 'nan' | 'inf' | 'ninf';
export type Dtype = 'float32' | 'int32' | 'bool' | 'complex64' | 'string';

/** A tensor to make inside a run: shape, dtype, how its values are drawn, and whether it is disposed before use. */
export interface TensorSpec {
  readonly tensor: true;
  readonly shape: readonly number[];
  readonly dtype: Dtype;
  readonly fill: Fill;
  readonly seed: number;
  readonly disposed: boolean;
}

export function isTensorSpec(v: unknown): v is TensorSpec {
  return typeof v === 'object' && v !== null && (v as Partial<TensorSpec>).tensor === true;
}

/** Finite fills: [0, 1], [-1, 1], [-3, 3], ±1e4 and ±3e38 (near float32's largest). */
export const FINITE_FILLS: readonly Fill[] = ['unit', 'symmetric', 'wide', 'big', 'extreme', 'zeros'];

export interface TensorArbOptions {
  /** Shapes to prefer (each given as a candidate half the time); otherwise random shapes of rank 0–4, sizes 0–4. */
  readonly shapes?: readonly (readonly number[])[] | undefined;
  readonly dtypes?: readonly Dtype[] | undefined;
  readonly fills?: readonly Fill[] | undefined;
  /** Chance of a disposed tensor (default 0.05). */
  readonly disposedRate?: number;
}

/**
 * true with probability `p` (to 1%). fast-check's number arbitraries are biased towards their bounds, so
 * `fc.double().map((u) => u < p)` would be true far more often than p.
 */
export function chance(p: number): fc.Arbitrary<boolean> {
  const yes = Math.round(p * 100);
  if (yes <= 0) return fc.constant(false);
  return fc.oneof({ weight: 100 - yes, arbitrary: fc.constant(false) }, { weight: yes, arbitrary: fc.constant(true) });
}

const randomShape = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 });

/** A {@link TensorSpec}: mostly float32 and finite by default; every dtype, NaN, ±Infinity and size 0 possible. */
export function tensorSpec(o: TensorArbOptions = {}): fc.Arbitrary<TensorSpec> {
  const shape =
    o.shapes === undefined || o.shapes.length === 0
      ? randomShape
      : fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...o.shapes.map((s) => [...s])) },
          { weight: 1, arbitrary: randomShape },
        );
  const dtype =
    o.dtypes !== undefined
      ? fc.constantFrom(...o.dtypes)
      : fc.oneof(
          { weight: 12, arbitrary: fc.constant<Dtype>('float32') },
          { weight: 1, arbitrary: fc.constantFrom<Dtype>('int32', 'bool', 'complex64', 'string') },
        );
  const fill =
    o.fills !== undefined
      ? fc.constantFrom(...o.fills)
      : fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom(...FINITE_FILLS) },
          { weight: 1, arbitrary: fc.constantFrom<Fill>('nan', 'inf', 'ninf') },
        );
  const disposedRate = o.disposedRate ?? 0.05;
  const disposed = chance(disposedRate);
  return fc.record({
    tensor: fc.constant(true as const),
    shape,
    dtype,
    fill,
    seed: fc.nat({ max: 1_000_000 }),
    disposed,
  });
}

/** mulberry32: a tiny seeded generator, so a spec always makes the same values (and shrinking stays meaningful). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCALE: Readonly<Record<Fill, readonly [number, number]>> = {
  unit: [0, 1],
  symmetric: [-1, 1],
  wide: [-3, 3],
  big: [-1e4, 1e4],
  extreme: [-3e38, 3e38],
  zeros: [0, 0],
  nan: [-1, 1],
  inf: [-1, 1],
  ninf: [-1, 1],
};

/** The values of a float spec: drawn in the fill's range, with both ends hit, and one NaN/±Infinity if asked. */
export function specValues(spec: Pick<TensorSpec, 'shape' | 'fill' | 'seed'>): Float32Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const next = prng(spec.seed);
  const [lo, hi] = SCALE[spec.fill];
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const u = next();
    values[i] = u < 0.1 ? lo : u > 0.9 ? hi : lo + (hi - lo) * next();
  }
  if (size > 0 && (spec.fill === 'nan' || spec.fill === 'inf' || spec.fill === 'ninf')) {
    values[Math.floor(next() * size)] = spec.fill === 'nan' ? NaN : spec.fill === 'inf' ? Infinity : -Infinity;
  }
  return values;
}

/** Makes the tensor a spec describes (disposed already when it says so). */
export function makeTensor(spec: TensorSpec): tf.Tensor {
  const shape = [...spec.shape];
  const values = specValues(spec);
  let t: tf.Tensor;
  switch (spec.dtype) {
    case 'float32':
      t = tf.tensor(values, shape, 'float32');
      break;
    case 'int32':
      t = tf.tensor(
        Int32Array.from(values, (v) => (Number.isFinite(v) ? Math.max(-1e9, Math.min(1e9, Math.round(v))) : 0)),
        shape,
        'int32',
      );
      break;
    case 'bool':
      t = tf.tensor(
        Uint8Array.from(values, (v) => (v > 0 ? 1 : 0)),
        shape,
        'bool',
      );
      break;
    case 'complex64':
      t = tf.tidy(() => tf.complex(tf.tensor(values, shape), tf.zerosLike(tf.tensor(values, shape))));
      break;
    case 'string':
      t = tf.tensor(
        Array.from(values, (v) => String(v)),
        shape,
        'string',
      );
      break;
  }
  if (spec.disposed) t.dispose();
  return t;
}

/** A plain object: Object.prototype or none (fast-check's records may have a null prototype). */
export function isPlain(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Replaces every {@link TensorSpec} in `value` (at the top level, in arrays, and in plain objects one level down,
 * e.g. loss options' `weights`) with a tensor, which it records in `made`.
 */
export function realize(value: unknown, made: tf.Tensor[]): unknown {
  if (isTensorSpec(value)) {
    const t = makeTensor(value);
    made.push(t);
    return t;
  }
  if (Array.isArray(value)) return Object.freeze(value.map((v) => realize(v, made)));
  // Only objects that hold a spec are rebuilt, so junk such as a null-prototype object reaches the call as it is.
  if (isPlain(value) && Object.values(value).some(isTensorSpec)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      Object.defineProperty(out, key, {
        value: realize((value as Record<string, unknown>)[key], made),
        enumerable: true,
      });
    }
    return Object.freeze(out);
  }
  return value;
}

/** A value or a tensor: the argument of a call that takes a tensor, ill-formed or not. */
export function tensorOrJunk(o: TensorArbOptions = {}, junkWeight = 1): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 8, arbitrary: tensorSpec(o) }, { weight: junkWeight, arbitrary: junk });
}

// ---------------------------------------------------------------------------------------------------------------
// The probe
// ---------------------------------------------------------------------------------------------------------------

/** What a probed call did. */
export interface Outcome {
  /** What it threw or rejected with, or undefined when it returned. */
  readonly error: unknown;
  /** What it returned; returned tensors are disposed by the time `probe` resolves, their values read into `values`. */
  readonly result: unknown;
  /** The values of every tensor it returned, in walk order. */
  readonly values: readonly Float32Array[];
  /** The id of the open finding (KNOWN_UNTYPED) its error matched, if any. */
  readonly known?: string;
}

function describeValue(v: unknown): string {
  try {
    if (v instanceof tf.Tensor) return `Tensor(${v.dtype} [${v.shape.join(', ')}]${v.isDisposed ? ', disposed' : ''})`;
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'symbol' || typeof v === 'function') return String(v);
    return JSON.stringify(v) ?? String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/** Returned tensors: a tensor, or tensors in an array or in a plain object's values (one level). */
function returnedTensors(result: unknown): tf.Tensor[] {
  if (result instanceof tf.Tensor) return [result];
  const items = Array.isArray(result)
    ? result
    : typeof result === 'object' && result !== null
    ? Object.values(result as Record<string, unknown>)
    : [];
  return items.filter((v): v is tf.Tensor => v instanceof tf.Tensor);
}

async function bytesOf(t: tf.Tensor): Promise<Uint8Array | string> {
  if (t.dtype === 'string') return JSON.stringify((await t.data()) as unknown as string[]);
  const data = (await t.data()) as Float32Array | Int32Array | Uint8Array;
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

function sameBytes(a: Uint8Array | string, b: Uint8Array | string): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Findings reported to the lead (see the report) and not fixed yet: an untyped error one of these matches does not
 * fail the property, so the fuzz goes on to find other bugs; each has a regression test marked `it.fails` in
 * tests/fuzz/findings.test.ts. Remove an entry once its fix lands.
 */
export const KNOWN_UNTYPED: readonly {
  readonly id: string;
  readonly matches: (e: unknown, label: string) => boolean;
}[] = [];

/**
 * Open findings whose typed error comes with a leak or a tape left behind: the probe skips those two checks for an
 * error one of these matches, and drops the tape so the next case starts clean. Remove an entry once fixed.
 */
export const KNOWN_LEAKS: readonly { readonly id: string; readonly matches: (e: unknown, label: string) => boolean }[] =
  [];

export interface ProbeOptions {
  /** The caller's tensors the call receives (checked live and unchanged after it). */
  readonly inputs?: readonly tf.Tensor[];
  /**
   * The argument names an error may give, as roots: `options` allows `options`, `options.seed`, `options[0]`. `this`
   * (the model itself) is always allowed; `'*'` allows any non-empty name.
   */
  readonly arguments: readonly string[];
  /**
   * Tensors the call may legitimately create and keep (a constructor, a restore that changes the optimizer's slot
   * count), or `'any'` to leave the count to the caller. Default 0.
   */
  readonly retained?: number | 'any';
  /** `retained` when the call returns normally (a first step creates optimizer slots; a failed one must not). */
  readonly retainedOnSuccess?: number | 'any';
  /** Errors that are documented not to be library errors (an aborted signal's reason). */
  readonly accept?: (e: unknown) => boolean;
  /** A label for failure messages. */
  readonly label: string;
}

/** Whether an error's `argument` starts with one of `roots`, followed by nothing, `.`, `[`, `:` or a space. */
export function namesArgument(argument: unknown, roots: readonly string[]): boolean {
  if (typeof argument !== 'string' || argument === '') return false;
  if (roots.includes('*')) return true;
  return [...roots, 'this'].some(
    (root) => argument === root || (argument.startsWith(root) && /^[.[: ]/.test(argument.slice(root.length))),
  );
}

/**
 * Calls `call` and checks properties (a), (d) and (e) (see the module comment). Throws an Error describing the
 * broken property; otherwise resolves with what happened.
 */
export async function probe(call: () => unknown, o: ProbeOptions): Promise<Outcome> {
  const inputs = (o.inputs ?? []).filter((t) => !t.isDisposed);
  const before = await Promise.all(inputs.map(bytesOf));
  const count = tf.memory().numTensors;
  let error: unknown;
  let result: unknown;
  try {
    result = await call();
  } catch (e) {
    error = e;
  }
  // A result may hand back one of the caller's own tensors (an options object echoed back): that one is not new.
  const returned = error === undefined ? returnedTensors(result).filter((t) => !(o.inputs ?? []).includes(t)) : [];
  const values: Float32Array[] = [];
  try {
    for (const t of returned)
      values.push(t.dtype === 'string' ? new Float32Array() : Float32Array.from(await t.data()));
  } finally {
    tf.dispose(returned);
  }
  if (process.env['FUZZ_LOG']) {
    const what =
      error === undefined
        ? 'ok'
        : isGenerativeError(error)
        ? `${error.kind} ${error.argument} | ${error.message}`
        : `UNTYPED ${String(error)}`;
    appendFileSync(process.env['FUZZ_LOG'], `${o.label}\t${what.slice(0, 160).replace(/\s+/g, ' ')}\n`);
  }
  const retained = error === undefined && o.retainedOnSuccess !== undefined ? o.retainedOnSuccess : o.retained ?? 0;
  const leaked = retained === 'any' ? 0 : tf.memory().numTensors - count - retained;
  const known =
    error === undefined
      ? undefined
      : isGenerativeError(error)
      ? KNOWN_LEAKS.find((k) => k.matches(error, o.label))
      : KNOWN_UNTYPED.find((k) => k.matches(error, o.label));
  const knownLeak = known !== undefined && isGenerativeError(error);
  if (knownLeak) dropTape();
  if (error !== undefined && known === undefined && !(o.accept?.(error) ?? false)) {
    if (!isGenerativeError(error)) {
      const text = error instanceof Error ? `${error.name}: ${error.message}` : describeValue(error);
      const wrapped = new Error(`${o.label}: untyped error (${text})`);
      wrapped.cause = error;
      throw wrapped;
    }
    if (!namesArgument(error.argument, o.arguments)) {
      const names = o.arguments.join(', ');
      throw new Error(
        `${o.label}: error names ${JSON.stringify(error.argument)}, not one of ${names} (${error.message})`,
      );
    }
  }
  if (!knownLeak && tapeOpen()) throw new Error(`${o.label}: a gradient tape was left open`);
  if (!knownLeak && leaked !== 0) {
    throw new Error(
      `${o.label}: ${leaked} tensors leaked (${error === undefined ? 'returned normally' : `threw ${String(error)}`})`,
    );
  }
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i]!;
    if (t.isDisposed) throw new Error(`${o.label}: the caller's input ${i} (${describeValue(t)}) was disposed`);
    if (!sameBytes(before[i]!, await bytesOf(t))) throw new Error(`${o.label}: the caller's input ${i} was changed`);
  }
  return known === undefined ? { error, result, values } : { error, result, values, known: known.id };
}

/**
 * Whether tfjs still has a gradient tape recording, or one holding recorded nodes. An empty tape at depth 0 records
 * nothing (tfjs leaves one behind when a gradient's function throws, and the next gradient starts a new one), and an
 * engine that never ran a gradient has none at all (`undefined`, which tests/helpers/state.ts's `tapeOpen` reads as
 * open).
 */
export function tapeOpen(): boolean {
  const state = (tf.engine() as unknown as { state: { activeTape?: unknown[] | null; gradientDepth: number } }).state;
  return state.gradientDepth !== 0 || (Array.isArray(state.activeTape) && state.activeTape.length > 0);
}

/** Drops a tape left at depth 0 (what tfjs itself does when the next gradient starts), without allocating. */
function dropTape(): void {
  const state = (tf.engine() as unknown as { state: { activeTape?: unknown[] | null; gradientDepth: number } }).state;
  if (state.gradientDepth === 0) state.activeTape = null;
}

/** The first index of a non-finite value in `values`, or -1. */
export function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return i;
  return -1;
}

/** A short text of a value for messages. */
export { describeValue };

// ---------------------------------------------------------------------------------------------------------------
// Saved states, corrupted
// ---------------------------------------------------------------------------------------------------------------

/** One corruption of a state tree: which node (an index into its nodes, wrapped), and what to do to it. */
export interface Mutation {
  readonly pick: number;
  readonly action: 'junk' | 'delete' | 'shorten' | 'retype' | 'nan' | 'edge' | 'negate';
  readonly value: unknown;
}

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  pick: fc.noBias(fc.nat({ max: 10_000 })),
  action: fc.constantFrom('junk', 'delete', 'shorten', 'retype', 'nan', 'edge', 'negate'),
  value: fc.oneof(junk, edgeNumber),
});

type Node = { parent: Record<string | number, unknown> | unknown[] | null; key: string | number; value: unknown };

function nodesOf(root: unknown): Node[] {
  const out: Node[] = [{ parent: null, key: '', value: root }];
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return;
    for (const [key, child] of Object.entries(value)) {
      out.push({
        parent: value as Record<string, unknown>,
        key: Array.isArray(value) ? Number(key) : key,
        value: child,
      });
      visit(child);
    }
  };
  visit(root);
  return out;
}

function replaced(node: Node, m: Mutation): unknown {
  const v = node.value;
  switch (m.action) {
    case 'shorten':
      if (ArrayBuffer.isView(v)) return (v as Float32Array).slice(1);
      if (Array.isArray(v)) return v.slice(1);
      return m.value;
    case 'retype':
      if (v instanceof Float32Array) return Float64Array.from(v);
      if (ArrayBuffer.isView(v)) return Float32Array.from(v as Int32Array);
      if (typeof v === 'number') return String(v);
      if (typeof v === 'string') return v.length;
      return m.value;
    case 'nan':
      if (v instanceof Float32Array || v instanceof Float64Array) {
        const copy = v.slice();
        if (copy.length > 0) copy[m.pick % copy.length] = NaN;
        return copy;
      }
      return NaN;
    case 'edge':
      return typeof m.value === 'number' ? m.value : 1.5;
    case 'negate':
      return typeof v === 'number' ? -v - 1 : m.value;
    default:
      return m.value;
  }
}

/** A deep copy of `state` with the mutations applied in order (node indices wrap around the current tree). */
export function mutate(state: unknown, mutations: readonly Mutation[]): unknown {
  let root = structuredClone(state);
  for (const m of mutations) {
    const nodes = nodesOf(root);
    const node = nodes[m.pick % nodes.length]!;
    if (node.parent === null) {
      root = m.action === 'delete' ? undefined : replaced(node, m);
    } else if (m.action === 'delete') {
      if (Array.isArray(node.parent)) node.parent.splice(node.key as number, 1);
      else delete (node.parent as Record<string, unknown>)[node.key];
    } else {
      (node.parent as Record<string | number, unknown>)[node.key] = replaced(node, m);
    }
  }
  return root;
}
