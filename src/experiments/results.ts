// results.json (one object, see types.ts) and results.csv (one row per run and epoch): building them, checking a
// file someone opens (ours or the exported PyTorch script's), and the per-method summaries the charts draw.
import type { DataDescription, EpochRecord } from '../nn/types';
import { ExperimentConfigError, METHODS, PRESETS, RESULTS_FORMAT, RESULTS_VERSION, type ExperimentConfig, type ExperimentResults, type RunPlan, type RunRecord } from './types';

/** results.json before any run has finished: every run pending. */
export function newResults(config: ExperimentConfig, runs: RunPlan[], data: DataDescription, engine: string, created = new Date()): ExperimentResults {
  return {
    format: RESULTS_FORMAT, version: RESULTS_VERSION, engine, created: created.toISOString(), preset: config.preset,
    config, model: config.model, data,
    runs: runs.map((r) => ({
      index: r.index, label: r.label, method: r.method, groups: r.groups, channels_per_group: r.channelsPerGroup,
      batch_size: r.batchSize, seed: r.seed, lr: r.lr, status: 'pending', epochs: [], seconds: 0,
    })),
  };
}

/** Not a NormLab results file, or a damaged one: says where. */
export class ResultsFormatError extends Error {
  override readonly name = 'ValidationError';
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const numOrNull = (v: unknown) => v === null || isNum(v);

/** Checks a parsed results.json; returns it typed, or throws naming the first field that is wrong. */
export function parseResults(v: unknown): ExperimentResults {
  const fail = (where: string, expected: string, found: unknown): never => {
    const shown = found === undefined ? 'nothing' : JSON.stringify(found)?.slice(0, 60);
    throw new ResultsFormatError(`results.json: ${where}: expected ${expected}, found ${shown}`);
  };
  if (!isObj(v)) return fail('the file', 'a JSON object', v);
  if (v.format !== RESULTS_FORMAT) fail('format', `"${RESULTS_FORMAT}"`, v.format);
  if (v.version !== RESULTS_VERSION) fail('version', String(RESULTS_VERSION), v.version);
  if (typeof v.engine !== 'string') fail('engine', 'a string', v.engine);
  if (typeof v.created !== 'string') fail('created', 'an ISO time', v.created);
  if (!(PRESETS as readonly unknown[]).includes(v.preset)) fail('preset', PRESETS.join(' | '), v.preset);
  if (!isObj(v.config)) fail('config', 'an object', v.config);
  const model = v.model;
  if (!isObj(model) || !Array.isArray(model.input_shape) || !Array.isArray(model.layers)) fail('model', 'a model spec {input_shape, layers}', model);
  const data = v.data;
  if (!isObj(data) || typeof data.name !== 'string' || !isNum(data.trainSize) || !isNum(data.valSize)) fail('data', '{name, trainSize, valSize, standardized}', data);
  const std = (data as Record<string, unknown>).standardized;
  if (!(std === null || (isObj(std) && isNum(std.mean) && isNum(std.std)))) fail('data.standardized', 'null or {mean, std}', std);
  if (!Array.isArray(v.runs)) fail('runs', 'an array', v.runs);
  (v.runs as unknown[]).forEach((r, i) => {
    const at = `runs[${i}]`;
    if (!isObj(r)) return fail(at, 'an object', r);
    if (!Number.isInteger(r.index)) fail(`${at}.index`, 'an integer', r.index);
    if (typeof r.label !== 'string') fail(`${at}.label`, 'a string', r.label);
    if (!(METHODS as readonly unknown[]).includes(r.method)) fail(`${at}.method`, METHODS.join(' | '), r.method);
    if (!(r.groups === null || Number.isInteger(r.groups))) fail(`${at}.groups`, 'null or an integer', r.groups);
    if (!(r.channels_per_group === null || Number.isInteger(r.channels_per_group))) fail(`${at}.channels_per_group`, 'null or an integer', r.channels_per_group);
    if (!Number.isInteger(r.batch_size) || (r.batch_size as number) < 1) fail(`${at}.batch_size`, 'a positive integer', r.batch_size);
    if (!Number.isInteger(r.seed)) fail(`${at}.seed`, 'an integer', r.seed);
    if (!isNum(r.lr)) fail(`${at}.lr`, 'a number', r.lr);
    if (!['pending', 'running', 'done', 'cancelled', 'failed'].includes(r.status as string)) fail(`${at}.status`, 'pending | running | done | cancelled | failed', r.status);
    if (!isNum(r.seconds)) fail(`${at}.seconds`, 'a number', r.seconds);
    if (!Array.isArray(r.epochs)) return fail(`${at}.epochs`, 'an array', r.epochs);
    r.epochs.forEach((e: unknown, j: number) => {
      const ea = `${at}.epochs[${j}]`;
      if (!isObj(e)) return fail(ea, 'an object', e);
      if (e.epoch !== j + 1) fail(`${ea}.epoch`, String(j + 1), e.epoch);
      for (const k of ['train_loss', 'train_error', 'seconds'] as const) if (!isNum(e[k])) fail(`${ea}.${k}`, 'a number', e[k]);
      for (const k of ['val_loss', 'val_error'] as const) if (!numOrNull(e[k])) fail(`${ea}.${k}`, 'a number or null', e[k]);
    });
  });
  return v as unknown as ExperimentResults;
}

/** results.json's text. NaN/Infinity (a diverged run) become null, which JSON can hold. */
export function resultsJson(r: ExperimentResults): string {
  return `${JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}

export const CSV_COLUMNS = [
  'run', 'label', 'method', 'groups', 'channels_per_group', 'batch_size', 'seed', 'lr', 'status',
  'epoch', 'train_loss', 'train_error', 'val_loss', 'val_error', 'epoch_seconds',
] as const;

const csvCell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** results.csv: a header and one row per run and epoch (a run with no finished epoch: one row with empty epoch fields). */
export function resultsCsv(r: ExperimentResults): string {
  const rows: string[] = [CSV_COLUMNS.join(',')];
  for (const run of r.runs) {
    const head = [run.index, run.label, run.method, run.groups, run.channels_per_group, run.batch_size, run.seed, run.lr, run.status];
    const epochs: (EpochRecord | null)[] = run.epochs.length ? run.epochs : [null];
    for (const e of epochs) {
      const tail = e ? [e.epoch, e.train_loss, e.train_error, e.val_loss, e.val_error, e.seconds] : ['', '', '', '', '', ''];
      rows.push([...head, ...tail].map(csvCell).join(','));
    }
  }
  return `${rows.join('\n')}\n`;
}

/** The final validation error of a finished run (%), or null. */
export function finalValError(run: RunRecord): number | null {
  const last = run.epochs.at(-1);
  return run.status === 'done' && last && last.val_error !== null && Number.isFinite(last.val_error) ? last.val_error * 100 : null;
}

/** Mean and sample std over seeds of a set of numbers (std 0 for one value). */
export function meanStd(xs: number[]): { mean: number; std: number; n: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** Final val error (%) per (label without seed, batch size): mean ± std over the seeds that finished. */
export function summarize(r: ExperimentResults): { key: string; method: string; batchSize: number; groups: number | null; channelsPerGroup: number | null; mean: number; std: number; n: number }[] {
  const groups = new Map<string, { run: RunRecord; errs: number[] }>();
  for (const run of r.runs) {
    const key = run.label.split(' · ').filter((p) => !p.startsWith('seed ')).join(' · ');
    const g = groups.get(key) ?? { run, errs: [] };
    const err = finalValError(run);
    if (err !== null) g.errs.push(err);
    groups.set(key, g);
  }
  const out = [];
  for (const [key, { run, errs }] of groups) {
    if (errs.length === 0) continue;
    out.push({ key, method: run.method, batchSize: run.batch_size, groups: run.groups, channelsPerGroup: run.channels_per_group, ...meanStd(errs) });
  }
  return out;
}

/** The folder name of an experiment: `<preset>-<YYYYMMDD-HHMMSS>` in UTC. */
export function experimentFolderName(preset: string, when: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${when.getUTCFullYear()}${p(when.getUTCMonth() + 1)}${p(when.getUTCDate())}-${p(when.getUTCHours())}${p(when.getUTCMinutes())}${p(when.getUTCSeconds())}`;
  return `${preset}-${stamp}`;
}

/** A config read from a file (CLI --config, a results.json's config): checked field by field. */
export function parseConfig(v: unknown, where = 'config'): ExperimentConfig {
  const fail = (field: string, expected: string, found: unknown): never => {
    throw new ExperimentConfigError(`${where}: ${field}: expected ${expected}, found ${JSON.stringify(found) ?? 'nothing'}`);
  };
  if (!isObj(v)) return fail('the config', 'a JSON object', v);
  if (!(PRESETS as readonly unknown[]).includes(v.preset)) fail('preset', PRESETS.join(' | '), v.preset);
  const m = v.model;
  if (!isObj(m) || !Array.isArray(m.input_shape) || !Array.isArray(m.layers)) fail('model', 'a model spec {input_shape, layers}', m);
  for (const [i, l] of (m as { layers: unknown[] }).layers.entries()) {
    if (!Array.isArray(l) || l.length !== 2 || typeof l[0] !== 'string' || !isObj(l[1])) fail(`model.layers[${i}]`, '["Name", {kwargs}]', l);
  }
  if (!Array.isArray(v.norms)) fail('norms', 'an array of {method, groups?, channelsPerGroup?}', v.norms);
  for (const [i, n] of (v.norms as unknown[]).entries()) if (!isObj(n)) fail(`norms[${i}]`, '{method, groups?, channelsPerGroup?}', n);
  if (!Array.isArray(v.batchSizes)) fail('batchSizes', 'an array of integers', v.batchSizes);
  for (const k of ['seeds', 'epochs', 'lr', 'momentum', 'weightDecay', 'warmupEpochs', 'trainSize', 'valSize'] as const) {
    if (!isNum(v[k])) fail(k, 'a number', v[k]);
  }
  for (const k of ['scaleLrByBatch', 'nesterov'] as const) if (typeof v[k] !== 'boolean') fail(k, 'true or false', v[k]);
  const s = v.schedule;
  const okSchedule = isObj(s) && (s.kind === 'constant' || s.kind === 'cosine' || (s.kind === 'step' && Array.isArray(s.milestones) && s.milestones.every(isNum)));
  if (!okSchedule) fail('schedule', '{kind: "constant" | "cosine"} or {kind: "step", milestones: [epochs]}', s);
  const d = v.data;
  if (!isObj(d) || !isSource(d.train) || !(d.val === null || isSource(d.val))) {
    fail('data', '{train: source, val: source | null} with sources {kind: "bundled", split} | {kind: "npz", path} | {kind: "idx", images, labels}', d);
  }
  return v as unknown as ExperimentConfig;
}

function isSource(s: unknown): boolean {
  if (!isObj(s)) return false;
  if (s.kind === 'bundled') return s.split === 'train' || s.split === 'test';
  if (s.kind === 'npz') return typeof s.path === 'string';
  if (s.kind === 'idx') return typeof s.images === 'string' && typeof s.labels === 'string';
  return false;
}
