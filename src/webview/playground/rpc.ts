// Requests to the host with ids; replies resolve or reject the caller. `latest` drops stale results:
// a reply to a request that a newer one of the same lane replaced resolves to null.
import type { HostToWebview, RequestMap, RequestType } from '../../protocol/playground';
import { post } from '../common/vscodeApi';

/** The host says this when a newer request cancelled the job. */
const CANCELLED = 'CancelledError';

export class Rpc {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly newest = new Map<string, number>();

  request<K extends RequestType>(type: K, params: RequestMap[K]['params']): Promise<RequestMap[K]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      post({ type, id, params });
    });
  }

  /** Like request, but resolves to null when a newer request in the same lane was sent before this reply came. */
  async latest<K extends RequestType>(lane: string, type: K, params: RequestMap[K]['params']): Promise<RequestMap[K]['result'] | null> {
    const id = this.nextId;
    this.newest.set(lane, id);
    try {
      const r = await this.request(type, params);
      return this.newest.get(lane) === id ? r : null;
    } catch (e) {
      if (this.newest.get(lane) !== id || (e instanceof Error && e.message === CANCELLED)) return null;
      throw e;
    }
  }

  /** Feeds a host message; returns true if it was a reply. */
  onMessage(m: HostToWebview): boolean {
    if (m.type !== 'reply') return false;
    const p = this.pending.get(m.id);
    if (!p) return true;
    this.pending.delete(m.id);
    if ('error' in m) p.reject(new Error(m.error));
    else p.resolve(m.result);
    return true;
  }
}
