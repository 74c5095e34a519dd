// Host <-> experiments-panel messages. The webview never names a path: data files are picked by the host, which
// hands back an opaque token; past experiments are named by their folder name, checked against the listing.
import type { ExperimentEvent } from '../experiments/runner';
import { parseConfig } from '../experiments/results';
import type { ExperimentConfig, ExperimentResults, PresetName } from '../experiments/types';
import { describe, expectEnum, expectInt, expectObject, expectString, ValidationError } from './validate';

/** The bundled Fashion-MNIST subset (its train or test split by role), or a file the user picked in the host. */
export type DataPick = { kind: 'bundled' } | { kind: 'file'; token: string; label: string };

/** An ExperimentConfig as the panel edits it: data by pick instead of by path. */
export type PanelConfig = Omit<ExperimentConfig, 'data'> & { data: { train: DataPick; val: DataPick | null } };

export interface PastExperiment {
  folder: string;
  preset: PresetName;
  created: string;
  runs: number;
  finished: number;
}

export interface ExperimentsRequests {
  start: { params: { config: PanelConfig }; result: { folder: string; results: ExperimentResults } };
  /** index null: every run. */
  cancel: { params: { index: number | null }; result: null };
  pickData: { params: { role: 'train' | 'val' }; result: DataPick | null };
  listPast: { params: Record<string, never>; result: PastExperiment[] };
  openPast: { params: { folder: string }; result: { folder: string; results: ExperimentResults } };
  /** After a window reload: the results.json from outside .normlab/experiments that the panel showed, read again. No
   * name in the request: the host reads the file it kept (file: its workspace-relative path, for the page). */
  openShownFile: { params: Record<string, never>; result: { file: string; results: ExperimentResults } };
  /** A chart as PNG (base64 of the bytes) into the experiment's folder; folder null: beside the results.json the
   * panel shows (one opened from outside .normlab/experiments, which the host knows; the webview names no path). */
  savePng: { params: { folder: string | null; name: string; png: string }; result: { savedTo: string } };
  exportTorch: { params: { config: PanelConfig }; result: { savedTo: string } | null };
  revealFolder: { params: { folder: string }; result: null };
}

export type ExperimentsRequestType = keyof ExperimentsRequests;
export const EXPERIMENTS_REQUEST_TYPES = ['start', 'cancel', 'pickData', 'listPast', 'openPast', 'openShownFile', 'savePng', 'exportTorch', 'revealFolder'] as const satisfies readonly ExperimentsRequestType[];

export type ExperimentsRequest = { [K in ExperimentsRequestType]: { type: K; id: number; params: ExperimentsRequests[K]['params'] } }[ExperimentsRequestType];

export type HostToExperiments =
  | { type: 'init'; strings: Record<string, string>; running: boolean }
  | { type: 'event'; event: ExperimentEvent }
  | { type: 'finished'; folder: string; results: ExperimentResults }
  /** Results to show: the experiment running after the webview reloaded, or a results.json opened from the explorer.
   * folder: its folder under .normlab/experiments, else null and file is the results.json's workspace-relative path.
   * adopt: the user chose to open it: the form takes its configuration too. */
  | { type: 'show'; folder: string | null; file?: string; results: ExperimentResults; running: boolean; adopt?: boolean };

export const EXPERIMENT_LIMITS = {
  maxLayers: 64,
  maxNorms: 16,
  maxBatchSizes: 8,
  maxSeeds: 10,
  maxEpochs: 200,
  maxSamples: 1_000_000,
  maxRuns: 200,
  /** A chart PNG. */
  maxPngBase64: 12 * 1024 * 1024,
  maxToken: 64,
  maxName: 80,
} as const;

const FOLDER_RE = /^[a-z0-9]+-\d{8}-\d{6}(-\d+)?$/;
const PNG_NAME_RE = /^[a-z0-9-]{1,40}$/;

function parsePick(v: unknown, what: string): DataPick {
  const o = expectObject(v, what);
  const kind = expectEnum(o.kind, `${what}.kind`, ['bundled', 'file'] as const);
  if (kind === 'bundled') return { kind };
  return { kind, token: expectString(o.token, `${what}.token`, EXPERIMENT_LIMITS.maxToken), label: expectString(o.label, `${what}.label`, 400) };
}

