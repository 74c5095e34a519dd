// The one TensorFile implementation every format builds: a list of entries, each a (strided) view into a region.
// How an entry's elements are read (whole, by range, chunked, gathered) lives in ./tensorView; this class checks
// the entries once, names them uniquely and chooses a way of reading for each request.
import { allocValues, ITEMSIZE, outputItemSize, type DType } from './dtype';
import { DEFAULT_MAX_BYTES, FormatError, throwIfAborted } from './errors';
import {
  checkViewWork, extent, isDense, isStrided, rangeOf, readWhole, storageOrderView, streamGathered, streamStored, streamStrided,
  tooLarge, type OnChunk, type TensorEntry, type TensorInfo, type Values,
} from './tensorView';

export type { TensorEntry, TensorInfo } from './tensorView';

export type TensorFormat = 'npy' | 'npz' | 'safetensors' | 'pytorch' | 'onnx' | 'gguf';

export interface ReadOptions {
  maxBytes?: number;
  signal?: AbortSignal;
}

export interface StreamOptions {
  chunkElements?: number;
  /** Memory limit for a non-contiguous view in compressed or encoded data, which is gathered whole (default DEFAULT_MAX_BYTES). */
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
  /**
   * Identifies the elements a tensor reads (its storage, dtype, offset, shape and strides): tensors with the same key
   * (one storage saved under many names) hold the same values, so their statistics are computed once.
   */
  viewKey(name: string): string;
  close(): Promise<void>;
}

export function tensorInfo(name: string, dtype: DType, shape: number[], numel: number): TensorInfo {
  return { name, dtype, shape, numel, byteLength: numel * ITEMSIZE[dtype] };
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

/** Chunk of a stream, in elements, unless the caller asks otherwise. */
const DEFAULT_CHUNK = 1 << 16;

/**
 * A tensor file over checked entries. Entries are copied (the caller's are not renamed); names are unique, later
 * duplicates numbered ('a.b' as a key and as a nested path can collide).
 */
export class EntryTensorFile implements TensorFile {
  readonly tensors: TensorInfo[];
  private readonly byName = new Map<string, TensorEntry>();
  private readonly regionIds = new Map<unknown, number>();

  constructor(
    readonly format: TensorFormat,
    private readonly fileName: string,
    readonly metadata: Record<string, unknown>,
    entries: readonly TensorEntry[],
    private readonly onClose: () => Promise<void>,
  ) {
    for (const given of entries) {
      checkEntry(given, fileName);
      let name = given.info.name;
      for (let k = 2; this.byName.has(name); k++) name = `${given.info.name} (${k})`;
      this.byName.set(name, { ...given, info: { ...given.info, name } });
      if (!this.regionIds.has(given.region)) this.regionIds.set(given.region, this.regionIds.size);
    }
    this.tensors = [...this.byName.values()].map((e) => e.info);
  }

  /** The entry named `name`, or a FormatError listing the names there are. */
  entry(name: string): TensorEntry {
    const e = this.byName.get(name);
    if (e) return e;
    const names = [...this.byName.keys()];
    const list = names.length <= 10 ? names.join(', ') : `${names.slice(0, 10).join(', ')}, ... (${names.length} in all)`;
    throw new FormatError(`${this.fileName}: no tensor named '${name}'; the file has: ${list || '(no tensors)'}`);
  }

  viewKey(name: string): string {
    const e = this.entry(name);
    return JSON.stringify([this.regionIds.get(e.region), e.info.dtype, e.littleEndian, e.offset, e.info.shape, e.strides ?? null]);
  }

  async readTensor(name: string, opts: ReadOptions = {}): Promise<Values> {
    return readWhole(this.entry(name), this.fileName, opts.maxBytes, opts.signal);
  }

  /**
   * Streams elements [start, end) in C order (or, with anyOrder and no range, in storage order). Contiguous tensors
   * and dense views: only the range's bytes (positioned reads in plain files and stored zip members; a deflated
   * member cannot seek, so it is inflated from its start up to `end`). Other strided views: chunk by chunk where
   * positioned reads exist (streamStrided), else gathered whole within maxBytes (streamGathered).
   */
  async streamTensor(name: string, onChunk: OnChunk, opts: StreamOptions = {}): Promise<void> {
    const e = this.entry(name);
    const chunk = Math.max(1, Math.floor(opts.chunkElements ?? DEFAULT_CHUNK));
    const ranged = opts.start !== undefined || opts.end !== undefined;
    const [from, to] = rangeOf(e, opts.start, opts.end, this.fileName);
    throwIfAborted(opts.signal);
    if (from === to) return;
    if (!isStrided(e)) return streamStored(e, onChunk, chunk, e.offset + from, to - from, opts.signal);
    const strides = e.strides!;
    if (opts.anyOrder && !ranged && isDense(e.info.shape, strides)) return streamStored(e, onChunk, chunk, extent(e)[0], to - from, opts.signal);
    checkViewWork(e, to - from, this.fileName);
    if (!e.region.randomAccess) return streamGathered(e, this.fileName, onChunk, chunk, from, to, opts.maxBytes, opts.signal);
    const view = opts.anyOrder && !ranged ? storageOrderView(e) : e;
    return streamStrided(view, onChunk, chunk, from, to, opts.signal);
  }

  async readTensorRange(name: string, start: number, end: number, opts: ReadOptions = {}): Promise<Values> {
    const e = this.entry(name);
    const [from, to] = rangeOf(e, start, end, this.fileName);
    const limit = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    const need = (to - from) * outputItemSize(e.info.dtype);
    if (need > limit) throw tooLarge(this.fileName, `elements [${from}, ${to}) of tensor '${name}'`, need, limit, 'stream them instead', 'need');
    const out = allocValues(e.info.dtype, to - from);
    let at = 0;
    await this.streamTensor(name, (values) => {
      out.set(values, at);
      at += values.length;
    }, { start: from, end: to, signal: opts.signal, maxBytes: opts.maxBytes });
    return out;
  }

  close(): Promise<void> {
    return this.onClose();
  }
}

export function makeTensorFile(format: TensorFormat, fileName: string, metadata: Record<string, unknown>, entries: readonly TensorEntry[], close: () => Promise<void>): TensorFile {
  return new EntryTensorFile(format, fileName, metadata, entries, close);
}
