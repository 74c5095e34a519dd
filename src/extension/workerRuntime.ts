// The worker side of the pool protocol: runs one handler per request with an AbortSignal and throttled progress.
// No vscode import. worker.ts binds it to the real job handlers; tests bind it to their own.
import type { MessagePort, TransferListItem } from 'node:worker_threads';
import { CancelledError } from '../protocol/rpc';
import { CANCELLED, type HostToWorker, type WireError, type WorkerToHost } from '../protocol/worker';

export interface JobContext {
  /** Aborted when the host's cancel message arrives: for async work (it needs the event loop to run). */
  signal: AbortSignal;
  /**
   * Throws CancelledError once the host cancelled this job. It reads a flag the host shares with the worker, so it
   * works inside synchronous code that never yields: long kernels call it between chunks.
   */
  throwIfCancelled(): void;
  /** Fraction done in [0, 1]; throttled before it crosses the thread boundary. */
  progress(fraction: number): void;
  /** Progress with data the caller needs (never throttled: the job decides how often). */
  report(fraction: number, detail: unknown): void;
}

export interface JobOutput<R> {
  result: R;
  /** Buffers of the result to move instead of copy. */
  transfer?: TransferListItem[];
}

export type Handler<P, R> = (payload: P, ctx: JobContext) => Promise<JobOutput<R>>;
export type HandlerMap<M> = { [K in keyof M]: M[K] extends { payload: infer P; result: infer R } ? Handler<P, R> : never };

const PROGRESS_INTERVAL_MS = 50;

export function serveJobs<M>(port: MessagePort, handlers: HandlerMap<M>): void {
  const running = new Map<number, AbortController>();
  const post = (msg: WorkerToHost, transfer?: TransferListItem[]) => port.postMessage(msg, transfer);

  port.on('message', (msg: HostToWorker) => {
    if (msg.type === 'cancel') {
      running.get(msg.id)?.abort();
      return;
    }
    void runOne(msg.id, msg.kind, msg.payload, msg.cancel);
  });

  async function runOne(id: number, kind: string, payload: unknown, cancel: Int32Array | undefined): Promise<void> {
    const controller = new AbortController();
    running.set(id, controller);
    let last = 0;
    const ctx: JobContext = {
      signal: controller.signal,
      throwIfCancelled() {
        if (!controller.signal.aborted && cancel && Atomics.load(cancel, 0) === id) controller.abort();
        if (controller.signal.aborted) throw new CancelledError();
      },
      progress(fraction) {
        const now = Date.now();
        if (now - last < PROGRESS_INTERVAL_MS && fraction < 1) return;
        last = now;
        post({ type: 'progress', id, fraction: Math.min(1, Math.max(0, fraction)) });
      },
      report(fraction, detail) {
        last = Date.now();
        post({ type: 'progress', id, fraction: Math.min(1, Math.max(0, fraction)), detail });
      },
    };
    try {
      const handler = (handlers as Record<string, Handler<unknown, unknown> | undefined>)[kind];
      if (!handler) throw new Error(`unknown job kind '${kind}'`);
      const out = await handler(payload, ctx);
      post({ type: 'result', id, result: out.result }, out.transfer);
    } catch (e) {
      post({ type: 'error', id, error: toWire(e, controller.signal.aborted) });
    } finally {
      running.delete(id);
    }
  }
}

function toWire(e: unknown, aborted: boolean): WireError {
  if (aborted) return { name: CANCELLED, message: 'the operation was cancelled' };
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}
