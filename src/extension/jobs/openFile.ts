// Opens a FileRef as a TensorFile inside a worker and always closes it again.
import { openTensorFile, type TensorFile } from '../../formats/index';
import { openFileSource } from '../../formats/fileSource';
import { bufferSource, type ByteSource } from '../../formats/source';
import type { FileRef } from '../../protocol/worker';

export async function withTensorFile<T>(ref: FileRef, use: (file: TensorFile) => Promise<T>): Promise<T> {
  const source: ByteSource = ref.kind === 'path' ? await openFileSource(ref.path) : bufferSource(ref.bytes, ref.name);
  try {
    const file = await openTensorFile(source);
    try {
      return await use(file);
    } finally {
      await file.close();
    }
  } finally {
    await source.close();
  }
}
