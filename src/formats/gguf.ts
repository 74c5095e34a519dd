// GGUF (llama.cpp) v2/v3: key-value metadata, then tensor infos, then aligned tensor data. Only unquantized
// tensors (F32, F16, BF16, F64, I8-I64) are readable; quantized ones (Q4_K, ...) are listed in the metadata
// under 'unsupported_tensors' instead of failing the whole file. GGUF dims are innermost first, so the shape
// is the reversed dims (NumPy order).
import { checkedNumel, ITEMSIZE, type DType } from './dtype';
import { DEFAULT_MAX_HEADER_BYTES, FormatError, fmtBytes } from './errors';
import { sourceRegion } from './region';
import type { ByteSource } from './source';
import { makeTensorFile, tensorInfo, type TensorEntry, type TensorFile } from './tensorFile';

export const GGUF_MAGIC = [0x47, 0x47, 0x55, 0x46]; // "GGUF"

const GGML_DTYPES: Record<number, DType> = { 0: 'float32', 1: 'float16', 24: 'int8', 25: 'int16', 26: 'int32', 27: 'int64', 28: 'float64', 30: 'bfloat16' };
const GGML_NAMES: Record<number, string> = {
  2: 'Q4_0', 3: 'Q4_1', 6: 'Q5_0', 7: 'Q5_1', 8: 'Q8_0', 9: 'Q8_1', 10: 'Q2_K', 11: 'Q3_K', 12: 'Q4_K', 13: 'Q5_K', 14: 'Q6_K', 15: 'Q8_K',
  16: 'IQ2_XXS', 17: 'IQ2_XS', 18: 'IQ3_XXS', 19: 'IQ1_S', 20: 'IQ4_NL', 21: 'IQ3_S', 22: 'IQ2_S', 23: 'IQ4_XS', 29: 'IQ1_M', 34: 'TQ1_0', 35: 'TQ2_0',
};
/** Metadata arrays longer than this (a tokenizer's vocabulary) are summarized, not kept. */
const MAX_ARRAY_KEPT = 64;
const MAX_STRING = 1 << 24;

/** Fixed sizes of the scalar value types (string = 8 is its length prefix). */
const VALUE_SIZE: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 8: 8, 10: 8, 11: 8, 12: 8 };

/**
 * Buffered little-endian reader for the GGUF header. Reads are synchronous over a 1 MiB window and only
 * `fill` awaits, so a metadata array of millions of strings (a vocabulary) is walked quickly.
 */
class LeCursor {
  private buf: Uint8Array = new Uint8Array(0);
  private dv: DataView = new DataView(new ArrayBuffer(0));
  private bufStart = 0;
  constructor(private readonly src: ByteSource, public pos: number, private readonly limit: number) {}

  has(n: number): boolean {
    return this.pos >= this.bufStart && this.pos + n <= this.bufStart + this.buf.length;
  }

  async fill(n: number): Promise<void> {
    if (this.has(n)) return;
    if (this.pos + n > this.limit) {
      throw new FormatError(this.limit < this.src.size
        ? `${this.src.name}: GGUF header is larger than the header limit of ${fmtBytes(this.limit)}`
        : `${this.src.name}: GGUF header is truncated at byte ${this.pos} (expected ${n} more bytes)`);
    }
    this.buf = await this.src.read(this.pos, Math.min(Math.max(n, 1 << 20), this.limit - this.pos));
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.bufStart = this.pos;
  }

  /** Skips n bytes without reading them (checked against the header limit). */
  skip(n: number): void {
    if (this.pos + n > this.limit) throw new FormatError(`${this.src.name}: GGUF header is truncated or larger than the header limit at byte ${this.pos} (expected ${n} more bytes)`);
    this.pos += n;
  }

  /** Synchronous reads: the caller has filled enough bytes. */
  private at(n: number): number {
    const o = this.pos - this.bufStart;
    this.pos += n;
    return o;
  }
  u32s(): number { return this.dv.getUint32(this.at(4), true); }
  u64s(): number {
    const v = this.dv.getBigUint64(this.at(8), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError(`${this.src.name}: GGUF value ${v} at byte ${this.pos - 8} is too large`);
    return Number(v);
  }

  async u32(): Promise<number> {
    await this.fill(4);
    return this.u32s();
  }
  async u64(): Promise<number> {
    await this.fill(8);
    return this.u64s();
  }
  async string(): Promise<string> {
    const n = await this.u64();
    if (n > MAX_STRING) throw new FormatError(`${this.src.name}: GGUF string of ${n} bytes at byte ${this.pos} is too long`);
    await this.fill(n);
    const o = this.at(n);
    return new TextDecoder().decode(this.buf.subarray(o, o + n));
  }
  async scalar(type: number): Promise<unknown> {
    if (type === 8) return this.string();
    const size = VALUE_SIZE[type];
    if (size === undefined) throw new FormatError(`${this.src.name}: unknown GGUF value type ${type} at byte ${this.pos - 4}`);
    await this.fill(size);
    const o = this.at(size);
    const dv = this.dv;
    switch (type) {
      case 0: return dv.getUint8(o);
      case 1: return dv.getInt8(o);
      case 2: return dv.getUint16(o, true);
      case 3: return dv.getInt16(o, true);
      case 4: return dv.getUint32(o, true);
      case 5: return dv.getInt32(o, true);
      case 6: return dv.getFloat32(o, true);
      case 7: return dv.getUint8(o) !== 0;
      case 10: return Number(dv.getBigUint64(o, true));
      case 11: return Number(dv.getBigInt64(o, true));
      default: return dv.getFloat64(o, true);
    }
  }

  /** Skips `n` array elements of `type` (only string lengths are read). */
  async skipElements(type: number, n: number): Promise<void> {
    const size = VALUE_SIZE[type];
    if (size === undefined) throw new FormatError(`${this.src.name}: unknown GGUF value type ${type} at byte ${this.pos}`);
    if (n * size > this.limit - this.pos) throw new FormatError(`${this.src.name}: GGUF array of ${n} elements at byte ${this.pos} runs past the header (truncated, or above the header limit of ${fmtBytes(this.limit)})`);
    if (type !== 8) return this.skip(n * size);
    for (let k = 0; k < n; k++) {
      if (!this.has(8)) await this.fill(8);
      const len = this.u64s();
      if (len > MAX_STRING) throw new FormatError(`${this.src.name}: GGUF string of ${len} bytes at byte ${this.pos} is too long`);
      this.skip(len);
    }
  }
}

const TYPE_NAMES = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'bool', 'string', 'array', 'uint64', 'int64', 'float64'];

