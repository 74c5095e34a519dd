// ONNX models: the initializers (weights) of the graph, found by walking the protobuf with positioned reads,
// so raw_data (where exporters put the bytes) is never read until asked for. Typed fields (float_data,
// int32_data, ...) and external data files (opened through openSibling) are supported too.
import { checkedNumel, ITEMSIZE, type DType } from './dtype';
import { FormatError } from './errors';
import { computedRegion, sourceRegion, type Region } from './region';
import type { ByteSource } from './source';
import { makeTensorFile, tensorInfo, type TensorEntry, type TensorFile } from './tensorFile';

const DTYPES: Record<number, DType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16',
  11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16', 17: 'float8_e4m3fn', 19: 'float8_e5m2',
};
const UNSUPPORTED: Record<number, string> = {
  0: 'UNDEFINED', 8: 'STRING', 14: 'COMPLEX64', 15: 'COMPLEX128', 18: 'FLOAT8E4M3FNUZ', 20: 'FLOAT8E5M2FNUZ', 21: 'UINT4', 22: 'INT4',
};
const MAX_STRING = 1 << 20;
const MAX_DIMS = 64;
/** Typed (varint) data is decoded whole; exporters use raw_data for anything large. */
const MAX_TYPED_BYTES = 64 << 20;

/** Walking more fields than this is refused: a real model has far fewer; a hostile one could make listing crawl. */
const MAX_FIELDS = 20_000_000;

/** Buffered forward reader over a ByteSource for protobuf keys, varints and short strings. */
class Cursor {
  private buf: Uint8Array = new Uint8Array(0);
  private bufStart = 0;
  fields = 0;
  constructor(private readonly src: ByteSource, public pos: number) {}

  has(n: number): boolean {
    return this.pos >= this.bufStart && this.pos + n <= this.bufStart + this.buf.length;
  }

  async ensure(n: number, end: number): Promise<void> {
    if (this.has(n)) return;
    const len = Math.min(Math.max(n, 1 << 20), end - this.pos);
    if (len < n) throw new FormatError(`${this.src.name}: protobuf field runs past the end of its message at byte ${this.pos} (truncated or corrupt ONNX file)`);
    this.buf = await this.src.read(this.pos, len);
    this.bufStart = this.pos;
  }

  /** An unsigned varint as [low 32 bits, high 32 bits]; its bytes (up to 10, or to `end`) must be buffered. */
  varint64Sync(end: number): [number, number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) break;
      const b = this.buf[this.pos - this.bufStart];
      this.pos++;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (!(b & 0x80)) return [lo >>> 0, hi >>> 0];
    }
    throw new FormatError(`${this.src.name}: bad protobuf varint at byte ${this.pos} (corrupt ONNX file)`);
  }

  varintSync(end: number): number {
    const [lo, hi] = this.varint64Sync(end);
    const v = hi * 2 ** 32 + lo;
    if (!Number.isSafeInteger(v)) throw new FormatError(`${this.src.name}: protobuf value ${v} at byte ${this.pos} is too large`);
    return v;
  }

  async varint(end: number): Promise<number> {
    await this.ensure(Math.min(10, end - this.pos), end);
    return this.varintSync(end);
  }

  async bytes(n: number, end: number): Promise<Uint8Array> {
    if (this.pos + n > end) throw new FormatError(`${this.src.name}: protobuf field of ${n} bytes runs past its message at byte ${this.pos}`);
    const b = await this.src.read(this.pos, n);
    this.pos += n;
    return b;
  }
}

interface Field {
  field: number;
  wire: number;
  /** wire 0: the value, exact (NaN when above 2^53: see `big`); wire 2: the length. */
  value: number;
  /** wire 0: the value as an exact unsigned 64-bit integer. */
  big?: bigint;
  /** wire 2: where the payload starts. */
  start: number;
}

