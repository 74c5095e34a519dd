// IDX, the MNIST / Fashion-MNIST file format: magic 0x00 0x00 <type> <rank>, rank big-endian uint32 dims,
// then the values big-endian in C order. `.gz` files (magic 1f 8b) are inflated with fflate, never past the
// size limit. Every size is checked against the bytes present and the limit before anything is allocated.
import { Gunzip } from 'fflate';
import { DEFAULT_MAX_BYTES, FormatError, fmtBytes } from './errors';

export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
const TYPES: Record<number, [IdxType, number]> = {
  0x08: ['uint8', 1], 0x09: ['int8', 1], 0x0b: ['int16', 2], 0x0c: ['int32', 4], 0x0d: ['float32', 4], 0x0e: ['float64', 8],
};

export interface IdxArray {
  type: IdxType;
  shape: number[];
  /** uint8 data stay bytes (images); other types are decoded to numbers. */
  data: Uint8Array | Float64Array;
}

export const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Inflates a gzip stream, refusing output over maxBytes (a small file cannot expand into memory exhaustion). */
export function gunzipBounded(bytes: Uint8Array, name: string, maxBytes: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  const g = new Gunzip((chunk) => {
    total += chunk.length;
    if (total > maxBytes) throw new FormatError(`${name}: inflates to more than the limit of ${fmtBytes(maxBytes)}`);
    parts.push(chunk);
  });
  try {
    g.push(bytes, true);
  } catch (e) {
    if (e instanceof FormatError) throw e;
    throw new FormatError(`${name}: not a valid gzip stream (${(e as Error).message})`);
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function parseIdx(raw: Uint8Array, name: string, opts: { maxBytes?: number } = {}): IdxArray {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const b = isGzip(raw) ? gunzipBounded(raw, name, maxBytes) : raw;
  if (b.length < 4 || b[0] !== 0 || b[1] !== 0) {
    throw new FormatError(`${name}: not an IDX file (expected the magic 00 00 <type> <rank>, found ${[...b.subarray(0, 4)].map((v) => v.toString(16).padStart(2, '0')).join(' ')})`);
  }
  const t = TYPES[b[2]];
  if (!t) throw new FormatError(`${name}: unknown IDX type code 0x${b[2].toString(16)} (expected 08 uint8, 09 int8, 0b int16, 0c int32, 0d float32 or 0e float64)`);
  const [type, size] = t;
  const rank = b[3];
  if (rank < 1) throw new FormatError(`${name}: IDX rank 0; expected at least one dimension`);
  const head = 4 + 4 * rank;
  if (b.length < head) throw new FormatError(`${name}: the IDX header needs ${head} bytes, the file has ${b.length}`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const shape = Array.from({ length: rank }, (_, i) => dv.getUint32(4 + 4 * i, false));
  const numel = shape.reduce((a, d) => a * d, 1);
  const bytes = numel * size;
  if (bytes > maxBytes) throw new FormatError(`${name}: shape [${shape.join(', ')}] needs ${fmtBytes(bytes)}, over the limit of ${fmtBytes(maxBytes)}`);
  if (b.length - head < bytes) throw new FormatError(`${name}: shape [${shape.join(', ')}] needs ${bytes} bytes of data, the file holds ${b.length - head}`);
  if (type === 'uint8') return { type, shape, data: b.slice(head, head + numel) };
  const data = new Float64Array(numel);
  for (let i = 0; i < numel; i++) {
    const o = head + i * size;
    data[i] = type === 'int8' ? dv.getInt8(o) : type === 'int16' ? dv.getInt16(o, false) : type === 'int32' ? dv.getInt32(o, false)
      : type === 'float32' ? dv.getFloat32(o, false) : dv.getFloat64(o, false);
  }
  return { type, shape, data };
}
