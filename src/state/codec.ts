import { StateError } from '../errors';
import { ELEMENT_BYTES, readLittleEndian, typedArrayName, writeLittleEndian, type StateTypedArray } from './bytes';
import { crc32 } from './crc32';
import { describe } from '../internal/describe';
import { expectKeys, headerToTree, isIndex, treeToHeader, type StateTree } from './tree';

// Layout of an encoded state (all integers little-endian):
//   offset    bytes  field
//   0         8      magic 89 54 47 53 0D 0A 1A 0A ("\x89TGS\r\n\x1a\n": PNG's trick, so 7-bit or newline-converting
//                    transports corrupt it visibly)
//   8         4      format version, uint32 (1)
//   12        4      header length H, uint32
//   16        8      blob length L, uint64
//   24        H      header: UTF-8 JSON {"tree": node}, typed arrays as {"$": kind, "byteOffset": o, "length": n}
//   24+H      0..7   zero padding, so the blob starts at B, a multiple of 8
//   B         L      blob: each typed array's elements at B + o, o a multiple of 8, with zero padding between
//   B+L       4      CRC-32 of bytes [0, B+L)
const MAGIC: readonly number[] = [0x89, 0x54, 0x47, 0x53, 0x0d, 0x0a, 0x1a, 0x0a];
const VERSION = 1;
const PREFIX_BYTES = 24;
const CRC_BYTES = 4;
const ALIGN = 8;
const UINT32_LIMIT = 2 ** 32;

const align = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/**
 * Encodes a state tree as one self-checking `ArrayBuffer`: a versioned header that describes the tree, the typed
 * arrays' bytes, and a CRC-32 over everything, so {@link decodeState} detects a corrupt, truncated or foreign buffer.
 * Every number survives exactly (NaN, ±Infinity and -0 included), and every typed array bit for bit. Pure: no I/O, and
 * the same in Node and browsers; store the buffer anywhere (a file, IndexedDB, a fetch body).
 *
 * @param tree - a {@link StateTree}: `null`, booleans, numbers, strings, Float32Array, Int32Array, Uint8Array,
 *   Float64Array, and arrays and plain objects of these, e.g. `{ model: await gan.getState(), trainer: ctx.position }`
 * @returns a new `ArrayBuffer` holding the encoded state
 * @throws {@link StateError} naming the path of the first value it cannot represent (`state.generator.weights[3]`):
 *   `undefined`, functions, symbols, bigints, tensors, class instances, other typed arrays, sparse-array holes, cycles
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 *
 * const bytes = encodeState({ model: await gan.getState(), trainer: ctx.position });
 * await writeFile('ckpt.bin', new Uint8Array(bytes));
 * ```
 * @group Utilities
 */
export function encodeState(tree: unknown): ArrayBuffer {
  const arrays: { array: StateTypedArray; byteOffset: number }[] = [];
  let blobBytes = 0;
  const node = treeToHeader(tree, (array) => {
    const byteOffset = align(blobBytes);
    arrays.push({ array, byteOffset });
    blobBytes = byteOffset + array.byteLength;
    return { byteOffset, length: array.length };
  });
  const header = new TextEncoder().encode(JSON.stringify({ tree: node }));
  if (header.length >= UINT32_LIMIT) {
    throw new StateError('state', 'a header under 4 GiB', `${header.length} bytes`, 'Store large data in typed arrays.');
  }
  const blobStart = align(PREFIX_BYTES + header.length);
  const total = blobStart + blobBytes + CRC_BYTES;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(total);
  } catch (e) {
    throw new StateError('state', 'a state that fits in one ArrayBuffer', `${total} bytes`, String(e));
  }
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, header.length, true);
  view.setUint32(16, blobBytes % UINT32_LIMIT, true);
  view.setUint32(20, Math.floor(blobBytes / UINT32_LIMIT), true);
  bytes.set(header, PREFIX_BYTES);
  for (const { array, byteOffset } of arrays) writeLittleEndian(array, bytes, blobStart + byteOffset);
  view.setUint32(total - CRC_BYTES, crc32(bytes.subarray(0, total - CRC_BYTES)), true);
  return bytes.buffer;
}

/**
 * Decodes a buffer written by {@link encodeState} into a new state tree. Checks the magic bytes, the format version,
 * the lengths, the CRC-32 and every header entry before it builds anything; the typed arrays it returns are copies,
 * so they never alias `buffer`. The input is only read.
 *
 * The result is typed `T` but not checked against it: `decodeState<GANState>(bytes)` only says what you expect the
 * tree to be. A model's `setState` checks a state it is given (and changes nothing if it does not fit); for any other
 * tree, check it yourself before you rely on its shape.
 *
 * @typeParam T - what you expect the tree to be, e.g. {@link GANState}; unchecked
 * @param buffer - the encoded state, as an `ArrayBuffer` or a `Uint8Array` view of exactly its bytes (a Node
 *   `Buffer` is one)
 * @returns the state tree; plain objects and arrays, typed arrays of the kinds that were encoded
 * @throws {@link StateError} for a buffer that is not a state, of an unknown format version, truncated or with
 *   trailing bytes, with a wrong checksum, or whose header does not parse, has an unknown value kind, or points outside
 *   the blob
 *
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 *
 * const { model, trainer } = decodeState<{ model: GANState; trainer: TrainerPosition }>(await readFile('ckpt.bin'));
 * gan.setState(model); // checks the state against the GAN before it changes anything
 * ```
 * @group Utilities
 */
