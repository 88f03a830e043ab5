// The tree walk shared by the binary form and the ModelArtifacts form: a state tree becomes a JSON header in which
// each typed array is a reference, and back. JSON alone cannot carry NaN, ±Infinity or -0, nor tell a typed array from
// an object, so those become tagged objects `{ "$": tag, ... }`; a plain object that has a `$` key of its own is
// wrapped as `{ "$": "object", "entries": {...} }`, so no tree collides with a tag.
import { StateError } from '../errors';
import { describe } from '../internal/describe';
import { isStateKind, typedArrayName, type StateTypedArray, type StateTypedArrayKind } from './bytes';

/**
 * A value a state may hold: `null`, a boolean, any number (NaN, ±Infinity and -0 included), a string, a
 * Float32Array, Int32Array, Uint8Array or Float64Array, or an array or plain object of these.
 *
 * @example
 * ```ts
 * const state: StateTree = { step: 12, lossScale: Infinity, weights: [new Float32Array([0.5, -0])] };
 * ```
 * @group Utilities
 */
export type StateTree =
  | null
  | boolean
  | number
  | string
  | StateTypedArray
  | readonly StateTree[]
  | { readonly [key: string]: StateTree };

/** A JSON value. */
export type HeaderNode = null | boolean | number | string | HeaderNode[] | { [key: string]: HeaderNode };

/** Deepest nesting either direction accepts; a model state is a few levels deep. */
export const MAX_DEPTH = 1000;

/** The root's name in error paths. */
export const ROOT = 'state';

const KINDS_EXPECTED =
  'null, a boolean, a number, a string, a Float32Array, Int32Array, Uint8Array or Float64Array, or an array or plain ' +
  'object of these';

const SPECIAL_NUMBERS: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

/** `path.key`, or `path["key"]` when the key is not an identifier. */
export function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Makes the header reference of one typed array (the fields besides `$`). */
export type RefWriter = (array: StateTypedArray, kind: StateTypedArrayKind, path: string) => Record<string, HeaderNode>;

/** Reads the typed array a header reference points to, throwing a StateError when it points nowhere valid. */
export type RefReader = (ref: Readonly<Record<string, unknown>>, kind: StateTypedArrayKind, path: string) => StateTypedArray;

/** The JSON header form of `tree`; each typed array becomes `{ "$": kind, ...writeRef(array) }`, in tree order. */
export function treeToHeader(tree: unknown, writeRef: RefWriter): HeaderNode {
  return encodeNode(tree, ROOT, 0, new Set(), writeRef);
}

function encodeNode(v: unknown, path: string, depth: number, ancestors: Set<object>, writeRef: RefWriter): HeaderNode {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (Number.isFinite(v) && !Object.is(v, -0)) return v;
    return { $: 'number', value: Object.is(v, -0) ? '-0' : String(v) };
  }
  if (typeof v !== 'object') {
    throw new StateError(path, KINDS_EXPECTED, describe(v), v === undefined ? 'Omit the key instead.' : undefined);
  }
  if (depth >= MAX_DEPTH) throw new StateError(path, `nesting at most ${MAX_DEPTH} levels deep`, 'deeper nesting');
  const kind = typedArrayName(v);
  if (kind !== undefined) {
    if (!isStateKind(kind)) {
      throw new StateError(path, KINDS_EXPECTED, `a ${kind}`, 'Copy it into one of the four typed-array kinds.');
    }
    return { $: kind, ...writeRef(v as StateTypedArray, kind, path) };
  }
  if (ancestors.has(v)) throw new StateError(path, KINDS_EXPECTED, 'a reference to an object that contains it (a cycle)');
  ancestors.add(v);
  let node: HeaderNode;
  if (Array.isArray(v)) {
    const items: HeaderNode[] = [];
    for (let i = 0; i < v.length; i++) {
      const itemPath = `${path}[${i}]`;
      if (!(i in v)) throw new StateError(itemPath, KINDS_EXPECTED, 'a hole in a sparse array');
      items.push(encodeNode(v[i], itemPath, depth + 1, ancestors, writeRef));
    }
    node = items;
  } else {
    assertPlainObject(v, path);
    // A null-prototype object takes a `__proto__` key as an ordinary one.
    const entries = Object.create(null) as Record<string, HeaderNode>;
    for (const key of Object.keys(v)) {
      entries[key] = encodeNode((v as Record<string, unknown>)[key], childPath(path, key), depth + 1, ancestors, writeRef);
    }
    node = '$' in entries ? { $: 'object', entries } : entries;
  }
  ancestors.delete(v);
  return node;
}

