// The one TensorFile implementation every format builds: a list of entries, each a (strided) view into a region.
import { allocValues, decodeValues, gatherStrided, isContiguous, ITEMSIZE, outputItemSize, stepIndex, type DType } from './dtype';
import { DEFAULT_MAX_BYTES, FormatError, fmtBytes, throwIfAborted } from './errors';
import type { Region } from './region';

export interface TensorInfo {
  name: string;
  dtype: DType;
  shape: number[];
  numel: number;
  /** Stored bytes of the tensor's elements (numel × item size). */
  byteLength: number;
}

export type TensorFormat = 'npy' | 'npz' | 'safetensors' | 'pytorch' | 'onnx' | 'gguf';

export interface ReadOptions {
  maxBytes?: number;
  signal?: AbortSignal;
}

export interface StreamOptions {
  chunkElements?: number;
  /** Memory limit for a non-contiguous view, which is gathered whole (default DEFAULT_MAX_BYTES). */
  maxBytes?: number;
  /**
   * The caller does not need C order (statistics, histograms): a dense non-C layout such as Fortran order or
   * a transposed tensor is then streamed in storage order, in constant memory, instead of being gathered.
   */
  anyOrder?: boolean;
  /**
   * Element range [start, end) in C order (defaults 0 and numel): only those elements are streamed, and
   * `done`/`total` count within the range. A range always means C order (anyOrder is ignored with one).
   * Contiguous tensors read only the range's bytes; see rangeOf/streamTensor for strided views.
   */
  start?: number;
  end?: number;
  signal?: AbortSignal;
}

export interface TensorFile {
  format: TensorFormat;
  metadata: Record<string, unknown>;
  tensors: TensorInfo[];
  readTensor(name: string, opts?: ReadOptions): Promise<Float32Array | Float64Array>;
  streamTensor(name: string, onChunk: (values: Float32Array | Float64Array, done: number, total: number) => void, opts?: StreamOptions): Promise<void>;
  /** Elements [start, end) in C order, in one array; (end - start) output values are checked against maxBytes first. */
  readTensorRange(name: string, start: number, end: number, opts?: ReadOptions): Promise<Float32Array | Float64Array>;
  close(): Promise<void>;
}

export interface TensorEntry {
  info: TensorInfo;
  region: Region;
  littleEndian: boolean;
  /** Element index of element [0, ..., 0] in the region. */
  offset: number;
  /** Element strides; undefined means C-contiguous. */
  strides?: number[];
}

export function tensorInfo(name: string, dtype: DType, shape: number[], numel: number): TensorInfo {
  return { name, dtype, shape, numel, byteLength: numel * ITEMSIZE[dtype] };
}

/** Smallest and largest element index a strided view touches (numel > 0). */
function extent(e: TensorEntry, strides: readonly number[]): [number, number] {
  let lo = e.offset;
  let hi = e.offset;
  e.info.shape.forEach((d, i) => {
    const reach = (d - 1) * strides[i];
    if (reach < 0) lo += reach;
    else hi += reach;
  });
  return [lo, hi];
}

/** Refuses a view whose elements fall outside its region: checked once when the file is opened. */
export function checkEntry(e: TensorEntry, file: string): void {
  const { name, numel, dtype } = e.info;
  const size = ITEMSIZE[dtype];
  const avail = Math.floor(e.region.size / size);
  if (!Number.isSafeInteger(e.offset) || e.offset < 0) throw new FormatError(`${file}: tensor '${name}': invalid storage offset ${e.offset}`);
  if (numel === 0) return;
  if (!e.strides) {
    if (e.offset + numel > avail) {
      throw new FormatError(`${file}: tensor '${name}' (${dtype}, shape [${e.info.shape.join(', ')}]) needs ${numel * size} bytes at element ${e.offset}, but its data holds only ${e.region.size} bytes`);
    }
    return;
  }
  if (e.strides.length !== e.info.shape.length || e.strides.some((s) => !Number.isSafeInteger(s))) {
    throw new FormatError(`${file}: tensor '${name}': strides ${JSON.stringify(e.strides)} do not match shape [${e.info.shape.join(', ')}]`);
  }
  const [lo, hi] = extent(e, e.strides);
  if (lo < 0 || hi >= avail || !Number.isSafeInteger(hi)) {
    throw new FormatError(`${file}: tensor '${name}': view (offset ${e.offset}, strides [${e.strides.join(', ')}]) reaches element ${hi < avail ? lo : hi}, outside its storage of ${avail} elements`);
  }
}

