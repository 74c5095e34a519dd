// Reading one tensor entry — a (strided) view of elements into a region — whole, by element range or in chunks.
// Module functions over a TensorEntry, so each way of reading can be tested alone; tensorFile.ts picks one.
//
// Memory and work are bounded by what is asked, never by what a header claims: contiguous tensors stream their
// bytes; strided views in a region with positioned reads stream in chunks, reading each window of storage once;
// only a strided view in a region that cannot seek (a deflated zip member, decoded ONNX data) is gathered whole,
// within the caller's memory limit. A view of many more elements than its storage holds (stride 0, overlapping
// strides: a 486-byte checkpoint can claim 10^12 elements) is refused before any work.
import { allocValues, decodeValues, gatherStrided, isContiguous, ITEMSIZE, outputItemSize, stepIndex, type DType } from './dtype';
import { DEFAULT_MAX_BYTES, FormatError, fmtBytes, throwIfAborted, TooLargeError } from './errors';
import type { Region } from './region';

export interface TensorInfo {
  name: string;
  dtype: DType;
  shape: number[];
  numel: number;
  /** Stored bytes of the tensor's elements (numel × item size). */
  byteLength: number;
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

export type Values = Float32Array | Float64Array;
export type OnChunk = (values: Values, done: number, total: number) => void;

/** A view may expand its storage this many times (plus VIEW_WORK_FREE elements) before it is refused. */
export const VIEW_EXPANSION_LIMIT = 16;
/** Elements any view may have, whatever its storage (a small broadcast is fine). */
export const VIEW_WORK_FREE = 1 << 24;
/** Bytes of storage one read of a strided view may cover (its window); memory stays bounded by this. */
const WINDOW_BYTES = 8 << 20;
/** A window of at most this many elements is read whole; a larger one too unless it has few runs (see below). */
const SPAN_ELEMENTS = 1 << 16;
/** What one positioned read costs, in elements read: a window is read run by run only when that is cheaper. */
const RUN_COST_ELEMENTS = 1024;

/** True when the entry is stored other than C-contiguously (a strided view, Fortran order). */
export function isStrided(e: TensorEntry): boolean {
  return e.strides !== undefined && e.info.numel > 0 && !isContiguous(e.info.shape, e.strides);
}

/** Smallest and largest element index a strided view touches (numel > 0). */
export function extent(e: TensorEntry, strides: readonly number[] = e.strides ?? []): [number, number] {
  let lo = e.offset;
  let hi = e.offset;
  e.info.shape.forEach((d, i) => {
    const reach = (d - 1) * strides[i];
    if (reach < 0) lo += reach;
    else hi += reach;
  });
  return [lo, hi];
}

/** True when a view covers a block of exactly numel elements (its strides are a permutation of a contiguous layout). */
export function isDense(shape: readonly number[], strides: readonly number[]): boolean {
  const dims = shape.map((d, i) => [d, strides[i]]).filter(([d]) => d > 1).sort((a, b) => a[1] - b[1]);
  let expect = 1;
  for (const [d, st] of dims) {
    if (st !== expect) return false;
    expect *= d;
  }
  return true;
}

/**
 * The same elements in another order: dims sorted by decreasing |stride|, so that walking the view in C order
 * walks its storage forwards for slices, transposes and columns (each storage window is then read once).
 * Only for callers that do not need C order (statistics).
 */
export function storageOrderView(e: TensorEntry): TensorEntry {
  const { shape } = e.info;
  const strides = e.strides!;
  const order = shape.map((_, i) => i).sort((a, b) => Math.abs(strides[b]) - Math.abs(strides[a]));
  return { ...e, info: { ...e.info, shape: order.map((i) => shape[i]) }, strides: order.map((i) => strides[i]) };
}

/**
 * Refuses to walk `count` elements of a view whose storage holds far fewer (stride 0 or overlapping strides): the
 * work would be bounded by the header's claim, not by the file.
 */
export function checkViewWork(e: TensorEntry, count: number, file: string): void {
  const stored = Math.floor(e.region.size / ITEMSIZE[e.info.dtype]);
  if (count <= VIEW_WORK_FREE || count <= VIEW_EXPANSION_LIMIT * stored) return;
  const { name, shape } = e.info;
  throw new TooLargeError(
    `${file}: tensor '${name}' is a view of ${e.info.numel} elements (shape [${shape.join(', ')}], strides [${(e.strides ?? []).join(', ')}]) ` +
    `over a storage of only ${stored} elements (stride 0 or overlapping strides); NormLab does not expand a view beyond ${VIEW_EXPANSION_LIMIT}x its storage`,
  );
}

/** The element range of a read: [0, numel) by default; anything outside it is a FormatError. */
export function rangeOf(e: TensorEntry, start: number | undefined, end: number | undefined, file: string): [number, number] {
  const { name, numel } = e.info;
  const a = start ?? 0;
  const b = end ?? numel;
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || a < 0 || a > b || b > numel) {
    throw new FormatError(`${file}: tensor '${name}': element range [${start ?? 0}, ${end ?? numel}) is not within its ${numel} elements (expected integers 0 <= start <= end <= ${numel})`);
  }
  return [a, b];
}

