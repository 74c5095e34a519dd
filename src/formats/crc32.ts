// CRC-32 (IEEE 802.3, as zip stores it), slicing-by-8: eight table lookups per 8 bytes.
// Node 20's zlib has no crc32 (it came in Node 22) and fflate keeps its own private.

function tables(): Int32Array[] {
  const t = Array.from({ length: 8 }, () => new Int32Array(256));
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[0][i] = c;
  }
  for (let i = 0; i < 256; i++) for (let k = 1; k < 8; k++) t[k][i] = (t[k - 1][i] >>> 8) ^ t[0][t[k - 1][i] & 255];
  return t;
}
const [T0, T1, T2, T3, T4, T5, T6, T7] = tables();
const NO_WORDS = new Int32Array(0);

/** The CRC-32 of `bytes`, continuing from `crc` (the CRC of the bytes before them; 0 to start). */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc;
  let i = 0;
  const n = bytes.length;
  // Bytes up to a 4-byte boundary, then two little-endian words per step (zip data is little-endian, so are we).
  for (; i < n && (bytes.byteOffset + i) & 3; i++) c = T0[(c ^ bytes[i]) & 255] ^ (c >>> 8);
  const pairs = (n - i) >> 3;
  const words = pairs > 0 ? new Int32Array(bytes.buffer, bytes.byteOffset + i, 2 * pairs) : NO_WORDS;
  for (let w = 0; w < 2 * pairs; w += 2) {
    c ^= words[w];
    const d = words[w + 1];
    c = T7[c & 255] ^ T6[(c >>> 8) & 255] ^ T5[(c >>> 16) & 255] ^ T4[c >>> 24] ^
      T3[d & 255] ^ T2[(d >>> 8) & 255] ^ T1[(d >>> 16) & 255] ^ T0[d >>> 24];
  }
  for (i += 8 * pairs; i < n; i++) c = T0[(c ^ bytes[i]) & 255] ^ (c >>> 8);
  return ~c >>> 0;
}
