// A byte source: positioned reads, so a multi-GB file is read lazily (header first, tensor bytes on demand).
import { FormatError } from './errors';

export interface ByteSource {
  readonly size: number;
  readonly name: string;
  /** Exactly `length` bytes at `offset`, in a new array the caller owns; a FormatError if they run past the end. */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Checks a positioned read against the source size; shared by every ByteSource. */
export function checkRange(name: string, size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new FormatError(`${name}: invalid read of ${length} bytes at offset ${offset}`);
  }
  if (offset + length > size) {
    throw new FormatError(`${name}: file is truncated: expected ${length} bytes at offset ${offset}, but the file has only ${size} bytes`);
  }
}

export function bufferSource(bytes: Uint8Array, name: string): ByteSource {
  return {
    size: bytes.length,
    name,
    read: async (offset, length) => {
      checkRange(name, bytes.length, offset, length);
      return Uint8Array.prototype.slice.call(bytes, offset, offset + length); // a copy (also for a Buffer): readers may decode in place
    },
    close: async () => undefined,
  };
}