export function tooLarge(file: string, what: string, need: number, limit: number, hint: string, verb = 'needs'): TooLargeError {
  return new TooLargeError(`${file}: ${what} ${verb} ${fmtBytes(need)} in memory, above the limit of ${fmtBytes(limit)} (${hint})`);
}

const RAISE_OR_STREAM = 'raise the normlab.maxTensorBytes setting, or stream it';

/** The whole tensor in C order, in one array, within `maxBytes`; `hint` ends a TooLargeError's message. */
export async function readWhole(e: TensorEntry, file: string, maxBytes = DEFAULT_MAX_BYTES, signal?: AbortSignal, hint = RAISE_OR_STREAM): Promise<Values> {
  const { dtype, numel, shape, name } = e.info;
  const size = ITEMSIZE[dtype];
  const out = numel * outputItemSize(dtype);
  if (!isStrided(e)) {
    if (out > maxBytes) throw tooLarge(file, `tensor '${name}'`, out, maxBytes, hint);
    throwIfAborted(signal);
    if (numel === 0) return allocValues(dtype, 0);
    return decodeValues(await e.region.read(e.offset * size, numel * size, signal), dtype, e.littleEndian, numel);
  }
  if (out > maxBytes) throw tooLarge(file, `tensor '${name}'`, out, maxBytes, hint);
  checkViewWork(e, numel, file);
  const [lo, hi] = extent(e);
  const spanBytes = (hi - lo + 1) * size;
  if (out + spanBytes > maxBytes && e.region.randomAccess) {
    // A sparse view (a column of a big matrix): read it in windows or run by run, not the whole span it covers.
    return collect(e, 0, numel, (sink) => streamStrided(e, sink, 1 << 16, 0, numel, signal));
  }
  if (out + spanBytes > maxBytes) {
    throw tooLarge(file, `tensor '${name}' (stored non-contiguously: the span of storage it covers is read whole)`, out + spanBytes, maxBytes, hint);
  }
  throwIfAborted(signal);
  const span = decodeValues(await e.region.read(lo * size, spanBytes, signal), dtype, e.littleEndian, hi - lo + 1);
  return gatherStrided(span, shape, e.strides!, e.offset - lo);
}

/** Elements [start, end) gathered into one array from a streaming read. */
async function collect(e: TensorEntry, start: number, end: number, run: (sink: OnChunk) => Promise<void>): Promise<Values> {
  const out = allocValues(e.info.dtype, end - start);
  let at = 0;
  await run((values) => {
    out.set(values, at);
    at += values.length;
  });
  return out;
}

/**
 * Elements [start, end) of a strided view whose region has positioned reads, chunk by chunk in the view's C order:
 * the storage positions of a chunk are walked with the odometer and grouped into windows of at most WINDOW_BYTES;
 * a window is read as the one span it covers, or run by run (consecutive positions) when its runs are so few that
 * this reads less. Memory is bounded by the chunk and the window, whatever the tensor's size.
 */
