// The typed arrays a state may hold, and their bytes in little-endian order whatever the host's byte order.

/**
 * A typed array a state may hold. Other kinds (Int16Array, Uint8ClampedArray, BigInt64Array, DataView) are rejected:
 * copy them into one of these.
 *
 * @example
 * ```ts
 * const weights: StateTypedArray = (await tf.ones([2, 3]).data()) as Float32Array;
 * ```
 * @group Utilities
 */
export type StateTypedArray = Float32Array | Int32Array | Uint8Array | Float64Array;

/** The class name of a {@link StateTypedArray}, as it is written in an encoded state. */
export type StateTypedArrayKind = 'Float32Array' | 'Int32Array' | 'Uint8Array' | 'Float64Array';

/** Bytes per element of each kind. */
export const ELEMENT_BYTES: Readonly<Record<StateTypedArrayKind, number>> = {
  Float32Array: 4,
  Int32Array: 4,
  Uint8Array: 1,
  Float64Array: 8,
};

/** Whether `name` is one of the four kinds a state may hold. */
export function isStateKind(name: string): name is StateTypedArrayKind {
  return Object.prototype.hasOwnProperty.call(ELEMENT_BYTES, name);
}

let typedArrayTag: ((this: unknown) => string | undefined) | undefined;

/**
 * The class name of a typed array (`'Float32Array'`, `'Int16Array'`, ...), or undefined when `v` is none. It reads
 * the array's internal type, so it holds for arrays from another realm and for subclasses such as Node's Buffer, and a
 * plain object cannot pass itself off as one.
 */
export function typedArrayName(v: unknown): string | undefined {
  if (typedArrayTag === undefined) {
    const typedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
    const get = Object.getOwnPropertyDescriptor(typedArrayPrototype, Symbol.toStringTag)?.get;
    typedArrayTag = get as (this: unknown) => string | undefined;
  }
  return typedArrayTag.call(v);
}

let littleEndianHost: boolean | undefined;

/** Whether this machine stores numbers little-endian (every common one does). */
export function hostIsLittleEndian(): boolean {
  if (littleEndianHost === undefined) littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  return littleEndianHost;
}

/**
 * Writes `array`'s elements into `out` at `offset`, little-endian. On a big-endian host each element goes through a
 * DataView, which may canonicalise NaN payloads; -0 and denormals survive either way.
 */
export function writeLittleEndian(
  array: StateTypedArray,
  out: Uint8Array,
  offset: number,
  littleEndian = hostIsLittleEndian(),
): void {
  if (littleEndian || array.BYTES_PER_ELEMENT === 1) {
    out.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), offset);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset + offset, array.byteLength);
  const n = array.length;
  const kind = typedArrayName(array);
  if (kind === 'Float32Array') for (let i = 0; i < n; i++) view.setFloat32(4 * i, array[i]!, true);
  else if (kind === 'Float64Array') for (let i = 0; i < n; i++) view.setFloat64(8 * i, array[i]!, true);
  else for (let i = 0; i < n; i++) view.setInt32(4 * i, array[i]!, true);
}

/** A new typed array of `kind` holding `length` little-endian elements read from `bytes` at `offset` (a copy). */
export function readLittleEndian(
  kind: StateTypedArrayKind,
  bytes: Uint8Array,
  offset: number,
  length: number,
  littleEndian = hostIsLittleEndian(),
): StateTypedArray {
  const out = createTypedArray(kind, length);
  const byteLength = length * ELEMENT_BYTES[kind];
  if (littleEndian || kind === 'Uint8Array') {
    new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + byteLength));
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, byteLength);
  if (kind === 'Float32Array') for (let i = 0; i < length; i++) out[i] = view.getFloat32(4 * i, true);
  else if (kind === 'Float64Array') for (let i = 0; i < length; i++) out[i] = view.getFloat64(8 * i, true);
  else for (let i = 0; i < length; i++) out[i] = view.getInt32(4 * i, true);
  return out;
}

function createTypedArray(kind: StateTypedArrayKind, length: number): StateTypedArray {
  switch (kind) {
    case 'Float32Array':
      return new Float32Array(length);
    case 'Int32Array':
      return new Int32Array(length);
    case 'Uint8Array':
      return new Uint8Array(length);
    case 'Float64Array':
      return new Float64Array(length);
  }
}
