import type { io } from '@tensorflow/tfjs-core';
import { StateError } from '../errors';
import { readLittleEndian, writeLittleEndian, type StateTypedArrayKind } from './bytes';
import { crc32 } from './crc32';
import { describe } from '../internal/describe';
import { expectKeys, headerToTree, isIndex, treeToHeader, type StateTree } from './tree';

// The ModelArtifacts form: the JSON header (typed arrays as {"$": kind, "weight": i}) goes in `modelTopology`, the
// typed arrays' little-endian bytes in `weightData`, back to back in tree order as tfjs lays out weights, and
// `weightSpecs[i]` describes array i in tfjs's own terms, so any IO handler stores and returns it unchanged.
const FORMAT = 'tfjs-generative/state';
const VERSION = 1;
const TOPOLOGY_KEYS = ['format', 'formatVersion', 'tree', 'weightDataBytes', 'weightDataCrc32'] as const;

type Spec = io.WeightsManifestEntry;

// Float64Array has no tfjs dtype: its bytes are described as float32 pairs, which keeps every byte size right.
function specFor(name: string, kind: StateTypedArrayKind, length: number): Spec {
  switch (kind) {
    case 'Float32Array':
      return { name, shape: [length], dtype: 'float32' };
    case 'Int32Array':
      return { name, shape: [length], dtype: 'int32' };
    case 'Uint8Array':
      return { name, shape: [length], dtype: 'int32', quantization: { dtype: 'uint8', scale: 1, min: 0 } };
    case 'Float64Array':
      return { name, shape: [length, 2], dtype: 'float32' };
  }
}

/**
 * A state tree as tfjs `ModelArtifacts`, so that any tfjs IO handler can store it: `file://` (tfjs-node),
 * `indexeddb://`, `localstorage://`, `http://`, or one of your own. The typed arrays go to `weightData` and
 * `weightSpecs` (named by their path in the tree), the rest of the tree to `modelTopology` as JSON, with a CRC-32 of
 * the weight data. Read it back with {@link stateFromArtifacts}. These artifacts hold a state, not a network: load them
 * with `handler.load()`, not `tfl.loadLayersModel`.
 *
 * In the `weightSpecs`, a Float32Array is a `float32` weight of shape `[n]`, an Int32Array an `int32` one, a
 * Uint8Array an `int32` one stored as `uint8`, and a Float64Array a `float32` weight of shape `[n, 2]` that holds its
 * raw bytes (tfjs has no float64 dtype).
 *
 * @param tree - a {@link StateTree}, as for {@link encodeState}
 * @returns new artifacts; `weightData` is one `ArrayBuffer`
 * @throws {@link StateError} naming the path of the first value it cannot represent
 *
 * @example
 * ```ts
 * const handler = tf.io.getSaveHandlers('indexeddb://gan-checkpoint')[0]!;
 * await handler.save!(stateToArtifacts({ model: await gan.getState(), trainer: ctx.position }));
 * ```
 * @group Utilities
 */
export function stateToArtifacts(tree: unknown): io.ModelArtifacts {
  const weightSpecs: Spec[] = [];
  const arrays: { array: Parameters<typeof writeLittleEndian>[0]; byteOffset: number }[] = [];
  let bytes = 0;
  const node = treeToHeader(tree, (array, kind, path) => {
    weightSpecs.push(specFor(path, kind, array.length));
    arrays.push({ array, byteOffset: bytes });
    bytes += array.byteLength;
    return { weight: weightSpecs.length - 1 };
  });
  const data = new Uint8Array(bytes);
  for (const { array, byteOffset } of arrays) writeLittleEndian(array, data, byteOffset);
  return {
    modelTopology: {
      format: FORMAT,
      formatVersion: VERSION,
      tree: node,
      weightDataBytes: bytes,
      weightDataCrc32: crc32(data),
    },
    format: FORMAT,
    generatedBy: 'tfjs-generative',
    convertedBy: null,
    weightSpecs,
    weightData: data.buffer,
  };
}

/**
 * The state tree held by artifacts that {@link stateToArtifacts} made, after any IO handler's round trip
 * (`await handler.load()`). Checks the format, its version, the weight specs, the weight data's length and CRC-32,
 * and every reference before it builds anything; the typed arrays it returns are copies.
 *
 * @param artifacts - what `handler.load()` returned
 * @returns the state tree
 * @throws {@link StateError} for artifacts of another format (a tfjs network, say) or version, or whose weight data is
 *   truncated, corrupt or inconsistent with the specs and the tree
 *
 * @example
 * ```ts
 * const state = stateFromArtifacts(await tf.io.getLoadHandlers('indexeddb://gan-checkpoint')[0]!.load!());
 * ```
 * @group Utilities
 */
