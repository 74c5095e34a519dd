// Reading what `normlab train` trains on and starts from: DATA (.npz with x and y, or images + --labels as
// IDX (.gz or not) or .npy), state dicts (.safetensors / .pt), --order and --eval-in arrays.
import { basename } from 'node:path';
import { FormatError } from '../formats/errors';
import { parseIdx } from '../formats/idx';
import { loadTensorFromPath, openTensorPath, withPathInErrors } from '../formats/load';
import type { RawArray } from '../nn/data';
import type { StateDict } from '../nn/types';
import { usage } from './args';
import { readRegularFileSync } from './inputFiles';

const looksIdx = (path: string) => /(ubyte|\.idx\d?)(\.gz)?$/i.test(path) || /\.gz$/i.test(path);

/** One array from a tensor file or an IDX file; uint8 is remembered (images are scaled by 1/255). */
export async function readRawArray(path: string, tensorName?: string): Promise<RawArray> {
  if (looksIdx(path)) {
    let bytes: Uint8Array;
    try {
      bytes = readRegularFileSync(path);
    } catch (e) {
      throw new FormatError(`${path}: cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const a = parseIdx(bytes, path);
    return { data: a.data, shape: a.shape, uint8: a.type === 'uint8' };
  }
  const t = await loadTensorFromPath(path, tensorName).catch((e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code;
    throw code ? new FormatError(`${path}: cannot read file (${code})`) : e;
  });
  return { data: t.data, shape: t.shape, uint8: t.dtype === 'uint8' };
}

/** Images and labels: `.npz` with x and y, or images + a labels file. */
export async function readLabelled(dataPath: string, labelsPath: string | undefined, flag: string): Promise<{ x: RawArray; y: RawArray }> {
  if (labelsPath !== undefined) return { x: await readRawArray(dataPath), y: await readRawArray(labelsPath) };
  if (looksIdx(dataPath) || !/\.npz$/i.test(dataPath)) {
    usage(`--${flag} ${basename(dataPath)}: expected an .npz with arrays x and y, or images with --${flag === 'data' ? 'labels' : 'val-labels'} FILE`);
  }
  return { x: await readRawArray(dataPath, 'x'), y: await readRawArray(dataPath, 'y') };
}

/** Every tensor of a .safetensors / .pt state dict, under its own key. */
export async function readStateDict(path: string): Promise<StateDict> {
  return withPathInErrors(path, async () => {
    const file = await openTensorPath(path).catch((e: unknown) => {
      const code = (e as NodeJS.ErrnoException).code;
      throw code ? new FormatError(`${path}: cannot read file (${code})`) : e;
    });
    try {
      const sd: StateDict = new Map();
      for (const t of file.tensors) sd.set(t.name, { shape: [...t.shape], data: await file.readTensor(t.name) });
      return sd;
    } finally {
      await file.close();
    }
  });
}

/** --order: integer (steps, batch) sample indices. */
export async function readOrder(path: string): Promise<{ steps: number; batch: number; indices: Int32Array }> {
  const a = await readRawArray(path);
  if (a.shape.length !== 2 || a.shape[0] < 1 || a.shape[1] < 1) usage(`--order: expected an int64 array of shape (steps, batch), got shape [${a.shape.join(', ')}]`);
  const indices = new Int32Array(a.data.length);
  for (let i = 0; i < indices.length; i++) {
    const v = a.data[i];
    if (!Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1) usage(`--order: value ${v} at step ${Math.floor(i / a.shape[1]) + 1} is not a sample index`);
    indices[i] = v;
  }
  return { steps: a.shape[0], batch: a.shape[1], indices };
}
