// `normlab experiment fig1|curves|groups|custom`: a preset (or a --config file) with flags on top, checked whole
// before any run (exit 2, one line), then every run in parallel in worker threads (the extension's worker and
// 'train' job), progress on stderr, results.json and results.csv into --out. --export-torch writes train.py instead.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { checkExperiment } from '../experiments/check';
import { prepareExperimentData, type Labelled } from '../experiments/data';
import { expandGrid, parseNorms } from '../experiments/grid';
import { preset } from '../experiments/presets';
import { experimentFolderName, parseConfig, resultsCsv, resultsJson } from '../experiments/results';
import { Experiment, type ExperimentEvent } from '../experiments/runner';
import { torchScript } from '../experiments/torchScript';
import { METHODS, PRESETS, type DataSource, type ExperimentConfig, type NormChoice, type PresetName } from '../experiments/types';
import { WorkerPool } from '../extension/pool';
import { poolStartRun } from '../extension/trainInPool';
import { int, intList, num, parseFlags, str, usage } from './args';
import { readRegularFileSync } from './inputFiles';
import { readLabelled } from './trainData';

const STRINGS = ['config', 'data', 'labels', 'val-data', 'val-labels', 'train-size', 'val-size', 'epochs', 'seeds', 'batch-sizes', 'methods', 'workers', 'out', 'export-torch', 'lr', 'model'] as const;

/** Where the bundled Fashion-MNIST subset lives: beside dist/ in the package. */
export function bundledDataPath(split: 'train' | 'test'): string {
  return resolve(__dirname, '..', 'examples', 'data', `fashion-mnist-${split}.npz`);
}

export const BUNDLED_NAME = 'Fashion-MNIST subset (bundled)';

function pathsOf(s: DataSource): { images: string; labels?: string } {
  if (s.kind === 'bundled') return { images: bundledDataPath(s.split) };
  if (s.kind === 'npz') return { images: resolve(s.path) };
  return { images: resolve(s.images), labels: resolve(s.labels) };
}

function parseMethods(text: string): NormChoice[] {
  const norms = parseNorms(text);
  if (typeof norms === 'string') usage(`--methods: unknown method '${norms}' (expected ${METHODS.join(', ')}; gn:G for G groups, gn/C for C channels per group)`);
  return norms;
}

