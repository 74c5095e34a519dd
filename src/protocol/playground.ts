// Host <-> playground webview, and host -> worker for the playground job. One union per direction, requests
// carry ids, replies carry a result or an error. The host never trusts the webview: parseWebviewMessage checks
// every field (types, ranges, sizes, enums) before the host acts. Types, constants and that validator only.
import { DISTRIBUTIONS, MAX_GENERATE_ELEMENTS, type GenerateSpec } from '../kernels/generate';
import { LAYOUTS, METHODS, type Method } from '../kernels/types';
import type { SensitivityPoint } from '../kernels/batchSensitivity';
import type { ChannelMoments, Controls, TrainState } from '../kernels/inputView';
import { ValidationError, type Reply, type RequestOf } from './rpc';

export type { ChannelMoments, Controls, TrainState };

export { ValidationError };

/** What the webview draws besides the statistics: which (n, c) slice, and how much of everything. */
export interface ViewRequest {
  sliceN: number;
  sliceC: number;
}

export type TextFormat = 'json' | 'numpy' | 'csv';

/** A tensor of a file: where to read it again after a reload (never its data), and the shape it had. */
export interface FileSource {
  kind: 'file';
  /** The file's URI as a string (vscode.Uri.toString()). */
  uri: string;
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

export interface Hist {
  edges: number[];
  counts: number[];
}

/** A downsampled 2-D view of a slice: `rows × cols` block means of a `sliceRows × sliceCols` slice. */
export interface Tile {
  rows: number;
  cols: number;
  sliceRows: number;
  sliceCols: number;
  values: number[];
  min: number;
  max: number;
}

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
  inputHist: Hist;
  outputHist: Hist;
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
  outputHist: Hist;
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
  | Reply;

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
export const MAX_TRAIN_STEPS = 1000;
/** Bounds of a persisted file source. */
export const MAX_URI_CHARS = 8192;
export const MAX_TENSOR_NAME_CHARS = 1024;
const MAX_FILE_DIMS = 32;

/** Which URI schemes the host can read (vscode.workspace.fs has a provider for them); the default is local files only. */
export type CanRead = (scheme: string) => boolean;
const localOnly: CanRead = (scheme) => scheme === 'file';

// ---- Validation of webview messages ----

const bad = (path: string, expected: string, found: unknown): never => {
  const shown = typeof found === 'string' ? `'${found.length > 40 ? `${found.slice(0, 40)}…` : found}'`
    : Array.isArray(found) ? `an array of ${found.length}` : found === null ? 'null' : typeof found === 'object' ? 'an object' : String(found);
  throw new ValidationError(`${path}: expected ${expected}, found ${shown}`);
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function obj(v: unknown, path: string): Record<string, unknown> {
  return isObj(v) ? v : bad(path, 'an object', v);
}

function int(v: unknown, path: string, min: number, max: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : bad(path, `an integer from ${min} to ${max}`, v);
}

function num(v: unknown, path: string, min: number, max: number, what = `a number from ${min} to ${max}`): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : bad(path, what, v);
}

function oneOf<T extends string>(v: unknown, path: string, options: readonly T[]): T {
  return typeof v === 'string' && (options as readonly string[]).includes(v) ? (v as T) : bad(path, `one of ${options.join(', ')}`, v);
}

function bool(v: unknown, path: string): boolean {
  return typeof v === 'boolean' ? v : bad(path, 'true or false', v);
}

function numbers(v: unknown, path: string, maxLength: number): number[] {
  if (!Array.isArray(v) || v.length > maxLength) return bad(path, `an array of at most ${maxLength} numbers`, v);
  return v.map((x, i) => num(x, `${path}[${i}]`, -Number.MAX_VALUE, Number.MAX_VALUE, 'a finite number'));
}

export function parseControls(v: unknown, path = 'controls'): Controls {
  const o = obj(v, path);
  return {
    method: oneOf(o.method, `${path}.method`, METHODS),
    groups: int(o.groups, `${path}.groups`, 1, 1 << 20),
    eps: num(o.eps, `${path}.eps`, Number.MIN_VALUE, 1, 'a positive number up to 1'),
    momentum: o.momentum === null ? null : num(o.momentum, `${path}.momentum`, 0, 1, 'a number from 0 to 1, or null (cumulative average)'),
    affine: bool(o.affine, `${path}.affine`),
    gamma: numbers(o.gamma, `${path}.gamma`, MAX_PARAMS),
    beta: numbers(o.beta, `${path}.beta`, MAX_PARAMS),
    layout: oneOf(o.layout, `${path}.layout`, LAYOUTS),
    training: bool(o.training, `${path}.training`),
  };
}

function parseView(v: unknown, path = 'view'): ViewRequest {
  const o = obj(v, path);
  return { sliceN: int(o.sliceN, `${path}.sliceN`, 0, 2 ** 31), sliceC: int(o.sliceC, `${path}.sliceC`, 0, 2 ** 31) };
}

export function parseGenerateSpec(v: unknown, path = 'spec'): GenerateSpec {
  const o = obj(v, path);
  if (!Array.isArray(o.shape) || o.shape.length < 1 || o.shape.length > 5) bad(`${path}.shape`, 'an array of 1 to 5 dims', o.shape);
  const shape = (o.shape as unknown[]).map((d, i) => int(d, `${path}.shape[${i}]`, 1, MAX_GENERATE_ELEMENTS));
  const count = shape.reduce((a, b) => a * b, 1);
  if (count > MAX_GENERATE_ELEMENTS) bad(`${path}.shape`, `at most ${MAX_GENERATE_ELEMENTS} elements`, `[${shape.join(', ')}] = ${count} elements`);
  return {
    shape,
    layout: oneOf(o.layout, `${path}.layout`, LAYOUTS),
    distribution: oneOf(o.distribution, `${path}.distribution`, DISTRIBUTIONS),
    seed: int(o.seed, `${path}.seed`, 0, 0xffffffff),
    channelScale: numbers(o.channelScale, `${path}.channelScale`, 4096),
    channelShift: numbers(o.channelShift, `${path}.channelShift`, 4096),
  };
}

function parseUri(v: unknown, path: string, canRead: CanRead): string {
  if (typeof v !== 'string' || v.length > MAX_URI_CHARS) return bad(path, `a URI of at most ${MAX_URI_CHARS} characters`, typeof v === 'string' ? `${v.length} characters` : v);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(v)?.[1].toLowerCase();
  let parses = false;
  try {
    parses = scheme !== undefined && new URL(v).protocol === `${scheme}:`;
  } catch { /* not a URI */ }
  if (!parses) bad(path, 'a URI such as file:///data/x.npy', v);
  if (!canRead(scheme!)) bad(path, 'a URI of a scheme the workspace can read', `${scheme}:`);
  return v;
}

function parseFileSource(o: Record<string, unknown>, path: string, canRead: CanRead): FileSource {
  if (typeof o.tensor !== 'string' || o.tensor.length > MAX_TENSOR_NAME_CHARS) bad(`${path}.tensor`, `a tensor name of at most ${MAX_TENSOR_NAME_CHARS} characters`, typeof o.tensor === 'string' ? `${o.tensor.length} characters` : o.tensor);
  if (!Array.isArray(o.shape) || o.shape.length > MAX_FILE_DIMS) bad(`${path}.shape`, `an array of at most ${MAX_FILE_DIMS} dims`, o.shape);
  return {
    kind: 'file',
    uri: parseUri(o.uri, `${path}.uri`, canRead),
    tensor: o.tensor as string,
    shape: (o.shape as unknown[]).map((d, i) => int(d, `${path}.shape[${i}]`, 0, Number.MAX_SAFE_INTEGER)),
  };
}

function parseSource(v: unknown, path: string, canRead: CanRead): InputSource {
  const o = obj(v, path);
  const kind = oneOf(o.kind, `${path}.kind`, ['generate', 'paste', 'file'] as const);
  if (kind === 'generate') return { kind, spec: parseGenerateSpec(o.spec, `${path}.spec`) };
  if (kind === 'file') return parseFileSource(o, path, canRead);
  if (typeof o.text !== 'string' || o.text.length > MAX_PASTE_CHARS) bad(`${path}.text`, `text of at most ${MAX_PASTE_CHARS} characters`, typeof o.text === 'string' ? `${o.text.length} characters` : o.text);
  return { kind, text: o.text as string };
}

const empty = (v: unknown, path: string): Record<string, never> => {
  const o = v === undefined ? {} : obj(v, path);
  if (Object.keys(o).length > 0) bad(path, 'no parameters', Object.keys(o).join(', '));
  return {};
};

/**
 * The one gate for webview messages: returns a well-typed message or throws a ValidationError naming the field.
 * `canRead` says which URI schemes a file source may have (the host passes what vscode.workspace.fs can read).
 */
export function parseWebviewMessage(raw: unknown, canRead: CanRead = localOnly): WebviewToHost {
  const m = obj(raw, 'message');
  if (m.type === 'ready') return { type: 'ready' };
  const type = oneOf(m.type, 'message.type', ['ready', ...REQUEST_TYPES]) as RequestType;
  const id = int(m.id, `${type}.id`, 1, Number.MAX_SAFE_INTEGER);
  const p = m.params;
  const at = `${type}.params`;
  switch (type) {
    case 'setInput': return { type, id, params: { source: parseSource(obj(p, at).source, `${at}.source`, canRead) } };
    case 'pickFile': return { type, id, params: empty(p, at) };
    case 'resetRunning': return { type, id, params: empty(p, at) };
    case 'compute':
    case 'compare': {
      const o = obj(p, at);
      return { type, id, params: { controls: parseControls(o.controls, `${at}.controls`), view: parseView(o.view, `${at}.view`) } };
    }
    case 'sensitivity': return { type, id, params: { controls: parseControls(obj(p, at).controls, `${at}.controls`) } };
    case 'trainStep': {
      const o = obj(p, at);
      return {
        type, id,
        params: {
          controls: parseControls(o.controls, `${at}.controls`),
          steps: int(o.steps, `${at}.steps`, 1, MAX_TRAIN_STEPS),
          batchSize: int(o.batchSize, `${at}.batchSize`, 1, 1 << 16),
        },
      };
    }
    case 'export': {
      const o = obj(p, at);
      return { type, id, params: { controls: parseControls(o.controls, `${at}.controls`), format: oneOf(o.format, `${at}.format`, ['npy', 'json'] as const) } };
    }
  }
}

/** Best-effort reading of a persisted state handed back by VS Code after a reload (null if unusable). */
export function parsePersistedState(raw: unknown, canRead: CanRead = localOnly): PersistedState | null {
  try {
    const o = obj(raw, 'state');
    return {
      controls: parseControls(o.controls),
      view: parseView(o.view),
      source: o.source === null || o.source === undefined ? null : parseSource(o.source, 'state.source', canRead),
      tab: typeof o.tab === 'string' && o.tab.length < 40 ? o.tab : 'inspect',
    };
  } catch {
    return null;
  }
}

// ---- Host -> worker: the `playground` job ----

/** The input tensor as the worker sees it (shared memory: no copy per job). */
export interface JobInput {
  x: Float32Array;
  shape: number[];
}

export type PlaygroundJob =
  | { op: 'parse'; text: string }
  | { op: 'generate'; spec: GenerateSpec }
  | ({ op: 'compute'; controls: Controls; view: ViewRequest; running?: TrainState } & JobInput)
  | ({ op: 'compare'; controls: Controls; view: ViewRequest } & JobInput)
  | ({ op: 'sensitivity'; controls: Controls } & JobInput)
  | ({ op: 'train'; controls: Controls; running: TrainState | null; steps: number; batchSize: number; seed: number } & JobInput)
  | ({ op: 'output'; controls: Controls; running?: TrainState } & JobInput);

export interface PlaygroundJobResults {
  parse: { x: Float32Array; shape: number[]; format: TextFormat };
  generate: { x: Float32Array; shape: number[] };
  compute: ComputeResult;
  compare: CompareResult;
  sensitivity: SensitivityPoint[];
  train: TrainResult;
  output: { y: Float32Array; shape: number[] };
}
export type PlaygroundJobResult = PlaygroundJobResults[keyof PlaygroundJobResults];
