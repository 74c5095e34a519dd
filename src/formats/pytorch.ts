// PyTorch checkpoints in torch.save's zip format (>= 1.6): '<archive>/data.pkl' (read by the safe unpickler in
// ./pickle) plus one member '<archive>/data/<key>' per storage. Tensors are views into storages (offset,
// strides; several tensors may share one storage). Nested dicts and lists are flattened with dots, so a
// state dict keeps its names ('layer1.0.bn1.running_var'); plain numbers and strings become metadata.
import { ITEMSIZE } from './dtype';
import { DEFAULT_MAX_HEADER_BYTES, FormatError, fmtBytes } from './errors';
import { stemOf } from './npy';
import { PyDict, PyTuple, TensorRef, typeName, unpickle, type PyObj } from './pickle';
import type { Region } from './region';
import type { ByteSource } from './source';
import { makeTensorFile, tensorInfo, type TensorEntry, type TensorFile } from './tensorFile';
import { lazyZipMember, openZipMember, type ZipEntry } from './zip';

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
    const order = new TextDecoder().decode(await (await openZipMember(src, bo)).read(0, bo.size)).trim();
    if (order !== 'little' && order !== 'big') throw new FormatError(`${what}: byteorder must be 'little' or 'big', found ${JSON.stringify(order)}`);
    littleEndian = order === 'little';
  }

  const root = unpickle(await (await openZipMember(src, pkl)).read(0, pkl.size), `${what}: data.pkl`);
  const metadata: Record<string, unknown> = {};
  const tensors: [string, TensorRef][] = [];
  flatten(root, stemOf(what), tensors, metadata, what);

  const regions = new Map<string, Region>();
  const entries: TensorEntry[] = [];
  for (const [name, t] of tensors) {
    const key = t.storage.key;
    let region = regions.get(key);
    if (!region) {
      const member = members.get(`${prefix}data/${key}`);
      if (!member) throw new FormatError(`${what}: tensor '${name}' uses storage '${key}', but the zip has no member '${prefix}data/${key}'`);
      region = lazyZipMember(src, member);
      const need = t.storage.numel * ITEMSIZE[t.storage.dtype];
      if (region.size < need) throw new FormatError(`${what}: storage '${key}' declares ${t.storage.numel} ${t.storage.dtype} elements (${need} bytes), but its member holds ${region.size} bytes`);
      regions.set(key, region);
    }
    let numel = 1;
    for (const d of t.shape) numel *= d;
    if (!Number.isSafeInteger(numel)) throw new FormatError(`${what}: tensor '${name}' has too many elements`);
    entries.push({ info: tensorInfo(name, t.storage.dtype, t.shape, numel), region, littleEndian, offset: t.offset, strides: t.stride });
  }
  return makeTensorFile('pytorch', what, metadata, entries, () => src.close());
}

/** Walks the unpickled object without recursion limits being hit by hostile nesting; cycles are skipped. */
function flatten(root: PyObj, rootName: string, tensors: [string, TensorRef][], metadata: Record<string, unknown>, what: string): void {
  const seen = new Set<object>();
  const todo: [string, PyObj, number][] = [['', root, 0]];
  while (todo.length) {
    const [name, v, depth] = todo.pop()!;
    if (v instanceof TensorRef) {
      tensors.push([name || rootName, v]);
      continue;
    }
    if (v === null || typeof v !== 'object') {
      if (name) Object.defineProperty(metadata, name, { value: v, enumerable: true, writable: true, configurable: true });
      else throw new FormatError(`${what}: expected a tensor or a dict of tensors, found a ${typeName(v)}`);
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