/** Most positioned reads a sparse view may take (a column of a million-row matrix). */
const MAX_RUNS = 1 << 20;
/** A ranged chunk of a strided view reads the span its elements cover when it is at most this many elements (or 4x the chunk). */
const SPAN_ELEMENTS = 1 << 16;

type OnChunk = (values: Float32Array | Float64Array, done: number, total: number) => void;

export function makeTensorFile(format: TensorFormat, fileName: string, metadata: Record<string, unknown>, entries: TensorEntry[], close: () => Promise<void>): TensorFile {
  const byName = new Map<string, TensorEntry>();
  for (const e of entries) {
    checkEntry(e, fileName);
    // Names must be unique ('a.b' as a key and as a nested path can collide): number the later ones.
    let name = e.info.name;
    for (let k = 2; byName.has(name); k++) name = `${e.info.name} (${k})`;
    e.info.name = name;
    byName.set(name, e);
  }
  const lookup = (name: string): TensorEntry => {
    const e = byName.get(name);
    if (e) return e;
    const names = [...byName.keys()];
    const list = names.length <= 10 ? names.join(', ') : `${names.slice(0, 10).join(', ')}, ... (${names.length} in all)`;
    throw new FormatError(`${fileName}: no tensor named '${name}'; the file has: ${list || '(no tensors)'}`);
  };

  async function readTensor(name: string, opts: ReadOptions = {}): Promise<Float32Array | Float64Array> {
    const e = lookup(name);
    const { dtype, numel, shape } = e.info;
    const limit = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    const size = ITEMSIZE[dtype];
    const strided = e.strides !== undefined && numel > 0 && !isContiguous(shape, e.strides);
    const spanElems = strided ? extent(e, e.strides!)[1] - extent(e, e.strides!)[0] + 1 : numel;
    const need = Math.max(numel * outputItemSize(dtype), spanElems * size);
    if (strided && need > limit && numel * outputItemSize(dtype) <= limit && e.region.randomAccess) {
      // A sparse view (a column of a big matrix): read its contiguous runs instead of the span it covers.
      return gatherRuns(e, opts.signal);
    }
    if (need > limit) {
      throw new FormatError(`${fileName}: tensor '${name}' needs ${fmtBytes(need)} in memory, above the limit of ${fmtBytes(limit)} (raise the normlab.maxTensorBytes setting, or stream it)`);
    }
    throwIfAborted(opts.signal);
    if (numel === 0) return allocValues(dtype, 0);
    if (!strided) {
      const bytes = await e.region.read(e.offset * size, numel * size, opts.signal);
      return decodeValues(bytes, dtype, e.littleEndian, numel);
    }
    const [lo] = extent(e, e.strides!);
    const bytes = await e.region.read(lo * size, spanElems * size, opts.signal);
    const span = decodeValues(bytes, dtype, e.littleEndian, spanElems);
    return gatherStrided(span, shape, e.strides!, e.offset - lo);
  }

  /** Reads a strided view run by run (its innermost contiguous stretch), for views much sparser than their span. */
  async function gatherRuns(e: TensorEntry, signal?: AbortSignal): Promise<Float32Array | Float64Array> {
    const { dtype, numel, shape, name } = e.info;
    const strides = e.strides!;
    const size = ITEMSIZE[dtype];
    let k = shape.length;
    let run = 1;
    while (k > 0 && (shape[k - 1] === 1 || strides[k - 1] === run)) {
      run *= shape[k - 1];
      k--;
    }
    const runs = numel / run;
    if (runs > MAX_RUNS) throw new FormatError(`${fileName}: tensor '${name}' is a view scattered over ${runs} pieces of its storage; reading it needs the span it covers, above the memory limit`);
    const out = allocValues(dtype, numel);
    const idx = new Array<number>(k).fill(0);
    let pos = e.offset;
    for (let r = 0; r < runs; r++) {
      if (r % 1024 === 0) throwIfAborted(signal);
      const bytes = await e.region.read(pos * size, run * size, signal);
      out.set(decodeValues(bytes, dtype, e.littleEndian, run), r * run);
      pos += stepIndex(idx, shape, strides);
    }
    return out;
  }

  /**
   * A non-contiguous view (a sliced checkpoint tensor; Fortran order in C order) in a region without cheap
   * positioned reads (a deflated npz member, decoded ONNX data) is gathered whole, within the limit; only the
   * elements [start, end) are then handed on.
   */
  async function streamGathered(e: TensorEntry, onChunk: OnChunk, chunk: number, start: number, end: number, opts: StreamOptions) {
    const { name } = e.info;
    let all: Float32Array | Float64Array;
    try {
      all = await readTensor(name, { signal: opts.signal, maxBytes: opts.maxBytes });
    } catch (err) {
      if (err instanceof FormatError && err.name === 'FormatError' && /above the limit/.test(err.message)) {
        throw new FormatError(`${err.message.replace(/ \(raise.*$/, '')}: it is stored non-contiguously (a strided view or Fortran order), so streaming it in C order gathers it whole; raise the limit`);
      }
      throw err;
    }
    const total = end - start;
    for (let p = start; p < end; p += chunk) {
      throwIfAborted(opts.signal);
      const q = Math.min(end, p + chunk);
      onChunk(all.subarray(p, q), q - start, total);
    }
  }

  /**
   * Elements [start, end) of a strided view whose region has positioned reads, chunk by chunk in C order: the
   * storage positions of a chunk are walked with the odometer, then read either as the one span they cover
   * (when it is at most a few times the chunk) or run by run (consecutive positions). Memory and bytes read
   * are bounded by the range, not by the tensor.
   */
  async function streamStridedRange(e: TensorEntry, onChunk: OnChunk, chunk: number, start: number, end: number, signal?: AbortSignal) {
    const { dtype, shape } = e.info;
    const strides = e.strides!;
    const size = ITEMSIZE[dtype];
    const idx = new Array<number>(shape.length).fill(0);
    let pos = e.offset;
    for (let d = shape.length - 1, rest = start; d >= 0; d--) {
      idx[d] = rest % shape[d];
      rest = Math.floor(rest / shape[d]);
      pos += idx[d] * strides[d];
    }
    const total = end - start;
    const at = new Float64Array(Math.min(chunk, total));
    for (let p = start; p < end;) {
      throwIfAborted(signal);
      const n = Math.min(chunk, end - p);
      let lo = pos;
      let hi = pos;
      for (let i = 0; i < n; i++) {
        at[i] = pos;
        if (pos < lo) lo = pos;
        if (pos > hi) hi = pos;
        if (p + i + 1 < end) pos += stepIndex(idx, shape, strides);
      }
      const out = allocValues(dtype, n);
      if (hi - lo + 1 <= Math.max(4 * n, SPAN_ELEMENTS)) {
        const span = decodeValues(await e.region.read(lo * size, (hi - lo + 1) * size, signal), dtype, e.littleEndian, hi - lo + 1);
        for (let i = 0; i < n; i++) out[i] = span[at[i] - lo];
      } else {
        for (let i = 0, runs = 0; i < n; runs++) {
          if (runs % 1024 === 0) throwIfAborted(signal);
          let j = i + 1;
          while (j < n && at[j] === at[j - 1] + 1) j++;
          out.set(decodeValues(await e.region.read(at[i] * size, (j - i) * size, signal), dtype, e.littleEndian, j - i), i);
          i = j;
        }
      }
      p += n;
      onChunk(out, p - start, total);
    }
  }

  /** The element range of a stream: [0, numel) by default; anything else outside it is a FormatError. */
  function rangeOf(e: TensorEntry, start: number | undefined, end: number | undefined): [number, number] {
    const { name, numel } = e.info;
    const a = start ?? 0;
    const b = end ?? numel;
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || a < 0 || a > b || b > numel) {
      throw new FormatError(`${fileName}: tensor '${name}': element range [${start ?? 0}, ${end ?? numel}) is not within its ${numel} elements (expected integers 0 <= start <= end <= ${numel})`);
    }
    return [a, b];
  }

  /**
   * Streams elements [start, end) in C order. Contiguous tensors: only the range's bytes (positioned reads in
   * plain files and stored zip members; a deflated npz member cannot seek, so it is inflated from its start up to
   * `end` and no further). Strided views and Fortran order: with positioned reads, only the range's elements
   * (streamStridedRange); otherwise the view is gathered whole within maxBytes (streamGathered).
   */
  async function streamTensor(name: string, onChunk: OnChunk, opts: StreamOptions = {}): Promise<void> {
    const e = lookup(name);
    const { dtype, shape } = e.info;
    const chunk = Math.max(1, Math.floor(opts.chunkElements ?? 1 << 16));
    const ranged = opts.start !== undefined || opts.end !== undefined;
    const [from, to] = rangeOf(e, opts.start, opts.end);
    throwIfAborted(opts.signal);
    if (from === to) return;
    const total = to - from;
    let first = e.offset + from;
    if (e.strides && !isContiguous(shape, e.strides)) {
      if (opts.anyOrder && !ranged && isDense(shape, e.strides)) {
        first = extent(e, e.strides)[0];
      } else if (ranged && e.region.randomAccess) {
        await streamStridedRange(e, onChunk, chunk, from, to, opts.signal);
        return;
      } else {
        await streamGathered(e, onChunk, chunk, from, to, opts);
        return;
      }
    }
    const size = ITEMSIZE[dtype];
    let carry: Uint8Array | null = null;
    let done = 0;
    await e.region.stream(first * size, total * size, chunk * size, (piece) => {
      let b = piece;
      if (carry) {
        b = new Uint8Array(carry.length + piece.length);
        b.set(carry);
        b.set(piece, carry.length);
      }
      let p = 0;
      while (b.length - p >= size) {
        throwIfAborted(opts.signal);
        const k = Math.min(chunk, Math.floor((b.length - p) / size));
        const values = decodeValues(b.subarray(p, p + k * size), dtype, e.littleEndian, k);
        p += k * size;
        done += k;
        onChunk(values, done, total);
      }
      carry = p < b.length ? Uint8Array.prototype.slice.call(b, p) : null;
    }, opts.signal);
  }

  async function readTensorRange(name: string, start: number, end: number, opts: ReadOptions = {}): Promise<Float32Array | Float64Array> {
    const e = lookup(name);
    const [from, to] = rangeOf(e, start, end);
    const limit = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    const need = (to - from) * outputItemSize(e.info.dtype);
    if (need > limit) {
      throw new FormatError(`${fileName}: elements [${from}, ${to}) of tensor '${name}' need ${fmtBytes(need)} in memory, above the limit of ${fmtBytes(limit)} (stream them instead)`);
    }
    const out = allocValues(e.info.dtype, to - from);
    let at = 0;
    await streamTensor(name, (values) => {
      out.set(values, at);
      at += values.length;
    }, { start: from, end: to, signal: opts.signal, maxBytes: opts.maxBytes });
    return out;
  }

  return { format, metadata, tensors: entries.map((e) => e.info), readTensor, streamTensor, readTensorRange, close };
}

/** True when a view covers a block of exactly numel elements (its strides are a permutation of a contiguous layout). */
function isDense(shape: readonly number[], strides: readonly number[]): boolean {
  const dims = shape.map((d, i) => [d, strides[i]]).filter(([d]) => d > 1).sort((a, b) => a[1] - b[1]);
  let expect = 1;
  for (const [d, st] of dims) {
    if (st !== expect) return false;
    expect *= d;
  }
  return true;
}
