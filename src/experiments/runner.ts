// One experiment in progress: its runs scheduled over N workers (scheduler.ts), results.json kept up to date as
// epochs finish, and events for whoever shows it (the panel, the CLI's stderr). Pure: `startRun` is given — a
// worker-pool job in the extension and the CLI, a fake in tests.
import type { DataDescription, EpochRecord } from '../nn/types';
import { runCost } from './grid';
import { newResults } from './results';
import { RunScheduler } from './scheduler';
import type { ExperimentConfig, ExperimentResults, RunPlan, RunRecord } from './types';

/** What a run reports while it trains: progress, the losses of the steps since the last report, a finished epoch. */
export interface TrainProgress {
  fraction: number;
  losses?: number[];
  epoch?: EpochRecord;
}

/** What a finished run returns (trainRun's result without the trained state). */
export interface TrainSummary {
  epochs: EpochRecord[];
  examples_per_second: number;
  train_seconds: number;
}

export type StartRun = (run: RunPlan, signal: AbortSignal, onProgress: (p: TrainProgress) => void) => Promise<TrainSummary>;

export type ExperimentEvent =
  /** A run started, finished an epoch, or ended (its record is the current one). */
  | { type: 'run'; index: number; fraction: number; record: RunRecord }
  /** Training losses of run `index` since its last report (for the smoothed loss curve). */
  | { type: 'losses'; index: number; losses: number[] }
  /** The whole experiment's progress: seconds elapsed and the estimate of the seconds left (null: unknown yet). */
  | { type: 'progress'; elapsed: number; eta: number | null; fraction: number };

export interface ExperimentOptions {
  config: ExperimentConfig;
  runs: RunPlan[];
  data: DataDescription;
  engine: string;
  workers: number;
  startRun: StartRun;
  onEvent?(e: ExperimentEvent): void;
  now?: () => number;
}

export class Experiment {
  readonly results: ExperimentResults;
  readonly done: Promise<ExperimentResults>;
  private readonly scheduler: RunScheduler<TrainSummary>;
  private readonly fractions: number[];

  constructor(private readonly opts: ExperimentOptions) {
    const { config, runs } = opts;
    this.results = newResults(config, runs, opts.data, opts.engine);
    this.fractions = runs.map(() => 0);
    this.scheduler = new RunScheduler<TrainSummary>({
      workers: opts.workers,
      now: opts.now,
      runs: runs.map((r) => ({ index: r.index, cost: runCost(config, r.batchSize) })),
      start: (index, signal, progress) => {
        const record = this.results.runs[index];
        record.status = 'running';
        this.emitRun(index);
        return opts.startRun(runs[index], signal, (p) => {
          this.fractions[index] = p.fraction;
          progress(p.fraction);
          if (p.losses?.length) opts.onEvent?.({ type: 'losses', index, losses: p.losses });
          if (p.epoch) {
            record.epochs.push(p.epoch);
            this.emitRun(index);
          }
        });
      },
      onEnd: (o) => {
        const record = this.results.runs[o.index];
        record.status = o.status;
        record.seconds = o.seconds;
        if (o.status === 'done') {
          record.epochs = o.result.epochs;
          record.examples_per_second = o.result.examples_per_second;
        } else if (o.status === 'failed') {
          record.error = o.error.message;
        }
        this.fractions[o.index] = o.status === 'done' ? 1 : this.fractions[o.index];
        this.emitRun(o.index);
      },
      onChange: () => this.emitProgress(),
    });
    this.done = this.scheduler.done.then(() => this.results);
  }

  cancel(index: number): void {
    this.scheduler.cancel(index);
  }

  cancelAll(): void {
    this.scheduler.cancelAll();
  }

  private emitRun(index: number): void {
    this.opts.onEvent?.({ type: 'run', index, fraction: this.fractions[index], record: this.results.runs[index] });
  }

  private emitProgress(): void {
    const costs = this.opts.runs.map((r) => runCost(this.opts.config, r.batchSize));
    const total = costs.reduce((a, b) => a + b, 0);
    let done = 0;
    for (const r of this.opts.runs) {
      const s = this.scheduler.status(r.index);
      const f = s.status === 'running' ? s.fraction : s.status === 'pending' ? 0 : 1;
      done += costs[r.index] * f;
    }
    this.opts.onEvent?.({ type: 'progress', elapsed: this.scheduler.elapsedSeconds(), eta: this.scheduler.etaSeconds(), fraction: total ? done / total : 1 });
  }
}