/** Parses one field key and value; at least min(20, end - pos) bytes must be buffered. */
function fieldSync(c: Cursor, end: number, what: string): Field {
  if (++c.fields > MAX_FIELDS) throw new FormatError(`${what}: more than ${MAX_FIELDS} protobuf fields; not a model NormLab can list`);
  const key = c.varintSync(end);
  const field = Math.floor(key / 8);
  const wire = key & 7;
  if (field < 1) throw new FormatError(`${what}: bad protobuf field number 0 at byte ${c.pos}`);
  switch (wire) {
    case 0: {
      // All 64 bits: a dim of 2^32 + 1 must not read as 1. Past 2^53 a number would round, so the consumer gets NaN
      // and the exact value in `big`, and refuses it by name.
      const [lo, hi] = c.varint64Sync(end);
      const big = (BigInt(hi) << 32n) | BigInt(lo);
      return { field, wire, value: big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : NaN, big, start: c.pos };
    }
    case 1: c.pos += 8; break;
    case 5: c.pos += 4; break;
    case 2: {
      const len = c.varintSync(end);
      const start = c.pos;
      if (start + len > end) throw new FormatError(`${what}: protobuf field ${field} of ${len} bytes runs past its message (truncated or corrupt ONNX file)`);
      return { field, wire, value: len, start };
    }
    default: throw new FormatError(`${what}: unsupported protobuf wire type ${wire} at byte ${c.pos} (not an ONNX model?)`);
  }
  if (c.pos > end) throw new FormatError(`${what}: protobuf field runs past its message`);
  return { field, wire, value: 0, start: c.pos };
}

/** The next field: synchronous when its bytes are buffered (the common case), so long messages walk fast. */
function nextField(c: Cursor, end: number, what: string): Field | Promise<Field> {
  const need = Math.min(20, end - c.pos);
  if (c.has(need)) return fieldSync(c, end, what);
  return c.ensure(need, end).then(() => fieldSync(c, end, what));
}

async function str(c: Cursor, f: Field, what: string): Promise<string> {
  if (f.wire !== 2) throw new FormatError(`${what}: expected a string in protobuf field ${f.field}`);
  if (f.value > MAX_STRING) throw new FormatError(`${what}: string of ${f.value} bytes in field ${f.field} is too long`);
  const b = await c.bytes(f.value, f.start + f.value);
  return new TextDecoder().decode(b);
}

async function keyValues(c: Cursor, f: Field, what: string): Promise<[string, string]> {
  const end = f.start + f.value;
  let k = '';
  let v = '';
  while (c.pos < end) {
    let g = nextField(c, end, what);
    if (g instanceof Promise) g = await g;
    if (g.field === 1 && g.wire === 2) k = await str(c, g, what);
    else if (g.field === 2 && g.wire === 2) v = await str(c, g, what);
    else if (g.wire === 2) c.pos = g.start + g.value;
  }
  return [k, v];
}

interface RawTensor {
  name: string;
  dims: number[];
  dataType: number;
  raw?: [number, number];
  typed?: { field: number; start: number; len: number };
  external: Record<string, string>;
}

/** A dim whose int64 value no tensor can have (negative, or past 2^53 elements): refused with the exact value. */
function unrepresentableDim(big: bigint, what: string): never {
  const signed = BigInt.asIntN(64, big);
  throw new FormatError(`${what}: tensor dim ${signed} cannot be represented (expected 0 <= dim <= 2^53 - 1)`);
}

async function readTensorProto(c: Cursor, end: number, what: string): Promise<RawTensor> {
  const t: RawTensor = { name: '', dims: [], dataType: 0, external: {} };
  while (c.pos < end) {
    let f = nextField(c, end, what);
    if (f instanceof Promise) f = await f;
    if (f.field === 1 && f.wire === 0) t.dims.push(Number.isNaN(f.value) ? unrepresentableDim(f.big!, what) : f.value);
    else if (f.field === 1 && f.wire === 2) {
      const stop = f.start + f.value;
      while (c.pos < stop) {
        t.dims.push(await c.varint(stop));
        if (t.dims.length > MAX_DIMS) throw new FormatError(`${what}: tensor has more than ${MAX_DIMS} dims`);
      }
    } else if (f.field === 1 && f.wire !== 2) {
      throw new FormatError(`${what}: bad dims encoding`);
    } else if (f.field === 2 && f.wire === 0) t.dataType = f.value;
    else if (f.field === 8 && f.wire === 2) t.name = await str(c, f, what);
    else if (f.field === 9 && f.wire === 2) {
      t.raw = [f.start, f.value];
      c.pos = f.start + f.value;
    } else if ([4, 5, 7, 10, 11].includes(f.field) && f.wire === 2) {
      if (t.typed) throw new FormatError(`${what}: tensor '${t.name}' splits its data over several fields; expected one`);
      t.typed = { field: f.field, start: f.start, len: f.value };
      c.pos = f.start + f.value;
    } else if (f.field === 13 && f.wire === 2) {
      const [k, v] = await keyValues(c, f, what);
      t.external[k] = v;
    } else if (f.wire === 2) c.pos = f.start + f.value;
    if (t.dims.length > MAX_DIMS) throw new FormatError(`${what}: tensor has more than ${MAX_DIMS} dims`);
  }
  return t;
}

