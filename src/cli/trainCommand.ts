// `normlab train`: flags -> data, spec and config -> trainRun -> progress on stderr, JSON or a summary on
// stdout, the trained state dict (.safetensors, written to a temp file and renamed), eval-mode logits.
import { CancelledError } from '../formats/errors';
import { encodeSafetensors } from '../formats/safetensorsWrite';
import { prepareData, toInputs, type Standardization } from '../nn/data';
import { evalLogits } from '../nn/evaluate';
import { buildModel, parseModelSpec } from '../nn/model';
import { trainRun } from '../nn/train';
import type { EpochRecord, ModelSpec, Schedule, StateDict, StepReport, TrainConfig, TrainHooks } from '../nn/types';
import { WorkerPool } from '../extension/pool';
import { trainSplit } from '../extension/trainInPool';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { int, num, parseFlags, required, str, usage, type Flags } from './args';
import { readLabelled, readOrder, readRawArray, readStateDict } from './trainData';
import { readRegularFileSync } from './inputFiles';
import { checkOutputs, writeOutput, type OutputOptions } from './outputs';
import { writeNpyFile } from './tensorIO';

const STRINGS = ['model', 'data', 'labels', 'val-data', 'val-labels', 'epochs', 'batch-size', 'lr', 'momentum', 'weight-decay',
  'schedule', 'warmup-epochs', 'seed', 'workers', 'init', 'order', 'save', 'eval-in', 'eval-logits-out'] as const;
const BOOLEANS = ['nesterov', 'json', 'standardize', 'scale-lr', 'force'] as const;
/** Threads one run may split its batches across: each holds a whole model and meets the others every step. */
const MAX_WORKERS = 64;

export interface TrainIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** A person is watching stderr: redraw one progress line in place. */
  tty: boolean;
}

function parseSchedule(v: string | undefined): Schedule {
  if (v === undefined || v === 'constant') return { kind: 'constant' };
  if (v === 'cosine') return { kind: 'cosine' };
  const m = /^step:(\d+(?:,\d+)*)$/.exec(v);
  if (m) return { kind: 'step', milestones: m[1].split(',').map(Number) };
  return usage(`--schedule expects constant, cosine or step:E1,E2 (epochs where the lr is multiplied by 0.1), got '${v}'`);
}

