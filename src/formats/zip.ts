// Zip archives (npz, PyTorch checkpoints): the central directory only, zip64 included. Members are opened as
// regions: stored ones read lazily by offset, deflated ones inflated on demand by fflate.
import { DEFAULT_MAX_HEADER_BYTES, FormatError, fmtBytes } from './errors';
import { crc32 } from './crc32';
import { deflatedRegion, sourceRegion, type Region } from './region';
import type { ByteSource } from './source';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  /** CRC-32 of the uncompressed bytes, from the central directory. */
  crc32: number;
  /** Where the next member's local header (or the central directory) starts: this member's data must end before it. */
  end: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
export const EMPTY_ZIP_MAGIC = [0x50, 0x4b, 0x05, 0x06];

function u64(dv: DataView, at: number, what: string): number {
  const v = dv.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError(`${what}: zip64 field ${v} is too large`);
  return Number(v);
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

export async function readZipDirectory(src: ByteSource, maxHeaderBytes = DEFAULT_MAX_HEADER_BYTES): Promise<ZipEntry[]> {
  const what = src.name;
  if (src.size < 22) throw new FormatError(`${what}: not a zip file: too short for an end-of-central-directory record (${src.size} bytes)`);
  const tailLen = Math.min(src.size, 22 + 65535);
  const tail = await src.read(src.size - tailLen, tailLen);
  const tv = view(tail);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD && i + 22 + tv.getUint16(i + 20, true) <= tail.length) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new FormatError(`${what}: corrupt zip: no end-of-central-directory record (truncated file?)`);
  let count = tv.getUint16(at + 10, true);
  let cdSize = tv.getUint32(at + 12, true);
  let cdOffset = tv.getUint32(at + 16, true);
  const eocdPos = src.size - tailLen + at;
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    if (eocdPos < 20) throw new FormatError(`${what}: corrupt zip64: no zip64 locator`);
    const loc = view(await src.read(eocdPos - 20, 20));
    if (loc.getUint32(0, true) !== ZIP64_LOCATOR) throw new FormatError(`${what}: corrupt zip64: expected a zip64 end-of-central-directory locator`);
    const z64 = u64(loc, 8, what);
    if (z64 + 56 > src.size) throw new FormatError(`${what}: corrupt zip64: end record at ${z64} runs past the end of the file`);
    const rec = view(await src.read(z64, 56));
    if (rec.getUint32(0, true) !== ZIP64_EOCD) throw new FormatError(`${what}: corrupt zip64: expected a zip64 end-of-central-directory record at ${z64}`);
    count = u64(rec, 32, what);
    cdSize = u64(rec, 40, what);
    cdOffset = u64(rec, 48, what);
  }
  if (cdOffset + cdSize > src.size) throw new FormatError(`${what}: corrupt zip: central directory (${cdSize} bytes at ${cdOffset}) runs past the end of the file (${src.size} bytes)`);
  if (cdSize > maxHeaderBytes) throw new FormatError(`${what}: zip central directory is ${fmtBytes(cdSize)}, above the header limit of ${fmtBytes(maxHeaderBytes)}`);
  if (count * 46 > cdSize) throw new FormatError(`${what}: corrupt zip: ${count} entries cannot fit in a ${cdSize}-byte central directory`);
  const cd = await src.read(cdOffset, cdSize);
  const dv = view(cd);
  const entries: ZipEntry[] = [];
  const nameLengths = new Map<ZipEntry, number>();
  const utf8 = new TextDecoder('utf-8');
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || dv.getUint32(p, true) !== CENTRAL) throw new FormatError(`${what}: corrupt zip: bad central directory entry ${i}`);
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    const crc = dv.getUint32(p + 16, true);
    let compressedSize = dv.getUint32(p + 20, true);
    let size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    let localHeaderOffset = dv.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen + commentLen > cd.length) throw new FormatError(`${what}: corrupt zip: central directory entry ${i} runs past the directory`);
    const name = utf8.decode(cd.subarray(p + 46, p + 46 + nameLen));
    // Zip64 extra field: the 64-bit values, in this order, for each 32-bit field that is 0xFFFFFFFF.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = dv.getUint16(e, true);
      const len = dv.getUint16(e + 2, true);
      if (e + 4 + len > extraEnd) break;
      if (id === 0x0001) {
        let q = e + 4;
        const next = (): number => {
          if (q + 8 > e + 4 + len) throw new FormatError(`${what}: corrupt zip64 extra field in '${name}'`);
          const v = u64(dv, q, what);
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
      }
      e += 4 + len;
    }
    if (flags & 1) throw new FormatError(`${what}: member '${name}' is encrypted; encrypted zips are not supported`);
    const entry = { name, method, compressedSize, size, localHeaderOffset, crc32: crc, end: cdOffset };
    entries.push(entry);
    nameLengths.set(entry, nameLen);
    p = extraEnd + commentLen;
  }
  checkNoOverlap(entries, nameLengths, cdOffset, what);
  return entries;
}

/**
 * Members must not share bytes. Overlapping members are how a small zip expands without bound (thousands of members
 * pointing at one deflated stream: the non-recursive zip bomb); Python's zipfile refuses them too. Checked from the
 * directory alone (a local header is at least 30 bytes plus the name), and again with the real header on open.
 */
