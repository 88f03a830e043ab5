import fc from 'fast-check';
import type { StateTree } from '../../src/state';

const TYPED = ['Float32Array', 'Int32Array', 'Uint8Array', 'Float64Array'];

const tag = (v: unknown): string => Object.prototype.toString.call(v).slice(8, -1);

/**
 * The path of the first difference between two trees, or undefined when `b` is an exact copy of `a`: numbers compared
 * with Object.is (so -0 and NaN count), typed arrays by kind and bytes, objects by their keys in order, and `b`'s
 * objects and arrays plain (Object.prototype, Array.prototype).
 */
export function firstDifference(a: unknown, b: unknown, path = 'state'): string | undefined {
  if (typeof a !== 'object' || a === null) return Object.is(a, b) ? undefined : `${path}: ${String(a)} vs ${String(b)}`;
  if (typeof b !== 'object' || b === null) return `${path}: object vs ${String(b)}`;
  if (TYPED.includes(tag(a))) {
    if (tag(a) !== tag(b) || Object.getPrototypeOf(b) !== (globalThis as Record<string, any>)[tag(a)].prototype) {
      return `${path}: ${tag(a)} vs ${tag(b)}`;
    }
    const x = a as Uint8Array;
    const y = b as Uint8Array;
    const xb = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
    const yb = new Uint8Array(y.buffer, y.byteOffset, y.byteLength);
    if (xb.length !== yb.length) return `${path}: ${xb.length} vs ${yb.length} bytes`;
    for (let i = 0; i < xb.length; i++) if (xb[i] !== yb[i]) return `${path}: byte ${i} differs`;
    return undefined;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || Object.getPrototypeOf(b) !== Array.prototype) return `${path}: array vs ${tag(b)}`;
    if (a.length !== b.length) return `${path}: length ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (Array.isArray(b) || Object.getPrototypeOf(b) !== Object.prototype) return `${path}: object vs ${tag(b)}`;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (JSON.stringify(ka) !== JSON.stringify(kb)) return `${path}: keys ${JSON.stringify(ka)} vs ${JSON.stringify(kb)}`;
  for (const k of ka) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d !== undefined) return d;
  }
  return undefined;
}

/** Random state trees: every leaf kind, keys that collide with the format's tags and with `__proto__`. */
export const stateTree: fc.Arbitrary<StateTree> = fc.letrec<{ tree: StateTree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.double(),
    fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, Number.MIN_VALUE, -Number.MAX_VALUE, 2 ** 53 + 2),
    fc.string({ unit: 'binary' }),
    fc.boolean(),
    fc.constant(null),
    fc.float32Array({ maxLength: 9 }),
    fc.float64Array({ maxLength: 9 }),
    fc.int32Array({ maxLength: 9 }),
    fc.uint8Array({ maxLength: 9 }),
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom('$', '__proto__', 'constructor', 'entries', '0')),
      tie('tree'),
      { maxKeys: 4 },
    ),
  ),
})).tree;

/** fast-check options: seeded (FC_SEED overrides), with the seed in the failure message. */
export function fcOptions(numRuns: number): fc.Parameters<unknown> {
  const seed = process.env['FC_SEED'] === undefined ? 20240917 : Number(process.env['FC_SEED']);
  return { seed, numRuns, verbose: 1 };
}

/** A small state with every kind of value, for the corruption sweeps. */
export function sampleState(): StateTree {
  return {
    format: 'tfjs-generative/test',
    version: 1,
    special: [NaN, Infinity, -Infinity, -0, 5e-324, 1.5],
    flags: { on: true, off: false, none: null, $: 'dollar' },
    weights: [
      { shape: [2, 3], dtype: 'float32', values: new Float32Array([0.5, -0, NaN, 1e-45, -3.25, Infinity]) },
      { shape: [3], dtype: 'int32', values: new Int32Array([-1, 2 ** 31 - 1, -(2 ** 31)]) },
    ],
    mask: new Uint8Array([0, 255, 7]),
    seeds: new Float64Array([2 ** 53 - 1, -0, 4.9e-324]),
  };
}
