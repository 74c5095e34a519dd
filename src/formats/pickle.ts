// A pickle reader for PyTorch checkpoints that NEVER executes anything. It interprets the opcodes as data:
// containers, numbers, strings, and an allow-list of globals that it models itself (OrderedDict, the tensor
// rebuild functions, storage types, torch.Size, ...). Any other global (os.system, builtins.eval, a model
// class, ...) is refused by name, at the opcode that names it, before anything could be called.
import type { DType } from './dtype';
import { FormatError } from './errors';

export class PyTuple {
  constructor(readonly items: PyObj[]) {}
}
export class PyDict {
  readonly map = new Map<string | number | boolean | null, PyObj>();
}
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}
export class StorageRef {
  constructor(readonly key: string, readonly dtype: DType, readonly location: string, readonly numel: number) {}
}
export class TensorRef {
  constructor(readonly storage: StorageRef, readonly offset: number, readonly shape: number[], readonly stride: number[]) {}
}
export class NumpyDType {
  littleEndian = true;
  constructor(readonly code: string) {}
}
/** A NumPy array inside a checkpoint (e.g. a saved RNG state): its bytes are in the pickle itself. */
export class NumpyArrayRef {
  shape: number[] = [];
  dtype: NumpyDType | undefined;
  fortranOrder = false;
  data: Uint8Array | undefined;
}
export type PyObj = null | boolean | number | string | Uint8Array | PyObj[] | PyTuple | PyDict | PyGlobal | StorageRef | TensorRef | NumpyDType | NumpyArrayRef;

const STORAGE_DTYPES: Record<string, DType> = {
  FloatStorage: 'float32', DoubleStorage: 'float64', HalfStorage: 'float16', BFloat16Storage: 'bfloat16',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8', ByteStorage: 'uint8', BoolStorage: 'bool',
};
const TORCH_DTYPES = ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool', 'float', 'double', 'half', 'long', 'int'];

const ALLOWED = new Set([
  'collections.OrderedDict', 'builtins.dict', 'builtins.set', 'builtins.frozenset', '_codecs.encode',
  // Protocol 2 spells Python 3's builtins the Python 2 way.
  '__builtin__.dict', '__builtin__.set', '__builtin__.frozenset',
  'torch._utils._rebuild_tensor', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_parameter', 'torch._utils._rebuild_parameter_with_state',
  'torch.Size', 'torch.device', 'numpy.dtype', 'numpy.core.multiarray.scalar', 'numpy.core.multiarray._reconstruct', 'numpy.ndarray',
  ...Object.keys(STORAGE_DTYPES).map((s) => `torch.${s}`),
  ...TORCH_DTYPES.map((s) => `torch.${s}`),
]);

const MAX_STACK = 1_000_000;
const MAX_MEMO = 1_000_000;

/** Unpickles `bytes` as data. `what` names the file in errors. */
export function unpickle(bytes: Uint8Array, what: string): PyObj {
  return unpickleAt(bytes, 0, what).value;
}

