// ByteSource over a node:fs FileHandle: positioned reads only, nothing is read until asked for.
// Only regular files are opened: a FIFO, a socket or a device could block the open or a read forever, and a
// directory is not a tensor file. The path is checked with stat() BEFORE it is opened, then opened with
// O_NONBLOCK (so a file swapped for a FIFO in between cannot block the open) and checked again on the handle.
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename } from 'node:path';
import { FormatError } from './errors';
import { checkRange, type ByteSource } from './source';

/** What a non-regular file is, for the error message. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** Refuses anything but a regular file: the one error every reader of a path shares. */
export function notRegularFileError(path: string, st: Stats): FormatError {
  return new FormatError(`expected a regular file, found ${kindOf(st)}: ${path}`);
}

function openError(path: string, e: unknown): FormatError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new FormatError(`no such file: ${path}`);
  if (code === 'EISDIR') return new FormatError(`expected a regular file, found a directory: ${path}`);
  if (code === 'EACCES' || code === 'EPERM') return new FormatError(`permission denied: ${path}`);
  return new FormatError(`cannot open ${path}: ${code ?? String(e)}`);
}

/** O_NONBLOCK where the platform has it (not on Windows, where FIFOs are not files). */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

export async function openFileSource(path: string): Promise<ByteSource> {
  const name = basename(path);
  let before: Stats;
  try {
    before = await stat(path);
  } catch (e) {
    throw openError(path, e);
  }
  if (!before.isFile()) throw notRegularFileError(path, before);
  let fh;
  try {
    fh = await open(path, OPEN_FLAGS);
  } catch (e) {
    throw openError(path, e);
  }
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw notRegularFileError(path, st);
  }
  const size = st.size;
  let closed = false;
  return {
    size,
    name,
    async read(offset, length) {
      checkRange(name, size, offset, length);
      if (closed) throw new FormatError(`${name}: file is closed`);
      const out = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await fh.read(out, got, length - got, offset + got);
        if (bytesRead === 0) throw new FormatError(`${name}: file is truncated (it changed while reading?): expected ${length} bytes at offset ${offset}, got ${got}`);
        got += bytesRead;
      }
      return out;
    },
    async close() {
      if (!closed) {
        closed = true;
        await fh.close();
      }
    },
  };
}
