// A small worker_threads pool: one job per worker at a time, a FIFO queue, cooperative cancellation (a message that
// aborts the job's signal, and a shared flag its synchronous loops check between chunks), progress, typed errors and
// replacement of crashed workers. No vscode import: the CLI (experiments), the benchmark and the tests use it too.
//
// Why not piscina/tinypool: we need per-job progress messages and cooperative cancellation (a streaming reader must
// close its file), which both libraries leave to a hand-made MessagePort side channel; this file stays smaller.
import { Worker, type TransferListItem } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { CancelledError, fromWireError } from '../protocol/rpc';
import type { HostToWorker, JobMap, WorkerToHost } from '../protocol/worker';

/** The job a caller aborted (the project's one CancelledError, re-exported for the pool's callers). */
export { CancelledError };

/** A worker died (crash, out of memory, process.exit) while running a job; the pool replaces it. */
export class WorkerCrashedError extends Error {
  override readonly name = 'WorkerCrashedError';
}

/**
 * A job reported nothing (no progress, no result) for its stall bound: its worker is terminated and replaced, so a
 * read stuck on a pipe or a dead network share cannot hold a worker (and the jobs queued behind it) forever.
 */
export class JobStalledError extends Error {
  override readonly name = 'JobStalledError';
}

/** Any map of job kinds to { payload, result } (JobMap by default; tests use their own). */
export type JobMapShape<M> = { [K in keyof M]: { payload: unknown; result: unknown } };

export interface RunOptions {
  signal?: AbortSignal;
  /** `detail`: what the job sent with its progress (e.g. a training run's losses and finished epochs). */
  onProgress?: (fraction: number, detail?: unknown) => void;
  /** Buffers moved (not copied) to the worker. SharedArrayBuffers need no transfer: they are shared. */
  transfer?: TransferListItem[];
  /**
   * Longest silence (ms) allowed between the job's start, its progress reports and its result; past it the job
   * rejects with JobStalledError and its worker is replaced. File jobs set it; none by default.
   */
  stallMs?: number;
}

export interface PoolOptions {
  /** Number of workers; see poolSize() for the `normlab.workers` convention (0 = cores). */
  size: number;
  /** Absolute path of the bundled worker script. */
  workerFile: string;
  /** How long a cancelled job may keep running before its worker is terminated and replaced. */
  cancelGraceMs?: number;
  /** Node flags for the workers (tests pass `--import tsx` to run a .ts worker). */
  execArgv?: string[];
  /** Default stall bound per job kind (RunOptions.stallMs overrides it), e.g. FILE_JOB_STALL_MS for file jobs. */
  stallMs?: Partial<Record<string, number>>;
}

/** File jobs must report progress (or finish) this often: a read stuck on a pipe or a lost share ends here. */
export const FILE_JOB_STALL_MS = 60_000;
/** The job kinds that read files. */
export const FILE_JOB_KINDS = ['fileList', 'fileStats', 'readTensor', 'heatmap'] as const satisfies readonly (keyof JobMap)[];

/** `normlab.workers`: 0 means one worker per core. */
export function poolSize(setting: number): number {
  return setting > 0 ? Math.floor(setting) : Math.max(1, availableParallelism());
}

interface Job {
  id: number;
  kind: string;
  payload: unknown;
  transfer: TransferListItem[];
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (fraction: number, detail?: unknown) => void;
  settled: boolean;
  slot?: Slot;
  detach?: () => void;
  stallMs?: number;
  stallTimer?: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  job?: Job;
  dead: boolean;
  /**
   * Shared with the worker: the id of the job the host cancelled. A job's synchronous loops read it between chunks
   * (JobContext.throwIfCancelled), so they stop without waiting for the worker's event loop to see a message.
   */
  cancel: Int32Array;
}

