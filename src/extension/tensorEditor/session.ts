// One open tensor-editor webview: lists the file, streams statistics tensor by tensor in the pool (notifications),
// answers the webview's requests (heatmaps, actions, cancel and resume) through RpcHost, and shows the file anew when
// it changes on disk. Every webview message is validated before use. The session posts through the function it is
// given (the webview's postMessage; the in-host tests pass their own), never through the webview itself.
import * as vscode from 'vscode';
import {
  EDITOR_LIMITS, EDITOR_STRINGS, HISTOGRAM_BINS, type EditorAction, type EditorNotification, type EditorNotifications, type EditorRequests, type EditorToHost,
  type HostToEditor,
} from '../../protocol/editor';
import { parseEditorMessage } from '../../protocol/editorValidate';
import { parseCancelRequest } from '../../protocol/rpc';
import type { FileRef, JobMap, TensorEntry } from '../../protocol/worker';
import { normalizeTensorCommand } from '../commands/normalizeTensor';
import { sendTensor } from '../commands/playground';
import { viewTypeFor } from '../commands/pickers';
import { baseName } from '../fileRefs';
import type { Services } from '../services';
import { exportNpy, exportTarget, withCancellableProgress } from '../tensorOps';
import { RpcHost, type Handlers } from '../rpcHost';
import { isCancelled, userMessage } from '../userErrors';

type Listing = JobMap['fileList']['result'];
type StatsMessage = EditorNotification<'stats' | 'statsError'>;

const PROGRESS_INTERVAL_MS = 100;

export class EditorSession implements vscode.Disposable {
  private listing: Listing | undefined;
  private fileRef: FileRef | undefined;
  private loading: Promise<void> | undefined;
  private readonly stats = new Map<string, StatsMessage>();
  private statsRun: AbortController | undefined;
  /** The user pressed Cancel: a reloaded webview shows "cancelled" instead of restarting the pass. */
  private statsCancelled = false;
  private disposed = false;
  private readonly rpc: RpcHost<EditorRequests, EditorNotifications>;
  private readonly watcher: vscode.FileSystemWatcher;
  private reloadTimer: NodeJS.Timeout | undefined;

