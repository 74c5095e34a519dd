// Convenience for the CLI: open a path, pick one tensor (by name, or the file's only tensor) and read it whole.
import { basename, dirname, join } from 'node:path';
import type { DType } from './dtype';
import { CancelledError, FormatError } from './errors';
import { openFileSource } from './fileSource';
import { openTensorFile } from './index';
import type { TensorFile } from './tensorFile';

/** Opens a tensor file on disk; a sharded safetensors index may open shard files beside it (plain names only). */
export async function openTensorPath(path: string, opts: { maxHeaderBytes?: number } = {}): Promise<TensorFile> {
  const openSibling = async (name: string) => {
    if (basename(name) !== name) throw new FormatError(`${basename(path)}: expected a shard file name beside the index, found '${name}'`);
    return openFileSource(join(dirname(path), name)); // closed by the TensorFile that opened it
  };
  return openTensorFile(await openFileSource(path), { ...opts, openSibling });
}

/** Runs `fn`, naming the file in errors by `path` as given (readers name it by its base name); the error keeps its class. */
export async function withPathInErrors<T>(path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const base = basename(path);
    if (e instanceof FormatError && !(e instanceof CancelledError) && base !== path && !e.message.includes(path)) {
      e.message = e.message.startsWith(`${base}: `) ? `${path}: ${e.message.slice(base.length + 2)}` : `${path}: ${e.message}`;
    }
    throw e;
  }
}

export function pickTensorName(file: TensorFile, fileName: string, tensorName?: string): string {
  if (tensorName !== undefined) return tensorName; // readTensor names the available tensors if it is missing
  if (file.tensors.length === 1) return file.tensors[0].name;
  if (file.tensors.length === 0) throw new FormatError(`${fileName}: the file holds no tensors`);
  const names = file.tensors.map((t) => t.name);
  const list = names.length <= 10 ? names.join(', ') : `${names.slice(0, 10).join(', ')}, ... (${names.length} in all)`;
  throw new FormatError(`${fileName}: holds ${names.length} tensors; choose one with --tensor NAME (${list})`);
}

export async function loadTensorFromPath(
  path: string,
  tensorName?: string,
  opts: { maxBytes?: number } = {},
): Promise<{ name: string; dtype: DType; shape: number[]; data: Float32Array | Float64Array }> {
  return withPathInErrors(path, async () => {
    const file = await openTensorPath(path);
    try {
      const name = pickTensorName(file, basename(path), tensorName);
      const data = await file.readTensor(name, { maxBytes: opts.maxBytes });
      const info = file.tensors.find((t) => t.name === name)!;
      return { name, dtype: info.dtype, shape: [...info.shape], data };
    } finally {
      await file.close();
    }
  });
}
