// Host <-> playground webview messages: requests with ids (protocol/rpc.ts), what each returns, and the limits.
// Types and constants only; the validator is playgroundValidate.ts, the worker job's types playgroundJob.ts.
import type { GenerateSpec } from '../kernels/generate';
import type { Method } from '../kernels/types';
import type { SensitivityPoint } from '../kernels/batchSensitivity';
import type { SliceTile } from './tile';
import type { ChannelMoments, Controls, TrainState } from '../kernels/inputView';
import type { Reply, RequestOf, RequestProgress } from './rpc';
import type { HistogramBins } from './worker';

export type { ChannelMoments, Controls, TrainState };


/** What the webview draws besides the statistics: which (n, c) slice, and how much of everything. */
export interface ViewRequest {
  sliceN: number;
  sliceC: number;
}

export type TextFormat = 'json' | 'numpy' | 'csv';

/**
 * A tensor of a file: how to read it again after a reload (never its data, never its path), and the shape it had.
 * The token is one the host handed out for a file it chose itself (extension/fileGrants.ts).
 */
export interface FileSource {
  kind: 'file';
  token: string;
  tensor: string;
  shape: number[];
}

/** Where the input tensor came from (kept by the webview in its state so a reload can restore it). */
export type InputSource =
  | { kind: 'generate'; spec: GenerateSpec }
  | { kind: 'paste'; text: string }
  | FileSource;

export interface InputInfo {
  name: string;
  shape: number[];
  numel: number;
  origin: 'generate' | 'paste' | 'file';
  /** For pastes: the form recognised. */
  format?: TextFormat;
  /** For tensors from a file: how to read it again after a reload. */
  file?: FileSource;
}

/** A downsampled 2-D view of a slice (plain numbers; 0 for the range of a tile with no finite value). */
export type Tile = SliceTile<number[], number>;

export interface SetRow {
  set: number;
  label: string;
  mean: number;
  var: number;
  rstd: number;
}

export interface SliceView {
  n: number;
  c: number;
  /** What the slice is: "x[n, c]" over the spatial dims, or the whole (N, C) matrix for inputs without spatial dims. */
  label: string;
  before: Tile;
  after: Tile;
  /** Exact values of the top-left corner of the slice (at most TABLE_SIDE × TABLE_SIDE). */
  tableRows: number;
  tableCols: number;
  tableBefore: number[];
  tableAfter: number[];
}

export interface ComputeResult {
  method: Method;
  /** Logical (N, C, S) of the cube and the sets. */
  N: number;
  C: number;
  S: number;
  groups: number;
  numSets: number;
  setSize: number;
  paramCount: number;
  /** First MAX_ROWS sets. */
  rows: SetRow[];
  inputHist: HistogramBins;
  outputHist: HistogramBins;
  /** Per channel (first MAX_CHANNELS), before and after. */
  channelsShown: number;
  before: ChannelMoments;
  after: ChannelMoments;
  slice: SliceView;
  /** BN running statistics as they would be after this call (first MAX_CHANNELS), if any. */
  running?: { mean: number[]; var: number[] };
  /** Worker time in milliseconds. */
  ms: number;
}

export interface ComparePanel {
  method: Method;
  title: string;
  numSets: number;
  setSize: number;
  outputHist: HistogramBins;
  after: Tile;
  afterMoments: ChannelMoments;
  /** Why this method could not run on this input (e.g. BN on a single value per channel). */
  error?: string;
}

export interface CompareResult {
  groups: number;
  panels: ComparePanel[];
}

export interface TrainResult {
  running: TrainState;
  /** Running mean/var of the first channels after each step of this call. */
  history: { step: number; mean: number[]; var: number[] }[];
  /** Full-data mean and unbiased var per channel (the values running stats converge to). */
  target: { mean: number[]; var: number[] };
  /** Output in training mode vs eval mode (with the running stats) on the whole input. */
  gap: { maxAbs: number; rms: number };
}

export interface ExportResult {
  /** Where the .npy was saved, or the JSON put on the clipboard; undefined if the user cancelled. */
  savedTo?: string;
  copied?: number;
}

/** Requests from the webview, with what each returns. */
export interface RequestMap {
  setInput: { params: { source: InputSource }; result: InputInfo };
  pickFile: { params: Record<string, never>; result: InputInfo | null };
  compute: { params: { controls: Controls; view: ViewRequest }; result: ComputeResult };
  compare: { params: { controls: Controls; view: ViewRequest }; result: CompareResult };
  sensitivity: { params: { controls: Controls }; result: SensitivityPoint[] };
  trainStep: { params: { controls: Controls; steps: number; batchSize: number }; result: TrainResult };
  resetRunning: { params: Record<string, never>; result: null };
  export: { params: { controls: Controls; format: 'npy' | 'json' }; result: ExportResult };
}
export type RequestType = keyof RequestMap;
export const REQUEST_TYPES: readonly RequestType[] = ['setInput', 'pickFile', 'compute', 'compare', 'sensitivity', 'trainStep', 'resetRunning', 'export'];

export type Request<K extends RequestType = RequestType> = RequestOf<RequestMap, K>;

export type WebviewToHost = { type: 'ready' } | Request;

/** UI strings, localized by the host (vscode.l10n) and sent in the init message. */
export type Strings = Record<string, string>;

/** What the webview keeps with setState and the serializer hands back after a reload. */
export interface PersistedState {
  controls: Controls;
  view: ViewRequest;
  source: InputSource | null;
  tab: string;
}

export type HostToWebview =
  | { type: 'init'; strings: Strings; defaultEps: number; state: PersistedState | null; input: InputInfo | null }
  /** A tensor arrived from outside (the tensor editor, "send to playground"). */
  | { type: 'input'; info: InputInfo }
  | Reply
  | RequestProgress;

// ---- Limits ----
/** Rows of the statistics table sent to the webview. */
export const MAX_ROWS = 256;
/** Channels in the per-channel bar charts. */
export const MAX_CHANNELS = 64;
/** Largest side of a heatmap tile. */
export const MAX_TILE_SIDE = 64;
/** Side of the exact-values table of the slice. */
export const TABLE_SIDE = 8;
export const HIST_BINS = 48;
/** A paste larger than this is refused before it is parsed. */
export const MAX_PASTE_CHARS = 64 * 1024 * 1024;
export const MAX_PARAMS = 1 << 24;
/** Largest G of a control (the groups offered are the divisors of C). */
export const MAX_GROUPS = 1 << 20;
/** Largest n or c of the slice shown. */
export const MAX_SLICE_INDEX = 2 ** 31;
/** Entries of the generator's per-channel scale and shift. */
export const MAX_CHANNEL_PARAMS = 4096;
/** One "train step" click: at most this many steps, each on a batch of at most MAX_TRAIN_BATCH samples. */
export const MAX_TRAIN_STEPS = 1000;
export const MAX_TRAIN_BATCH = 1 << 16;
/** Bounds of a persisted file source: the token's hex digits, the tensor name, the dims. */
export const FILE_TOKEN_HEX = 32;
export const MAX_TENSOR_NAME_CHARS = 1024;
export const MAX_FILE_DIMS = 32;
