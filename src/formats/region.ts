// A region: the bytes of one tensor's storage, read lazily. Either a slice of a ByteSource (plain files,
// stored zip members: positioned reads) or a deflated zip member (inflated on demand with fflate, never whole).
import { Inflate } from 'fflate';
import { FormatError, throwIfAborted } from './errors';
import type { ByteSource } from './source';

export interface Region {
  readonly size: number;
  /** Positioned reads cost only the bytes read (false when a read must inflate or decode from the start). */
  readonly randomAccess: boolean;
  /** Exactly `length` bytes at `offset` (the caller checks `length` against its memory limit first). */
  read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array>;
  /** The bytes [offset, offset + length) in order, in pieces of bounded size. */
  stream(offset: number, length: number, chunkBytes: number, onChunk: (bytes: Uint8Array) => void, signal?: AbortSignal): Promise<void>;
}

function checkLocal(what: string, size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new FormatError(`${what}: expected ${length} bytes at offset ${offset}, but it holds only ${size} bytes`);
  }
}

export function sourceRegion(src: ByteSource, base: number, size: number, what: string): Region {
  checkLocal(`${src.name}: ${what}`, src.size, base, size);
  return {
    size,
    randomAccess: true,
    async read(offset, length, signal) {
      throwIfAborted(signal);
      checkLocal(`${src.name}: ${what}`, size, offset, length);
      return src.read(base + offset, length);
    },
    async stream(offset, length, chunkBytes, onChunk, signal) {
      checkLocal(`${src.name}: ${what}`, size, offset, length);
      const step = Math.max(1, Math.floor(chunkBytes));
      for (let p = 0; p < length; p += step) {
        throwIfAborted(signal);
        onChunk(await src.read(base + offset + p, Math.min(step, length - p)));
      }
    },
  };
}

/** Compressed input is pushed in small pieces so that one push inflates to at most ~16 MiB (deflate's 1032:1 cap). */
const INFLATE_INPUT_PIECE = 16 * 1024;

export function deflatedRegion(src: ByteSource, base: number, compressedSize: number, uncompressedSize: number, what: string): Region {
  const label = `${src.name}: ${what}`;
  checkLocal(label, src.size, base, compressedSize);

  /** Inflate from the start, handing on only the bytes in [offset, offset + length); stops once past them. */
  async function inflateRange(offset: number, length: number, onPiece: (bytes: Uint8Array) => void, signal?: AbortSignal): Promise<void> {
    checkLocal(label, uncompressedSize, offset, length);
    if (length === 0) return;
    const end = offset + length;
    let pos = 0;
    let finished = false;
    const inflater = new Inflate((chunk: Uint8Array) => {
      const start = pos;
      pos += chunk.length;
      if (pos > uncompressedSize) throw new FormatError(`${label}: inflates to more than its declared size of ${uncompressedSize} bytes (corrupt or hostile zip)`);
      if (finished) return;
      const a = Math.max(offset, start);
      const b = Math.min(end, pos);
      if (a < b) onPiece(chunk.subarray(a - start, b - start));
      if (pos >= end) finished = true;
    });
    for (let p = 0; p < compressedSize && !finished; p += INFLATE_INPUT_PIECE) {
      throwIfAborted(signal);
      const n = Math.min(INFLATE_INPUT_PIECE, compressedSize - p);
      const piece = await src.read(base + p, n);
      try {
        inflater.push(piece, p + n >= compressedSize);
      } catch (e) {
        if (e instanceof FormatError) throw e;
        throw new FormatError(`${label}: corrupt deflate data (${e instanceof Error ? e.message : String(e)})`);
      }
    }
    if (!finished) throw new FormatError(`${label}: compressed data ends after ${pos} bytes, but ${uncompressedSize} were declared`);
  }

  return {
    size: uncompressedSize,
    randomAccess: false,
    async read(offset, length, signal) {
      checkLocal(label, uncompressedSize, offset, length);
      const out = new Uint8Array(length);
      let at = 0;
      await inflateRange(offset, length, (bytes) => {
        out.set(bytes, at);
        at += bytes.length;
      }, signal);
      return out;
    },
    stream(offset, length, _chunkBytes, onChunk, signal) {
      // Pieces are copied: fflate may reuse its output buffer.
      return inflateRange(offset, length, (bytes) => onChunk(Uint8Array.prototype.slice.call(bytes)), signal);
    },
  };
}

/** The bytes [base, base + size) of another region. */
export function subRegion(r: Region, base: number, size: number, what: string): Region {
  checkLocal(what, r.size, base, size);
  return {
    size,
    randomAccess: r.randomAccess,
    read: (offset, length, signal) => {
      checkLocal(what, size, offset, length);
      return r.read(base + offset, length, signal);
    },
    stream: (offset, length, chunkBytes, onChunk, signal) => {
      checkLocal(what, size, offset, length);
      return r.stream(base + offset, length, chunkBytes, onChunk, signal);
    },
  };
}

/** A region whose bytes are computed on demand (e.g. decoded from varints); `produce` must return `size` bytes. */
export function computedRegion(size: number, produce: () => Promise<Uint8Array>, what: string): Region {
  const get = async (offset: number, length: number): Promise<Uint8Array> => {
    checkLocal(what, size, offset, length);
    const all = await produce();
    if (all.length !== size) throw new FormatError(`${what}: expected ${size} bytes of data, found ${all.length}`);
    return all.subarray(offset, offset + length);
  };
  return {
    size,
    randomAccess: false,
    read: (offset, length, signal) => {
      throwIfAborted(signal);
      return get(offset, length);
    },
    async stream(offset, length, chunkBytes, onChunk, signal) {
      const bytes = await get(offset, length);
      const step = Math.max(1, Math.floor(chunkBytes));
      for (let p = 0; p < length; p += step) {
        throwIfAborted(signal);
        onChunk(bytes.subarray(p, Math.min(length, p + step)));
      }
    },
  };
}
