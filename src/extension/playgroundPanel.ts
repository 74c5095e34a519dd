// The playground panel (host side): one instance, revived after a reload by its serializer (webviewPanel.ts). It
// owns the input tensor (in shared memory), validates every webview message, runs all computation in the worker pool
// and sends back summaries only. Requests go through RpcHost: a newer request of the same type, the webview's Cancel
// (a cancelRequest) or closing the panel cancels one; the jobs' progress goes back to the webview's request.
import * as vscode from 'vscode';
import { encodeNpy } from '../formats/npy';
import { toShared } from '../kernels/fast/sharedTensor';
import { numel } from '../kernels/shape';
import { toNestedJson } from '../kernels/textTensor';
import type { Controls, FileSource, HostToWebview, InputInfo, PersistedState, RequestMap, TrainState } from '../protocol/playground';
import type { PlaygroundJob, PlaygroundJobResults } from '../protocol/playgroundJob';
import { parsePersistedState, parseWebviewMessage } from '../protocol/playgroundValidate';
import { CancelledError, ValidationError } from '../protocol/rpc';
import { listTensors, pickTensor, pickTensorFile } from './commands/pickers';
import { baseName } from './fileRefs';
import type { Services } from './services';
import { FileGrants } from './fileGrants';
import type { Handlers, ReportProgress } from './rpcHost';
import { readTensor, writeFile } from './tensorOps';
import { UserError } from './userErrors';
import { localizedStrings, PanelHost, PanelSlot } from './webviewPanel';
import { PLAYGROUND_STRINGS } from '../protocol/playgroundStrings';

/** A tensor handed to the playground from outside (the tensor viewer, "Send to Playground"). */
export interface IncomingTensor {
  name: string;
  shape: number[];
  data: Float32Array | Float64Array;
  source?: string;
  /** The file's URI (uri.toString()): kept in the panel's state so a reload reads the tensor again. */
  uri?: string;
}

interface HeldInput {
  info: InputInfo;
  x: Float32Array;
}

/** JSON copies larger than this are refused (the clipboard is not a file). */
const MAX_JSON_ELEMENTS = 1 << 20;

/** A file source may only name a scheme the workspace can read. */
const canRead = (scheme: string): boolean => vscode.workspace.fs.isWritableFileSystem(scheme) !== undefined;

/** The files this workspace's playground may read again (tokens kept in the workspace state across reloads). */
let grants: FileGrants | undefined;
const grantsOf = (context: vscode.ExtensionContext): FileGrants => (grants ??= new FileGrants(context.workspaceState, canRead));

export class PlaygroundPanel {
  static readonly viewType = 'normlab.playground';
  private static readonly slot = new PanelSlot({
    viewType: PlaygroundPanel.viewType, script: 'playground.js', css: 'playground.css', documentTitle: 'NormLab Playground',
    title: () => vscode.l10n.t('NormLab Playground'), logName: 'playground',
  }, (panel, services, state) => new PlaygroundPanel(panel, services, parsePersistedState(state)));

  readonly host: PanelHost<RequestMap, HostToWebview>;
  private input: HeldInput | null = null;
  private running: TrainState | null = null;
  private ready = false;

  /** Opens or reveals the playground; with a tensor, makes it the input (returned; undefined if refused). */
  static createOrShow(services: Services, initial?: { tensor?: IncomingTensor }): InputInfo | undefined {
    const panel = PlaygroundPanel.slot.show(services, { retainContextWhenHidden: false });
    return initial?.tensor ? panel.setTensor(initial.tensor) : undefined;
  }

  static registerSerializer(services: Services): void {
    PlaygroundPanel.slot.registerSerializer(services);
  }

  /** `restored`: the webview's state handed back after a reload (validated), null for a new panel. */
  private constructor(panel: vscode.WebviewPanel, private readonly services: Services, private readonly restored: PersistedState | null) {
    this.host = new PanelHost<RequestMap, HostToWebview>(panel, PlaygroundPanel.slot.kind, services, {
      parse: parseWebviewMessage,
      handlers: this.handlers(),
      onReady: () => {
        this.ready = true;
        this.post({ type: 'init', strings: localizedStrings(PLAYGROUND_STRINGS), defaultEps: services.settings().defaultEps, state: this.restored, input: this.input?.info ?? null });
      },
    });
  }

  private get context(): vscode.ExtensionContext {
    return this.services.context;
  }

  private get panel(): vscode.WebviewPanel {
    return this.host.panel;
  }