/** A panel config: every field checked (ExperimentConfig's parser), sizes bounded, data by pick. */
export function parsePanelConfig(v: unknown): PanelConfig {
  const o = expectObject(v, 'config');
  const d = expectObject(o.data, 'config.data');
  const train = parsePick(d.train, 'config.data.train');
  const val = d.val === null ? null : parsePick(d.val, 'config.data.val');
  // The data part is checked above; the rest by the config parser with a placeholder source.
  const rest = parseConfig({ ...o, data: { train: { kind: 'bundled', split: 'train' }, val: null } });
  const L = EXPERIMENT_LIMITS;
  const bound = (n: number, max: number, what: string) => {
    if (n > max) throw new ValidationError(`config.${what}: expected at most ${max}, got ${describe(n)}`);
  };
  bound(rest.model.layers.length, L.maxLayers, 'model.layers');
  bound(rest.norms.length, L.maxNorms, 'norms');
  bound(rest.batchSizes.length, L.maxBatchSizes, 'batchSizes');
  bound(rest.seeds, L.maxSeeds, 'seeds');
  bound(rest.epochs, L.maxEpochs, 'epochs');
  bound(rest.trainSize, L.maxSamples, 'trainSize');
  bound(rest.valSize, L.maxSamples, 'valSize');
  bound(rest.norms.length * rest.batchSizes.length * rest.seeds, L.maxRuns, 'runs (methods × batch sizes × seeds)');
  return { ...rest, data: { train, val } };
}

export function expectFolder(v: unknown, what: string): string {
  const s = expectString(v, what, EXPERIMENT_LIMITS.maxName);
  if (!FOLDER_RE.test(s)) throw new ValidationError(`${what}: expected an experiment folder name such as fig1-20261202-010203, got ${describe(s)}`);
  return s;
}

/** Validates one message from the experiments webview; throws a ValidationError naming the bad field. */
export function parseExperimentsMessage(raw: unknown): ExperimentsRequest | { type: 'ready' } {
  const m = expectObject(raw, 'message');
  if (m.type === 'ready') return { type: 'ready' };
  const type = expectEnum(m.type, 'message.type', EXPERIMENTS_REQUEST_TYPES);
  const id = expectInt(m.id, 'message.id', 0, Number.MAX_SAFE_INTEGER);
  const p = type === 'listPast' || type === 'openShownFile' ? {} : expectObject(m.params, `${type}.params`);
  switch (type) {
    case 'start':
    case 'exportTorch':
      return { type, id, params: { config: parsePanelConfig((p as { config?: unknown }).config) } };
    case 'cancel': {
      const index = (p as { index?: unknown }).index;
      return { type, id, params: { index: index === null ? null : expectInt(index, 'cancel.index', 0, EXPERIMENT_LIMITS.maxRuns) } };
    }
    case 'pickData':
      return { type, id, params: { role: expectEnum((p as { role?: unknown }).role, 'pickData.role', ['train', 'val'] as const) } };
    case 'listPast':
    case 'openShownFile':
      return { type, id, params: {} } as ExperimentsRequest;
    case 'openPast':
    case 'revealFolder':
      return { type, id, params: { folder: expectFolder((p as { folder?: unknown }).folder, `${type}.folder`) } } as ExperimentsRequest;
    case 'savePng': {
      const q = p as Record<string, unknown>;
      const name = expectString(q.name, 'savePng.name', 40);
      if (!PNG_NAME_RE.test(name)) throw new ValidationError(`savePng.name: expected lower-case letters, digits and '-', got ${describe(name)}`);
      const png = expectString(q.png, 'savePng.png', EXPERIMENT_LIMITS.maxPngBase64);
      if (!/^[A-Za-z0-9+/]+=*$/.test(png)) throw new ValidationError('savePng.png: expected base64');
      return { type, id, params: { folder: q.folder === null ? null : expectFolder(q.folder, 'savePng.folder'), name, png } };
    }
  }
}