export function decodeState<T = StateTree>(buffer: ArrayBuffer | Uint8Array): T {
  const bytes = asBytes(buffer);
  const n = bytes.length;
  const first = Array.from(bytes.subarray(0, MAGIC.length));
  if (first.some((b, i) => b !== MAGIC[i])) {
    throw new StateError('buffer', `a tfjs-generative state, starting with the bytes ${hex(MAGIC)}`, `${hex(first)}`);
  }
  if (n < 12) throw truncated(`at least ${PREFIX_BYTES + CRC_BYTES} bytes`, n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, n);
  const version = view.getUint32(8, true);
  if (version !== VERSION) {
    throw new StateError(
      'buffer',
      `state format version ${VERSION}`,
      `version ${version}`,
      version > VERSION ? 'It was written by a newer tfjs-generative; upgrade to read it.' : undefined,
    );
  }
  if (n < PREFIX_BYTES + CRC_BYTES) throw truncated(`at least ${PREFIX_BYTES + CRC_BYTES} bytes`, n);
  const headerBytes = view.getUint32(12, true);
  const blobBytes = view.getUint32(16, true) + view.getUint32(20, true) * UINT32_LIMIT;
  const blobStart = align(PREFIX_BYTES + headerBytes);
  const expected = blobStart + blobBytes + CRC_BYTES;
  if (n < expected) throw truncated(`${expected} bytes, as its length fields say`, n);
  if (n > expected) {
    throw new StateError(
      'buffer',
      `${expected} bytes, as its length fields say`,
      `${n} bytes`,
      'Pass exactly the bytes encodeState returned; the length fields may be corrupt.',
    );
  }
  const stored = view.getUint32(n - CRC_BYTES, true);
  const actual = crc32(bytes.subarray(0, n - CRC_BYTES));
  if (stored !== actual) {
    throw new StateError(
      'buffer',
      `bytes whose CRC-32 is the stored ${hex32(stored)}`,
      `bytes whose CRC-32 is ${hex32(actual)}`,
      'The state is corrupt.',
    );
  }
  const header = parseHeader(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerBytes));
  const blob = bytes.subarray(blobStart, blobStart + blobBytes);
  return headerToTree(header.tree, (ref, kind, path) => {
    expectKeys(ref, ['$', 'byteOffset', 'length'], path, `a ${kind} reference`);
    const { byteOffset, length } = ref;
    const size = ELEMENT_BYTES[kind];
    if (!isIndex(byteOffset) || byteOffset % size !== 0 || !isIndex(length) || byteOffset + length * size > blobBytes) {
      throw new StateError(
        path,
        `a ${kind} reference inside the ${blobBytes}-byte blob, at a multiple of ${size} bytes`,
        `byteOffset ${describe(byteOffset)} and length ${describe(length)}`,
      );
    }
    return readLittleEndian(kind, blob, byteOffset, length);
  }) as T;
}

function asBytes(buffer: unknown): Uint8Array {
  const tag = Object.prototype.toString.call(buffer);
  if (tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]') return new Uint8Array(buffer as ArrayBuffer);
  if (typedArrayName(buffer) === 'Uint8Array') return buffer as Uint8Array;
  throw new StateError('buffer', 'an ArrayBuffer or a Uint8Array', describe(buffer));
}

function parseHeader(bytes: Uint8Array): { tree: unknown } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new StateError('buffer', 'a UTF-8 header', 'bytes that are not UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new StateError('buffer', 'a JSON header', `text that does not parse (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new StateError('buffer', 'a header {"tree": ...}', describe(header));
  }
  const keys = Object.keys(header);
  if (keys.length !== 1 || keys[0] !== 'tree') {
    const received = `a header with the keys ${keys.map((k) => JSON.stringify(k.slice(0, 40))).join(', ') || '(none)'}`;
    throw new StateError('buffer', 'a header {"tree": ...}', received);
  }
  return header as { tree: unknown };
}

function truncated(expected: string, n: number): StateError {
  return new StateError('buffer', expected, `${n} bytes`, 'The state is truncated, or its length fields are corrupt.');
}

function hex(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ') || 'no bytes';
}

function hex32(v: number): string {
  return `0x${v.toString(16).toUpperCase().padStart(8, '0')}`;
}
