// An experiment's data: the first trainSize training samples and the first valSize validation samples (or, without
// validation data, the last valSize training samples held out), then the training engine's preparation (uint8
// images scaled to [0, 1] and standardized with the mean and std of the training samples used) — the same steps
// as the exported train.py. The arrays end in SharedArrayBuffers: every run's worker reads the same memory.
import { bufferSource, openTensorFile } from '../formats';
import { FormatError } from '../formats/errors';
import { isGzip, parseIdx } from '../formats/idx';
import { prepareData, sharedDataset, type RawArray } from '../nn/data';
import type { DataDescription, Dataset } from '../nn/types';
import { checkDataSizes } from './grid';
import { ExperimentConfigError, type ExperimentConfig } from './types';

/** Images and labels as read from a file (.npz x/y, or an IDX pair). */
export interface Labelled {
  x: RawArray;
  y: RawArray;
}

/** Samples [start, start + count) of an array along its first dim. */
function rows(a: RawArray, start: number, count: number): RawArray {
  const per = a.shape.slice(1).reduce((p, d) => p * d, 1);
  const data = new Float32Array(count * per);
  for (let i = 0; i < data.length; i++) data[i] = a.data[start * per + i];
  return { data, shape: [count, ...a.shape.slice(1)], uint8: a.uint8 };
}

function count(d: Labelled, what: string): number {
  const n = d.x.shape[0];
  if (d.x.shape.length < 2) throw new ExperimentConfigError(`${what}: expected images of shape (N, C, H, W) or (N, H, W), found shape [${d.x.shape.join(', ')}]`);
  if (d.y.shape.length !== 1 || d.y.shape[0] !== n) throw new ExperimentConfigError(`${what}: expected ${n} labels of shape (${n},), found shape [${d.y.shape.join(', ')}]`);
  return n;
}

export function prepareExperimentData(c: ExperimentConfig, train: Labelled, val: Labelled | null, dataName: string): { train: Dataset; val: Dataset; description: DataDescription } {
  const nTrain = count(train, 'training data');
  const nVal = val ? count(val, 'validation data') : null;
  checkDataSizes(c, { train: nTrain, val: nVal });
  const t = { x: rows(train.x, 0, c.trainSize), y: rows(train.y, 0, c.trainSize) };
  const v = val
    ? { x: rows(val.x, 0, c.valSize), y: rows(val.y, 0, c.valSize) }
    : { x: rows(train.x, nTrain - c.valSize, c.valSize), y: rows(train.y, nTrain - c.valSize, c.valSize) };
  const p = prepareData(t, v, { inputShape: c.model.input_shape });
  // Classes: the larger of the two sets' (a validation set may hold a class the first training samples lack).
  const numClasses = Math.max(p.train.numClasses, p.val?.numClasses ?? 0);
  return {
    train: sharedDataset({ ...p.train, numClasses }),
    val: sharedDataset({ ...p.val!, numClasses }),
    description: { name: dataName, trainSize: c.trainSize, valSize: c.valSize, standardized: p.standardized },
  };
}

/** A file's bytes and its name (for messages). */
export interface NamedBytes {
  bytes: Uint8Array;
  name: string;
}

const isIdx = (b: Uint8Array) => isGzip(b) || (b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] >= 0x08 && b[2] <= 0x0e);

/** One array from an IDX file (.gz or not) or a single-tensor file (.npy); or tensor `name` of an .npz. */
async function rawArray(f: NamedBytes, tensor?: string): Promise<RawArray> {
  if (tensor === undefined && isIdx(f.bytes)) {
    const a = parseIdx(f.bytes, f.name);
    return { data: a.data, shape: a.shape, uint8: a.type === 'uint8' };
  }
  const file = await openTensorFile(bufferSource(f.bytes, f.name));
  try {
    const name = tensor ?? (file.tensors.length === 1 ? file.tensors[0].name : undefined);
    const info = file.tensors.find((t) => t.name === name);
    if (!info) {
      throw new FormatError(`${f.name}: expected ${tensor === undefined ? 'one array' : `an array named '${tensor}'`}, found ${file.tensors.map((t) => `'${t.name}'`).join(', ') || 'none'}`);
    }
    return { data: await file.readTensor(info.name), shape: [...info.shape], uint8: info.dtype === 'uint8' };
  } finally {
    await file.close();
  }
}

/** Images and labels from an .npz (arrays x and y) or from an image file and a label file (IDX or .npy). */
export async function labelledFromBytes(files: { npz: NamedBytes } | { images: NamedBytes; labels: NamedBytes }): Promise<Labelled> {
  if ('npz' in files) return { x: await rawArray(files.npz, 'x'), y: await rawArray(files.npz, 'y') };
  return { x: await rawArray(files.images), y: await rawArray(files.labels) };
}
