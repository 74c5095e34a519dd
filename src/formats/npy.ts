// .npy (format versions 1, 2, 3): reader over bytes, a Region or a ByteSource, and a float32/float64 writer.
// Every NumPy numeric dtype, both byte orders, fortran_order, 0-d and empty shapes. NumPy has no bfloat16 or
// float8 type: a header marks them with descr 'bfloat16' / 'float8_e4m3fn' / 'float8_e5m2' (optionally with a
// byte-order prefix such as '<bfloat16').
import { checkedNumel, decodeValues, gatherStrided, ITEMSIZE, outputItemSize, type DType } from './dtype';
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_HEADER_BYTES, FormatError, fmtBytes, TooLargeError } from './errors';
import { parsePyLiteral } from './pyLiteral';
import { sourceRegion, subRegion, type Region } from './region';
import type { ByteSource } from './source';
import { makeTensorFile, tensorInfo, type TensorEntry, type TensorFile } from './tensorFile';

export interface NpyArray {
  /** NumPy dtype name: float32, float64, int64, bool, ... */
  dtype: DType;
  shape: number[];
  /** Values in C order: Float32Array for float32 and narrower floats, Float64Array for float64 and integers. */
  data: Float32Array | Float64Array;
  /** The file stored the array in Fortran order (data is still returned in C order). */
  fortranOrder: boolean;
}

export interface NpyHeader {
  dtype: DType;
  littleEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
  numel: number;
  /** Byte offset of the data. */
  dataOffset: number;
}

export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/** A numeric dtype's header is under 200 bytes; NumPy itself refuses headers over 10000 bytes by default. */
export const NPY_MAX_HEADER_BYTES = 1 << 16;

const KIND: Record<string, DType> = {
  b1: 'bool', '?': 'bool', i1: 'int8', u1: 'uint8', i2: 'int16', u2: 'uint16', i4: 'int32', u4: 'uint32', i8: 'int64', u8: 'uint64',
  f2: 'float16', f4: 'float32', f8: 'float64', bfloat16: 'bfloat16', float8_e4m3fn: 'float8_e4m3fn', float8_e5m2: 'float8_e5m2',
};

const UNSUPPORTED: Record<string, string> = { c: 'complex', O: 'object (pickled Python objects)', U: 'unicode string', S: 'byte string', a: 'byte string', V: 'void/structured', M: 'datetime64', m: 'timedelta64' };

/** The DType of a NumPy type code such as 'f4' or 'u1' (no byte-order prefix), if NormLab reads it. */
export const dtypeOfNumpyCode = (code: string): DType | undefined => KIND[code];

function dtypeOfDescr(descr: unknown, what: string): { dtype: DType; littleEndian: boolean } {
  if (typeof descr !== 'string') {
    throw new FormatError(`${what}: unsupported dtype: structured arrays (descr ${JSON.stringify(descr)}) are not supported; expected a plain numeric dtype`);
  }
  const order = /^[<>|=]/.test(descr) ? descr[0] : '|';
  const code = /^[<>|=]/.test(descr) ? descr.slice(1) : descr;
  const dtype = KIND[code];
  if (!dtype) {
    const kind = UNSUPPORTED[code[0]] ?? (code === 'f16' || code === 'f12' ? 'long double' : undefined);
    throw new FormatError(`${what}: unsupported dtype '${descr}'${kind ? ` (${kind})` : ''}; expected bool, int8-64, uint8-64, float16, float32, float64 or a marked bfloat16/float8`);
  }
  return { dtype, littleEndian: order !== '>' };
}

/** Where the header text lives, from the first 12 bytes. */
function headerSpan(first: Uint8Array, what: string): { start: number; length: number; utf8: boolean } {
  if (first.length < 10 || NPY_MAGIC.some((b, i) => first[i] !== b)) throw new FormatError(`${what}: not a .npy file: expected the \\x93NUMPY magic bytes`);
  const major = first[6];
  if (major < 1 || major > 3) throw new FormatError(`${what}: unsupported .npy format version ${major}.${first[7]}; expected 1.0, 2.0 or 3.0`);
  const dv = new DataView(first.buffer, first.byteOffset, first.byteLength);
  if (major === 1) return { start: 10, length: dv.getUint16(8, true), utf8: false };
  if (first.length < 12) throw new FormatError(`${what}: file is truncated inside the .npy preamble`);
  return { start: 12, length: dv.getUint32(8, true), utf8: major === 3 };
}

function parseHeaderText(text: string, dataOffset: number, what: string): NpyHeader {
  const h = parsePyLiteral(text.trim(), what);
  if (h === null || typeof h !== 'object' || Array.isArray(h)) throw new FormatError(`${what}: malformed header: expected a dict, found ${text.trim().slice(0, 60)}`);
  for (const k of ['descr', 'fortran_order', 'shape']) {
    if (!(k in h)) throw new FormatError(`${what}: malformed header: missing '${k}' in ${text.trim().slice(0, 100)}`);
  }
  const { dtype, littleEndian } = dtypeOfDescr(h.descr, what);
  if (typeof h.fortran_order !== 'boolean') throw new FormatError(`${what}: malformed header: fortran_order must be True or False, found ${JSON.stringify(h.fortran_order)}`);
  if (!Array.isArray(h.shape)) throw new FormatError(`${what}: malformed header: shape must be a tuple, found ${JSON.stringify(h.shape)}`);
  const numel = checkedNumel(h.shape, what);
  return { dtype, littleEndian, fortranOrder: h.fortran_order, shape: h.shape as number[], numel, dataOffset };
}

function fortranStrides(shape: readonly number[]): number[] {
  const out: number[] = [];
  let s = 1;
  for (const d of shape) {
    out.push(s);
    s *= d;
  }
  return out;
}

