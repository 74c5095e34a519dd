// Tensor file readers. Pure (no vscode, DOM or worker_threads): every reader works over a ByteSource, so the
// same code runs in the worker, the CLI and the tests, and a multi-GB file is read lazily.
//
// API (what the rest of NormLab builds on):
//   ByteSource / bufferSource(bytes, name)           ./source      positioned reads over a buffer
//   openFileSource(path)                             ./fileSource  positioned reads over a file (node:fs)
//   openTensorFile(source, opts) -> TensorFile       detects npy / npz / safetensors (+ sharded index) /
//                                                    pytorch / onnx / gguf from magic bytes and the name;
//                                                    on failure it closes the source
//   TensorFile.tensors: TensorInfo[]                 listed from the header/index only
//   TensorFile.readTensor(name, {maxBytes, signal})  whole tensor in C order; float32 and narrower floats ->
//                                                    Float32Array, float64 and integers/bool -> Float64Array;
//                                                    sizes are checked against maxBytes BEFORE allocating
//   TensorFile.streamTensor(name, onChunk, {chunkElements, signal, anyOrder, maxBytes})
//                                                    chunks in C order, progress (done, total), AbortSignal ->
//                                                    CancelledError ('cancelled'); memory independent of size,
//                                                    except non-contiguous views, gathered within maxBytes;
//                                                    anyOrder: true (for statistics) streams dense non-C
//                                                    layouts (Fortran order, transposes) in storage order;
//                                                    start/end: only elements [start, end) in C order (done,
//                                                    total relative to the range): contiguous tensors read only
//                                                    those bytes (a deflated npz member inflates up to `end`);
//                                                    strided views/Fortran order read only the range's elements
//                                                    where positioned reads exist, else gather within maxBytes
//   TensorFile.readTensorRange(name, start, end, {maxBytes, signal})
//                                                    elements [start, end) in one array (a heatmap slice)
//   findNormLayers(names)                            ./layers      group state-dict names into norm layers
//   loadTensorFromPath(path, tensorName?, opts)      ./load        CLI convenience (node:fs; not re-exported
//                                                                  here, so this module stays browser-safe)
//   parseNpy / encodeNpy                             ./npy         in-memory .npy
// Every error from bad input is a FormatError (src/formats/errors.ts) whose message says what was expected
// and what was found.
import { FormatError } from './errors';
import { openNpy, NPY_MAGIC } from './npy';
import { GGUF_MAGIC, openGguf } from './gguf';
import { openNpz } from './npz';
import { openOnnx } from './onnx';
import { LEGACY_MAGIC, openPytorch, openPytorchLegacy } from './pytorch';
import { looksLikeSafetensors, openSafetensors, openSafetensorsIndex } from './safetensors';
import type { ByteSource } from './source';
import type { TensorFile } from './tensorFile';
import { EMPTY_ZIP_MAGIC, readZipDirectory, ZIP_MAGIC } from './zip';

export type { DType } from './dtype';
export type { TensorFile, TensorInfo, TensorFormat } from './tensorFile';
export type { ByteSource } from './source';
export { bufferSource } from './source';
export { FormatError, CancelledError, TooLargeError, DEFAULT_MAX_BYTES, DEFAULT_MAX_HEADER_BYTES } from './errors';
export { findNormLayers, type NormLayer } from './layers';
export { encodeNpy, parseNpy, type NpyArray } from './npy';

export interface OpenOptions {
  /** Limit for headers read whole (safetensors JSON, zip directory, pickle). Default 100 MiB. */
  maxHeaderBytes?: number;
  /** Opens a file next to this one (the shards of a sharded safetensors index). Names are plain file names. */
  openSibling?: (name: string) => Promise<ByteSource>;
}

const startsWith = (b: Uint8Array, magic: readonly number[]): boolean => b.length >= magic.length && magic.every((m, i) => b[i] === m);

/** Opens a tensor file, reading only its header/index. On failure the source is closed and a FormatError thrown. */
export async function openTensorFile(source: ByteSource, opts: OpenOptions = {}): Promise<TensorFile> {
  try {
    return await detectAndOpen(source, opts);
  } catch (e) {
    await source.close().catch(() => undefined);
    throw e;
  }
}

async function detectAndOpen(source: ByteSource, opts: OpenOptions): Promise<TensorFile> {
  const head = await source.read(0, Math.min(16, source.size));
  if (startsWith(head, NPY_MAGIC)) return openNpy(source, opts);
  if (startsWith(head, ZIP_MAGIC) || startsWith(head, EMPTY_ZIP_MAGIC)) {
    const zip = await readZipDirectory(source, opts.maxHeaderBytes);
    // torch.save (>= 1.6) writes '<archive>/data.pkl' beside '<archive>/data/N' storages.
    if (zip.some((z) => z.name === 'data.pkl' || z.name.endsWith('/data.pkl'))) return openPytorch(source, zip, opts);
    return openNpz(source, zip, opts);
  }
  if (/\.onnx$/i.test(source.name)) return openOnnx(source, opts);
  if (startsWith(head, GGUF_MAGIC)) return openGguf(source, opts);
  if (/\.safetensors$/i.test(source.name) || looksLikeSafetensors(head, source.size)) return openSafetensors(source, opts);
  if (/\.json$/i.test(source.name) && head.length > 0 && new TextDecoder().decode(head).trimStart().startsWith('{')) return openSafetensorsIndex(source, opts);
  if (startsWith(head, LEGACY_MAGIC)) return openPytorchLegacy(source, opts);
  if (head[0] === 0x80 && head[1] >= 2 && head[1] <= 5 && /\.(pt|pth|bin|ckpt|pkl)$/i.test(source.name)) {
    throw new FormatError(`${source.name}: a plain pickle, not a checkpoint written by torch.save; NormLab reads torch.save files (zip or legacy format) and never unpickles arbitrary objects`);
  }
  throw new FormatError(`${source.name}: not a recognized tensor file: expected .npy, .npz, .safetensors, a PyTorch zip checkpoint, a safetensors index, .onnx or .gguf, found ${describeBytes(head)}`);
}

function describeBytes(b: Uint8Array): string {
  if (b.length === 0) return 'an empty file';
  return `bytes ${[...b.subarray(0, 8)].map((x) => x.toString(16).padStart(2, '0')).join(' ')}`;
}
