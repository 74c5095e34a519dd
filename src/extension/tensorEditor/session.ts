// One open tensor-editor webview: lists the file, streams statistics tensor by tensor in the pool, answers heatmap
// requests and runs the per-tensor actions. Every webview message is validated before use.
import * as vscode from 'vscode';
import { EDITOR_LIMITS, EDITOR_STRINGS, HISTOGRAM_BINS, type EditorToHost, type HostToEditor } from '../../protocol/editor';
import { validateEditorMessage } from '../../protocol/validate';
import type { FileRef, JobMap, TensorEntry } from '../../protocol/worker';
import { normalizeTensorCommand } from '../commands/normalizeTensor';
import { sendTensor } from '../commands/playground';
import { viewTypeFor } from '../commands/pickers';
import { baseName } from '../fileRefs';
import type { Services } from '../services';
import { exportNpy, withCancellableProgress } from '../tensorOps';
import { isCancelled, userMessage } from '../userErrors';

type Listing = JobMap['fileList']['result'];
type StatsMessage = Extract<HostToEditor, { type: 'stats' | 'statsError' }>;

const PROGRESS_INTERVAL_MS = 100;

export class EditorSession implements vscode.Disposable {
  private listing: Listing | undefined;
  private fileRef: FileRef | undefined;
  private loading: Promise<void> | undefined;
  private readonly stats = new Map<string, StatsMessage>();
  private statsRun: AbortController | undefined;
  /** The user pressed Cancel: a reloaded webview shows "cancelled" instead of restarting the pass. */
  private statsCancelled = false;
  private readonly heatmaps = new Set<AbortController>();
  private disposed = false;
  /** Messages posted, newest last (bounded): read by the in-host tests through the extension's exports. */
  readonly posted: HostToEditor[] = [];

  constructor(private readonly services: Services, readonly uri: vscode.Uri, private readonly webview: vscode.Webview) {}

  /** The file changed on disk: list it again and recompute the statistics. */
  async reload(): Promise<void> {
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

  /** Handles a raw message from the webview. */
  async receive(raw: unknown): Promise<void> {
    let msg: EditorToHost;
    try {
      msg = validateEditorMessage(raw, { tensors: this.listing?.tensors ?? [] });
    } catch (e) {
      this.services.log.warn(`tensor editor ${baseName(this.uri)}: rejected a webview message: ${userMessage(e)}`);
      this.post({ type: 'error', message: userMessage(e) });
      return;
    }
    switch (msg.type) {
      case 'ready':
        return this.onReady();
      case 'cancelStats':
        if (this.statsRun) this.statsCancelled = true;
        this.statsRun?.abort();
        return;
      case 'restartStats':
        this.statsCancelled = false;
        void this.runStats();
        return;
      case 'requestHeatmap':
        return this.heatmap(msg.requestId, msg.tensor, msg.index);
      case 'action':
        return this.action(msg.action, msg.tensor);
    }
  }

  /** (Re)sends everything known: a reloaded webview starts empty. */
  private async onReady(): Promise<void> {
    this.loading ??= this.load();
    await this.loading;
    if (!this.listing) return;
    const strings = Object.fromEntries(EDITOR_STRINGS.map((s) => [s, vscode.l10n.t(s)]));
    this.post({ type: 'init', strings, file: { name: baseName(this.uri), ...this.listing } });
    for (const m of this.stats.values()) this.post(m);
    if (this.stats.size === this.listing.tensors.length) this.post({ type: 'statsDone', cancelled: false });
    else if (this.statsCancelled) this.post({ type: 'statsDone', cancelled: true });
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
      this.post({ type: 'progress', done: this.stats.size, total, fraction: total ? sum / total : 1 });
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
    if (!this.disposed) this.post({ type: 'statsDone', cancelled: run.signal.aborted });
  }

  private async statsOf(t: TensorEntry, signal: AbortSignal, onProgress: (f: number) => void): Promise<void> {
    try {
      const r = await this.services.pool.run('fileStats', { file: this.fileRef!, tensor: t.name, bins: HISTOGRAM_BINS, maxBytes: this.services.settings().maxTensorBytes }, { signal, onProgress });
      if (!signal.aborted) this.record({ type: 'stats', tensor: t.name, ...r });
    } catch (e) {
      if (isCancelled(e) || signal.aborted) return;
      this.services.log.error(`statistics of ${t.name} in ${this.uri.toString()}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      this.record({ type: 'statsError', tensor: t.name, message: userMessage(e) });
    }
  }

  private record(m: StatsMessage): void {
    this.stats.set(m.tensor, m);
    this.post(m);
  }

  private async heatmap(requestId: number, tensor: string, index: number[]): Promise<void> {
    // The webview draws only its latest request: older ones still streaming are dropped.
    for (const old of this.heatmaps) old.abort();
    this.heatmaps.clear();
    const ac = new AbortController();
    this.heatmaps.add(ac);
    try {
      const tile = await this.services.pool.run('heatmap', { file: this.fileRef!, tensor, index, maxSide: EDITOR_LIMITS.heatmapMaxSide, maxBytes: this.services.settings().maxTensorBytes }, { signal: ac.signal });
      this.post({
        type: 'heatmap', requestId, tensor, index,
        tile: { ...tile, values: Array.from(tile.values, (v) => (Number.isNaN(v) ? null : v)) },
      });
    } catch (e) {
      if (!isCancelled(e)) {
        this.services.log.error(`heatmap of ${tensor}: ${userMessage(e)}`);
        this.post({ type: 'error', requestId, message: userMessage(e) });
      }
    } finally {
      this.heatmaps.delete(ac);
    }
  }

  private async action(action: 'playground' | 'normalize' | 'export', tensor: string): Promise<void> {
    try {
      if (action === 'normalize') {
        await normalizeTensorCommand(this.services, this.uri, { tensor });
      } else if (action === 'playground') {
        await sendTensor(this.services, this.uri, tensor);
      } else {
        const entry = this.listing!.tensors.find((t) => t.name === tensor)!;
        const singleArray = this.listing!.format === 'npy';
        const out = await withCancellableProgress(vscode.l10n.t('NormLab: exporting {0}', tensor), (p) => exportNpy(this.services, this.uri, entry, singleArray, p));
        this.services.log.info(`exported ${tensor} -> ${out.toString()}`);
        this.post({ type: 'exported', tensor, path: vscode.workspace.asRelativePath(out) });
        const open = vscode.l10n.t('Open');
        void vscode.window.showInformationMessage(vscode.l10n.t('Exported {0} to {1}', tensor, vscode.workspace.asRelativePath(out)), open).then((c) => {
          if (c === open) void vscode.commands.executeCommand('vscode.openWith', out, viewTypeFor(out));
        });
      }
    } catch (e) {
      this.services.reportError(e, tensor);
    }
  }

  /** Shows the failure in the webview and a notification; details go to the log. */
  private fail(e: unknown, what: string): void {
    this.services.reportError(e, what);
    this.post({ type: 'error', message: `${what}: ${userMessage(e)}` });
  }

  private post(m: HostToEditor): void {
    if (this.disposed) return;
    this.posted.push(m);
    if (this.posted.length > 1000) this.posted.splice(0, this.posted.length - 1000);
    void this.webview.postMessage(m);
  }

  dispose(): void {
    this.disposed = true;
    this.statsRun?.abort();
    for (const ac of this.heatmaps) ac.abort();
  }
}
