// Reading and writing the CLI's tensor arguments. Inputs come through the format readers (.npy, .npz,
// .safetensors, .pt, ...); outputs are .npy, written by ./outputs (atomically, never over an existing file without --force).
import { FormatError } from '../formats/errors';
import { loadTensorFromPath } from '../formats/load';
import { encodeNpy } from '../formats/npy';
import type { FloatArray } from '../kernels';
import { writeOutput, type OutputOptions } from './outputs';

export interface LoadedTensor {
  name: string;
  data: FloatArray;
  shape: number[];
}

/** Reads one tensor; every error names the file. */
export async function readTensorFile(path: string, tensorName?: string): Promise<LoadedTensor> {
  try {
    const t = await loadTensorFromPath(path, tensorName);
    return { name: t.name, data: t.data, shape: t.shape };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code) throw new FormatError(`${path}: cannot read file (${code})`);
    if (e instanceof FormatError && !e.message.includes(path)) throw new FormatError(`${path}: ${e.message}`);
    throw e;
  }
}

/** Writes an .npy through writeOutput: complete or not at all, never over an existing file without opts.force. */
export function writeNpyFile(path: string, data: Float32Array | Float64Array, shape: readonly number[], opts: OutputOptions = {}): void {
  writeOutput(path, encodeNpy(data, shape), opts);
}
