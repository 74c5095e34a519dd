// The host side of a webview's requests (protocol/rpc.ts): one typed handler per request type, one reply per
// request, at most one request of each type at a time. No vscode import: the panel gives it a `post` function.
import { CancelledError, isCancelled, toWireError, USER_ERRORS, type NotificationOf, type Reply, type RequestMapShape, type RequestOf } from '../protocol/rpc';

/** One handler per request type, each tied to its own params and result. */
export type Handlers<M extends RequestMapShape<M>> = {
  [K in keyof M & string]: (params: M[K]['params'], signal: AbortSignal) => Promise<M[K]['result']>;
};

/** M: the webview's requests; N: the host's notifications (none by default). */
export interface RpcHostOptions<M extends RequestMapShape<M>, N = Record<never, never>> {
  handlers: Handlers<M>;
  post(message: Reply | NotificationOf<N>): void;
  /** Gets internal failures (not cancellations, not errors written for the user) with their stack. */
  logError?(text: string): void;
}

export class RpcHost<M extends RequestMapShape<M>, N = Record<never, never>> {
  /** The running request of each type: a newer one of the same type aborts it. */
  private readonly inflight = new Map<string, AbortController>();
  private disposed = false;

  constructor(private readonly opts: RpcHostOptions<M, N>) {}

  /** Runs a validated request and posts its reply (a result, or a WireError; a CancelledError when overtaken). */
  async dispatch(req: RequestOf<M>): Promise<void> {
    const { type, id } = req;
    if (this.disposed) return;
    this.inflight.get(type)?.abort();
    const controller = new AbortController();
    this.inflight.set(type, controller);
    try {
      const handler = this.opts.handlers[type] as (params: unknown, signal: AbortSignal) => Promise<unknown>;
      const result = await handler(req.params, controller.signal);
      this.post({ type: 'reply', id, result });
    } catch (e) {
      const err = controller.signal.aborted && !isCancelled(e) ? new CancelledError() : e;
      if (!isCancelled(err) && !(err instanceof Error && USER_ERRORS.has(err.name))) {
        this.opts.logError?.(`${type}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
      this.post({ type: 'reply', id, error: toWireError(err) });
    } finally {
      if (this.inflight.get(type) === controller) this.inflight.delete(type);
    }
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
    for (const c of this.inflight.values()) c.abort();
    this.inflight.clear();
  }

  private post(reply: Reply): void {
    if (!this.disposed) this.opts.post(reply);
  }
}