export async function openGguf(src: ByteSource, opts: { maxHeaderBytes?: number } = {}): Promise<TensorFile> {
  const what = src.name;
  const limit = Math.min(src.size, opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES);
  const c = new LeCursor(src, 4, limit);
  const version = await c.u32();
  if (version !== 2 && version !== 3) throw new FormatError(`${what}: unsupported GGUF version ${version}; expected 2 or 3`);
  const tensorCount = await c.u64();
  const kvCount = await c.u64();
  // Every KV takes at least 12 bytes and every tensor info at least 24: refuse counts the header cannot hold.
  if (kvCount * 12 + tensorCount * 24 > src.size) throw new FormatError(`${what}: GGUF header declares ${kvCount} metadata entries and ${tensorCount} tensors, more than the file (${src.size} bytes) can hold`);
  const metadata: Record<string, unknown> = { gguf_version: version };
  for (let i = 0; i < kvCount; i++) {
    const key = await c.string();
    const type = await c.u32();
    let value: unknown;
    if (type === 9) {
      const elemType = await c.u32();
      const n = await c.u64();
      if (elemType === 9) throw new FormatError(`${what}: nested GGUF arrays are not supported (key '${key}')`);
      const kept: unknown[] = [];
      for (let k = 0; k < Math.min(n, MAX_ARRAY_KEPT); k++) kept.push(await c.scalar(elemType));
      if (n > MAX_ARRAY_KEPT) await c.skipElements(elemType, n - MAX_ARRAY_KEPT);
      value = n <= MAX_ARRAY_KEPT ? kept : `[${n} × ${TYPE_NAMES[elemType] ?? elemType}] ${JSON.stringify(kept.slice(0, 8)).slice(0, 200)}…`;
    } else {
      value = await c.scalar(type);
    }
    Object.defineProperty(metadata, key, { value, enumerable: true, writable: true, configurable: true });
  }
  const alignment = metadata['general.alignment'] ?? 32;
  if (typeof alignment !== 'number' || !Number.isInteger(alignment) || alignment < 1 || alignment > 1 << 20) {
    throw new FormatError(`${what}: general.alignment must be a positive integer, found ${JSON.stringify(alignment)}`);
  }
  const infos: { name: string; shape: number[]; type: number; offset: number }[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = await c.string();
    const nDims = await c.u32();
    if (nDims > 8) throw new FormatError(`${what}: tensor '${name}' declares ${nDims} dims; GGUF allows at most 8`);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(await c.u64());
    infos.push({ name, shape: dims.reverse(), type: await c.u32(), offset: await c.u64() });
  }
  // With no tensors the padding before the (empty) data may be missing.
  const dataStart = tensorCount === 0 ? Math.min(src.size, Math.ceil(c.pos / alignment) * alignment) : Math.ceil(c.pos / alignment) * alignment;
  if (dataStart > src.size) throw new FormatError(`${what}: GGUF tensor data would start at ${dataStart}, past the end of the file (${src.size} bytes)`);
  const data = sourceRegion(src, dataStart, src.size - dataStart, 'tensor data');
  const entries: TensorEntry[] = [];
  const unsupported: string[] = [];
  for (const t of infos) {
    const dtype = GGML_DTYPES[t.type];
    if (!dtype) {
      unsupported.push(`${t.name} (${GGML_NAMES[t.type] ?? `type ${t.type}`})`);
      continue;
    }
    const numel = checkedNumel(t.shape, `${what}: tensor '${t.name}'`);
    const size = ITEMSIZE[dtype];
    if (t.offset % size !== 0) throw new FormatError(`${what}: tensor '${t.name}' starts at offset ${t.offset}, not a multiple of its ${size}-byte items`);
    entries.push({ info: tensorInfo(t.name, dtype, t.shape, numel), region: data, littleEndian: true, offset: t.offset / size });
  }
  if (unsupported.length) {
    metadata.unsupported_tensors = unsupported.length <= 100 ? unsupported : [...unsupported.slice(0, 100), `... ${unsupported.length} in all`];
  }
  return makeTensorFile('gguf', what, metadata, entries, () => src.close());
}
