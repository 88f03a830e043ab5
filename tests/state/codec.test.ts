import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStateError } from '../../src/errors';
import { decodeState, encodeState } from '../../src/state';
import { readLittleEndian, writeLittleEndian } from '../../src/state/bytes';
import { crc32 } from '../../src/state/crc32';
import { caught } from '../helpers/errors';
import { expectNoLeak } from '../helpers/memory';
import { fcOptions, firstDifference, sampleState, stateTree } from './trees';

const MAGIC = [0x89, 0x54, 0x47, 0x53, 0x0d, 0x0a, 0x1a, 0x0a];

/** An encoded state with the given header and blob and a correct checksum, laid out as the format says. */
function build(header: string | Uint8Array, blob = new Uint8Array(0), version = 1): Uint8Array {
  const h = typeof header === 'string' ? new TextEncoder().encode(header) : header;
  const blobStart = Math.ceil((24 + h.length) / 8) * 8;
  const total = blobStart + blob.length + 4;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(MAGIC);
  view.setUint32(8, version, true);
  view.setUint32(12, h.length, true);
  view.setUint32(16, blob.length, true);
  out.set(h, 24);
  out.set(blob, blobStart);
  view.setUint32(total - 4, crc32(out.subarray(0, total - 4)), true);
  return out;
}

const roundTrip = (tree: unknown) => decodeState(encodeState(tree));

function expectExact(tree: unknown): void {
  expect(firstDifference(tree, roundTrip(tree))).toBeUndefined();
}

function stateErrorOf(fn: () => unknown) {
  const e = caught(fn);
  expect(isStateError(e), String(e)).toBe(true);
  return e;
}

