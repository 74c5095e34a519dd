// Opens a FileRef as a TensorFile inside a worker. The last file opened stays open for a few seconds, so the
// viewer's one-job-per-tensor statistics do not parse a large checkpoint's header once per tensor.
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FormatError } from '../../formats/errors';
import { openTensorFile, type TensorFile } from '../../formats/index';
import { openFileSource } from '../../formats/fileSource';
import { bufferSource, type ByteSource } from '../../formats/source';
import type { FileRef } from '../../protocol/worker';

const IDLE_CLOSE_MS = 5000;

interface Open {
  /** Path + size + mtime (a rewritten file is opened anew), or the shared buffer itself. */
  key: unknown;
  file: TensorFile;
  sources: ByteSource[];
  timer?: NodeJS.Timeout;
}

/** A worker runs one job at a time, so one cached file is never used by two jobs at once. */
let cached: Open | undefined;

export async function withTensorFile<T>(ref: FileRef, use: (file: TensorFile) => Promise<T>): Promise<T> {
  const key = await keyOf(ref);
  let entry = cached && sameKey(cached.key, key) ? cached : undefined;
  if (!entry) {
    await closeCached();
    entry = await open(ref, key);
  }
  clearTimeout(entry.timer);
  cached = undefined;
  try {
    const result = await use(entry.file);
    cached = entry;
    entry.timer = setTimeout(() => void closeCached(), IDLE_CLOSE_MS);
    entry.timer.unref();
    return result;
  } catch (e) {
    await closeEntry(entry); // after a failure (or cancellation) start clean
    throw e;
  }
}

async function keyOf(ref: FileRef): Promise<unknown> {
  if (ref.kind === 'bytes') return ref.bytes;
  try {
    const s = await stat(ref.path);
    return `${ref.path}\0${s.size}\0${s.mtimeMs}`;
  } catch {
    return undefined; // openFileSource reports the missing file
  }
}

const sameKey = (a: unknown, b: unknown): boolean => a !== undefined && a === b;

async function open(ref: FileRef, key: unknown): Promise<Open> {
  const source: ByteSource = ref.kind === 'path' ? await openFileSource(ref.path) : bufferSource(ref.bytes, ref.name);
  const sources = [source];
  // A sharded safetensors index names its shards as plain file names beside it.
  const openSibling = async (name: string): Promise<ByteSource> => {
    if (ref.kind !== 'path') throw new FormatError(`${ref.name}: the shards of a safetensors index can only be read from a local folder`);
    if (basename(name) !== name) throw new FormatError(`${ref.name}: expected a shard file name beside the index, got '${name}'`);
    const s = await openFileSource(join(dirname(ref.path), name));
    sources.push(s);
    return s;
  };
  try {
    return { key, file: await openTensorFile(source, { openSibling }), sources };
  } catch (e) {
    await Promise.all(sources.map((s) => s.close()));
    throw e;
  }
}

async function closeCached(): Promise<void> {
  const entry = cached;
  cached = undefined;
  if (entry) await closeEntry(entry);
}

async function closeEntry(entry: Open): Promise<void> {
  clearTimeout(entry.timer);
  try {
    await entry.file.close();
  } finally {
    await Promise.all(entry.sources.map((s) => s.close()));
  }
}
