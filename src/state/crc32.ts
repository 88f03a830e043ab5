// CRC-32 as zlib, PNG and gzip compute it (reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF). It
// detects every error burst of up to 32 bits, so every changed byte of an encoded state. Slicing by 8: eight tables
// let each round fold in eight bytes, several times faster than the byte-at-a-time loop on multi-megabyte states.

// Built on first use rather than at import, so the package keeps no module-scope work (sideEffects: false).
let tables: Uint32Array | undefined;

function crcTables(): Uint32Array {
  if (tables !== undefined) return tables;
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  // Table k advances a byte's contribution by k further zero bytes.
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  tables = t;
  return t;
}

/**
 * The CRC-32 of `bytes`, as an unsigned 32-bit integer; pass a previous result as `crc` to continue it over more bytes.
 */
export function crc32(bytes: Uint8Array, crc = 0): number {
  const t = crcTables();
  const n = bytes.length;
  let c = ~crc;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const lo = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    const hi = bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24);
    c =
      t[1792 + (lo & 0xff)]! ^
      t[1536 + ((lo >>> 8) & 0xff)]! ^
      t[1280 + ((lo >>> 16) & 0xff)]! ^
      t[1024 + (lo >>> 24)]! ^
      t[768 + (hi & 0xff)]! ^
      t[512 + ((hi >>> 8) & 0xff)]! ^
      t[256 + ((hi >>> 16) & 0xff)]! ^
      t[hi >>> 24]!;
  }
  for (; i < n; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
