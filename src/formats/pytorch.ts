// PyTorch checkpoints in torch.save's zip format (>= 1.6) and the legacy format before it: '<archive>/data.pkl' (read by the safe unpickler in
// ./pickle) plus one member '<archive>/data/<key>' per storage. Tensors are views into storages (offset,
// strides; several tensors may share one storage). Nested dicts and lists are flattened with dots, so a
// state dict keeps its names ('layer1.0.bn1.running_var'); plain numbers and strings become metadata.
import { checkedNumel, ITEMSIZE } from './dtype';
import { DEFAULT_MAX_HEADER_BYTES, FormatError, fmtBytes } from './errors';
import { dtypeOfNumpyCode, stemOf } from './npy';
import { bufferSource } from './source';
import { NumpyArrayRef, PyDict, PyTuple, StorageRef, TensorRef, typeName, unpickle, unpickleAt, type PyObj } from './pickle';
import { sourceRegion, type Region } from './region';
import type { ByteSource } from './source';
import { makeTensorFile, tensorInfo, type TensorEntry, type TensorFile } from './tensorFile';
import { lazyZipMember, type ZipEntry } from './zip';

const MAX_DEPTH = 64;

export async function openPytorch(src: ByteSource, zip: ZipEntry[], opts: { maxHeaderBytes?: number } = {}): Promise<TensorFile> {
  const what = src.name;
  const pkl = zip.find((z) => z.name === 'data.pkl' || z.name.endsWith('/data.pkl'));
  if (!pkl) throw new FormatError(`${what}: not a PyTorch checkpoint: no data.pkl in the zip`);
  const prefix = pkl.name.slice(0, -'data.pkl'.length);
  const limit = opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  if (pkl.size > limit) throw new FormatError(`${what}: data.pkl is ${fmtBytes(pkl.size)}, above the header limit of ${fmtBytes(limit)}`);
  const members = new Map(zip.map((z) => [z.name, z]));

  let littleEndian = true;
  const bo = members.get(`${prefix}byteorder`);
  if (bo && bo.size <= 16) {
    const order = new TextDecoder().decode(await lazyZipMember(src, bo).read(0, bo.size)).trim();
    if (order !== 'little' && order !== 'big') throw new FormatError(`${what}: byteorder must be 'little' or 'big', found ${JSON.stringify(order)}`);
    littleEndian = order === 'little';
  }

  const root = unpickle(await lazyZipMember(src, pkl).read(0, pkl.size), `${what}: data.pkl`);
  return buildFile(src, root, littleEndian, async (name, storage) => {
    const member = members.get(`${prefix}data/${storage.key}`);
    if (!member) throw new FormatError(`${what}: tensor '${name}' uses storage '${storage.key}', but the zip has no member '${prefix}data/${storage.key}'`);
    return lazyZipMember(src, member);
  });
}

/** The first pickle of the legacy (pre-1.6) format: the magic number 0x1950a86a20f9469cfc6c. */
export const LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];

/**
 * The legacy torch.save format (PyTorch < 1.6, or _use_new_zipfile_serialization=False): pickles of the magic
 * number, the protocol version (1001), system info, the object and the sorted storage keys, then each storage
 * as an 8-byte element count followed by its raw bytes.
 */
export async function openPytorchLegacy(src: ByteSource, opts: { maxHeaderBytes?: number } = {}): Promise<TensorFile> {
  const what = src.name;
  const limit = opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  const bytes = await src.read(0, Math.min(src.size, limit));
  const next = (at: number) => {
    try {
      return unpickleAt(bytes, at, what);
    } catch (e) {
      if (e instanceof FormatError && /truncated/.test(e.message) && bytes.length < src.size) {
        throw new FormatError(`${what}: the checkpoint's pickles are larger than the header limit of ${fmtBytes(limit)}`);
      }
      throw e;
    }
  };
  let pos = LEGACY_MAGIC.length;
  const version = next(pos);
  if (version.value !== 1001) throw new FormatError(`${what}: legacy PyTorch format: expected protocol version 1001, found ${JSON.stringify(version.value)}`);
  const sys = next(version.end);
  const littleEndian = !(sys.value instanceof PyDict && sys.value.map.get('little_endian') === false);
  const main = next(sys.end);
  const keys = next(main.end);
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === 'string')) throw new FormatError(`${what}: legacy PyTorch format: expected a list of storage keys after the object`);
  pos = keys.end;

  // Storage dtypes come from the tensors that use them; data follows in key order.
  const dtypes = new Map<string, StorageRef>();
  collectStorages(main.value, dtypes, what);
  const regions = new Map<string, Region>();
  for (const key of keys.value as string[]) {
    const st = dtypes.get(key);
    if (!st) throw new FormatError(`${what}: legacy PyTorch format: storage '${key}' is listed but no tensor uses it`);
    if (pos + 8 > src.size) throw new FormatError(`${what}: file is truncated before the data of storage '${key}'`);
    const head = await src.read(pos, 8);
    const n = new DataView(head.buffer, head.byteOffset, 8).getBigInt64(0, littleEndian);
    if (n !== BigInt(st.numel)) throw new FormatError(`${what}: storage '${key}' declares ${st.numel} elements in the pickle but ${n} in the data`);
    const size = st.numel * ITEMSIZE[st.dtype];
    regions.set(key, sourceRegion(src, pos + 8, size, `storage '${key}'`));
    pos += 8 + size;
  }
  return buildFile(src, main.value, littleEndian, async (name, storage) => {
    const r = regions.get(storage.key);
    if (!r) throw new FormatError(`${what}: tensor '${name}' uses storage '${storage.key}', which is not in the file`);
    return r;
  });
}

