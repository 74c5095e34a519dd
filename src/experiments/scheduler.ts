// Runs an experiment's runs over N workers: at most N at once, the costliest first (so the long small-batch runs
// do not start last and leave one worker idle at the end), each cancellable alone, all cancellable at once.
// Pure: `start` is whatever runs one run (a worker-pool job, a fake in tests), it gets an AbortSignal and
// reports progress in [0, 1].
import type { RunStatus } from './types';

export interface ScheduledRun {
  index: number;
  /** Relative cost (grid.ts runCost). */
  cost: number;
}

export type Outcome<R> =
  | { index: number; status: 'done'; result: R; seconds: number }
  | { index: number; status: 'cancelled'; seconds: number }
  | { index: number; status: 'failed'; error: Error; seconds: number };

export interface SchedulerOptions<R> {
  workers: number;
  runs: ScheduledRun[];
  start(index: number, signal: AbortSignal, progress: (fraction: number) => void): Promise<R>;
  /** Called when a run starts, reports progress or ends. */
  onChange?(index: number): void;
  /** Called once per run when it ends (before onChange). */
  onEnd?(outcome: Outcome<R>): void;
  /** Milliseconds since some origin (tests pass a fake clock). */
  now?: () => number;
}

interface State {
  run: ScheduledRun;
  status: RunStatus;
  fraction: number;
  startedAt: number;
  endedAt: number;
  controller: AbortController | null;
}

const isCancel = (e: unknown) => e instanceof Error && e.name === 'CancelledError';

export class RunScheduler<R> {
  private readonly states = new Map<number, State>();
  private readonly queue: number[];
  private readonly now: () => number;
  private readonly outcomes: Outcome<R>[] = [];
  private readonly startedAt: number;
  private finish!: (o: Outcome<R>[]) => void;
  readonly done: Promise<Outcome<R>[]>;

  constructor(private readonly opts: SchedulerOptions<R>) {
    if (!Number.isInteger(opts.workers) || opts.workers < 1) throw new RangeError(`workers must be a positive integer, got ${opts.workers}`);
    this.now = opts.now ?? (() => performance.now());
    this.startedAt = this.now();
    for (const run of opts.runs) this.states.set(run.index, { run, status: 'pending', fraction: 0, startedAt: 0, endedAt: 0, controller: null });
    // Longest first; equal costs keep grid order.
    this.queue = [...opts.runs].sort((a, b) => b.cost - a.cost || a.index - b.index).map((r) => r.index);
    this.done = new Promise((resolve) => (this.finish = resolve));
    queueMicrotask(() => this.pump());
  }

  status(index: number): { status: RunStatus; fraction: number } {
    const s = this.states.get(index);
    if (!s) throw new RangeError(`no run ${index}`);
    return { status: s.status, fraction: s.fraction };
  }

  /** Cancels one run: a pending one never starts, a running one is aborted. */
  cancel(index: number): void {
    const s = this.states.get(index);
    if (!s) return;
    if (s.status === 'pending') {
      this.queue.splice(this.queue.indexOf(index), 1);
      this.settle(s, { index, status: 'cancelled', seconds: 0 });
      this.pump();
    } else if (s.status === 'running') {
      s.controller?.abort();
    }
  }

  cancelAll(): void {
    for (const index of [...this.queue]) this.cancel(index);
    for (const s of this.states.values()) if (s.status === 'running') s.controller?.abort();
  }

  /**
   * Seconds until every run has ended, or null before anything can be estimated. Speed (cost per second per
   * worker) is measured from finished runs and the progress of running ones.
   */
  etaSeconds(): number | null {
    const now = this.now();
    let doneCost = 0;
    let busyMs = 0;
    let remaining = 0;
    let running = 0;
    for (const s of this.states.values()) {
      if (s.status === 'running') {
        running++;
        doneCost += s.run.cost * s.fraction;
        busyMs += now - s.startedAt;
        remaining += s.run.cost * (1 - s.fraction);
      } else if (s.status === 'done') {
        doneCost += s.run.cost;
        busyMs += s.endedAt - s.startedAt;
      } else if (s.status === 'pending') {
        remaining += s.run.cost;
      }
    }
    if (remaining === 0) return running === 0 ? 0 : null;
    if (doneCost <= 0 || busyMs <= 0) return null;
    const costPerMs = doneCost / busyMs; // per worker
    const parallel = Math.max(1, Math.min(this.opts.workers, running + this.queue.length));
    return remaining / costPerMs / parallel / 1000;
  }

  /** Seconds since the scheduler was created. */
  elapsedSeconds(): number {
    return (this.now() - this.startedAt) / 1000;
  }

  private get runningCount(): number {
    let n = 0;
    for (const s of this.states.values()) if (s.status === 'running') n++;
    return n;
  }

  private pump(): void {
    while (this.queue.length > 0 && this.runningCount < this.opts.workers) {
      const s = this.states.get(this.queue.shift()!)!;
      this.launch(s);
    }
    if (this.queue.length === 0 && this.runningCount === 0 && this.outcomes.length === this.states.size) {
      this.finish([...this.outcomes].sort((a, b) => a.index - b.index));
    }
  }

  private launch(s: State): void {
    const { index } = s.run;
    s.status = 'running';
    s.startedAt = this.now();
    s.controller = new AbortController();
    const { signal } = s.controller;
    this.opts.onChange?.(index);
    const progress = (f: number) => {
      if (s.status !== 'running') return;
      s.fraction = Math.min(1, Math.max(0, f));
      this.opts.onChange?.(index);
    };
    let promise: Promise<R>;
    try {
      promise = this.opts.start(index, signal, progress);
    } catch (e) {
      promise = Promise.reject(e);
    }
    promise.then(
      (result) => this.settle(s, { index, status: 'done', result, seconds: this.seconds(s) }),
      (e: unknown) => {
        const error = e instanceof Error ? e : new Error(String(e));
        this.settle(s, signal.aborted || isCancel(error) ? { index, status: 'cancelled', seconds: this.seconds(s) } : { index, status: 'failed', error, seconds: this.seconds(s) });
      },
    ).finally(() => this.pump());
  }

  private seconds(s: State): number {
    return (this.now() - s.startedAt) / 1000;
  }

  private settle(s: State, outcome: Outcome<R>): void {
    s.status = outcome.status;
    s.endedAt = this.now();
    if (outcome.status === 'done') s.fraction = 1;
    s.controller = null;
    this.outcomes.push(outcome);
    this.opts.onEnd?.(outcome);
    this.opts.onChange?.(outcome.index);
  }
}