/** Reads and validates an .npy header from a region (a whole file or a zip member). */
export async function readNpyHeader(r: Region, what: string, maxHeaderBytes = NPY_MAX_HEADER_BYTES): Promise<NpyHeader> {
  // One read covers a typical header (about 128 bytes), so a deflated member is inflated once.
  const first = await r.read(0, Math.min(1024, r.size));
  const span = headerSpan(first, what);
  if (span.length > maxHeaderBytes) throw new FormatError(`${what}: .npy header declares ${fmtBytes(span.length)}, above the header limit of ${fmtBytes(maxHeaderBytes)}`);
  if (span.start + span.length > r.size) throw new FormatError(`${what}: header length ${span.length} runs past the end of the data (${r.size} bytes)`);
  const end = span.start + span.length;
  const bytes = end <= first.length ? first.subarray(span.start, end) : await r.read(span.start, span.length);
  const text = new TextDecoder(span.utf8 ? 'utf-8' : 'latin1').decode(bytes);
  return parseHeaderText(text, span.start + span.length, what);
}

/** An .npy held in a region as one tensor entry named `name`; its data is read from `data` (the same bytes as r). */
export async function npyEntry(r: Region, name: string, what: string, maxHeaderBytes?: number, data: Region = r): Promise<TensorEntry> {
  const h = await readNpyHeader(r, what, maxHeaderBytes);
  const need = h.numel * ITEMSIZE[h.dtype];
  if (h.dataOffset + need > r.size) {
    throw new FormatError(`${what}: data is truncated: shape [${h.shape.join(', ')}] of ${h.dtype} needs ${need} bytes, found ${r.size - h.dataOffset}`);
  }
  return {
    info: tensorInfo(name, h.dtype, h.shape, h.numel),
    region: subRegion(data, h.dataOffset, r.size - h.dataOffset, what),
    littleEndian: h.littleEndian,
    offset: 0,
    strides: h.fortranOrder && h.shape.length > 1 ? fortranStrides(h.shape) : undefined,
  };
}

/** Tensor name of a file: its name without the extension. */
export const stemOf = (fileName: string): string => fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '') || fileName;

export async function openNpy(src: ByteSource, opts: { maxHeaderBytes?: number } = {}): Promise<TensorFile> {
  const entry = await npyEntry(sourceRegion(src, 0, src.size, 'npy'), stemOf(src.name), src.name, Math.min(opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES, NPY_MAX_HEADER_BYTES));
  return makeTensorFile('npy', src.name, {}, [entry], () => src.close());
}

/** Parses a whole .npy file held in memory. */
export function parseNpy(bytes: Uint8Array, opts: { maxBytes?: number } = {}): NpyArray {
  const what = '.npy';
  const span = headerSpan(bytes.subarray(0, 12), what);
  if (span.start + span.length > bytes.length) throw new FormatError(`${what}: header length ${span.length} runs past the end of the file (${bytes.length} bytes)`);
  const text = new TextDecoder(span.utf8 ? 'utf-8' : 'latin1').decode(bytes.subarray(span.start, span.start + span.length));
  const h = parseHeaderText(text, span.start + span.length, what);
  const need = h.numel * ITEMSIZE[h.dtype];
  if (h.dataOffset + need > bytes.length) {
    throw new FormatError(`${what}: data is truncated: expected ${need} bytes for shape (${h.shape.join(', ')}) of ${h.dtype}, found ${bytes.length - h.dataOffset}`);
  }
  const limit = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const inMemory = Math.max(need, h.numel * outputItemSize(h.dtype));
  if (inMemory > limit) throw new TooLargeError(`${what}: array needs ${fmtBytes(inMemory)}, above the limit of ${fmtBytes(limit)}`);
  let data = decodeValues(bytes.subarray(h.dataOffset, h.dataOffset + need), h.dtype, h.littleEndian, h.numel);
  if (h.fortranOrder && h.shape.length > 1) data = gatherStrided(data, h.shape, fortranStrides(h.shape), 0);
  return { dtype: h.dtype, shape: h.shape, data, fortranOrder: h.fortranOrder };
}

/** Encodes a C-order float32/float64 array as an .npy (version 1.0; 2.0 if the header needs it). */
/** The bytes before an array's data: magic, version, header length and the padded dict (data 64-byte aligned). */
export function encodeNpyHeader(descr: string, shape: readonly number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const v2 = header.length + 11 > 65535;
  const pre = v2 ? 12 : 10;
  header += ' '.repeat((64 - ((pre + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(pre + header.length);
  out.set(NPY_MAGIC, 0);
  out[6] = v2 ? 2 : 1;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (v2) dv.setUint32(8, header.length, true);
  else dv.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  return out;
}

export function encodeNpy(data: Float32Array | Float64Array, shape: readonly number[]): Uint8Array {
  const n = checkedNumel(shape, 'encodeNpy');
  if (n !== data.length) throw new FormatError(`encodeNpy: shape [${shape.join(', ')}] holds ${n} values, but ${data.length} were given`);
  const head = encodeNpyHeader(data instanceof Float32Array ? '<f4' : '<f8', shape);
  const out = new Uint8Array(head.length + data.byteLength);
  out.set(head, 0);
  const dv = new DataView(out.buffer);
  // Values are written little-endian whatever the host (a plain copy on little-endian hosts).
  const at = head.length;
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
  else if (data instanceof Float32Array) data.forEach((v, i) => dv.setFloat32(at + 4 * i, v, true));
  else data.forEach((v, i) => dv.setFloat64(at + 8 * i, v, true));
  return out;
}