function collectStorages(root: PyObj, out: Map<string, StorageRef>, what: string): void {
  const tensors: [string, TensorRef][] = [];
  flatten(root, 'x', tensors, {}, what);
  for (const [, t] of tensors) out.set(t.storage.key, t.storage);
}

async function buildFile(src: ByteSource, root: PyObj, littleEndian: boolean, regionOf: (name: string, storage: StorageRef) => Promise<Region>): Promise<TensorFile> {
  const what = src.name;
  const metadata: Record<string, unknown> = {};
  const tensors: [string, TensorRef][] = [];
  const arrays: [string, NumpyArrayRef][] = [];
  flatten(root, stemOf(what), tensors, metadata, what, arrays);
  const regions = new Map<string, Region>();
  const entries: TensorEntry[] = [];
  for (const [name, t] of tensors) {
    const key = t.storage.key;
    let region = regions.get(key);
    if (!region) {
      region = await regionOf(name, t.storage);
      const need = t.storage.numel * ITEMSIZE[t.storage.dtype];
      if (region.size < need) throw new FormatError(`${what}: storage '${key}' declares ${t.storage.numel} ${t.storage.dtype} elements (${need} bytes), but its member holds ${region.size} bytes`);
      regions.set(key, region);
    }
    let numel = 1;
    for (const d of t.shape) numel *= d;
    if (!Number.isSafeInteger(numel)) throw new FormatError(`${what}: tensor '${name}' has too many elements`);
    entries.push({ info: tensorInfo(name, t.storage.dtype, t.shape, numel), region, littleEndian, offset: t.offset, strides: t.stride });
  }
  for (const [name, a] of arrays) entries.push(...numpyEntry(name, a, metadata, what));
  return makeTensorFile('pytorch', what, metadata, entries, () => src.close());
}

/** A NumPy array pickled into the checkpoint, as a tensor over its in-pickle bytes (other dtypes: metadata). */
function numpyEntry(name: string, a: NumpyArrayRef, metadata: Record<string, unknown>, what: string): TensorEntry[] {
  const code = a.dtype?.code ?? '?';
  const dtype = dtypeOfNumpyCode(code);
  if (!dtype || !a.data) {
    Object.defineProperty(metadata, name, { value: `numpy array of dtype '${code}' (not read)`, enumerable: true, writable: true, configurable: true });
    return [];
  }
  const numel = checkedNumel(a.shape, `${what}: array '${name}'`);
  const need = numel * ITEMSIZE[dtype];
  if (a.data.length !== need) throw new FormatError(`${what}: numpy array '${name}' of shape [${a.shape.join(', ')}] ${dtype} needs ${need} bytes, found ${a.data.length}`);
  const strides = a.fortranOrder && a.shape.length > 1 ? a.shape.map((_, i) => a.shape.slice(0, i).reduce((x, y) => x * y, 1)) : undefined;
  const region = sourceRegion(bufferSource(a.data, name), 0, a.data.length, `numpy array '${name}'`);
  return [{ info: tensorInfo(name, dtype, [...a.shape], numel), region, littleEndian: a.dtype?.littleEndian ?? true, offset: 0, strides }];
}

/** Walks the unpickled object without recursion limits being hit by hostile nesting; cycles are skipped. */
function flatten(root: PyObj, rootName: string, tensors: [string, TensorRef][], metadata: Record<string, unknown>, what: string, arrays: [string, NumpyArrayRef][] = []): void {
  const seen = new Set<object>();
  const todo: [string, PyObj, number][] = [['', root, 0]];
  while (todo.length) {
    const [name, v, depth] = todo.pop()!;
    if (v instanceof TensorRef) {
      tensors.push([name || rootName, v]);
      continue;
    }
    if (v instanceof NumpyArrayRef) {
      arrays.push([name || rootName, v]);
      continue;
    }
    if (v === null || typeof v !== 'object') {
      if (name) Object.defineProperty(metadata, name, { value: v, enumerable: true, writable: true, configurable: true });
      else throw new FormatError(`${what}: expected a tensor or a dict of tensors, found a ${typeName(v)}`);
      continue;
    }
    // A list or tuple of plain values (a config's sizes, a pickled set of 500,000 ints) is one metadata value.
    const items = Array.isArray(v) ? v : v instanceof PyTuple ? v.items : undefined;
    if (name && items?.every((x) => x === null || typeof x !== 'object')) {
      Object.defineProperty(metadata, name, { value: items, enumerable: true, writable: true, configurable: true });
      continue;
    }
    if (seen.has(v)) continue;
    seen.add(v);
    if (depth > MAX_DEPTH) throw new FormatError(`${what}: checkpoint nests deeper than ${MAX_DEPTH} levels`);
    const children: [string, PyObj][] =
      v instanceof PyDict ? [...v.map].map(([k, x]) => [String(k), x])
      : Array.isArray(v) ? v.map((x, i) => [String(i), x])
      : v instanceof PyTuple ? v.items.map((x, i) => [String(i), x])
      : [];
    // Push in reverse so names come out in file order.
    for (let i = children.length - 1; i >= 0; i--) todo.push([name ? `${name}.${children[i][0]}` : children[i][0], children[i][1], depth + 1]);
  }
}