export async function streamStrided(e: TensorEntry, onChunk: OnChunk, chunk: number, start: number, end: number, signal?: AbortSignal): Promise<void> {
  const { dtype, shape } = e.info;
  const strides = e.strides!;
  const size = ITEMSIZE[dtype];
  const window = Math.max(1, Math.floor(WINDOW_BYTES / size));
  const idx = new Array<number>(shape.length).fill(0);
  let pos = e.offset;
  for (let d = shape.length - 1, rest = start; d >= 0; d--) {
    idx[d] = rest % shape[d];
    rest = Math.floor(rest / shape[d]);
    pos += idx[d] * strides[d];
  }
  const total = end - start;
  const at = new Float64Array(Math.min(chunk, total));
  let reads = 0;
  for (let p = start; p < end;) {
    throwIfAborted(signal);
    const n = Math.min(chunk, end - p);
    for (let i = 0; i < n; i++) {
      at[i] = pos;
      if (p + i + 1 < end) pos += stepIndex(idx, shape, strides);
    }
    const out = allocValues(dtype, n);
    for (let i = 0; i < n;) {
      // Grow the window [lo, hi] over at[i..j) while it stays within `window` elements, counting its runs.
      let lo = at[i];
      let hi = at[i];
      let runs = 1;
      let j = i + 1;
      while (j < n) {
        const a = at[j];
        const nlo = a < lo ? a : lo;
        const nhi = a > hi ? a : hi;
        if (nhi - nlo + 1 > window) break;
        lo = nlo;
        hi = nhi;
        if (a !== at[j - 1] + 1) runs++;
        j++;
      }
      // One read of the span, or one read per run: whichever reads less, counting a read as RUN_COST_ELEMENTS.
      if (hi - lo + 1 <= Math.max(SPAN_ELEMENTS, runs * RUN_COST_ELEMENTS)) {
        if (++reads % 1024 === 0) throwIfAborted(signal);
        const span = decodeValues(await e.region.read(lo * size, (hi - lo + 1) * size, signal), dtype, e.littleEndian, hi - lo + 1);
        for (let k = i; k < j; k++) out[k] = span[at[k] - lo];
      } else {
        for (let k = i; k < j;) {
          if (++reads % 1024 === 0) throwIfAborted(signal);
          let m = k + 1;
          while (m < j && at[m] === at[m - 1] + 1) m++;
          out.set(decodeValues(await e.region.read(at[k] * size, (m - k) * size, signal), dtype, e.littleEndian, m - k), k);
          k = m;
        }
      }
      i = j;
    }
    p += n;
    onChunk(out, p - start, total);
  }
}

/**
 * Elements [first, first + total) of the region as the entry's dtype, streamed in chunks of `chunk` elements:
 * a contiguous tensor, or a dense view in storage order.
 */
export async function streamStored(e: TensorEntry, onChunk: OnChunk, chunk: number, first: number, total: number, signal?: AbortSignal): Promise<void> {
  const { dtype } = e.info;
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
      throwIfAborted(signal);
      const k = Math.min(chunk, Math.floor((b.length - p) / size));
      const values = decodeValues(b.subarray(p, p + k * size), dtype, e.littleEndian, k);
      p += k * size;
      done += k;
      onChunk(values, done, total);
    }
    carry = p < b.length ? Uint8Array.prototype.slice.call(b, p) : null;
  }, signal);
}

/**
 * A strided view in a region without cheap positioned reads (a deflated npz member, decoded ONNX data) is gathered
 * whole, within `maxBytes`; only the elements [start, end) are then handed on.
 */
export async function streamGathered(e: TensorEntry, file: string, onChunk: OnChunk, chunk: number, start: number, end: number, maxBytes?: number, signal?: AbortSignal): Promise<void> {
  const all = await readWhole(e, file, maxBytes, signal,
    'it is stored non-contiguously in compressed or encoded data, so reading it in order gathers it whole; raise the normlab.maxTensorBytes setting');
  const total = end - start;
  for (let p = start; p < end; p += chunk) {
    throwIfAborted(signal);
    const q = Math.min(end, p + chunk);
    onChunk(all.subarray(p, q), q - start, total);
  }
}