function readJson(path: string, flag: string): unknown {
  let text: string;
  try {
    text = readRegularFileSync(path).toString('utf8');
  } catch (e) {
    return usage(`--${flag} ${path}: cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    return usage(`--${flag} ${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** The preset, then --config (a full or partial config), then the flags; checked whole. */
export function experimentConfig(name: PresetName, flags: Record<string, string | boolean | undefined>): ExperimentConfig {
  let c: ExperimentConfig = preset(name);
  const configPath = str(flags, 'config');
  if (configPath !== undefined) {
    const over = readJson(configPath, 'config');
    if (typeof over !== 'object' || over === null || Array.isArray(over)) usage(`--config ${configPath}: expected a JSON object of experiment settings`);
    c = { ...c, ...(over as Partial<ExperimentConfig>), preset: name };
  }
  const modelPath = str(flags, 'model');
  if (modelPath !== undefined) c.model = readJson(modelPath, 'model') as ExperimentConfig['model'];
  const methods = str(flags, 'methods');
  if (methods !== undefined) c.norms = parseMethods(methods);
  c.batchSizes = intList(flags, 'batch-sizes') ?? c.batchSizes;
  c.seeds = int(flags, 'seeds') ?? c.seeds;
  c.epochs = int(flags, 'epochs') ?? c.epochs;
  c.trainSize = int(flags, 'train-size') ?? c.trainSize;
  c.valSize = int(flags, 'val-size') ?? c.valSize;
  c.lr = num(flags, 'lr') ?? c.lr;
  const data = str(flags, 'data');
  const labels = str(flags, 'labels');
  const valData = str(flags, 'val-data');
  const valLabels = str(flags, 'val-labels');
  if (labels !== undefined && data === undefined) usage('--labels needs --data');
  if (valLabels !== undefined && valData === undefined) usage('--val-labels needs --val-data');
  if (data !== undefined) {
    c.data = {
      train: labels !== undefined ? { kind: 'idx', images: data, labels } : { kind: 'npz', path: data },
      val: null, // held out from the training data, unless --val-data
    };
  }
  if (valData !== undefined) c.data = { ...c.data, val: valLabels !== undefined ? { kind: 'idx', images: valData, labels: valLabels } : { kind: 'npz', path: valData } };
  try {
    c = parseConfig(c, configPath ?? 'config');
    checkExperiment(c);
  } catch (e) {
    if (e instanceof Error && e.name === 'ValidationError') usage(e.message);
    throw e;
  }
  return c;
}

async function readSource(s: DataSource, flag: string): Promise<Labelled> {
  const p = pathsOf(s);
  return readLabelled(p.images, p.labels, flag);
}

const fmtTime = (s: number) => `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}`;

function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

export async function runExperiment(args: string[], io: { stdout: (s: string) => void; stderr: (s: string) => void }, engine: string): Promise<number> {
  const { flags, positionals } = parseFlags(args, STRINGS, ['json']);
  const name = positionals[0];
  if (!name || !(PRESETS as readonly string[]).includes(name)) usage(`experiment: expected a preset (${PRESETS.join(', ')}), got ${name === undefined ? 'none' : `'${name}'`}`);
  if (positionals.length > 1) usage(`experiment: unexpected argument '${positionals[1]}'`);
  const config = experimentConfig(name as PresetName, flags);
  const dataName = config.data.train.kind === 'bundled' ? BUNDLED_NAME : basename(pathsOf(config.data.train).images);

  const exportPath = str(flags, 'export-torch');
  if (exportPath !== undefined) {
    writeFileSync(exportPath, torchScript(config, { pathOf: pathsOf, dataName }));
    io.stderr(`wrote ${exportPath}: python3 ${exportPath} --out results (torch + numpy)\n`);
    return 0;
  }

  const train = await readSource(config.data.train, 'data');
  const val = config.data.val ? await readSource(config.data.val, 'val-data') : null;
  let data;
  try {
    data = prepareExperimentData(config, train, val, dataName);
  } catch (e) {
    if (e instanceof Error && (e.name === 'ValidationError' || e.name === 'NnError')) usage(e.message);
    throw e;
  }
  const runs = expandGrid(config);
  const workers = Math.min(runs.length, int(flags, 'workers') ?? availableParallelism());
  if (workers < 1) usage(`--workers expects a positive integer, got ${str(flags, 'workers')}`);
  const started = new Date();
  const out = resolve(str(flags, 'out') ?? join('.normlab', 'experiments', experimentFolderName(config.preset, started)));
  mkdirSync(out, { recursive: true });

  const pool = new WorkerPool({ size: workers, workerFile: join(__dirname, 'worker.js') });
  let lastLine = 0;
  let progress: Extract<ExperimentEvent, { type: 'progress' }> | null = null;
  const experiment = new Experiment({
    config, runs, data: data.description, engine, workers, startRun: poolStartRun(pool, config, data),
    onEvent: (e) => {
      if (e.type === 'progress') {
        progress = e;
        if (Date.now() - lastLine < 10_000) return;
      } else if (e.type !== 'run' || e.record.status === 'running' && e.record.epochs.length === 0) {
        return;
      }
      lastLine = Date.now();
      const p = progress;
      const overall = p ? ` [${Math.round(p.fraction * 100)}%, ${fmtTime(p.elapsed)} elapsed${p.eta === null ? '' : `, ~${fmtTime(p.eta)} left`}]` : '';
      if (e.type === 'run') {
        const r = e.record;
        const last = r.epochs.at(-1);
        const what = r.status === 'running' ? `epoch ${r.epochs.length}/${config.epochs}` : r.status;
        const err = last && last.val_error !== null ? `, val error ${(last.val_error * 100).toFixed(2)}%` : '';
        io.stderr(`${r.label}: ${what}${err}${r.status === 'failed' ? `: ${r.error}` : ''}${overall}\n`);
      } else {
        io.stderr(`normlab experiment: ${overall.trim()}\n`);
      }
    },
  });
  io.stderr(`normlab experiment ${config.preset}: ${runs.length} runs on ${workers} worker(s), ${data.description.trainSize} training / ${data.description.valSize} validation samples of ${dataName}\n`);
  const onSigint = () => {
    io.stderr('normlab experiment: cancelling (results so far are kept)\n');
    experiment.cancelAll();
  };
  process.once('SIGINT', onSigint);
  let results;
  try {
    results = await experiment.done;
  } finally {
    process.off('SIGINT', onSigint);
    await pool.dispose();
  }
  writeAtomic(join(out, 'results.json'), resultsJson(results));
  writeAtomic(join(out, 'results.csv'), resultsCsv(results));
  io.stderr(`wrote ${join(out, 'results.json')} and results.csv (${fmtTime((Date.now() - started.getTime()) / 1000)})\n`);
  if (flags.json) io.stdout(resultsJson(results));
  const failed = results.runs.filter((r) => r.status === 'failed');
  if (failed.length) {
    io.stderr(`normlab: ${failed.length} run(s) failed; the first: ${failed[0].label}: ${failed[0].error}\n`);
    return 1;
  }
  return results.runs.every((r) => r.status === 'done') ? 0 : 130;
}