describe('encodeState / decodeState round trips', () => {
  it('keep every value of a model-like state exactly', () => {
    expectExact(sampleState());
  });

  it('keep NaN, ±Infinity, -0, denormals and the float64 extremes, at the top level and inside arrays', () => {
    const numbers = [NaN, Infinity, -Infinity, -0, 0, 5e-324, -5e-324, 2.2250738585072014e-308, Number.MAX_VALUE, 0.1];
    for (const x of numbers) expect(Object.is(roundTrip(x), x), String(x)).toBe(true);
    expectExact(numbers);
    expectExact(new Float64Array(numbers));
    expectExact(new Float32Array([1e-45, -1e-45, 1.1754942e-38, -0, NaN, Infinity, 3.4028235e38]));
  });

  it('keep typed-array bits exactly, NaN payloads included', () => {
    const f32 = new Float32Array(4);
    new Uint32Array(f32.buffer).set([0x7fc00001, 0xffbadbad, 0x00000001, 0x80000000]);
    const f64 = new Float64Array(2);
    new Uint32Array(f64.buffer).set([0xdeadbeef, 0x7ff80000, 1, 0x80000000]);
    expectExact({ f32, f64 });
  });

  it('keep strings (lone surrogates included), keys that look like the format’s tags, and empty containers', () => {
    expectExact({
      text: ['', 'plain', 'ü€𝄞', '\ud800', 'x\udfffy', '\u0000\n"\\'],
      $: { $: 'number', value: 'NaN' },
      tagged: { $: 'Float32Array', byteOffset: 0, length: 1 },
      ['__proto__']: { polluted: true },
      constructor: 'c',
      '': 0,
      '0': [],
      empty: {},
      arrays: [new Float32Array(0), new Int32Array(0), new Uint8Array(0), new Float64Array(0)],
    });
    const decoded = roundTrip(JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('encode views at any offset, Buffers and null-prototype objects; decode into plain objects and fresh arrays', () => {
    const big = new Float32Array([9, 1, 2, 3, 9]);
    const view = big.subarray(1, 4);
    const tree = { view, buffer: Buffer.from([1, 2, 3]), bare: Object.assign(Object.create(null), { a: 1 }) };
    const decoded = roundTrip(tree) as { view: Float32Array; buffer: Uint8Array; bare: object };
    expect(Array.from(decoded.view)).toEqual([1, 2, 3]);
    expect(Object.getPrototypeOf(decoded.buffer)).toBe(Uint8Array.prototype);
    expect(Array.from(decoded.buffer)).toEqual([1, 2, 3]);
    expect(Object.getPrototypeOf(decoded.bare)).toBe(Object.prototype);
  });

  it('decode an ArrayBuffer, a Uint8Array at any offset or a Buffer, never aliasing it', () => {
    const encoded = new Uint8Array(encodeState({ w: new Float32Array([1, 2]) }));
    const shifted = new Uint8Array(encoded.length + 3);
    shifted.set(encoded, 3);
    const inputs = [encoded.slice().buffer, shifted.subarray(3), Buffer.from(encoded)];
    for (const input of inputs) {
      const decoded = decodeState(input) as { w: Float32Array };
      expect(Array.from(decoded.w)).toEqual([1, 2]);
      new Uint8Array(input instanceof ArrayBuffer ? input : input.buffer).fill(0xff);
      expect(Array.from(decoded.w)).toEqual([1, 2]);
    }
  });

  it('are deterministic and leave the input untouched', () => {
    const deepFreeze = (v: unknown): unknown => {
      if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) Object.values(Object.freeze(v)).forEach(deepFreeze);
      return v;
    };
    const tree = deepFreeze(sampleState());
    const before = Array.from(new Uint8Array(encodeState(tree)));
    expect(Array.from(new Uint8Array(encodeState(tree)))).toEqual(before);
    expect(firstDifference(sampleState(), tree)).toBeUndefined();
  });

  it('accept nesting 1,000 levels deep and reject 1,001 with a StateError', () => {
    const nest = (levels: number): unknown => {
      let v: unknown = 1;
      for (let i = 0; i < levels; i++) v = [v];
      return v;
    };
    expectExact(nest(1000));
    expect(stateErrorOf(() => encodeState(nest(1001))).expected).toMatch(/at most 1000 levels/);
  });

  it('hold for random trees (fast-check)', () => {
    fc.assert(
      fc.property(stateTree, (tree) => {
        const difference = firstDifference(tree, roundTrip(tree));
        if (difference !== undefined) throw new Error(difference);
      }),
      fcOptions(300),
    );
  });

  it('do not create tensors', async () => {
    await expectNoLeak(() => decodeState(encodeState(sampleState())));
  });
});

describe('the binary layout', () => {
  it('is magic, version, header length, blob length, JSON header, 8-aligned blob and CRC-32', () => {
    const bytes = new Uint8Array(encodeState({ a: new Uint8Array([1, 2, 3]), b: new Float64Array([0.5]), c: -0 }));
    const view = new DataView(bytes.buffer);
    expect(Array.from(bytes.subarray(0, 8))).toEqual(MAGIC);
    expect(view.getUint32(8, true)).toBe(1);
    const headerLength = view.getUint32(12, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(24, 24 + headerLength)));
    expect(header).toEqual({
      tree: {
        a: { $: 'Uint8Array', byteOffset: 0, length: 3 },
        b: { $: 'Float64Array', byteOffset: 8, length: 1 },
        c: { $: 'number', value: '-0' },
      },
    });
    const blobStart = Math.ceil((24 + headerLength) / 8) * 8;
    expect(view.getUint32(16, true)).toBe(16);
    expect(view.getUint32(20, true)).toBe(0);
    expect(Array.from(bytes.subarray(blobStart, blobStart + 3))).toEqual([1, 2, 3]);
    expect(view.getFloat64(blobStart + 8, true)).toBe(0.5);
    expect(bytes.length).toBe(blobStart + 16 + 4);
    expect(view.getUint32(bytes.length - 4, true)).toBe(crc32(bytes.subarray(0, bytes.length - 4)));
    expect(Array.from(build(JSON.stringify(header), bytes.subarray(blobStart, blobStart + 16)))).toEqual(
      Array.from(bytes),
    );
  });

  it('uses the standard CRC-32 (zlib, PNG)', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    // Bitwise reference, against the 8-byte slices and the tail loop at every length mod 8.
    const reference = (bytes: Uint8Array) => {
      let c = 0xffffffff;
      for (const b of bytes) {
        c ^= b;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      }
      return (c ^ 0xffffffff) >>> 0;
    };
    const data = Uint8Array.from({ length: 67 }, (_, i) => (i * 151 + 17) & 0xff);
    for (let n = 0; n <= data.length; n++) expect(crc32(data.subarray(0, n))).toBe(reference(data.subarray(0, n)));
    expect(crc32(data.subarray(20), crc32(data.subarray(0, 20)))).toBe(crc32(data));
  });

  it('is little-endian on a big-endian host too (the DataView path writes and reads the same bytes)', () => {
    const arrays = [
      new Float32Array([0.5, -0, 1e-45, NaN, -Infinity]),
      new Int32Array([-1, 2 ** 31 - 1, 7]),
      new Float64Array([5e-324, -0, NaN, 1 / 3]),
      new Uint8Array([1, 254]),
    ];
    for (const array of arrays) {
      const fast = new Uint8Array(array.byteLength + 3);
      const slow = new Uint8Array(array.byteLength + 3);
      writeLittleEndian(array, fast, 3, true);
      writeLittleEndian(array, slow, 3, false);
      expect(Array.from(slow)).toEqual(Array.from(fast));
      const kind = Object.prototype.toString.call(array).slice(8, -1) as 'Float32Array';
      const back = readLittleEndian(kind, slow, 3, array.length, false);
      expect(firstDifference(array, back)).toBeUndefined();
    }
  });
});

