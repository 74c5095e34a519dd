// Writers for the hostile corpus (hostile.test.ts): small, valid-looking files of every format built at test time,
// and the hostile variants an audit found (lying strides, overlapping members, deep nesting, 64-bit dims).
import { deflateRawSync } from 'node:zlib';
import { crc32 } from '../../../src/formats/crc32';
import { encodeNpy } from '../../../src/formats/npy';

const enc = new TextEncoder();
const cat = (parts: (Uint8Array | number[])[]): Uint8Array => {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
};
const le = (bits: 16 | 32 | 64, v: number | bigint): Uint8Array => {
  const b = new Uint8Array(bits / 8);
  const dv = new DataView(b.buffer);
  if (bits === 16) dv.setUint16(0, Number(v), true);
  else if (bits === 32) dv.setUint32(0, Number(v), true);
  else dv.setBigUint64(0, BigInt(v), true);
  return b;
};
export const f32 = (values: number[]): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);

// --- zip ---------------------------------------------------------------------------------------------------------

export interface ZipMember {
  name: string;
  data: Uint8Array;
  deflate?: boolean;
}

/**
 * A zip archive. `aliases` adds central-directory entries (name -> index of a member) that point at another member's
 * local header: the overlapping-members construction of the non-recursive zip bomb.
 */
export function zip(members: ZipMember[], aliases: [string, number][] = []): Uint8Array {
  const locals: Uint8Array[] = [];
  const info: { name: string; method: number; crc: number; csize: number; size: number; offset: number }[] = [];
  let offset = 0;
  for (const m of members) {
    const body = m.deflate ? deflateRawSync(m.data) : m.data;
    const method = m.deflate ? 8 : 0;
    const crc = crc32(m.data);
    const name = enc.encode(m.name);
    const header = cat([le(32, 0x04034b50), le(16, 20), le(16, 0), le(16, method), le(16, 0), le(16, 0x21), le(32, crc),
      le(32, body.length), le(32, m.data.length), le(16, name.length), le(16, 0), name]);
    locals.push(header, body);
    info.push({ name: m.name, method, crc, csize: body.length, size: m.data.length, offset });
    offset += header.length + body.length;
  }
  const central: Uint8Array[] = [];
  for (const e of [...info, ...aliases.map(([name, i]) => ({ ...info[i], name }))]) {
    const name = enc.encode(e.name);
    central.push(cat([le(32, 0x02014b50), le(16, 20), le(16, 20), le(16, 0), le(16, e.method), le(16, 0), le(16, 0x21), le(32, e.crc),
      le(32, e.csize), le(32, e.size), le(16, name.length), le(16, 0), le(16, 0), le(16, 0), le(16, 0), le(32, 0), le(32, e.offset), name]));
  }
  const cd = cat(central);
  const count = info.length + aliases.length;
  const eocd = cat([le(32, 0x06054b50), le(16, 0), le(16, 0), le(16, Math.min(count, 0xffff)), le(16, Math.min(count, 0xffff)),
    le(32, cd.length), le(32, offset), le(16, 0)]);
  return cat([...locals, cd, eocd]);
}

// --- pickle (protocol 2) and torch.save checkpoints -------------------------------------------------------------

export const P = {
  proto: [0x80, 2],
  stop: [0x2e],
  mark: [0x28],
  emptyDict: [0x7d],
  emptyList: [0x5d],
  emptyTuple: [0x29],
  emptySet: [0x8f],
  setitem: [0x73],
  setitems: [0x75],
  append: [0x61],
  additems: [0x90],
  tuple: [0x74],
  reduce: [0x52],
  persid: [0x51],
  false: [0x89],
  str(s: string): Uint8Array {
    const b = enc.encode(s);
    return b.length < 256 ? cat([[0x8c, b.length], b]) : cat([[0x58], le(32, b.length), b]);
  },
  int(n: number): Uint8Array {
    return n >= 0 && n < 256 ? Uint8Array.of(0x4b, n) : cat([[0x4a], le(32, n >>> 0)]);
  },
  /** LONG1: any integer up to 8 bytes (numel and strides past 2^31). */
  long(n: number): Uint8Array {
    const b = le(64, BigInt.asUintN(64, BigInt(n)));
    return cat([[0x8a, 8], b]);
  },
  global(module: string, name: string): Uint8Array {
    return cat([[0x63], enc.encode(`${module}\n${name}\n`)]);
  },
};

