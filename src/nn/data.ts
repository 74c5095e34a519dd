// From arrays as read from files to Datasets: uint8 images are scaled to [0, 1] and standardized with the
// training set's mean and std (the validation set uses the same numbers); float data are used as given
// unless standardization is asked for. Labels must be non-negative integers.
import { fmtShape } from '../kernels/errors';
import { nnFail } from './errors';
import type { Dataset } from './types';

export interface RawArray {
  data: ArrayLike<number>;
  shape: number[];
  /** Stored as uint8: scale by 1/255. */
  uint8: boolean;
}

export interface Standardization {
  mean: number;
  std: number;
}

const dropOnes = (s: readonly number[]) => s.filter((d) => d !== 1).join();

/** One sample's shape for the model: the stored one, or the model's input_shape when they differ only by 1s ((N, H, W) for [1, H, W]). */
function sampleShapeFor(stored: number[], inputShape: number[] | undefined, what: string): number[] {
  if (stored.length < 2) nnFail(`${what}: expected samples of shape (N, C, H, W), (N, H, W) or (N, features), got ${fmtShape(stored)}`);
  const s = stored.slice(1);
  if (!inputShape || s.join() === inputShape.join()) return s;
  if (dropOnes(s) === dropOnes(inputShape)) return [...inputShape];
  return nnFail(`${what}: samples have shape ${fmtShape(s)} but the model's input_shape is ${fmtShape(inputShape)}`);
}

export function toLabels(raw: RawArray, n: number, what: string): Int32Array {
  if (raw.shape.length !== 1 || raw.shape[0] !== n) nnFail(`${what}: expected ${n} labels of shape (${n},), got shape ${fmtShape(raw.shape)}`);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = raw.data[i];
    if (!Number.isInteger(v) || v < 0 || v > 1e6) nnFail(`${what}: label ${i} is ${v}; expected a non-negative integer class id`);
    y[i] = v;
  }
  return y;
}

export function meanStd(x: Float32Array): Standardization {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  const mean = s / x.length;
  let d2 = 0;
  for (let i = 0; i < x.length; i++) d2 += (x[i] - mean) ** 2;
  return { mean, std: Math.sqrt(d2 / x.length) };
}

/** x → (x [/255] − mean) / std in place of a new float32 array. */
export function toSamples(raw: RawArray, st: Standardization | null): Float32Array {
  const scale = raw.uint8 ? 1 / 255 : 1;
  const x = new Float32Array(raw.data.length);
  const mean = st?.mean ?? 0;
  const inv = st ? 1 / (st.std || 1) : 1;
  for (let i = 0; i < x.length; i++) x[i] = (raw.data[i] * scale - mean) * inv;
  return x;
}

export interface PreparedData {
  train: Dataset;
  val: Dataset | null;
  /** The mean and std (of the [0, 1]-scaled training images) that were subtracted and divided; null = as given. */
  standardized: Standardization | null;
}

export function prepareData(
  train: { x: RawArray; y: RawArray }, val: { x: RawArray; y: RawArray } | null,
  opts: { standardize?: boolean; inputShape?: number[]; maxBytes?: number } = {},
): PreparedData {
  const maxBytes = opts.maxBytes ?? 1 << 30;
  const make = (d: { x: RawArray; y: RawArray }, what: string, st: Standardization | null): Dataset => {
    const n = d.x.shape[0];
    const sampleShape = sampleShapeFor(d.x.shape, opts.inputShape, what);
    if (d.x.data.length * 4 > maxBytes) nnFail(`${what}: ${d.x.data.length} values need ${(d.x.data.length * 4) / 2 ** 20} MiB as float32, over the limit of ${maxBytes / 2 ** 20} MiB`);
    const y = toLabels(d.y, n, `${what} labels`);
    let numClasses = 0;
    for (const v of y) numClasses = Math.max(numClasses, v + 1);
    return { x: toSamples(d.x, st), sampleShape, y, numClasses };
  };
  let standardized: Standardization | null = null;
  if (train.x.uint8 || opts.standardize) {
    standardized = meanStd(toSamples(train.x, null));
    if (!(standardized.std > 0)) nnFail(`training data: every value is ${standardized.mean}; standardizing needs a non-zero standard deviation`);
  }
  return { train: make(train, 'training data', standardized), val: val ? make(val, 'validation data', standardized) : null, standardized };
}

/** Inputs for evaluation, prepared exactly as the training data were (same scaling and standardization). */
export function toInputs(raw: RawArray, st: Standardization | null, inputShape: number[], what: string): { x: Float32Array; n: number } {
  sampleShapeFor(raw.shape, inputShape, what);
  return { x: toSamples(raw, st), n: raw.shape[0] };
}

/** A copy of d in SharedArrayBuffers: every worker it is posted to reads the same memory. */
export function sharedDataset(d: Dataset): Dataset {
  const x = new Float32Array(new SharedArrayBuffer(d.x.length * 4));
  x.set(d.x);
  const y = new Int32Array(new SharedArrayBuffer(d.y.length * 4));
  y.set(d.y);
  return { ...d, x, y };
}
