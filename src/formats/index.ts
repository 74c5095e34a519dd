// Tensor file readers. Pure (no vscode, DOM or worker_threads): every reader works over a ByteSource, so the
// same code runs in the worker, the CLI and the tests, and a multi-GB file is read lazily.
//
// API (what the rest of NormLab builds on):
//   ByteSource / bufferSource(bytes, name)           ./source      positioned reads over a buffer
//   openFileSource(path)                             ./fileSource  positioned reads over a file (node:fs)
//   openTensorFile(source, opts) -> TensorFile       detects npy / npz / safetensors / pytorch / a sharded
//                                                    safetensors index from magic bytes and the name
//   TensorFile.tensors: TensorInfo[]                 listed from the header/index only
//   TensorFile.readTensor(name, {maxBytes, signal})  whole tensor in C order; float32 and narrower floats ->
//                                                    Float32Array, float64 and integers/bool -> Float64Array;
//                                                    sizes are checked against maxBytes BEFORE allocating
//   TensorFile.streamTensor(name, onChunk, {chunkElements, signal})
//                                                    chunks in C order, progress (done, total), AbortSignal ->
//                                                    CancelledError ('cancelled'); memory independent of size
//                                                    (except non-contiguous views, gathered within the limit)
//   findNormLayers(names)                            ./layers      group state-dict names into norm layers
//   loadTensorFromPath(path, tensorName?, opts)      ./load        CLI convenience
//   parseNpy / encodeNpy                             ./npy         in-memory .npy
// Every error from bad input is a FormatError (src/formats/errors.ts) whose message says what was expected
// and what was found.
import { FormatError } from './errors';
import { NPY_MAGIC, openNpy } from './npy';
import type { ByteSource } from './source';
import type { TensorFile } from './tensorFile';

export type { DType } from './dtype';
export type { TensorFile, TensorInfo, TensorFormat } from './tensorFile';
export type { ByteSource } from './source';
export { bufferSource } from './source';
export { FormatError, CancelledError, DEFAULT_MAX_BYTES, DEFAULT_MAX_HEADER_BYTES } from './errors';

export interface OpenOptions {
  /** Limit for headers read whole (safetensors JSON, zip directory, pickle). Default 100 MiB. */
  maxHeaderBytes?: number;
  /** Opens a file next to this one (the shards of a sharded safetensors index). Names are plain file names. */
  openSibling?: (name: string) => Promise<ByteSource>;
}

const startsWith = (b: Uint8Array, magic: readonly number[]): boolean => b.length >= magic.length && magic.every((m, i) => b[i] === m);

export async function openTensorFile(source: ByteSource, opts: OpenOptions = {}): Promise<TensorFile> {
  const head = await source.read(0, Math.min(16, source.size));
  if (startsWith(head, NPY_MAGIC)) return openNpy(source, opts);
  throw new FormatError(`${source.name}: not a recognized tensor file: expected .npy, .npz, .safetensors, a PyTorch zip checkpoint or a safetensors index, found ${describeBytes(head)}`);
}

function describeBytes(b: Uint8Array): string {
  if (b.length === 0) return 'an empty file';
  return `bytes ${[...b.subarray(0, 8)].map((x) => x.toString(16).padStart(2, '0')).join(' ')}`;
}