/** Decodes packed varints (int32_data, int64_data, uint64_data) into the tensor's own little-endian bytes. */
function decodeTyped(bytes: Uint8Array, dtype: DType, numel: number, what: string): Uint8Array {
  const size = ITEMSIZE[dtype];
  const out = new Uint8Array(numel * size);
  const dv = new DataView(out.buffer);
  let p = 0;
  for (let i = 0; i < numel; i++) {
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (;;) {
      if (p >= bytes.length) throw new FormatError(`${what}: typed data holds fewer than the ${numel} values its dims declare`);
      const b = bytes[p++];
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else if (shift < 64) hi |= (b & 0x7f) << (shift - 32);
      shift += 7;
      if (!(b & 0x80)) break;
      if (shift > 70) throw new FormatError(`${what}: bad varint in typed data`);
    }
    const at = i * size;
    if (size === 8) {
      dv.setUint32(at, lo >>> 0, true);
      dv.setUint32(at + 4, hi >>> 0, true);
    } else if (size === 4) dv.setUint32(at, lo >>> 0, true);
    else if (size === 2) dv.setUint16(at, lo & 0xffff, true);
    else out[at] = lo & 0xff;
  }
  if (p !== bytes.length) throw new FormatError(`${what}: typed data holds more than the ${numel} values its dims declare`);
  return out;
}

function typedFieldFits(field: number, dtype: DType): boolean {
  if (field === 4) return dtype === 'float32';
  if (field === 10) return dtype === 'float64';
  if (field === 7) return dtype === 'int64';
  if (field === 11) return dtype === 'uint32' || dtype === 'uint64';
  return ['int32', 'int16', 'int8', 'uint16', 'uint8', 'bool', 'float16', 'bfloat16', 'float8_e4m3fn', 'float8_e5m2'].includes(dtype);
}