const intTuple = (xs: number[]) => cat([P.mark, ...xs.map((x) => P.long(x)), P.tuple]);

/** A pickled tensor view: _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()). */
export function pickledTensor(key: string, storageNumel: number, offset: number, shape: number[], stride: number[]): Uint8Array {
  const storage = cat([P.mark, P.str('storage'), P.global('torch', 'FloatStorage'), P.str(key), P.str('cpu'), P.long(storageNumel), P.tuple, P.persid]);
  return cat([P.global('torch._utils', '_rebuild_tensor_v2'), P.mark, storage, P.long(offset), intTuple(shape), intTuple(stride), P.false,
    P.global('collections', 'OrderedDict'), P.emptyTuple, P.reduce, P.tuple, P.reduce]);
}

/** A dict {name: value} pickle, values already pickled. */
export function pickledDict(items: [string, Uint8Array][]): Uint8Array {
  return cat([P.proto, P.emptyDict, P.mark, ...items.flatMap(([k, v]) => [P.str(k), v]), P.setitems, P.stop]);
}

/** A torch.save zip checkpoint: archive/data.pkl and one member per float32 storage. */
export function torchZip(pickle: Uint8Array, storages: Record<string, Uint8Array>): Uint8Array {
  return zip([
    { name: 'archive/data.pkl', data: pickle },
    ...Object.entries(storages).map(([k, data]) => ({ name: `archive/data/${k}`, data })),
    { name: 'archive/version', data: enc.encode('3\n') },
  ]);
}

// --- safetensors, ONNX, GGUF --------------------------------------------------------------------------------------

export function safetensors(header: unknown, data: Uint8Array): Uint8Array {
  const h = enc.encode(typeof header === 'string' ? header : JSON.stringify(header));
  return cat([le(64, h.length), h, data]);
}

const varint = (v: bigint): number[] => {
  const out: number[] = [];
  let x = BigInt.asUintN(64, v);
  do {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    out.push(x ? b | 0x80 : b);
  } while (x);
  return out;
};
const pbBytes = (field: number, body: Uint8Array) => cat([varint(BigInt((field << 3) | 2)), varint(BigInt(body.length)), body]);
const pbVarint = (field: number, v: bigint) => cat([varint(BigInt(field << 3)), varint(v)]);

/** ModelProto { graph { initializer { dims..., data_type FLOAT, name, raw_data } } }, dims as unpacked varints. */
export function onnxModel(name: string, dims: bigint[], raw: Uint8Array): Uint8Array {
  const tensor = cat([...dims.map((d) => pbVarint(1, d)), pbVarint(2, 1n), pbBytes(8, enc.encode(name)), pbBytes(9, raw)]);
  const graph = cat([pbBytes(1, new Uint8Array(0)), pbBytes(5, tensor)]);
  return cat([pbVarint(1, 8n), pbBytes(7, graph)]);
}

/** GGUF v3 with float32 tensors (dims in PyTorch order) and no metadata. */
export function gguf(tensors: { name: string; shape: number[]; values: number[] }[]): Uint8Array {
  const str = (s: string) => cat([le(64, enc.encode(s).length), enc.encode(s)]);
  const infos: Uint8Array[] = [];
  let offset = 0;
  for (const t of tensors) {
    infos.push(cat([str(t.name), le(32, t.shape.length), ...[...t.shape].reverse().map((d) => le(64, d)), le(32, 0), le(64, offset)]));
    offset += Math.ceil((t.values.length * 4) / 32) * 32;
  }
  const head = cat([enc.encode('GGUF'), le(32, 3), le(64, tensors.length), le(64, 0), ...infos]);
  const pad = new Uint8Array((32 - (head.length % 32)) % 32);
  const data = tensors.map((t) => {
    const b = f32(t.values);
    return cat([b, new Uint8Array(Math.ceil(b.length / 32) * 32 - b.length)]);
  });
  return cat([head, pad, ...data]);
}

export const npy = (values: number[], shape: number[], dtype: 'float32' | 'float64' = 'float32') =>
  encodeNpy(dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values), shape);