function assertPlainObject(v: object, path: string): void {
  const proto = Object.getPrototypeOf(v) as object | null;
  // The prototype of a plain object from any realm is that realm's Object.prototype, whose own prototype is null.
  if (proto !== null && Object.getPrototypeOf(proto) !== null) {
    throw new StateError(path, KINDS_EXPECTED, describe(v), hintFor(v));
  }
  if (Object.getOwnPropertySymbols(v).length > 0) {
    throw new StateError(path, KINDS_EXPECTED, 'an object with symbol keys', 'Only string keys are stored.');
  }
}

function isTensorLike(v: object): boolean {
  const t = v as { dataSync?: unknown; shape?: unknown; dtype?: unknown };
  return typeof t.dataSync === 'function' && Array.isArray(t.shape) && typeof t.dtype === 'string';
}

function hintFor(v: object): string | undefined {
  if (isTensorLike(v)) return 'Store `await tensor.data()` (with its shape and dtype) instead.';
  if (v instanceof ArrayBuffer) return 'Wrap it in a Uint8Array.';
  return undefined;
}

/** The state tree a JSON header describes; `readRef` turns each typed-array reference into an array. */
export function headerToTree(node: unknown, readRef: RefReader): StateTree {
  return decodeNode(node, ROOT, 0, readRef);
}

function decodeNode(node: unknown, path: string, depth: number, readRef: RefReader): StateTree {
  if (node === null || typeof node === 'boolean' || typeof node === 'string') return node;
  if (typeof node === 'number') {
    // JSON.parse turns an overflowing literal such as 1e999 into Infinity; the encoder tags non-finite numbers.
    if (!Number.isFinite(node)) throw new StateError(path, 'a finite number in the header', String(node));
    return node;
  }
  if (typeof node !== 'object') throw new StateError(path, 'a JSON value in the header', describe(node));
  if (depth >= MAX_DEPTH) throw new StateError(path, `nesting at most ${MAX_DEPTH} levels deep`, 'deeper nesting');
  if (Array.isArray(node)) return node.map((item, i) => decodeNode(item, `${path}[${i}]`, depth + 1, readRef));
  const record = node as Record<string, unknown>;
  if (!Object.prototype.hasOwnProperty.call(record, '$')) return decodeEntries(record, path, depth, readRef);
  const tag = record['$'];
  if (tag === 'number') {
    expectKeys(record, ['$', 'value'], path, 'a tagged number');
    const value = record['value'];
    if (typeof value !== 'string' || !Object.prototype.hasOwnProperty.call(SPECIAL_NUMBERS, value)) {
      throw new StateError(path, 'a tagged number "NaN", "Infinity", "-Infinity" or "-0"', describe(value));
    }
    return SPECIAL_NUMBERS[value]!;
  }
  if (tag === 'object') {
    expectKeys(record, ['$', 'entries'], path, 'a tagged object');
    const entries = record['entries'];
    if (entries === null || typeof entries !== 'object' || Array.isArray(entries)) {
      throw new StateError(`${path} entries`, 'a JSON object', describe(entries));
    }
    return decodeEntries(entries as Record<string, unknown>, path, depth, readRef);
  }
  if (typeof tag === 'string' && isStateKind(tag)) return readRef(record, tag, path);
  throw new StateError(
    path,
    'a value kind this version reads: number, object, Float32Array, Int32Array, Uint8Array or Float64Array',
    `kind ${typeof tag === 'string' ? JSON.stringify(tag.slice(0, 40)) : describe(tag)}`,
    'The state may come from a newer tfjs-generative.',
  );
}

function decodeEntries(
  entries: Record<string, unknown>,
  path: string,
  depth: number,
  readRef: RefReader,
): { [key: string]: StateTree } {
  const out: { [key: string]: StateTree } = {};
  for (const key of Object.keys(entries)) {
    const value = decodeNode(entries[key], childPath(path, key), depth + 1, readRef);
    // defineProperty, because assigning `__proto__` would replace the prototype instead of adding the key.
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Throws unless `record` has exactly `keys`; `what` names the entry in the message. */
export function expectKeys(
  record: Readonly<Record<string, unknown>>,
  keys: readonly string[],
  path: string,
  what: string,
): void {
  const extra = Object.keys(record).filter((k) => !keys.includes(k));
  const missing = keys.filter((k) => !Object.prototype.hasOwnProperty.call(record, k));
  if (extra.length > 0 || missing.length > 0) {
    const received = [
      ...missing.map((k) => `no ${JSON.stringify(k)}`),
      ...extra.map((k) => `an unknown key ${JSON.stringify(k.slice(0, 40))}`),
    ].join(', ');
    throw new StateError(path, `${what} with the keys ${keys.join(', ')}`, received);
  }
}

/** Whether `v` is an integer in [0, 2^53). */
export function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