export async function openOnnx(src: ByteSource, opts: { openSibling?: (name: string) => Promise<ByteSource> } = {}): Promise<TensorFile> {
  const what = src.name;
  const c = new Cursor(src, 0);
  const metadata: Record<string, unknown> = {};
  const raw: RawTensor[] = [];
  let sawGraph = false;
  while (c.pos < src.size) {
    let f = nextField(c, src.size, what);
    if (f instanceof Promise) f = await f;
    if (f.field === 7 && f.wire === 2) {
      sawGraph = true;
      const end = f.start + f.value;
      while (c.pos < end) {
        let g = nextField(c, end, what);
        if (g instanceof Promise) g = await g;
        if (g.field === 5 && g.wire === 2) raw.push(await readTensorProto(c, g.start + g.value, what));
        else if (g.field === 2 && g.wire === 2) metadata.graph_name = await str(c, g, what);
        else if (g.wire === 2) c.pos = g.start + g.value;
      }
    } else if (f.field === 1 && f.wire === 0) metadata.ir_version = f.value;
    else if (f.field === 2 && f.wire === 2) metadata.producer_name = await str(c, f, what);
    else if (f.field === 3 && f.wire === 2) metadata.producer_version = await str(c, f, what);
    else if (f.field === 8 && f.wire === 2) {
      const end = f.start + f.value;
      let domain = '';
      let version = 0;
      while (c.pos < end) {
        let g = nextField(c, end, what);
        if (g instanceof Promise) g = await g;
        if (g.field === 1 && g.wire === 2) domain = await str(c, g, what);
        else if (g.field === 2 && g.wire === 0) version = g.value;
        else if (g.wire === 2) c.pos = g.start + g.value;
      }
      metadata[`opset${domain ? `.${domain}` : ''}`] = version;
    } else if (f.field === 14 && f.wire === 2) {
      const [k, v] = await keyValues(c, f, what);
      if (k) Object.defineProperty(metadata, k, { value: v, enumerable: true, writable: true, configurable: true });
    } else if (f.wire === 2) c.pos = f.start + f.value;
  }
  if (!sawGraph) throw new FormatError(`${what}: not an ONNX model: expected a ModelProto with a graph`);

  const siblings: ByteSource[] = [];
  const entries: TensorEntry[] = [];
  try {
    for (const t of raw) {
      const label = `${what}: initializer '${t.name}'`;
      const dtype = DTYPES[t.dataType];
      if (!dtype) throw new FormatError(`${label}: unsupported dtype ${UNSUPPORTED[t.dataType] ?? t.dataType}; expected a numeric ONNX type (FLOAT, FLOAT16, BFLOAT16, DOUBLE, INT8-64, UINT8-64, BOOL, FLOAT8E4M3FN, FLOAT8E5M2)`);
      const numel = checkedNumel(t.dims, label);
      const need = numel * ITEMSIZE[dtype];
      let region: Region;
      if (t.external.location !== undefined) {
        const loc = t.external.location;
        if (!loc || /[\\/]/.test(loc) || loc === '..' || loc === '.') throw new FormatError(`${label}: external data must be a file beside the model, found ${JSON.stringify(loc)}`);
        if (!opts.openSibling) throw new FormatError(`${label}: its data is in the external file '${loc}'; open the model from a folder on disk`);
        const offset = Number(t.external.offset ?? 0);
        const length = t.external.length !== undefined ? Number(t.external.length) : need;
        if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length !== need) {
          throw new FormatError(`${label}: external data offset ${t.external.offset} / length ${t.external.length} do not match dims [${t.dims.join(', ')}] of ${dtype} (${need} bytes)`);
        }
        let sib: ByteSource;
        try {
          sib = await opts.openSibling(loc);
        } catch (e) {
          throw new FormatError(`${label}: cannot open external data '${loc}': ${e instanceof Error ? e.message : String(e)}`);
        }
        siblings.push(sib);
        region = sourceRegion(sib, offset, length, `external data of '${t.name}'`);
      } else if (t.raw) {
        if (t.raw[1] !== need) throw new FormatError(`${label}: raw_data holds ${t.raw[1]} bytes, but dims [${t.dims.join(', ')}] of ${dtype} need ${need}`);
        region = sourceRegion(src, t.raw[0], t.raw[1], `initializer '${t.name}'`);
      } else if (t.typed) {
        const typed = t.typed;
        if (!typedFieldFits(typed.field, dtype)) throw new FormatError(`${label}: data field ${typed.field} does not fit dtype ${dtype}`);
        if (typed.field === 4 || typed.field === 10) {
          // Packed fixed-size floats/doubles are already the tensor's little-endian bytes.
          if (typed.len !== need) throw new FormatError(`${label}: data holds ${typed.len} bytes, but dims [${t.dims.join(', ')}] of ${dtype} need ${need}`);
          region = sourceRegion(src, typed.start, typed.len, `initializer '${t.name}'`);
        } else {
          if (typed.len > MAX_TYPED_BYTES || need > MAX_TYPED_BYTES) throw new FormatError(`${label}: typed data of ${typed.len} bytes is too large; expected raw_data`);
          region = computedRegion(need, async () => decodeTyped(await src.read(typed.start, typed.len), dtype, numel, label), `initializer '${t.name}'`);
        }
      } else if (numel === 0) {
        region = computedRegion(0, async () => new Uint8Array(0), `initializer '${t.name}'`);
      } else {
        throw new FormatError(`${label}: has dims [${t.dims.join(', ')}] but no data`);
      }
      entries.push({ info: tensorInfo(t.name, dtype, t.dims, numel), region, littleEndian: true, offset: 0 });
    }
  } catch (e) {
    await Promise.all(siblings.map((s) => s.close()));
    throw e;
  }
  return makeTensorFile('onnx', what, metadata, entries, async () => {
    await Promise.all([src, ...siblings].map((s) => s.close()));
  });
}
