// Host <-> worker protocol: one typed map of job kinds, requests with ids, replies with a result or a typed error.
// Types and constants only (imported by the pool, the worker, the CLI and the benchmark).
import type { Summary } from '../kernels/summary';
import type { FloatArray, NormParams, NormResult } from '../kernels/types';
import type { SliceTile } from './tile';

/**
 * Where a worker reads a tensor file from. A local path is opened with positioned reads inside the worker;
 * anything else (remote or virtual schemes) is read once by the host into a SharedArrayBuffer so that every job
 * sees the same bytes without another copy.
 */
export type FileRef =
  | { kind: 'path'; path: string; name: string }
  | { kind: 'bytes'; bytes: Uint8Array; name: string };

/** One tensor as listed in a file (mirrors formats' TensorInfo, kept here so the protocol is self-contained). */
export interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  numel: number;
  byteLength: number;
}

/** A normalization layer found in a checkpoint: member role -> tensor name. */
export interface NormLayerEntry {
  prefix: string;
  kind: 'batchnorm' | 'norm';
  members: Partial<Record<'weight' | 'bias' | 'running_mean' | 'running_var' | 'num_batches_tracked', string>>;
}

/** Statistics over the finite values (kernels/summary.ts); min..std are null when there is none. */
export type TensorSummary = Summary;

/** numpy.histogram-style bins: edges.length === counts.length + 1. */
export interface HistogramBins {
  edges: number[];
  counts: number[];
}

/** A downsampled 2-D tile of one slice, row-major, `rows x cols`, with NaN kept as NaN. */
export type HeatmapTile = SliceTile<Float32Array>;

/** One run of an experiment: trainRun's arguments; the data in SharedArrayBuffers (shared, not copied). */
export interface TrainJob {
  model: import('../nn/types').ModelSpec;
  config: import('../nn/types').TrainConfig;
  train: import('../nn/types').Dataset;
  val: import('../nn/types').Dataset | null;
}

/** What rank 0 of a 'trainPart' job reports: a step (at most every 100 ms) or a finished epoch. */
export type TrainPartProgress = { step: import('../nn/types').StepReport } | { epoch: import('../nn/types').EpochRecord };

export interface JobMap {
  normalize: { payload: { x: FloatArray; shape: number[]; params: NormParams }; result: NormResult };
  /** Header only: the format, its metadata, the tensors and the normalization layers. */
  fileList: {
    payload: { file: FileRef };
    result: { format: string; metadata: Record<string, string>; tensors: TensorEntry[]; layers: NormLayerEntry[] };
  };
  /** Streams one tensor: its summary and a histogram (progress is reported per chunk). */
  fileStats: {
    /** maxBytes: normlab.maxTensorBytes, for a view that must be gathered (strided, in compressed data). */
    payload: { file: FileRef; tensor: string; bins: number; maxBytes?: number };
    result: { summary: TensorSummary; histogram: HistogramBins };
  };
  /** Reads a whole tensor as floats, refused beyond maxBytes (of float32/float64 output). */
  readTensor: { payload: { file: FileRef; tensor: string; maxBytes: number }; result: { data: FloatArray; shape: number[]; dtype: string } };
  /**
   * A downsampled heatmap of the 2-D slice over the last two dims; `index` picks the leading dims
   * (2-D: [], 4-D (N, C, H, W): [n, c]). Each tile cell is the mean of the finite values it covers.
   * The worker streams only the slice's elements (streamTensor's start/end), so it reads about the slice's bytes
   * wherever it lies in the file, and the webview and the host never hold more than the tile.
   */
  heatmap: { payload: { file: FileRef; tensor: string; index: number[]; maxSide: number; maxBytes?: number }; result: HeatmapTile };
  /** One run of an experiment (experiments/runner.ts); progress details are TrainProgress without the fraction. */
  train: { payload: TrainJob; result: import('../experiments/runner').TrainSummary };
  /**
   * One worker's part of a run whose batches are split across workers (`normlab train --workers N`): every part runs
   * at once, on a worker of its own. Rank 0 reports steps and epochs (detail: TrainPartProgress) and returns the
   * result; the others return null.
   */
  trainPart: { payload: TrainJob & { collective: import('../nn/collective').CollectiveInit; rank: number }; result: import('../nn/types').TrainResult | null };
  playground: { payload: import('./playgroundJob').PlaygroundJob; result: import('./playgroundJob').PlaygroundJobResult };
  /** parallelNormalize, phase 1: shifted sums of units [unit0, unit1) of a shared x (fused plans also write y), one per piece. */
  moments: { payload: import('../kernels/fast/parts').MomentsPart; result: import('../kernels/fast/sums').Sums[] };
  /** parallelNormalize, phase 2: y = x·scale + shift over rows [row0, row1) into a shared y. */
  apply: { payload: import('../kernels/fast/parts').ApplyPart; result: null };
}
// Other engineers may add kinds here (playground, moments/apply), each with a handler in src/extension/jobs/index.ts.

export type JobKind = keyof JobMap;

export type { WireError } from './rpc';
import type { WireError } from './rpc';

export type HostToWorker =
  /** cancel: the worker's shared cancel flag; the host stores a job's id there to cancel it (see JobContext.throwIfCancelled). */
  | { type: 'run'; id: number; kind: string; payload: unknown; cancel?: Int32Array }
  | { type: 'cancel'; id: number };

export type WorkerToHost =
  /** detail: optional data for the caller (sent at once, never dropped by the throttle). */
  | { type: 'progress'; id: number; fraction: number; detail?: unknown }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: WireError };

export { CANCELLED } from './rpc';