function readSpec(path: string): ModelSpec {
  let text: string;
  try {
    text = readRegularFileSync(path).toString('utf8');
  } catch (e) {
    return usage(`--model ${path}: cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return usage(`--model ${path}: not valid JSON (${(e as Error).message})`);
  }
  return parseModelSpec(json, `--model ${path}`);
}

const nonNeg = (flags: Flags, name: string, dflt: number): number => {
  const v = num(flags, name) ?? dflt;
  if (v < 0) usage(`--${name} expects a number ≥ 0, got ${v}`);
  return v;
};
const posInt = (flags: Flags, name: string, dflt: number): number => {
  const v = int(flags, name) ?? dflt;
  if (v < 1) usage(`--${name} expects a positive integer, got ${v}`);
  return v;
};

const pct = (e: number | null) => (e === null ? '-' : `${(e * 100).toFixed(2)}%`);
const clock = (s: number) => (s >= 3600 ? `${Math.floor(s / 3600)}:` : '') + `${Math.floor((s % 3600) / 60)}`.padStart(s >= 3600 ? 2 : 1, '0') + `:${`${Math.floor(s % 60)}`.padStart(2, '0')}`;

function epochLine(r: EpochRecord, epochs: number): string {
  const val = r.val_loss === null ? '' : ` · val loss ${r.val_loss.toFixed(4)}, error ${pct(r.val_error)}`;
  return `epoch ${r.epoch}/${epochs}: train loss ${r.train_loss.toFixed(4)}, error ${pct(r.train_error)}${val} · ${r.seconds.toFixed(1)} s`;
}

function saveState(path: string, state: StateDict, spec: ModelSpec, standardized: Standardization | null, output: OutputOptions): void {
  const entries = [...state].map(([name, t]) => ({
    name, shape: t.shape, data: t.data, dtype: name.endsWith('num_batches_tracked') ? ('I64' as const) : ('F32' as const),
  }));
  const bytes = encodeSafetensors(entries, {
    format: 'pt',
    normlab_model: JSON.stringify(spec),
    // How inputs must be prepared for this model: x/255 for uint8 images, then (x − mean) / std.
    normlab_standardize: JSON.stringify(standardized),
  });
  writeOutput(path, bytes, output);
}

export async function runTrain(args: string[], io: TrainIO): Promise<number> {
  const { flags } = parseFlags(args, STRINGS, BOOLEANS);
  // Outputs are checked before training: a run must not end by refusing to save.
  const output = { force: flags.force === true };
  checkOutputs([['save', str(flags, 'save')], ['eval-logits-out', str(flags, 'eval-logits-out')]], output);
  const spec = readSpec(required(flags, 'model'));
  buildModel(spec); // a spec that does not fit is refused before any data is read
  const workers = posInt(flags, 'workers', 1);
  if (workers > MAX_WORKERS) usage(`--workers expects at most ${MAX_WORKERS} worker threads, got ${workers}`);
  if ((str(flags, 'eval-in') === undefined) !== (str(flags, 'eval-logits-out') === undefined)) usage('--eval-in and --eval-logits-out go together');
  if (str(flags, 'val-labels') !== undefined && str(flags, 'val-data') === undefined) usage('--val-labels needs --val-data');
  const standardize = flags.standardize === true;
  const schedule = parseSchedule(str(flags, 'schedule'));
  const order = str(flags, 'order') === undefined ? undefined : await readOrder(required(flags, 'order'));
  const config: TrainConfig = {
    epochs: posInt(flags, 'epochs', 1),
    batchSize: order ? order.batch : posInt(flags, 'batch-size', 32),
    lr: nonNeg(flags, 'lr', 0.1),
    momentum: nonNeg(flags, 'momentum', 0),
    weightDecay: nonNeg(flags, 'weight-decay', 0),
    nesterov: flags.nesterov === true,
    schedule,
    warmupEpochs: nonNeg(flags, 'warmup-epochs', 0),
    scaleLrByBatch: flags['scale-lr'] === true,
    seed: int(flags, 'seed') ?? 0,
    ...(order ? { order } : {}),
  };
  const initPath = str(flags, 'init');
  if (initPath !== undefined) config.init = await readStateDict(initPath);
  const train = await readLabelled(required(flags, 'data'), str(flags, 'labels'), 'data');
  const valPath = str(flags, 'val-data');
  const val = valPath === undefined ? null : await readLabelled(valPath, str(flags, 'val-labels'), 'val-data');
  const data = prepareData(train, val, { standardize, inputShape: spec.input_shape });
  if (data.standardized && !flags.json) {
    io.stderr(`standardized with the training set's mean ${data.standardized.mean.toFixed(4)} and std ${data.standardized.std.toFixed(4)} (after scaling uint8 to [0, 1])\n`);
  }

  // Ctrl-C: the run stops between two steps; a second Ctrl-C exits at once.
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(130);
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  let lastDraw = 0;
  let last: StepReport | null = null;
  const started = performance.now();
  const draw = (r: StepReport) => {
    const elapsed = (performance.now() - started) / 1000;
    const eta = (elapsed / r.step) * (r.totalSteps - r.step);
    io.stderr(`\r\x1b[2Kepoch ${r.epoch}/${order ? 1 : config.epochs} · step ${r.step}/${r.totalSteps} · loss ${r.loss.toFixed(4)} · lr ${r.lr.toPrecision(3)} · ETA ${clock(eta)}`);
  };
  const pool = workers > 1 ? new WorkerPool({ size: workers, workerFile: join(__dirname, 'worker.js') }) : null;
  try {
    const run = pool ? (h: TrainHooks) => trainSplit(pool, workers, spec, data, config, h) : (h: TrainHooks) => trainRun(spec, data, config, h);
    const result = await run({
      signal: abort.signal,
      onStep(r) {
        // Said once training runs (the run's own checks passed).
        if (!last && workers > availableParallelism()) {
          io.stderr(`warning: --workers ${workers} on ${availableParallelism()} core(s): the workers wait for each other every step, so this runs slower than with --workers ${availableParallelism()}\n`);
        }
        last = r;
        if (io.tty && performance.now() - lastDraw > 200) {
          lastDraw = performance.now();
          draw(r);
        }
      },
      onEpoch(rec) {
        io.stderr(`${io.tty ? '\r\x1b[2K' : ''}${epochLine(rec, order ? 1 : config.epochs)}\n`);
      },
    });
    const save = str(flags, 'save');
    if (save !== undefined) saveState(save, result.state, spec, data.standardized, output);
    const evalIn = str(flags, 'eval-in');
    if (evalIn !== undefined) {
      const raw = await readRawArray(evalIn);
      const { x, n } = toInputs(raw, data.standardized && (raw.uint8 || standardize) ? data.standardized : null, spec.input_shape, `--eval-in ${evalIn}`);
      const logits = evalLogits(spec, result.state, x, n);
      writeNpyFile(required(flags, 'eval-logits-out'), logits, [n, logits.length / n], output);
    }
    const summary = {
      losses: result.losses,
      epochs: result.epochs,
      examples_per_second: result.examples_per_second,
      train_seconds: result.train_seconds,
      steps: result.losses.length,
      standardized: data.standardized,
      workers,
    };
    if (flags.json) io.stdout(`${JSON.stringify(summary)}\n`);
    else {
      const fin = result.epochs[result.epochs.length - 1];
      io.stdout(`trained ${result.losses.length} steps in ${result.train_seconds.toFixed(1)} s (${Math.round(result.examples_per_second)} examples/s); final train error ${pct(fin.train_error)}, val error ${pct(fin.val_error)}${save ? `; saved ${save}` : ''}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof CancelledError) {
      const at = last as StepReport | null;
      io.stderr(`${io.tty ? '\r\x1b[2K' : ''}normlab: cancelled (Ctrl-C)${at ? ` after step ${at.step} of ${at.totalSteps}` : ''}; nothing was saved\n`);
      return 130;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    await pool?.dispose();
  }
}
