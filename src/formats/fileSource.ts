// ByteSource over a node:fs FileHandle: positioned reads only, nothing is read until asked for.
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { FormatError } from './errors';
import { checkRange, type ByteSource } from './source';

export async function openFileSource(path: string): Promise<ByteSource> {
  const name = basename(path);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FormatError(code === 'ENOENT' ? `no such file: ${path}` : code === 'EISDIR' ? `expected a file, found a directory: ${path}` : `cannot open ${path}: ${code ?? String(e)}`);
  }
  const fh = handle;
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw new FormatError(`expected a regular file: ${path}`);
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
