// Which files a webview may have the host read: only those the host handed out itself (a file picker, the explorer,
// the tensor editor). Each gets an opaque token; the webview keeps and sends the token, never a path, and the host
// resolves it here. Grants are kept in the workspace state (a Memento) so that a reloaded panel can read its file
// again. No vscode import: the store is any get/update pair.
import { randomBytes } from 'node:crypto';
import { ValidationError } from '../protocol/rpc';
import { FILE_TOKEN_HEX } from '../protocol/playground';

export interface GrantStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

const KEY = 'normlab.fileGrants';

/**
 * Refuses a URI the host will not read for a webview: a scheme the workspace cannot read, or a UNC form
 * (file://server/share/...: reading it would make the host open a network share).
 */
export function checkReadableUri(uri: string, canRead: (scheme: string) => boolean): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ValidationError(`expected a file URI such as file:///data/x.npy, got ${JSON.stringify(uri.slice(0, 80))}`);
  }
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  if (!canRead(scheme)) throw new ValidationError(`expected a URI of a scheme the workspace can read, got '${scheme}:'`);
  if (scheme === 'file' && url.host !== '') throw new ValidationError(`expected a local file, got a network share (file://${url.host}/…)`);
  return uri;
}

export class FileGrants {
  /** token -> URI, oldest first. */
  private readonly grants: Map<string, string>;

  constructor(
    private readonly store: GrantStore | undefined,
    private readonly canRead: (scheme: string) => boolean = (scheme) => scheme === 'file',
    private readonly max = 64,
  ) {
    const saved = store?.get<unknown>(KEY);
    const pairs = Array.isArray(saved) ? saved.filter((p): p is [string, string] =>
      Array.isArray(p) && typeof p[0] === 'string' && new RegExp(`^[0-9a-f]{${FILE_TOKEN_HEX}}$`).test(p[0]) && typeof p[1] === 'string') : [];
    this.grants = new Map(pairs.slice(-max));
  }

  /** A token for a URI the host itself chose (the same URI keeps its token); throws for URIs it will not read. */
  grant(uri: string): string {
    checkReadableUri(uri, this.canRead);
    let token = [...this.grants].find(([, u]) => u === uri)?.[0];
    if (token) this.grants.delete(token);
    token ??= randomBytes(FILE_TOKEN_HEX / 2).toString('hex');
    this.grants.set(token, uri);
    while (this.grants.size > this.max) this.grants.delete(this.grants.keys().next().value as string);
    void this.store?.update(KEY, [...this.grants]);
    return token;
  }

  /** The URI behind a token the host handed out; anything else is refused. */
  resolve(token: string): string {
    const uri = this.grants.get(token);
    if (uri === undefined) throw new ValidationError('expected a file the host handed out (picked, sent from the explorer or the tensor viewer); this one was not: pick it again');
    return checkReadableUri(uri, this.canRead);
  }
}