function checkNoOverlap(entries: ZipEntry[], nameLengths: Map<ZipEntry, number>, cdOffset: number, what: string): void {
  const sorted = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 0; i < sorted.length; i++) {
    const z = sorted[i];
    const next = sorted[i + 1];
    z.end = next ? next.localHeaderOffset : cdOffset;
    if (z.localHeaderOffset + 30 > cdOffset) {
      throw new FormatError(`${what}: corrupt zip: member '${z.name}': local header offset ${z.localHeaderOffset} is past the end of the members (the central directory starts at ${cdOffset})`);
    }
    const minEnd = z.localHeaderOffset + 30 + (nameLengths.get(z) ?? 0) + z.compressedSize;
    if (minEnd > z.end) {
      throw new FormatError(
        `${what}: corrupt zip: member '${z.name}' (${z.compressedSize} bytes at ${z.localHeaderOffset}) overlaps ${next ? `member '${next.name}' at ${next.localHeaderOffset}` : `the central directory at ${cdOffset}`}; ` +
        'overlapping members are refused (a zip bomb construction)',
      );
    }
  }
}

/** The member's bytes as a region (nothing is read or inflated yet beyond its local header); see crcChecked. */
export async function openZipMember(src: ByteSource, entry: ZipEntry): Promise<Region> {
  const what = `${src.name}: member '${entry.name}'`;
  if (entry.localHeaderOffset + 30 > src.size) throw new FormatError(`${what}: local header offset ${entry.localHeaderOffset} is past the end of the file`);
  const lh = view(await src.read(entry.localHeaderOffset, 30));
  if (lh.getUint32(0, true) !== LOCAL) throw new FormatError(`${what}: corrupt zip: expected a local file header at ${entry.localHeaderOffset}`);
  const dataOffset = entry.localHeaderOffset + 30 + lh.getUint16(26, true) + lh.getUint16(28, true);
  if (dataOffset + entry.compressedSize > src.size) {
    throw new FormatError(`${what}: ${entry.compressedSize} bytes of data at ${dataOffset} run past the end of the file (${src.size} bytes): truncated`);
  }
  if (dataOffset + entry.compressedSize > entry.end) {
    throw new FormatError(`${what}: corrupt zip: its ${entry.compressedSize} bytes of data at ${dataOffset} overlap the next member at ${entry.end}; overlapping members are refused (a zip bomb construction)`);
  }
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw new FormatError(`${what}: stored member declares ${entry.size} bytes but holds ${entry.compressedSize}`);
    return sourceRegion(src, dataOffset, entry.size, `member '${entry.name}'`);
  }
  if (entry.method === 8) return deflatedRegion(src, dataOffset, entry.compressedSize, entry.size, `member '${entry.name}'`);
  throw new FormatError(`${what}: unsupported compression method ${entry.method}; expected 0 (stored) or 8 (deflate)`);
}

/** A read may start this far into a member and still be checked (the rest of an .npy after its header, say). */
const CRC_PREFIX_MAX = 64 * 1024;

const hex = (v: number) => `0x${v.toString(16).padStart(8, '0')}`;

/**
 * Reads and streams that reach the member's end from within its first 64 KiB — a whole tensor, the data of an .npy
 * after its header — check the CRC-32 from the central directory, as numpy's and PyTorch's readers do, so a corrupt
 * member is an error instead of wrong numbers. Partial reads (a slice for the heatmap) cannot be checked. Readers
 * parse headers from the unchecked member, so one corrupt member does not keep the others from being listed.
 */
export function crcChecked(r: Region, entry: ZipEntry, what: string): Region {
  const covers = (offset: number, length: number) => offset + length === r.size && offset <= CRC_PREFIX_MAX;
  const prefixCrc = async (offset: number, signal?: AbortSignal) => (offset === 0 ? 0 : crc32(await r.read(0, offset, signal)));
  const check = (crc: number) => {
    if (crc !== entry.crc32) {
      throw new FormatError(`${what}: corrupt data: its CRC-32 is ${hex(crc)}, but the zip directory expects ${hex(entry.crc32)}`);
    }
  };
  return {
    size: r.size,
    randomAccess: r.randomAccess,
    async read(offset, length, signal) {
      if (!covers(offset, length)) return r.read(offset, length, signal);
      const before = await prefixCrc(offset, signal);
      const bytes = await r.read(offset, length, signal);
      check(crc32(bytes, before));
      return bytes;
    },
    async stream(offset, length, chunkBytes, onChunk, signal) {
      if (!covers(offset, length)) return r.stream(offset, length, chunkBytes, onChunk, signal);
      let crc = await prefixCrc(offset, signal);
      await r.stream(offset, length, chunkBytes, (bytes) => {
        crc = crc32(bytes, crc);
        onChunk(bytes);
      }, signal);
      check(crc);
    },
  };
}

/**
 * The member as a region whose local header is read on first access, so opening a checkpoint with
 * thousands of storages costs no read per storage; whole reads check its CRC-32. The declared size comes from the central directory.
 */
export function lazyZipMember(src: ByteSource, entry: ZipEntry): Region {
  if (entry.method !== 0 && entry.method !== 8) {
    throw new FormatError(`${src.name}: member '${entry.name}': unsupported compression method ${entry.method}; expected 0 (stored) or 8 (deflate)`);
  }
  let opened: Promise<Region> | undefined;
  const get = () => (opened ??= openZipMember(src, entry).then((r) => crcChecked(r, entry, `${src.name}: member '${entry.name}'`)));
  return {
    size: entry.size,
    randomAccess: entry.method === 0,
    read: async (offset, length, signal) => (await get()).read(offset, length, signal),
    stream: async (offset, length, chunkBytes, onChunk, signal) => (await get()).stream(offset, length, chunkBytes, onChunk, signal),
  };
}