export function stateFromArtifacts(artifacts: io.ModelArtifacts): StateTree {
  if (artifacts === null || typeof artifacts !== 'object') {
    throw new StateError('artifacts', 'tfjs ModelArtifacts', describe(artifacts));
  }
  const topology = readTopology(artifacts.modelTopology);
  const specs = readSpecs(artifacts.weightSpecs);
  const data = joinWeightData(artifacts.weightData);
  const offsets: number[] = [];
  let specBytes = 0;
  for (const spec of specs) {
    offsets.push(specBytes);
    specBytes += specByteLength(spec);
  }
  if (data.length !== topology.weightDataBytes || specBytes !== topology.weightDataBytes) {
    throw new StateError(
      'artifacts.weightData',
      `${topology.weightDataBytes} bytes, as the topology says`,
      `${data.length} bytes of weight data and ${specBytes} bytes of weight specs`,
      'The stored state is truncated or mixed with another one.',
    );
  }
  const actual = crc32(data);
  if (actual !== topology.weightDataCrc32) {
    throw new StateError(
      'artifacts.weightData',
      `bytes whose CRC-32 is the stored ${topology.weightDataCrc32}`,
      `bytes whose CRC-32 is ${actual}`,
      'The stored state is corrupt.',
    );
  }
  return headerToTree(topology.tree, (ref, kind, path) => {
    expectKeys(ref, ['$', 'weight'], path, `a ${kind} reference`);
    const index = ref['weight'];
    const spec = isIndex(index) ? specs[index] : undefined;
    const length = spec === undefined ? undefined : lengthIfMatches(spec, kind);
    if (spec === undefined || length === undefined) {
      throw new StateError(
        path,
        `the index of a weight spec that describes a ${kind}`,
        spec === undefined ? `weight ${describe(index)} of ${specs.length}` : `weight ${index} ${printSpec(spec)}`,
      );
    }
    return readLittleEndian(kind, data, offsets[index as number]!, length);
  });
}

interface Topology {
  readonly tree: unknown;
  readonly weightDataBytes: number;
  readonly weightDataCrc32: number;
}

function readTopology(topology: unknown): Topology {
  const isObject = topology !== null && typeof topology === 'object' && !Array.isArray(topology);
  const format = isObject ? (topology as Record<string, unknown>)['format'] : undefined;
  if (!isObject || format !== FORMAT) {
    const isNetwork = isObject && 'class_name' in topology;
    throw new StateError(
      'artifacts.modelTopology',
      `a state written by stateToArtifacts (format ${JSON.stringify(FORMAT)})`,
      isNetwork ? 'the topology of a tfjs network' : `format ${describe(format)}`,
      isNetwork ? 'Load a network with tfl.loadLayersModel (tfjs-layers).' : undefined,
    );
  }
  const record = topology as Record<string, unknown>;
  const version = record['formatVersion'];
  if (version !== VERSION) {
    throw new StateError(
      'artifacts.modelTopology.formatVersion',
      `state format version ${VERSION}`,
      describe(version),
      typeof version === 'number' && version > VERSION ? 'It was written by a newer tfjs-generative.' : undefined,
    );
  }
  expectKeys(record, TOPOLOGY_KEYS, 'artifacts.modelTopology', 'a state topology');
  const { weightDataBytes, weightDataCrc32 } = record;
  if (!isIndex(weightDataBytes) || !isIndex(weightDataCrc32) || weightDataCrc32 >= 2 ** 32) {
    throw new StateError(
      'artifacts.modelTopology',
      'a byte count and a CRC-32 of the weight data',
      `${describe(weightDataBytes)} and ${describe(weightDataCrc32)}`,
    );
  }
  return { tree: record['tree'], weightDataBytes, weightDataCrc32 };
}

function readSpecs(specs: unknown): readonly Spec[] {
  if (specs === undefined) return [];
  if (!Array.isArray(specs)) throw new StateError('artifacts.weightSpecs', 'an array of weight specs', describe(specs));
  specs.forEach((spec: unknown, i) => {
    const s = spec as Partial<Spec> | null;
    const ok =
      s !== null &&
      typeof s === 'object' &&
      typeof s.name === 'string' &&
      Array.isArray(s.shape) &&
      s.shape.every(isIndex) &&
      (s.dtype === 'float32' || s.dtype === 'int32');
    if (!ok) {
      throw new StateError(`artifacts.weightSpecs[${i}]`, 'a float32 or int32 weight spec', printSpec(spec));
    }
  });
  return specs as Spec[];
}

/**
 * A weight spec as JSON for an error message. A corrupt store may hold what JSON cannot print (a bigint, a cycle, a
 * getter that throws), and printing it must not replace the StateError with a TypeError.
 */
function printSpec(spec: unknown): string {
  try {
    const text = JSON.stringify(spec, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));
    if (typeof text === 'string') return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    // Described below instead.
  }
  return describe(spec);
}

function specByteLength(spec: Spec): number {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  return count * (spec.quantization?.dtype === 'uint8' ? 1 : 4);
}

// The element count when `spec` describes a `kind` array as stateToArtifacts writes it (names aside), else undefined.
function lengthIfMatches(spec: Spec, kind: StateTypedArrayKind): number | undefined {
  const length = spec.shape[0];
  if (length === undefined) return undefined;
  const expected = specFor(spec.name, kind, length);
  const q = spec.quantization;
  const sameQuantization =
    expected.quantization === undefined
      ? q === undefined
      : q !== undefined && q.dtype === expected.quantization.dtype && q.scale === 1 && q.min === 0;
  const sameShape = spec.shape.length === expected.shape.length && spec.shape.every((d, i) => d === expected.shape[i]);
  return spec.dtype === expected.dtype && sameShape && sameQuantization ? length : undefined;
}

function joinWeightData(data: unknown): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const parts = Array.isArray(data) ? (data as unknown[]) : [data];
  const tag = (p: unknown) => Object.prototype.toString.call(p);
  if (!parts.every((p) => tag(p) === '[object ArrayBuffer]')) {
    throw new StateError('artifacts.weightData', 'an ArrayBuffer or an array of them', describe(data));
  }
  const buffers = parts as ArrayBuffer[];
  if (buffers.length === 1) return new Uint8Array(buffers[0]!);
  const out = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
  let offset = 0;
  for (const b of buffers) {
    out.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return out;
}