export class WorkerPool<M extends JobMapShape<M> = JobMap> {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private disposed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: PoolOptions) {
    if (!Number.isInteger(opts.size) || opts.size < 1) throw new RangeError(`pool size must be a positive integer, got ${opts.size}`);
    this.size = opts.size;
  }

  /** Workers currently alive (started lazily, up to size). */
  get liveWorkers(): number {
    return this.slots.length;
  }

  run<K extends keyof M & string>(kind: K, payload: M[K]['payload'], opts: RunOptions = {}): Promise<M[K]['result']> {
    if (this.disposed) return Promise.reject(new Error('the NormLab worker pool has been shut down'));
    const { signal } = opts;
    if (signal?.aborted) return Promise.reject(new CancelledError());
    return new Promise<M[K]['result']>((resolve, reject) => {
      const job: Job = {
        id: this.nextId++, kind, payload, transfer: opts.transfer ?? [],
        resolve: resolve as (v: unknown) => void, reject, onProgress: opts.onProgress, settled: false, stallMs: opts.stallMs ?? this.opts.stallMs?.[kind],
      };
      if (signal) {
        const onAbort = () => this.cancel(job);
        signal.addEventListener('abort', onAbort, { once: true });
        job.detach = () => signal.removeEventListener('abort', onAbort);
      }
      this.queue.push(job);
      this.pump();
    });
  }

  /** Resolves once no job is queued or running (used to retire a pool without stopping its jobs). */
  async drain(): Promise<void> {
    while (this.busy) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private get busy(): boolean {
    return this.queue.length > 0 || this.slots.some((s) => s.job !== undefined);
  }

  private notifyIfIdle(): void {
    if (this.busy) return;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const stopped = new Error('the NormLab worker pool has been shut down');
    for (const job of this.queue.splice(0)) this.settle(job, stopped);
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      slot.dead = true;
      if (slot.job) this.settle(slot.job, stopped);
    }
    // A worker's termination does not keep the process alive (seen with a worker stopping from inside a job), and a
    // CLI awaiting dispose() would exit before its own last steps (its exit code, its files): a timer does meanwhile.
    const alive = setInterval(() => {}, 1000);
    try {
      await Promise.all(slots.map((s) => s.worker.terminate()));
    } finally {
      clearInterval(alive);
    }
    this.notifyIfIdle();
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.job && !s.dead);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) break;
      const job = this.queue.shift()!;
      slot.job = job;
      job.slot = slot;
      slot.worker.ref();
      const msg: HostToWorker = { type: 'run', id: job.id, kind: job.kind, payload: job.payload, cancel: slot.cancel };
      try {
        slot.worker.postMessage(msg, job.transfer);
        this.armStall(job);
      } catch (e) {
        // e.g. DataCloneError for a payload that cannot cross threads: the caller's bug, the worker is fine.
        slot.job = undefined;
        this.settle(job, e instanceof Error ? e : new Error(String(e)));
      }
    }
    this.notifyIfIdle();
  }

  private spawn(): Slot {
    const worker = new Worker(this.opts.workerFile, this.opts.execArgv ? { execArgv: this.opts.execArgv } : undefined);
    const slot: Slot = { worker, dead: false, cancel: new Int32Array(new SharedArrayBuffer(4)) };
    worker.unref(); // idle workers must not keep the CLI alive
    worker.on('message', (msg: WorkerToHost) => this.onMessage(slot, msg));
    worker.on('error', (err) => this.onExit(slot, `the worker crashed: ${err.message}`));
    worker.on('exit', (code) => this.onExit(slot, `the worker stopped unexpectedly (exit code ${code})`));
    this.slots.push(slot);
    return slot;
  }

  private onMessage(slot: Slot, msg: WorkerToHost): void {
    const job = slot.job;
    if (!job || job.id !== msg.id) return; // a late reply to a job that was replaced
    if (msg.type === 'progress') {
      this.armStall(job);
      if (!job.settled) job.onProgress?.(msg.fraction, msg.detail);
      return;
    }
    this.release(slot);
    if (msg.type === 'result') this.settle(job, undefined, msg.result);
    else this.settle(job, fromWireError(msg.error));
  }

  private onExit(slot: Slot, why: string): void {
    if (slot.dead) return;
    slot.dead = true;
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    if (slot.job) this.settle(slot.job, new WorkerCrashedError(why));
    slot.job = undefined;
    void slot.worker.terminate();
    if (!this.disposed) this.pump(); // queued jobs get a fresh worker
  }

  /** (Re)starts the job's stall timer: silence past stallMs settles it and replaces its worker. */
  private armStall(job: Job): void {
    if (job.stallMs === undefined) return;
    clearTimeout(job.stallTimer);
    const ms = job.stallMs;
    job.stallTimer = setTimeout(() => {
      const slot = job.slot;
      if (job.settled || !slot || slot.job !== job) return;
      this.settle(job, new JobStalledError(`the job '${job.kind}' made no progress for ${Math.round(ms / 1000)} s and was stopped (a file that never delivers its bytes, such as a pipe or an unreachable network share?)`));
      this.onExit(slot, 'stalled');
    }, ms);
    job.stallTimer.unref();
  }

  private release(slot: Slot): void {
    slot.job = undefined;
    slot.worker.unref();
    this.pump();
  }

  private cancel(job: Job): void {
    if (job.settled) return;
    const slot = job.slot;
    if (!slot) {
      const i = this.queue.indexOf(job);
      if (i >= 0) this.queue.splice(i, 1);
      queueMicrotask(() => this.notifyIfIdle());
    } else if (!slot.dead) {
      Atomics.store(slot.cancel, 0, job.id); // seen at the job's next chunk, even inside a long synchronous kernel
      slot.worker.postMessage({ type: 'cancel', id: job.id } satisfies HostToWorker); // aborts its signal (async code)
      // A handler that ignores its signal must not hold the worker: replace the worker after a grace period.
      const timer = setTimeout(() => {
        if (slot.job === job && !slot.dead) this.onExit(slot, 'cancelled job did not stop');
      }, this.opts.cancelGraceMs ?? 2000);
      timer.unref();
    }
    this.settle(job, new CancelledError());
  }

  private settle(job: Job, error: Error | undefined, result?: unknown): void {
    if (job.settled) return;
    job.settled = true;
    job.detach?.();
    clearTimeout(job.stallTimer);
    if (error) job.reject(error);
    else job.resolve(result);
  }
}
