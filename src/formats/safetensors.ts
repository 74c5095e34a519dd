// .safetensors: 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}} with an
// optional "__metadata__" of strings, then the raw little-endian bytes. Listing reads only the header.
// A sharded checkpoint's model.safetensors.index.json ({"metadata", "weight_map": {name: shard file}}) opens
// as one model over its shard files, opened through `openSibling`.
import { checkedNumel, ITEMSIZE, type DType } from './dtype';
import { DEFAULT_MAX_HEADER_BYTES, FormatError, fmtBytes } from './errors';
import { sourceRegion } from './region';
import type { ByteSource } from './source';
import { makeTensorFile, tensorInfo, type TensorEntry, type TensorFile } from './tensorFile';

const DTYPES: Record<string, DType> = {
  F64: 'float64', F32: 'float32', F16: 'float16', BF16: 'bfloat16', I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8',
  U64: 'uint64', U32: 'uint32', U16: 'uint16', U8: 'uint8', BOOL: 'bool', F8_E4M3: 'float8_e4m3fn', F8_E5M2: 'float8_e5m2',
};

export interface SafetensorsOptions {
  maxHeaderBytes?: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when the first bytes look like a safetensors header (length, then '{'). */
export function looksLikeSafetensors(head: Uint8Array, size: number): boolean {
  if (head.length < 9 || head[8] !== 0x7b) return false;
  const n = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
  return n <= BigInt(size - 8);
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FormatError(`${what}: header is not valid UTF-8`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new FormatError(`${what}: header is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  checkDepth(value, what);
  return value;
}

/** Deepest nesting of arrays/objects a header may have: anything that prints it (recursively) stays safe. */
const MAX_JSON_DEPTH = 64;

/** Refuses JSON nested deeper than MAX_JSON_DEPTH (a header of 200,000 '[' would overflow JSON.stringify), iteratively. */
function checkDepth(root: unknown, what: string): void {
  const todo: [unknown, number][] = [[root, 0]];
  while (todo.length) {
    const [v, depth] = todo.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= MAX_JSON_DEPTH) throw new FormatError(`${what}: header nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels`);
    for (const x of Array.isArray(v) ? v : Object.values(v)) if (typeof x === 'object' && x !== null) todo.push([x, depth + 1]);
  }
}

export async function safetensorsEntries(src: ByteSource, opts: SafetensorsOptions = {}): Promise<{ entries: TensorEntry[]; metadata: Record<string, unknown> }> {
  const what = src.name;
  if (src.size < 8) throw new FormatError(`${what}: file is truncated: a safetensors file starts with an 8-byte header length, found ${src.size} bytes`);
  const h8 = await src.read(0, 8);
  const n64 = new DataView(h8.buffer, h8.byteOffset, 8).getBigUint64(0, true);
  const limit = opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  if (n64 > BigInt(src.size - 8)) throw new FormatError(`${what}: header length ${n64} runs past the end of the file (${src.size} bytes)`);
  const n = Number(n64);
  if (n > limit) throw new FormatError(`${what}: header declares ${fmtBytes(n)}, above the header limit of ${fmtBytes(limit)}`);
  const header = parseJson(await src.read(8, n), what);
  if (!isObject(header)) throw new FormatError(`${what}: header must be a JSON object, found ${Array.isArray(header) ? 'an array' : typeof header}`);
  const dataStart = 8 + n;
  const dataSize = src.size - dataStart;
  const data = sourceRegion(src, dataStart, dataSize, 'tensor data');
  const metadata: Record<string, unknown> = {};
  const entries: TensorEntry[] = [];
  const ranges: [number, number, string][] = [];
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isObject(v)) throw new FormatError(`${what}: __metadata__ must be an object of strings, found ${JSON.stringify(v)?.slice(0, 60)}`);
      for (const [k, x] of Object.entries(v)) Object.defineProperty(metadata, k, { value: x, enumerable: true, writable: true, configurable: true });
      continue;
    }
    const t = `${what}: tensor '${name}'`;
    if (!isObject(v)) throw new FormatError(`${t}: expected {dtype, shape, data_offsets}, found ${JSON.stringify(v)?.slice(0, 60)}`);
    const dtype = typeof v.dtype === 'string' ? DTYPES[v.dtype] : undefined;
    if (!dtype) throw new FormatError(`${t}: unsupported dtype ${JSON.stringify(v.dtype)}; expected one of ${Object.keys(DTYPES).join(', ')}`);
    if (!Array.isArray(v.shape)) throw new FormatError(`${t}: shape must be an array, found ${JSON.stringify(v.shape)}`);
    const numel = checkedNumel(v.shape, t);
    const off = v.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isSafeInteger(x) && x >= 0) || off[0] > off[1]) {
      throw new FormatError(`${t}: data_offsets must be [begin, end] with 0 <= begin <= end, found ${JSON.stringify(off)}`);
    }
    const [b, e] = off as [number, number];
    const need = numel * ITEMSIZE[dtype];
    if (e - b !== need) throw new FormatError(`${t}: data_offsets [${b}, ${e}] span ${e - b} bytes, but shape [${v.shape.join(', ')}] of ${dtype} needs ${need}`);
    if (e > dataSize) throw new FormatError(`${t}: data_offsets [${b}, ${e}] run past the end of the data (${dataSize} bytes): file is truncated`);
    if (e > b) ranges.push([b, e, name]);
    entries.push({ info: tensorInfo(name, dtype, v.shape as number[], numel), region: data, littleEndian: true, offset: b / ITEMSIZE[dtype] });
    if (b % ITEMSIZE[dtype] !== 0) {
      // Unaligned begin: give the tensor its own region so the element offset stays whole.
      entries[entries.length - 1].region = sourceRegion(src, dataStart + b, need, `tensor '${name}'`);
      entries[entries.length - 1].offset = 0;
    }
  }
  checkNoOverlap(ranges, what);
  return { entries, metadata };
}

/**
 * The safetensors format forbids tensors that share bytes: 10,000 entries over the same 4 MiB would make a small file
 * cost 10,000 passes. Refused from the header, before any data is read.
 */
function checkNoOverlap(ranges: [number, number, string][], what: string): void {
  ranges.sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < ranges.length; i++) {
    const [b0, e0, a] = ranges[i - 1];
    const [b1, e1, c] = ranges[i];
    if (b1 < e0) throw new FormatError(`${what}: tensors '${a}' (data_offsets [${b0}, ${e0}]) and '${c}' ([${b1}, ${e1}]) overlap; the safetensors format requires each tensor to have its own bytes`);
  }
}

export async function openSafetensors(src: ByteSource, opts: SafetensorsOptions = {}): Promise<TensorFile> {
  const { entries, metadata } = await safetensorsEntries(src, opts);
  return makeTensorFile('safetensors', src.name, metadata, entries, () => src.close());
}

/** A shard name must be a plain file name next to the index: no directories, no '..'. */
function checkShardName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name === '' || /[\\/]/.test(name) || name === '.' || name === '..' || name.includes('\0')) {
    throw new FormatError(`${what}: weight_map must name shard files in the same folder, found ${JSON.stringify(name)}`);
  }
  return name;
}

export async function openSafetensorsIndex(
  src: ByteSource,
  opts: SafetensorsOptions & { openSibling?: (name: string) => Promise<ByteSource> } = {},
): Promise<TensorFile> {
  const what = src.name;
  const limit = opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  if (src.size > limit) throw new FormatError(`${what}: index is ${fmtBytes(src.size)}, above the header limit of ${fmtBytes(limit)}`);
  const index = parseJson(await src.read(0, src.size), what);
  await src.close();
  if (!isObject(index) || !isObject(index.weight_map)) throw new FormatError(`${what}: expected a safetensors index: a JSON object with a "weight_map" object`);
  if (!opts.openSibling) throw new FormatError(`${what}: a sharded checkpoint index needs its shard files; open it from a folder on disk`);
  const byShard = new Map<string, string[]>();
  for (const [name, file] of Object.entries(index.weight_map)) {
    const shard = checkShardName(file, what);
    byShard.set(shard, [...(byShard.get(shard) ?? []), name]);
  }
  const shards: ByteSource[] = [];
  const entries: TensorEntry[] = [];
  const metadata: Record<string, unknown> = isObject(index.metadata) ? { ...index.metadata } : {};
  try {
    for (const [shard, names] of byShard) {
      let s: ByteSource;
      try {
        s = await opts.openSibling(shard);
      } catch (e) {
        throw new FormatError(`${what}: cannot open shard '${shard}': ${e instanceof Error ? e.message : String(e)}`);
      }
      shards.push(s);
      const got = await safetensorsEntries(s, opts);
      const byName = new Map(got.entries.map((e) => [e.info.name, e]));
      for (const name of names) {
        const e = byName.get(name);
        if (!e) throw new FormatError(`${what}: weight_map puts '${name}' in '${shard}', but that shard has no such tensor`);
        entries.push(e);
      }
    }
  } catch (e) {
    await Promise.all(shards.map((s) => s.close()));
    throw e;
  }
  metadata.shards = [...byShard.keys()];
  return makeTensorFile('safetensors', what, metadata, entries, async () => {
    await Promise.all(shards.map((s) => s.close()));
  });
}
