// The webview side of protocol/rpc.ts: one promise per request, settled by the host's reply (a result, or a
// WireError turned back into an Error of the same name). `latest` drops results that a newer request overtook.
import { fromWireError, isCancelled, type Reply, type RequestMapShape } from '../../protocol/rpc';
import { post } from './vscodeApi';

export class RpcClient<M extends RequestMapShape<M>> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly newest = new Map<string, number>();

  /** `send` posts to the host (the webview's postMessage by default; tests pass their own). */
  constructor(private readonly send: (message: { type: string; id: number; params: unknown }) => void = post) {}

  request<K extends keyof M & string>(type: K, params: M[K]['params']): Promise<M[K]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.send({ type, id, params });
    });
  }

  /**
   * Like request, but resolves to null when a newer request in the same lane was sent before this reply came, or
   * when the host cancelled it (it was overtaken there).
   */
  async latest<K extends keyof M & string>(lane: string, type: K, params: M[K]['params']): Promise<M[K]['result'] | null> {
    const id = this.nextId;
    this.newest.set(lane, id);
    try {
      const r = await this.request(type, params);
      return this.newest.get(lane) === id ? r : null;
    } catch (e) {
      if (this.newest.get(lane) !== id || isCancelled(e)) return null;
      throw e;
    }
  }

  /** Feeds a host message; returns true if it was a reply (handled here). */
  onMessage(m: { type: string }): boolean {
    if (m.type !== 'reply') return false;
    const reply = m as Reply;
    const p = this.pending.get(reply.id);
    if (!p) return true;
    this.pending.delete(reply.id);
    if ('error' in reply) p.reject(fromWireError(reply.error));
    else p.resolve(reply.result);
    return true;
  }
}