describe('encodeState rejects what it cannot represent, naming the path', () => {
  const cases: [string, () => unknown, string, RegExp][] = [
    ['a function', () => ({ a: { b: [1, () => 1] } }), 'state.a.b[1]', /a function/],
    ['undefined', () => ({ generator: { step: undefined } }), 'state.generator.step', /undefined.*Omit the key/],
    ['a symbol', () => [Symbol('s')], 'state[0]', /a symbol/],
    ['a bigint', () => ({ n: 1n }), 'state.n', /a bigint/],
    ['a Map', () => ({ m: new Map() }), 'state.m', /an instance of Map/],
    ['a Date', () => ({ when: new Date(0) }), 'state.when', /an instance of Date/],
    ['a class instance', () => ({ x: new (class Weights {})() }), 'state.x', /an instance of Weights/],
    ['an ArrayBuffer', () => ({ raw: new ArrayBuffer(4) }), 'state.raw', /ArrayBuffer.*Wrap it in a Uint8Array/],
    ['an Int16Array', () => ({ w: [new Int16Array(2)] }), 'state.w[0]', /a Int16Array/],
    ['a Uint8ClampedArray', () => ({ px: new Uint8ClampedArray(1) }), 'state.px', /Uint8ClampedArray/],
    ['a BigInt64Array', () => ({ big: new BigInt64Array(1) }), 'state.big', /BigInt64Array/],
    ['a DataView', () => ({ dv: new DataView(new ArrayBuffer(1)) }), 'state.dv', /DataView/],
    ['a boxed number', () => ({ n: Object(1) }), 'state.n', /an instance of Number/],
    ['a sparse array', () => ({ xs: [1, , 3] }), 'state.xs[1]', /hole/],
    ['symbol keys', () => ({ o: { [Symbol('k')]: 1 } }), 'state.o', /symbol keys/],
    ['an odd key', () => ({ 'a b': { 'c.d': () => 0 } }), 'state["a b"]["c.d"]', /a function/],
    ['a faked typed array', () => ({ f: { [Symbol.toStringTag]: 'Float32Array', length: 1 } }), 'state.f', /symbol/],
  ];
  it.each(cases)('%s', (_, make, path, message) => {
    const e = stateErrorOf(() => encodeState(make()));
    expect(e.argument).toBe(path);
    expect(e.message).toMatch(message);
  });

  it('a tensor, with a hint', () => {
    const t = tf.tensor1d([1, 2]);
    const e = stateErrorOf(() => encodeState({ generator: { weights: [new Float32Array(1), new Float32Array(1), 0, t] } }));
    t.dispose();
    expect(e.argument).toBe('state.generator.weights[3]');
    expect(e.message).toMatch(/a float32 tensor of shape \[2\].*await tensor\.data\(\)/);
  });

  it('a cycle, at the reference that closes it', () => {
    const a: { x: unknown[] } = { x: [] };
    a.x.push({ back: a });
    const e = stateErrorOf(() => encodeState({ a }));
    expect(e.argument).toBe('state.a.x[0].back');
    expect(e.message).toMatch(/cycle/);
  });

  it('but not a value that appears twice without a cycle', () => {
    const shared = { w: new Float32Array([1]) };
    const decoded = roundTrip({ a: shared, b: shared, c: [shared.w, shared.w] }) as Record<string, unknown>;
    expect(firstDifference({ a: shared, b: shared, c: [shared.w, shared.w] }, decoded)).toBeUndefined();
  });
});

