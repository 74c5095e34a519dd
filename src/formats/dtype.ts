// Element types and decoding raw bytes to float32/float64 values. Pure.
import { FormatError } from './errors';

export type DType =
  | 'bool' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'float16' | 'bfloat16' | 'float32' | 'float64' | 'float8_e4m3fn' | 'float8_e5m2';

export const ITEMSIZE: Readonly<Record<DType, number>> = {
  bool: 1, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8,
  float16: 2, bfloat16: 2, float32: 4, float64: 8, float8_e4m3fn: 1, float8_e5m2: 1,
};

/** float32 and narrower floats decode to Float32Array (exact); float64 and every integer to Float64Array. */
export function decodesToFloat32(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16' || dtype === 'float8_e4m3fn' || dtype === 'float8_e5m2';
}

export const outputItemSize = (dtype: DType): number => (decodesToFloat32(dtype) ? 4 : 8);

export function allocValues(dtype: DType, n: number): Float32Array | Float64Array {
  return decodesToFloat32(dtype) ? new Float32Array(n) : new Float64Array(n);
}

/** Product of a shape, refusing anything that is not a non-negative integer or overflows 2^53. */
export function checkedNumel(shape: readonly unknown[], what: string): number {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new FormatError(`${what}: expected a shape of non-negative integers, found ${JSON.stringify(shape)}`);
    }
    n *= d;
    if (!Number.isSafeInteger(n)) throw new FormatError(`${what}: shape ${JSON.stringify(shape)} has too many elements`);
  }
  return n;
}

const hostLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

let f16Table: Float32Array | undefined;
function float16Table(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) {
      const s = h & 0x8000 ? -1 : 1;
      const e = (h >> 10) & 31;
      const m = h & 1023;
      f16Table[h] = e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
    }
  }
  return f16Table;
}

const f8Tables = new Map<DType, Float32Array>();
function float8Table(dtype: 'float8_e4m3fn' | 'float8_e5m2'): Float32Array {
  let t = f8Tables.get(dtype);
  if (!t) {
    t = new Float32Array(256);
    const [eBits, mBits, bias] = dtype === 'float8_e4m3fn' ? [4, 3, 7] : [5, 2, 15];
    const eMax = (1 << eBits) - 1;
    for (let b = 0; b < 256; b++) {
      const s = b & 0x80 ? -1 : 1;
      const e = (b >> mBits) & eMax;
      const m = b & ((1 << mBits) - 1);
      let v: number;
      if (e === 0) v = m * 2 ** (1 - bias - mBits);
      else if (dtype === 'float8_e5m2' && e === eMax) v = m ? NaN : Infinity;
      else if (dtype === 'float8_e4m3fn' && e === eMax && m === 7) v = NaN; // e4m3fn: no infinities, one NaN
      else v = (1 + m / (1 << mBits)) * 2 ** (e - bias);
      t[b] = s * v;
    }
    f8Tables.set(dtype, t);
  }
  return t;
}

/**
 * Decode `count` elements of `dtype` from `bytes` (which must hold count*itemsize bytes).
 * The result may reuse `bytes` when they fill their whole buffer (a fresh ByteSource read); otherwise it copies.
 */
export function decodeValues(bytes: Uint8Array, dtype: DType, littleEndian: boolean, count: number): Float32Array | Float64Array {
  const size = ITEMSIZE[dtype];
  const nbytes = count * size;
  if (bytes.length < nbytes) throw new FormatError(`expected ${nbytes} bytes of ${dtype} data, found ${bytes.length}`);
  // Bytes from a ByteSource read are the caller's own: when they fill their whole (aligned) buffer they are
  // used in place, which halves the peak memory of a large read. Otherwise: an aligned private copy.
  let raw: Uint8Array;
  if (bytes.byteOffset === 0 && bytes.length === nbytes && bytes.buffer.byteLength === nbytes && bytes.buffer instanceof ArrayBuffer) {
    raw = bytes;
  } else {
    raw = new Uint8Array(nbytes);
    raw.set(bytes.subarray(0, nbytes));
  }
  if (size > 1 && littleEndian !== hostLittleEndian) {
    for (let i = 0; i < nbytes; i += size) raw.subarray(i, i + size).reverse();
  }
  const buf = raw.buffer as ArrayBuffer;
  switch (dtype) {
    case 'float32': return new Float32Array(buf, 0, count);
    case 'float64': return new Float64Array(buf, 0, count);
    case 'float16': {
      const t = float16Table();
      const src = new Uint16Array(buf, 0, count);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = t[src[i]];
      return out;
    }
    case 'bfloat16': {
      // bf16 is the top half of a float32.
      const src = new Uint16Array(buf, 0, count);
      const bits = new Uint32Array(count);
      for (let i = 0; i < count; i++) bits[i] = src[i] << 16;
      return new Float32Array(bits.buffer);
    }
    case 'float8_e4m3fn':
    case 'float8_e5m2': {
      const t = float8Table(dtype);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = t[raw[i]];
      return out;
    }
    case 'bool': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = raw[i] ? 1 : 0;
      return out;
    }
    case 'int64':
    case 'uint64': {
      const src = dtype === 'int64' ? new BigInt64Array(buf, 0, count) : new BigUint64Array(buf, 0, count);
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = Number(src[i]);
      return out;
    }
    default: {
      const Ctor = { int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array }[dtype];
      return Float64Array.from(new Ctor(buf, 0, count));
    }
  }
}

/** C-order strides (in elements) of a shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** True when strides walk the shape in C order (dims of size 1 may have any stride). */
export function isContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  const c = contiguousStrides(shape);
  return shape.every((d, i) => d <= 1 || strides[i] === c[i]);
}

/** Gather a strided view into a new C-order array. `src[offset + sum(idx*stride)]` is element idx. */
export function gatherStrided<T extends Float32Array | Float64Array>(src: T, shape: readonly number[], strides: readonly number[], offset: number): T {
  let n = 1;
  for (const d of shape) n *= d;
  const out = new (src.constructor as new (n: number) => T)(n);
  if (n === 0) return out;
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  let pos = offset;
  for (let i = 0; i < n; i++) {
    out[i] = src[pos];
    pos += stepIndex(idx, shape, strides);
  }
  return out;
}

/** Odometer step over a C-order index: advances idx by one and returns how far the storage position moves. */
export function stepIndex(idx: number[], shape: readonly number[], strides: readonly number[]): number {
  let delta = 0;
  for (let d = idx.length - 1; d >= 0; d--) {
    idx[d]++;
    delta += strides[d];
    if (idx[d] < shape[d]) return delta;
    delta -= strides[d] * shape[d];
    idx[d] = 0;
  }
  return delta;
}
