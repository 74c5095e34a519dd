// Core types shared by every kernel. Pure: no vscode, DOM or Node imports.

export type Method = 'batch' | 'layer' | 'instance' | 'group' | 'rms';
export const METHODS: readonly Method[] = ['batch', 'layer', 'instance', 'group', 'rms'];

/** Stored layout of the channel axis. NHWC = channels-last for every rank: (N,L,C), (N,H,W,C), (N,D,H,W,C). */
export type Layout = 'NCHW' | 'NHWC';
export const LAYOUTS: readonly Layout[] = ['NCHW', 'NHWC'];

/** Input data: float32 storage; float64 is accepted so that a float64 file is not rounded first. */
export type FloatArray = Float32Array | Float64Array;

/** A dense row-major tensor as stored (its shape is the stored shape). */
export interface Tensor<T extends FloatArray = FloatArray> {
  data: T;
  shape: number[];
}

export interface NormParams {
  method: Method;
  /** Layout of x for batch/instance/group. layer/rms normalize trailing stored dims and ignore it. */
  layout: Layout;
  eps: number;
  /** group: number of groups G (must divide C). */
  groups?: number;
  /** layer/rms: the trailing dims normalized over. Default: the last dim. */
  normalizedShape?: number[];
  /** batch/instance: training mode. Default true. */
  training?: boolean;
  /** batch/instance: weight of the NEW statistic in the running average. null = cumulative average (batch only). Default 0.1. */
  momentum?: number | null;
  /** batch: num_batches_tracked before this call (used when momentum is null). Default 0. */
  numBatchesTracked?: number;
  /** instance: torch's use_input_stats. Default: training || no running stats. */
  useInputStats?: boolean;
  weight?: FloatArray;
  bias?: FloatArray;
  runningMean?: FloatArray;
  runningVar?: FloatArray;
}

/** Per-set statistics, in logical order (BN: (C); IN: (N,C); GN: (N,G); LN/RMS: leading dims). */
export interface SetStats {
  shape: number[];
  /** Elements in each set. */
  count: number;
  mean: Float64Array;
  /** Biased variance (divide by count). */
  var: Float64Array;
  /** 1/sqrt(v + eps) with v the variance actually used to normalize (batch var, running var or ms for RMS). */
  rstd: Float64Array;
  /** RMS only: mean(x²). */
  ms?: Float64Array;
}

export interface RunningStats {
  mean: Float64Array;
  var: Float64Array;
  numBatchesTracked: number;
}

export interface NormResult {
  /** Output in the stored layout and shape of x. */
  y: Float32Array;
  stats: SetStats;
  /** Present when running stats were given (batch/instance). Updated in training, unchanged in eval. */
  running?: RunningStats;
}
