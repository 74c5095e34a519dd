// The webview side of protocol/rpc.ts: one promise per request, settled by the host's reply (a result, or a
// WireError turned back into an Error of the same name). `latest` drops results that a newer request overtook.
// While a request runs, the host's progress messages reach its onProgress; aborting its signal asks the host to stop it.
import { fromWireError, isCancelled, type CancelRequest, type Reply, type RequestMapShape, type RequestProgress } from '../../protocol/rpc';
import { post } from './vscodeApi';

export interface RequestOptions {
  /** The fraction done in [0, 1], as the host reports it (throttled there), until the reply. */
  onProgress?: (fraction: number) => void;
  /** Aborting it sends the host a cancelRequest; the request then rejects with a CancelledError (its reply). */
  signal?: AbortSignal;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  onProgress?: (fraction: number) => void;
  detach?: () => void;
}

export class RpcClient<M extends RequestMapShape<M>> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly newest = new Map<string, number>();

  /** `send` posts to the host (the webview's postMessage by default; tests pass their own). */
  constructor(private readonly send: (message: { type: string; id: number; params?: unknown }) => void = post) {}

  request<K extends keyof M & string>(type: K, params: M[K]['params'], opts: RequestOptions = {}): Promise<M[K]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const p: Pending = { resolve: resolve as (v: unknown) => void, reject, onProgress: opts.onProgress };
      const { signal } = opts;
      if (signal) {
        const onAbort = () => {
          if (this.pending.has(id)) this.send({ type: 'cancelRequest', id } satisfies CancelRequest);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        p.detach = () => signal.removeEventListener('abort', onAbort);
      }
      this.pending.set(id, p);
      this.send({ type, id, params });
      if (signal?.aborted) this.send({ type: 'cancelRequest', id } satisfies CancelRequest);
    });
  }

  /**
   * Like request, but resolves to null when a newer request in the same lane was sent before this reply came, or
   * when the host cancelled it (it was overtaken there, or its signal was aborted).
   */
  async latest<K extends keyof M & string>(lane: string, type: K, params: M[K]['params'], opts: RequestOptions = {}): Promise<M[K]['result'] | null> {
    const id = this.nextId;
    this.newest.set(lane, id);
    try {
      const r = await this.request(type, params, opts);
      return this.newest.get(lane) === id ? r : null;
    } catch (e) {
      if (this.newest.get(lane) !== id || isCancelled(e)) return null;
      throw e;
    }
  }

  /** Feeds a host message; returns true if it was a reply or a request's progress (handled here). */
  onMessage(m: { type: string }): boolean {
    if (m.type === 'requestProgress') {
      const { id, fraction } = m as RequestProgress;
      this.pending.get(id)?.onProgress?.(fraction);
      return true;
    }
    if (m.type !== 'reply') return false;
    const reply = m as Reply;
    const p = this.pending.get(reply.id);
    if (!p) return true;
    this.pending.delete(reply.id);
    p.detach?.();
    if ('error' in reply) p.reject(fromWireError(reply.error));
    else p.resolve(reply.result);
    return true;
  }
}