/** Unpickles the pickle starting at `start`; `end` is the offset just after its STOP. */
export function unpickleAt(bytes: Uint8Array, start: number, what: string): { value: PyObj; end: number } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: PyObj[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyObj>();
  const storages = new Map<string, StorageRef>();
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const latin1 = new TextDecoder('latin1');
  let p = start;
  // Allow-listed calls that copy an existing object (set(), OrderedDict(pairs), _codecs.encode) cost pickle
  // bytes only for the reference: a work budget stops a small pickle from expanding without bound.
  let budget = Math.max(1 << 22, bytes.length * 8);
  const spend = (n: number) => {
    budget -= n;
    if (budget < 0) fail('pickle expands far beyond its size (hostile or corrupt)');
  };

  const fail = (msg: string): never => {
    throw new FormatError(`${what}: ${msg} (pickle byte ${p})`);
  };
  const need = (n: number) => {
    if (!(n >= 0) || p + n > bytes.length) fail(`pickle is truncated: expected ${n} more bytes`);
  };
  const u8 = () => (need(1), bytes[p++]);
  const u16 = () => (need(2), (p += 2), dv.getUint16(p - 2, true));
  const u32 = () => (need(4), (p += 4), dv.getUint32(p - 4, true));
  const i32 = () => (need(4), (p += 4), dv.getInt32(p - 4, true));
  const u64 = () => {
    need(8);
    const v = dv.getBigUint64(p, true);
    p += 8;
    if (v > BigInt(bytes.length)) fail(`length ${v} is larger than the pickle`);
    return Number(v);
  };
  const take = (n: number) => (need(n), (p += n), bytes.subarray(p - n, p));
  const line = (): string => {
    const end = bytes.indexOf(0x0a, p);
    if (end < 0) fail('pickle is truncated: expected a newline');
    const s = latin1.decode(bytes.subarray(p, end));
    p = end + 1;
    return s;
  };
  const text = (n: number): string => {
    try {
      return utf8.decode(take(n));
    } catch (e) {
      if (e instanceof FormatError) throw e;
      return fail('invalid UTF-8 in a string');
    }
  };
  const push = (v: PyObj) => {
    if (stack.length >= MAX_STACK) fail(`pickle stack is deeper than ${MAX_STACK}`);
    stack.push(v);
  };
  const pop = (): PyObj => (stack.length ? (stack.pop() as PyObj) : fail('pickle stack underflow'));
  const top = (): PyObj => (stack.length ? stack[stack.length - 1] : fail('pickle stack underflow'));
  const popMark = (): PyObj[] => {
    const m = marks.pop();
    if (m === undefined || m > stack.length) return fail('pickle MARK missing');
    return stack.splice(m);
  };
  const put = (i: number) => {
    if (memo.size >= MAX_MEMO && !memo.has(i)) fail(`pickle memo holds more than ${MAX_MEMO} entries`);
    memo.set(i, top());
  };
  const get = (i: number) => {
    if (!memo.has(i)) fail(`pickle refers to memo entry ${i}, which was never stored`);
    push(memo.get(i) as PyObj);
  };
  const dictKey = (k: PyObj): string | number | boolean | null => {
    if (k === null || typeof k === 'string' || typeof k === 'number' || typeof k === 'boolean') return k;
    return fail(`unsupported dict key of type ${typeName(k)}`);
  };
  const setItems = (d: PyObj, kv: PyObj[]) => {
    if (!(d instanceof PyDict)) fail(`SETITEM(S) on a ${typeName(d)}, expected a dict`);
    if (kv.length % 2) fail('SETITEMS with an odd number of items');
    for (let i = 0; i < kv.length; i += 2) (d as PyDict).map.set(dictKey(kv[i]), kv[i + 1]);
  };
  const global = (module: string, name: string): PyGlobal => {
    const g = new PyGlobal(module, name);
    // torch.*Storage classes are only markers inside storage references (never called): an unsupported one
    // (complex, quantized) is refused with its dtype by persistentLoad.
    if (!ALLOWED.has(g.qualified) && !(module === 'torch' && /^\w+Storage$/.test(name))) {
      fail(`refusing global '${g.qualified}': NormLab reads plain tensors and state dicts and never runs code from a checkpoint (not on the allow-list of tensor/storage/OrderedDict globals)`);
    }
    return g;
  };
  const long = (b: Uint8Array): number => {
    if (b.length > 8) fail(`integer of ${b.length} bytes is too large`);
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (b.length && b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
    return Number(v);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: u64(); break; // FRAME: framing is transparent here
      case 0x7d: push(new PyDict()); break; // EMPTY_DICT
      case 0x5d: push([]); break; // EMPTY_LIST
      case 0x29: push(new PyTuple([])); break; // EMPTY_TUPLE
      case 0x28: // MARK
        if (marks.length >= MAX_STACK) fail('too many MARKs');
        marks.push(stack.length);
        break;
      case 0x58: push(text(u32())); break; // BINUNICODE
      case 0x8c: push(text(u8())); break; // SHORT_BINUNICODE
      case 0x8d: push(text(u64())); break; // BINUNICODE8
      case 0x4a: push(i32()); break; // BININT
      case 0x4b: push(u8()); break; // BININT1
      case 0x4d: push(u16()); break; // BININT2
      case 0x8a: push(long(take(u8()))); break; // LONG1
      case 0x8b: { // LONG4
        const n = i32();
        if (n < 0) fail('negative LONG4 length');
        push(long(take(n)));
        break;
      }
      case 0x47: need(8); push(dv.getFloat64(p, false)); p += 8; break; // BINFLOAT (big-endian)
      case 0x49: case 0x4c: { // INT, LONG (text)
        const s = line().replace(/L$/, '');
        if (s === '00' || s === '01') push(s === '01');
        else if (/^[-+]?\d{1,16}$/.test(s)) push(Number(s));
        else fail(`bad INT ${JSON.stringify(s.slice(0, 20))}`);
        break;
      }
      case 0x46: { // FLOAT (text)
        const v = Number(line());
        push(Number.isNaN(v) ? fail('bad FLOAT') : v);
        break;
      }
      case 0x4e: push(null); break; // NONE
      case 0x88: push(true); break; // NEWTRUE
      case 0x89: push(false); break; // NEWFALSE
      case 0x74: push(new PyTuple(popMark())); break; // TUPLE
      case 0x85: push(new PyTuple([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); push(new PyTuple([a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); push(new PyTuple([a, b, c])); break; } // TUPLE3
      case 0x6c: push(popMark()); break; // LIST
      case 0x64: { const d = new PyDict(); setItems(d, popMark()); push(d); break; } // DICT
      case 0x61: { // APPEND
        const v = pop();
        const l = top();
        if (!Array.isArray(l)) fail(`APPEND to a ${typeName(l)}, expected a list`);
        (l as PyObj[]).push(v);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        const l = top();
        if (!Array.isArray(l)) fail(`APPENDS to a ${typeName(l)}, expected a list`);
        for (const v of items) (l as PyObj[]).push(v);
        break;
      }
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const kv = popMark(); setItems(top(), kv); break; } // SETITEMS
      case 0x8f: push([]); break; // EMPTY_SET (as a list)
      case 0x90: { // ADDITEMS
        const items = popMark();
        const s = top();
        if (!Array.isArray(s)) fail('ADDITEMS to a non-set');
        for (const v of items) (s as PyObj[]).push(v); // not push(...items): 500,000 arguments overflow the stack
        break;
      }
      case 0x91: push(popMark()); break; // FROZENSET
      case 0x71: put(u8()); break; // BINPUT
      case 0x72: put(u32()); break; // LONG_BINPUT
      case 0x94: put(memo.size); break; // MEMOIZE
      case 0x70: put(Number(line())); break; // PUT (text)
      case 0x68: get(u8()); break; // BINGET
      case 0x6a: get(u32()); break; // LONG_BINGET
      case 0x67: get(Number(line())); break; // GET (text)
      case 0x63: { const m = line(); push(global(m, line())); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL expects two strings');
        push(global(module as string, name as string));
        break;
      }
      case 0x52: { const args = pop(); const fn = pop(); push(reduce(fn, args)); break; } // REDUCE
      case 0x62: { const state = pop(); build(top(), state); break; } // BUILD
      case 0x51: push(persistentLoad(pop())); break; // BINPERSID
      case 0x43: push(take(u8()).slice()); break; // SHORT_BINBYTES
      case 0x42: push(take(u32()).slice()); break; // BINBYTES
      case 0x8e: push(take(u64()).slice()); break; // BINBYTES8
      case 0x55: push(latin1.decode(take(u8()))); break; // SHORT_BINSTRING
      case 0x54: { // BINSTRING
        const n = i32();
        if (n < 0) fail('negative BINSTRING length');
        push(latin1.decode(take(n)));
        break;
      }
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: push(top()); break; // DUP
      case 0x2e: // STOP
        if (stack.length !== 1) fail(`pickle ends with ${stack.length} values on the stack, expected 1`);
        return { value: stack[0], end: p };
      case 0x81: case 0x92: { // NEWOBJ, NEWOBJ_EX: class instantiation
        const cls = op === 0x92 ? (pop(), pop(), pop()) : (pop(), pop());
        return fail(`refusing to instantiate ${cls instanceof PyGlobal ? `'${cls.qualified}'` : 'an object'} (NEWOBJ): only tensors and state dicts are read`);
      }
      case 0x69: return fail(`refusing INST '${line()}.${line()}': only tensors and state dicts are read`);
      case 0x6f: return fail('refusing OBJ (object instantiation): only tensors and state dicts are read');
      case 0x50: return fail('refusing text PERSID: not a PyTorch storage reference');
      default:
        return fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }

  function persistentLoad(pid: PyObj): PyObj {
    if (!(pid instanceof PyTuple) || pid.items[0] !== 'storage' || pid.items.length < 5) fail('persistent id is not a PyTorch storage reference');
    const [, type, key, location, numel, viewMetadata] = (pid as PyTuple).items;
    // The legacy format could also save views of storages (its 6th item): not written by PyTorch >= 0.4.
    if (viewMetadata !== undefined && viewMetadata !== null) fail('storage views of the legacy PyTorch format are not supported');
    if (!(type instanceof PyGlobal)) return fail('storage type is not a torch storage class');
    const dtype = STORAGE_DTYPES[type.name];
    if (!dtype) return fail(`unsupported dtype: storage type '${type.qualified}'; expected one of ${Object.keys(STORAGE_DTYPES).map((k) => `torch.${k}`).join(', ')}`);
    if (typeof key !== 'string' || !/^[\w.-]{1,64}$/.test(key)) return fail(`bad storage key ${JSON.stringify(key)}`);
    if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) return fail(`bad storage size ${JSON.stringify(numel)}`);
    const known = storages.get(key);
    if (known) {
      if (known.dtype !== dtype) fail(`storage '${key}' is used as both ${known.dtype} and ${dtype}`);
      return known;
    }
    const s = new StorageRef(key, dtype, typeof location === 'string' ? location : 'cpu', numel);
    storages.set(key, s);
    return s;
  }

  function intTuple(v: PyObj, name: string): number[] {
    const items = v instanceof PyTuple ? v.items : Array.isArray(v) ? v : fail(`${name} must be a tuple of integers, found a ${typeName(v)}`);
    if (!items.every((x) => typeof x === 'number' && Number.isSafeInteger(x))) fail(`${name} must be a tuple of integers`);
    return items as number[];
  }

  function reduce(fn: PyObj, argsObj: PyObj): PyObj {
    if (!(fn instanceof PyGlobal)) return fail(`REDUCE on a ${typeName(fn)}, expected an allowed global`);
    if (!(argsObj instanceof PyTuple)) return fail(`REDUCE arguments must be a tuple, found a ${typeName(argsObj)}`);
    const args = argsObj.items;
    switch (fn.qualified) {
      case 'collections.OrderedDict':
      case 'builtins.dict':
      case '__builtin__.dict': {
        const d = new PyDict();
        if (args.length && Array.isArray(args[0])) {
          spend(args[0].length);
          for (const kv of args[0]) if (kv instanceof PyTuple && kv.items.length === 2) setItems(d, kv.items);
        }
        return d;
      }
      case 'builtins.set':
      case 'builtins.frozenset':
      case '__builtin__.set':
      case '__builtin__.frozenset':
        return Array.isArray(args[0]) ? (spend(args[0].length), [...args[0]]) : [];
      case 'torch._utils._rebuild_tensor':
      case 'torch._utils._rebuild_tensor_v2': {
        const [storage, offset, size, stride] = args;
        if (!(storage instanceof StorageRef)) return fail(`${fn.name}: expected a storage, found a ${typeName(storage)}`);
        if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) return fail(`${fn.name}: bad storage offset`);
        const shape = intTuple(size, 'tensor size');
        const strides = intTuple(stride, 'tensor stride');
        if (shape.length !== strides.length) fail(`tensor size ${JSON.stringify(shape)} and stride ${JSON.stringify(strides)} differ in length`);
        if (shape.some((d) => d < 0) || strides.some((s) => s < 0)) fail('negative tensor size or stride');
        return new TensorRef(storage, offset, shape, strides);
      }
      case 'torch._utils._rebuild_parameter':
      case 'torch._utils._rebuild_parameter_with_state':
        if (!(args[0] instanceof TensorRef)) return fail(`${fn.name}: expected a tensor, found a ${typeName(args[0])}`);
        return args[0];
      case 'torch.Size':
        return new PyTuple(args[0] instanceof PyTuple ? args[0].items : Array.isArray(args[0]) ? args[0] : []);
      case 'torch.device':
        spend(args.length);
        return args.map((a) => (typeof a === 'string' || typeof a === 'number' ? String(a) : '?')).join(':');
      case '_codecs.encode':
        if (typeof args[0] !== 'string') return fail('_codecs.encode expects a string');
        spend(args[0].length);
        return Uint8Array.from(args[0] as string, (c) => c.charCodeAt(0) & 0xff);
      case 'numpy.dtype':
        if (typeof args[0] !== 'string') return fail('numpy.dtype expects a string');
        return new NumpyDType(args[0] as string);
      case 'numpy.core.multiarray.scalar':
        return numpyScalar(args[0], args[1]);
      case 'numpy.core.multiarray._reconstruct':
        if (!(args[0] instanceof PyGlobal) || args[0].qualified !== 'numpy.ndarray') return fail('numpy _reconstruct expects numpy.ndarray');
        return new NumpyArrayRef();
      default:
        return fail(`refusing to call '${fn.qualified}'`);
    }
  }

  function numpyScalar(dt: PyObj, raw: PyObj): PyObj {
    if (!(dt instanceof NumpyDType) || !(raw instanceof Uint8Array)) return fail('numpy scalar expects a dtype and bytes');
    const b = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const le = dt.littleEndian;
    const ok = (n: number) => raw.length === n || fail(`numpy scalar of type ${dt.code} has ${raw.length} bytes`);
    switch (dt.code) {
      case 'f8': ok(8); return b.getFloat64(0, le);
      case 'f4': ok(4); return b.getFloat32(0, le);
      case 'i8': ok(8); return Number(b.getBigInt64(0, le));
      case 'i4': ok(4); return b.getInt32(0, le);
      case 'b1': ok(1); return raw[0] !== 0;
      default: return fail(`unsupported numpy scalar type '${dt.code}'`);
    }
  }

  function build(obj: PyObj, state: PyObj): void {
    if (obj instanceof PyDict || obj instanceof TensorRef) return; // OrderedDict._metadata, tensor flags: not needed
    if (obj instanceof NumpyDType) {
      if (state instanceof PyTuple && typeof state.items[1] === 'string') obj.littleEndian = state.items[1] !== '>';
      return;
    }
    if (obj instanceof NumpyArrayRef) {
      // ndarray.__setstate__((version, shape, dtype, is_fortran, rawdata))
      const items = state instanceof PyTuple ? state.items : [];
      const [, shape, dtype, fortran, raw] = items.length === 5 ? items : [null, ...items];
      if (!(dtype instanceof NumpyDType)) return fail('numpy array state without a dtype');
      if (!(raw instanceof Uint8Array)) return fail(`numpy array of dtype '${dtype.code}' holds Python objects, not raw data`);
      obj.shape = intTuple(shape, 'numpy array shape');
      obj.dtype = dtype;
      obj.fortranOrder = fortran === true;
      obj.data = raw;
      return;
    }
    fail(`BUILD on a ${typeName(obj)} is not supported`);
  }
}

export function typeName(v: PyObj | undefined): string {
  if (v === null) return 'None';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof PyTuple) return 'tuple';
  if (v instanceof PyDict) return 'dict';
  if (v instanceof PyGlobal) return `global ${v.qualified}`;
  if (v instanceof StorageRef) return 'storage';
  if (v instanceof TensorRef) return 'tensor';
  if (v instanceof NumpyDType) return 'numpy dtype';
  if (v instanceof NumpyArrayRef) return 'numpy array';
  return typeof v;
}