  constructor(private readonly services: Services, readonly uri: vscode.Uri, post: (message: HostToEditor) => void) {
    this.rpc = new RpcHost<EditorRequests, EditorNotifications>({
      handlers: this.handlers(),
      post,
      logError: (text) => this.services.log.error(`tensor editor ${baseName(this.uri)}: ${text}`),
    });
    // A file rewritten on disk (a training run saving a checkpoint) is shown anew: one reload for a burst of writes.
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), baseName(uri)), true, false, true);
    this.watcher.onDidChange(() => {
      clearTimeout(this.reloadTimer);
      this.reloadTimer = setTimeout(() => void this.reload(), 300);
    });
  }

  /** The file changed on disk: list it again and recompute the statistics. */
  private async reload(): Promise<void> {
    if (this.disposed) return;
    this.statsRun?.abort();
    this.statsRun = undefined;
    this.stats.clear();
    this.statsCancelled = false;
    this.listing = undefined;
    this.loading = undefined;
    this.services.log.info(`${this.uri.toString()} changed on disk: reloading`);
    await this.onReady();
  }

  /** Handles a raw message from the webview: `ready`, or a request answered through RpcHost. */
  async receive(raw: unknown): Promise<void> {
    let msg: EditorToHost;
    try {
      const cancel = parseCancelRequest(raw);
      if (cancel) return this.rpc.cancel(cancel.id);
      msg = parseEditorMessage(raw, { tensors: this.listing?.tensors ?? [] });
    } catch (e) {
      this.services.log.warn(`tensor editor ${baseName(this.uri)}: refused a webview message: ${userMessage(e)}`);
      this.rpc.refuse(raw, e);
      return;
    }
    if (msg.type === 'ready') return this.onReady();
    return this.rpc.dispatch(msg);
  }

  private handlers(): Handlers<EditorRequests> {
    return {
      cancelStats: async () => {
        if (this.statsRun) this.statsCancelled = true;
        this.statsRun?.abort();
        return null;
      },
      restartStats: async () => {
        this.statsCancelled = false;
        void this.runStats();
        return null;
      },
      heatmap: ({ tensor, index }, signal) => this.heatmap(tensor, index, signal),
      action: ({ action, tensor }) => this.action(action, tensor),
    };
  }

  /** (Re)sends everything known: a reloaded webview starts empty. */
  private async onReady(): Promise<void> {
    this.loading ??= this.load();
    await this.loading;
    if (!this.listing) return;
    const strings = Object.fromEntries(EDITOR_STRINGS.map((s) => [s, vscode.l10n.t(s)]));
    this.notify({ type: 'init', params: { strings, file: { name: baseName(this.uri), ...this.listing } } });
    for (const m of this.stats.values()) this.notify(m);
    if (this.stats.size === this.listing.tensors.length) this.notify({ type: 'statsDone', params: { cancelled: false } });
    else if (this.statsCancelled) this.notify({ type: 'statsDone', params: { cancelled: true } });
    else if (!this.statsRun) void this.runStats();
  }

  private async load(): Promise<void> {
    try {
      this.fileRef = await this.services.fileRef(this.uri);
      this.listing = await this.services.pool.run('fileList', { file: this.fileRef });
      this.services.log.info(`opened ${this.uri.toString()}: ${this.listing.format}, ${this.listing.tensors.length} tensors`);
    } catch (e) {
      this.loading = undefined; // a later ready (reload) tries again
      this.fail(e, vscode.l10n.t('Cannot open {0}', baseName(this.uri)));
    }
  }

  /** Statistics of every tensor not done yet, up to pool.size at a time, with overall progress. */
  private async runStats(): Promise<void> {
    if (!this.listing || !this.fileRef || this.statsRun) return;
    const run = new AbortController();
    this.statsRun = run;
    const todo = this.listing.tensors.filter((t) => !this.stats.has(t.name));
    const total = this.listing.tensors.length;
    const partial = new Map<string, number>();
    let lastPost = 0;
    const postProgress = (force = false) => {
      if (this.statsRun !== run) return;
      const now = Date.now();
      if (!force && now - lastPost < PROGRESS_INTERVAL_MS) return;
      lastPost = now;
      let sum = this.stats.size;
      for (const f of partial.values()) sum += f;
      this.notify({ type: 'statsProgress', params: { done: this.stats.size, total, fraction: total ? sum / total : 1 } });
    };
    postProgress(true);
    const queue = [...todo];
    const worker = async () => {
      for (let t = queue.shift(); t && !run.signal.aborted; t = queue.shift()) {
        await this.statsOf(t, run.signal, (f) => { partial.set(t.name, f); postProgress(); });
        partial.delete(t.name);
        postProgress(true);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.services.pool.size, queue.length) }, worker));
    if (this.statsRun !== run) return; // replaced by a reload
    this.statsRun = undefined;
    this.notify({ type: 'statsDone', params: { cancelled: run.signal.aborted } });
  }

  private async statsOf(t: TensorEntry, signal: AbortSignal, onProgress: (f: number) => void): Promise<void> {
    try {
      const r = await this.services.pool.run('fileStats', { file: this.fileRef!, tensor: t.name, bins: HISTOGRAM_BINS, maxBytes: this.services.settings().maxTensorBytes }, { signal, onProgress });
      if (!signal.aborted) this.record({ type: 'stats', params: { tensor: t.name, ...r } });
    } catch (e) {
      if (isCancelled(e) || signal.aborted) return;
      this.services.log.error(`statistics of ${t.name} in ${this.uri.toString()}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      this.record({ type: 'statsError', params: { tensor: t.name, message: userMessage(e) } });
    }
  }

  private record(m: StatsMessage): void {
    this.stats.set(m.params.tensor, m);
    this.notify(m);
  }

  /** A tile of the slice; RpcHost aborts `signal` when a newer heatmap request arrives (the webview draws only its latest). */
  private async heatmap(tensor: string, index: number[], signal: AbortSignal): Promise<EditorRequests['heatmap']['result']> {
    const tile = await this.services.pool.run('heatmap', { file: this.fileRef!, tensor, index, maxSide: EDITOR_LIMITS.heatmapMaxSide, maxBytes: this.services.settings().maxTensorBytes }, { signal });
    return { ...tile, values: Array.from(tile.values, (v) => (Number.isNaN(v) ? null : v)) };
  }

  /** Runs an action; a failure is shown as a notification (with Show Log) and also rejects the webview's request. */
  private async action(action: EditorAction, tensor: string): Promise<EditorRequests['action']['result']> {
    try {
      if (action === 'normalize') {
        await normalizeTensorCommand(this.services, this.uri, { tensor });
      } else if (action === 'playground') {
        await sendTensor(this.services, this.uri, tensor);
      } else {
        const entry = this.listing!.tensors.find((t) => t.name === tensor)!;
        const singleArray = this.listing!.format === 'npy';
        const target = await exportTarget(this.uri, tensor, singleArray); // may ask "Overwrite?", before the progress shows
        const out = await withCancellableProgress(vscode.l10n.t('NormLab: exporting {0}', tensor), (p) => exportNpy(this.services, this.uri, entry, target, p));
        this.services.log.info(`exported ${tensor} -> ${out.toString()}`);
        const exported = vscode.workspace.asRelativePath(out);
        const open = vscode.l10n.t('Open');
        void vscode.window.showInformationMessage(vscode.l10n.t('Exported {0} to {1}', tensor, exported), open).then((c) => {
          if (c === open) void vscode.commands.executeCommand('vscode.openWith', out, viewTypeFor(out));
        });
        return { exported };
      }
      return { exported: null };
    } catch (e) {
      this.services.reportError(e, tensor);
      throw e;
    }
  }

  /** Shows the failure in the webview and a notification; details go to the log. */
  private fail(e: unknown, what: string): void {
    this.services.reportError(e, what);
    this.notify({ type: 'loadError', params: { message: `${what}: ${userMessage(e)}` } });
  }

  private notify(m: EditorNotification): void {
    if (!this.disposed) this.rpc.notify(m);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.reloadTimer);
    this.watcher.dispose();
    this.statsRun?.abort();
    this.rpc.dispose();
  }
}