  /** A tensor from the tensor editor or "send to playground": becomes the input (returned; undefined if refused). */
  setTensor(t: IncomingTensor): InputInfo | undefined {
    if (t.data.length !== numel(t.shape)) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Tensor {0} has {1} values but its shape [{2}] needs {3}', t.name, t.data.length, t.shape.join(', '), numel(t.shape)));
      return undefined;
    }
    const info = this.holdFileTensor(t);
    if (this.ready) this.post({ type: 'input', info });
    return info;
  }

  private holdFileTensor(t: IncomingTensor): InputInfo {
    const name = t.source ? `${t.source}: ${t.name}` : t.name;
    const file: FileSource | undefined = t.uri === undefined ? undefined : this.grantFile(t.uri, t.name, t.shape);
    this.input = { info: { name, shape: [...t.shape], numel: t.data.length, origin: 'file', file }, x: toShared(t.data) };
    this.running = null;
    this.panel.title = vscode.l10n.t('NormLab Playground — {0}', t.name);
    return this.input.info;
  }

  /** A tensor from a file, read again after a reload (as "Send to Playground" reads it), if it still has its shape. */
  /** A file source for a URI the host chose; none (no reload of it) for one it will not read again, e.g. a UNC share. */
  private grantFile(uri: string, tensor: string, shape: readonly number[]): FileSource | undefined {
    try {
      return { kind: 'file', token: grantsOf(this.context).grant(uri), tensor, shape: [...shape] };
    } catch (e) {
      this.services.log.warn(`playground: ${uri} will not be read again after a reload: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  private async readFileSource(s: FileSource, signal: AbortSignal): Promise<InputInfo> {
    const uri = vscode.Uri.parse(grantsOf(this.context).resolve(s.token), true);
    const file = baseName(uri);
    let read;
    try {
      read = await readTensor(this.services, uri, s.tensor, { signal });
    } catch (e) {
      if (e instanceof vscode.FileSystemError) throw new UserError(vscode.l10n.t('expected the file {0}, found: {1}', uri.toString(true), e.message));
      throw e;
    }
    const { data, shape } = read;
    if (shape.join() !== s.shape.join()) {
      throw new UserError(vscode.l10n.t('{0}: expected \'{1}\' of shape [{2}], found shape [{3}]', file, s.tensor, s.shape.join(', '), shape.join(', ')));
    }
    return this.holdFileTensor({ name: s.tensor, shape, data, source: file, uri: uri.toString() });
  }

  private post(m: HostToWebview): void {
    this.host.post(m);
  }

  /** Runs one op of the playground job in the worker pool; its progress goes to the webview's request. */
  private async job<K extends keyof PlaygroundJobResults>(job: PlaygroundJob & { op: K }, signal: AbortSignal, progress?: ReportProgress): Promise<PlaygroundJobResults[K]> {
    return (await this.services.pool.run('playground', job, { signal, onProgress: progress })) as PlaygroundJobResults[K];
  }

  private need(): HeldInput {
    if (!this.input) throw new ValidationError(vscode.l10n.t('no input tensor yet: paste, generate or pick one first'));
    return this.input;
  }

  private handlers(): Handlers<RequestMap> {
    return {
      setInput: async ({ source }, signal) => {
        if (source.kind === 'file') return this.readFileSource(source, signal);
        if (source.kind === 'paste') {
          const r = await this.job({ op: 'parse', text: source.text }, signal);
          this.input = { info: { name: vscode.l10n.t('pasted'), shape: r.shape, numel: r.x.length, origin: 'paste', format: r.format }, x: r.x };
        } else {
          const r = await this.job({ op: 'generate', spec: source.spec }, signal);
          this.input = { info: { name: vscode.l10n.t('generated'), shape: r.shape, numel: r.x.length, origin: 'generate' }, x: r.x };
        }
        this.running = null;
        this.panel.title = vscode.l10n.t('NormLab Playground');
        return this.input.info;
      },
      pickFile: (_params, signal) => this.pickFile(signal),
      compute: (params, signal, progress) => {
        const { x, info } = this.need();
        return this.job({ op: 'compute', x, shape: info.shape, ...params, running: this.running ?? undefined }, signal, progress);
      },
      compare: (params, signal, progress) => {
        const { x, info } = this.need();
        return this.job({ op: 'compare', x, shape: info.shape, ...params }, signal, progress);
      },
      sensitivity: ({ controls }, signal, progress) => {
        const { x, info } = this.need();
        return this.job({ op: 'sensitivity', x, shape: info.shape, controls }, signal, progress);
      },
      trainStep: async (params, signal, progress) => {
        const { x, info } = this.need();
        const seed = (this.running?.numBatchesTracked ?? 0) + 1;
        const r = await this.job({ op: 'train', x, shape: info.shape, running: this.running, seed, ...params }, signal, progress);
        this.running = r.running;
        return r;
      },
      resetRunning: async () => {
        this.running = null;
        return null;
      },
      export: ({ controls, format }, signal, progress) => this.export(controls, format, signal, progress),
    };
  }

  private async pickFile(signal: AbortSignal): Promise<InputInfo | null> {
    const uri = await pickTensorFile();
    if (!uri) return null;
    const listing = await listTensors(this.services, uri);
    const entry = await pickTensor(listing, baseName(uri));
    if (!entry) return null;
    const { data, shape } = await readTensor(this.services, uri, entry.name, { signal });
    return this.holdFileTensor({ name: entry.name, shape, data, source: baseName(uri), uri: uri.toString() });
  }

  private async export(controls: Controls, format: 'npy' | 'json', signal: AbortSignal, progress: ReportProgress): Promise<RequestMap['export']['result']> {
    const { x, info } = this.need();
    if (format === 'json' && info.numel > MAX_JSON_ELEMENTS) {
      throw new ValidationError(vscode.l10n.t('copy as JSON is for up to {0} values; this output has {1}: export .npy instead', MAX_JSON_ELEMENTS, info.numel));
    }
    const { y, shape } = await this.job({ op: 'output', x, shape: info.shape, controls, running: this.running ?? undefined }, signal, progress);
    if (format === 'json') {
      await vscode.env.clipboard.writeText(toNestedJson(y, shape));
      return { copied: y.length };
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const fileName = `${info.name.replace(/[^\w.-]+/g, '_')}.${controls.method}.npy`;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, fileName) : undefined,
      filters: { NumPy: ['npy'] },
      title: vscode.l10n.t('Save the normalized output as .npy'),
    });
    if (!target) return {};
    if (signal.aborted) throw new CancelledError(); // Cancel pressed while the save dialog was open: nothing is written
    await writeFile(target, encodeNpy(y, shape)); // the save dialog asked about an existing file
    return { savedTo: vscode.workspace.asRelativePath(target) };
  }

  dispose(): void {
    this.host.dispose();
  }
}
