// Small inputs the CLI reads whole (a JSON spec, an IDX file): regular files only, like every tensor file
// (src/formats/fileSource.ts), so a FIFO or a device named as an input is refused instead of blocking forever.
import { readFileSync, statSync } from 'node:fs';
import { notRegularFileError } from '../formats/fileSource';

/** The file's bytes; a FormatError for a folder, pipe or device; fs errors (ENOENT, ...) pass through with their code. */
export function readRegularFileSync(path: string): Buffer {
  const st = statSync(path);
  if (!st.isFile()) throw notRegularFileError(path, st);
  return readFileSync(path);
}
