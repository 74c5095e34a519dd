// Opens a FileRef as a TensorFile inside a worker and always closes it again.
import { basename, dirname, join } from 'node:path';
import { FormatError } from '../../formats/errors';
import { openTensorFile, type TensorFile } from '../../formats/index';
import { openFileSource } from '../../formats/fileSource';
import { bufferSource, type ByteSource } from '../../formats/source';
import type { FileRef } from '../../protocol/worker';

export async function withTensorFile<T>(ref: FileRef, use: (file: TensorFile) => Promise<T>): Promise<T> {
  const source: ByteSource = ref.kind === 'path' ? await openFileSource(ref.path) : bufferSource(ref.bytes, ref.name);
  const siblings: ByteSource[] = [];
  // A sharded safetensors index names its shards as plain file names beside it.
  const openSibling = async (name: string): Promise<ByteSource> => {
    if (ref.kind !== 'path') throw new FormatError(`${ref.name}: the shards of a safetensors index can only be read from a local folder`);
    if (basename(name) !== name) throw new FormatError(`${ref.name}: expected a shard file name beside the index, got '${name}'`);
    const s = await openFileSource(join(dirname(ref.path), name));
    siblings.push(s);
    return s;
  };
  try {
    const file = await openTensorFile(source, { openSibling });
    try {
      return await use(file);
    } finally {
      await file.close();
    }
  } finally {
    await Promise.all([source, ...siblings].map((s) => s.close()));
  }
}
