// The host side of a webview's requests (protocol/rpc.ts): one typed handler per request type, one reply per
// request, at most one request of each type at a time, throttled progress while it runs, cancel by id. No vscode import: the panel gives it a `post` function.
import {
  CancelledError, isCancelled, toWireError, USER_ERRORS, type NotificationOf, type Reply, type RequestMapShape, type RequestOf, type RequestProgress,
} from '../protocol/rpc';

/** A running request's progress report: the fraction done in [0, 1]. Cheap to call often: posts are throttled. */
export type ReportProgress = (fraction: number) => void;

/** One handler per request type, each tied to its own params and result. */
export type Handlers<M extends RequestMapShape<M>> = {
  [K in keyof M & string]: (params: M[K]['params'], signal: AbortSignal, progress: ReportProgress) => Promise<M[K]['result']>;
};

/** At most one progress message per request per this many ms. */
export const PROGRESS_INTERVAL_MS = 100;

/** M: the webview's requests; N: the host's notifications (none by default). */
export interface RpcHostOptions<M extends RequestMapShape<M>, N = Record<never, never>> {
  handlers: Handlers<M>;
  post(message: Reply | RequestProgress | NotificationOf<N>): void;
  /** Gets internal failures (not cancellations, not errors written for the user) with their stack. */
  logError?(text: string): void;
}

export class RpcHost<M extends RequestMapShape<M>, N = Record<never, never>> {
  /** The running request of each type: a newer one of the same type aborts it. */
  private readonly inflight = new Map<string, { id: number; controller: AbortController }>();
  private disposed = false;

  constructor(private readonly opts: RpcHostOptions<M, N>) {}

  /** Runs a validated request and posts its reply (a result, or a WireError; a CancelledError when overtaken). */
  async dispatch(req: RequestOf<M>): Promise<void> {
    const { type, id } = req;
    if (this.disposed) return;
    this.inflight.get(type)?.controller.abort();
    const controller = new AbortController();
    const entry = { id, controller };
    this.inflight.set(type, entry);
    let last = -Infinity;
    let sent = -1;
    let settled = false;
    const progress: ReportProgress = (fraction) => {
      if (settled || this.disposed || controller.signal.aborted || !Number.isFinite(fraction)) return;
      const f = Math.min(1, Math.max(0, fraction));
      const now = Date.now();
      if (now - last < PROGRESS_INTERVAL_MS || f === sent) return;
      last = now;
      sent = f;
      this.opts.post({ type: 'requestProgress', id, fraction: f });
    };
    try {
      const handler = this.opts.handlers[type] as (params: unknown, signal: AbortSignal, progress: ReportProgress) => Promise<unknown>;
      const result = await handler(req.params, controller.signal, progress);
      settled = true; // a straggling progress callback posts nothing after the reply
      this.post({ type: 'reply', id, result });
    } catch (e) {
      settled = true;
      const err = controller.signal.aborted && !isCancelled(e) ? new CancelledError() : e;
      if (!isCancelled(err) && !(err instanceof Error && USER_ERRORS.has(err.name))) {
        this.opts.logError?.(`${type}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
      this.post({ type: 'reply', id, error: toWireError(err) });
    } finally {
      if (this.inflight.get(type) === entry) this.inflight.delete(type);
    }
  }

  /** Cancels request `id` if it is running (the webview's Cancel): its signal aborts and it replies CancelledError. */
  cancel(id: number): void {
    for (const r of this.inflight.values()) if (r.id === id) r.controller.abort();
  }

  /** Answers a message that failed validation with its error, if it carried a usable id. */
  refuse(raw: unknown, error: unknown): void {
    const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
    if (typeof id === 'number' && Number.isSafeInteger(id)) this.post({ type: 'reply', id, error: toWireError(error) });
  }

  /** Posts a host-initiated message (nothing once disposed). */
  notify(message: NotificationOf<N>): void {
    if (!this.disposed) this.opts.post(message);
  }

  /** Stops every running request (the panel closed): their signals abort, and nothing more is posted. */
  dispose(): void {
    this.disposed = true;
    for (const r of this.inflight.values()) r.controller.abort();
    this.inflight.clear();
  }

  private post(reply: Reply): void {
    if (!this.disposed) this.opts.post(reply);
  }
}
