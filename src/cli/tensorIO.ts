// Reading and writing the CLI's tensor arguments. Inputs: float32/float64 .npy (other formats through
// src/formats); outputs: .npy, written atomically so a failed run never leaves half a file.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { FormatError } from '../formats/errors';
import { encodeNpy, parseNpy } from '../formats/npy';
import type { FloatArray } from '../kernels';

export interface LoadedTensor {
  data: FloatArray;
  shape: number[];
}

export function readNpyFile(path: string): LoadedTensor {
  let bytes: Uint8Array;
  try {
    // A plain Uint8Array view: Buffer#slice does not copy, which breaks readers that slice then take .buffer.
    const buf = readFileSync(path);
    bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    throw new FormatError(`${path}: cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const a = parseNpy(bytes);
    if (!(a.data instanceof Float32Array || a.data instanceof Float64Array)) {
      throw new FormatError(`expected a float32 or float64 array, found dtype ${a.dtype}`);
    }
    return { data: a.data, shape: a.shape };
  } catch (e) {
    if (e instanceof FormatError && !e.message.startsWith(path)) throw new FormatError(`${path}: ${e.message}`);
    throw e;
  }
}

export function writeNpyFile(path: string, data: Float32Array | Float64Array, shape: readonly number[]): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, encodeNpy(data, shape));
  renameSync(tmp, path);
}