describe('decodeState rejects, with a StateError and nothing changed', () => {
  const encoded = new Uint8Array(encodeState(sampleState()));

  it('anything but an ArrayBuffer or Uint8Array', () => {
    for (const bad of ['bytes', null, undefined, 3, {}, [1, 2], new Float32Array(8), new DataView(new ArrayBuffer(8))]) {
      expect(stateErrorOf(() => decodeState(bad as never)).argument).toBe('buffer');
    }
  });

  it('the wrong magic bytes', () => {
    const e = stateErrorOf(() => decodeState(new TextEncoder().encode('{"tree": 1}')));
    expect(e.message).toMatch(/starting with the bytes 89 54 47 53 0D 0A 1A 0A, received 7B 22 74/);
    const crlf = encoded.slice();
    crlf[4] = 0x0a; // a CR LF → LF conversion
    expect(stateErrorOf(() => decodeState(crlf)).message).toMatch(/starting with/);
  });

  it('an unknown format version, before its checksum', () => {
    const e = stateErrorOf(() => decodeState(build('{"tree": 1}', new Uint8Array(0), 2)));
    expect(e.message).toMatch(/state format version 1, received version 2.*newer/);
    const tampered = encoded.slice();
    tampered[8] = 7;
    expect(stateErrorOf(() => decodeState(tampered)).received).toBe('version 7');
  });

  it('every truncation, and trailing bytes', () => {
    for (let n = 0; n < encoded.length; n++) {
      const e = stateErrorOf(() => decodeState(encoded.slice(0, n)));
      expect(e.message, `length ${n}`).toMatch(/truncated/);
    }
    const longer = new Uint8Array(encoded.length + 1);
    longer.set(encoded);
    expect(stateErrorOf(() => decodeState(longer)).message).toMatch(/expected \d+ bytes.*received \d+ bytes/);
  });

  it('every changed byte (all bits, or the lowest bit)', () => {
    expect(firstDifference(sampleState(), decodeState(encoded))).toBeUndefined();
    for (const mask of [0xff, 0x01]) {
      for (let i = 0; i < encoded.length; i++) {
        const corrupt = encoded.slice();
        corrupt[i]! ^= mask;
        const copy = corrupt.slice();
        stateErrorOf(() => decodeState(corrupt));
        expect(Array.from(corrupt)).toEqual(Array.from(copy));
      }
    }
  });

  it('a wrong checksum, saying so', () => {
    const corrupt = encoded.slice();
    corrupt[corrupt.length - 10]! ^= 4;
    expect(stateErrorOf(() => decodeState(corrupt)).message).toMatch(/CRC-32 is the stored 0x[0-9A-F]{8}.*corrupt/);
  });

  const f32 = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
  const headers: [string, string | Uint8Array, string, RegExp][] = [
    ['a header that is not UTF-8', new Uint8Array([0x7b, 0xff, 0x7d]), 'buffer', /UTF-8/],
    ['a header that is not JSON', '{"tree": [1, 2}', 'buffer', /does not parse/],
    ['a header that is not an object', '[1]', 'buffer', /\{"tree": \.\.\.\}/],
    ['a header without the tree', '{}', 'buffer', /keys \(none\)/],
    ['a header with another key', '{"tree": 1, "extra": 2}', 'buffer', /"tree", "extra"/],
    ['a reference past the blob', '{"tree": {"a": [{"$": "Float32Array", "byteOffset": 8, "length": 3}]}}', 'state.a[0]', /inside the 16-byte blob/],
    ['a misaligned reference', '{"tree": {"$": "Float32Array", "byteOffset": 2, "length": 1}}', 'state', /multiple of 4/],
    ['a negative length', '{"tree": {"$": "Int32Array", "byteOffset": 0, "length": -1}}', 'state', /length -1/],
    ['a fractional offset', '{"tree": {"$": "Uint8Array", "byteOffset": 0.5, "length": 1}}', 'state', /byteOffset 0.5/],
    ['a string offset', '{"tree": {"$": "Uint8Array", "byteOffset": "0", "length": 1}}', 'state', /byteOffset "0"/],
    ['a reference with an extra key', '{"tree": {"$": "Uint8Array", "byteOffset": 0, "length": 1, "x": 1}}', 'state', /unknown key "x"/],
    ['a reference without its length', '{"tree": {"$": "Float64Array", "byteOffset": 0}}', 'state', /no "length"/],
    ['an unknown value kind', '{"tree": {"w": {"$": "Int16Array", "byteOffset": 0, "length": 1}}}', 'state.w', /kind "Int16Array"/],
    ['a non-string value kind', '{"tree": {"$": 5}}', 'state', /kind 5/],
    ['a bad tagged number', '{"tree": [{"$": "number", "value": "1"}]}', 'state[0]', /"NaN", "Infinity"/],
    ['a tagged object without entries', '{"tree": {"$": "object", "value": {}}}', 'state', /no "entries"/],
    ['tagged-object entries that are an array', '{"tree": {"$": "object", "entries": []}}', 'state entries', /JSON object/],
    ['a number JSON rounds to Infinity', '{"tree": {"x": 1e999}}', 'state.x', /finite number/],
    ['nesting deeper than 1,000 levels', `{"tree": ${'['.repeat(1001)}${']'.repeat(1001)}}`, 'state' + '[0]'.repeat(1000), /at most 1000/],
  ];
  it.each(headers)('%s', (_, header, argument, message) => {
    const e = stateErrorOf(() => decodeState(build(header, f32)));
    expect(e.argument).toBe(argument);
    expect(e.message).toMatch(message);
  });

  it('(a hand-built state with a valid header decodes, so the cases above fail only where they say)', () => {
    const tree = decodeState(build('{"tree": {"a": [{"$": "Float32Array", "byteOffset": 8, "length": 2}]}}', f32));
    expect(firstDifference({ a: [new Float32Array([3, 4])] }, tree)).toBeUndefined();
  });
});
