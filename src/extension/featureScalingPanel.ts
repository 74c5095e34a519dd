// The "Why normalize? (feature scaling)" panel (host side): one instance, revived after a reload by its serializer
// (the webview keeps its own state). The webview computes everything itself; the host only reads a workspace file
// for it: the user picks a file and a 2-D tensor, the host reads it in the worker pool, keeps it and hands the webview
// an opaque token; the webview then asks for two (or three) columns by that token. It never sends a path.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { evenRows, SCALING_LIMITS } from '../kernels/featureScaling';
import {
  FEATURE_SCALING_LIMITS, parseFeatureScalingMessage, type FeatureScalingRequests, type FeatureScalingToWebview, type HeldTable, type TableColumns,
} from '../protocol/featureScaling';
import { FEATURE_SCALING_STRINGS } from '../protocol/featureScalingStrings';
import { listTensors, pickTensor, pickTensorFile, type FileListing } from './commands/pickers';
import { baseName } from './fileRefs';
import { RpcHost } from './rpcHost';
import type { Services } from './services';
import { readTensor } from './tensorOps';
import { UserError } from './userErrors';
import { renderHtml, webviewOptions } from './webviewHtml';

interface Held extends HeldTable {
  data: ArrayLike<number>;
}

export class FeatureScalingPanel {
  static readonly viewType = 'normlab.featureScaling';
  private static current: FeatureScalingPanel | undefined;

  /** The one tensor read for the webview (a new pick replaces it). */
  private held: Held | null = null;
  private readonly rpc: RpcHost<FeatureScalingRequests>;
  private readonly disposables: vscode.Disposable[] = [];

  static createOrShow(services: Services): FeatureScalingPanel {
    const column = vscode.window.activeTextEditor?.viewColumn ?? vscode.ViewColumn.One;
    if (FeatureScalingPanel.current) {
      FeatureScalingPanel.current.panel.reveal(column);
      return FeatureScalingPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(FeatureScalingPanel.viewType, vscode.l10n.t('Why Normalize? (Feature Scaling)'), column, webviewOptions(services.context.extensionUri));
    return new FeatureScalingPanel(panel, services);
  }

  static registerSerializer(services: Services): void {
    services.context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(FeatureScalingPanel.viewType, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel) {
        panel.webview.options = webviewOptions(services.context.extensionUri);
        FeatureScalingPanel.current?.dispose();
        new FeatureScalingPanel(panel, services);
      },
    }));
  }

  private constructor(private readonly panel: vscode.WebviewPanel, private readonly services: Services) {
    FeatureScalingPanel.current = this;
    this.rpc = new RpcHost<FeatureScalingRequests>({
      post: (reply) => this.post(reply),
      handlers: { pickFile: (_p, signal) => this.pickFile(signal), columns: async (p) => this.columns(p) },
      logError: (text) => services.log.error(`feature scaling ${text}`),
    });
    panel.webview.html = renderHtml(panel.webview, services.context.extensionUri, { script: 'featureScaling.js', css: 'featureScaling.css', title: 'Why Normalize? (Feature Scaling)' });
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m), null, this.disposables);
  }

  private post(m: FeatureScalingToWebview): void {
    void this.panel.webview.postMessage(m);
  }

  private onMessage(raw: unknown): void {
    let msg;
    try {
      msg = parseFeatureScalingMessage(raw);
    } catch (e) {
      this.services.log.warn(`feature scaling: refused a webview message: ${e instanceof Error ? e.message : String(e)}`);
      this.rpc.refuse(raw, e);
      return;
    }
    if (msg.type === 'ready') {
      this.post({ type: 'init', strings: Object.fromEntries(FEATURE_SCALING_STRINGS.map((s) => [s, vscode.l10n.t(s)])) });
      return;
    }
    void this.rpc.dispatch(msg);
  }

  /** A tensor file of the workspace, then one of its 2-D tensors with at least 2 columns; read and held. */
  private async pickFile(signal: AbortSignal): Promise<HeldTable | null> {
    const uri = await pickTensorFile();
    if (!uri) return null;
    const file = baseName(uri);
    const listing = await listTensors(this.services, uri);
    const usable: FileListing = { ...listing, tensors: listing.tensors.filter((t) => t.shape.length === 2 && t.shape[0] >= SCALING_LIMITS.minSamples && t.shape[1] >= 2) };
    if (usable.tensors.length === 0) {
      throw new UserError(vscode.l10n.t('{0}: expected a 2-D tensor (rows × columns) with at least {1} rows and 2 columns, found {2}', file, SCALING_LIMITS.minSamples,
        listing.tensors.slice(0, 5).map((t) => `${t.name} [${t.shape.join(', ')}]`).join(', ') || vscode.l10n.t('no tensors')));
    }
    const entry = await pickTensor(usable, file);
    if (!entry) return null;
    const { data, shape } = await readTensor(this.services, uri, entry.name, { signal });
    this.held = { token: randomBytes(FEATURE_SCALING_LIMITS.tokenLength / 2).toString('hex'), name: `${file}: ${entry.name}`, rows: shape[0], cols: shape[1], data };
    const { token, name, rows, cols } = this.held;
    return { token, name, rows, cols };
  }

  private columns(p: FeatureScalingRequests['columns']['params']): TableColumns {
    const held = this.held;
    if (!held || held.token !== p.token) throw new UserError(vscode.l10n.t('the picked tensor is no longer held (the window was reloaded or another file was picked): pick the file again'));
    for (const [what, c] of [['x1', p.x1], ['x2', p.x2], ['target', p.target]] as const) {
      if (c !== null && c >= held.cols) throw new UserError(vscode.l10n.t('columns.{0}: expected a column from 0 to {1}, got {2}', what, held.cols - 1, c));
    }
    const rows = evenRows(held.rows, FEATURE_SCALING_LIMITS.maxRows);
    const column = (c: number) => rows.map((r) => held.data[r * held.cols + c]);
    return { x1: column(p.x1), x2: column(p.x2), target: p.target === null ? null : column(p.target), rows: rows.length, totalRows: held.rows };
  }

  dispose(): void {
    if (FeatureScalingPanel.current === this) FeatureScalingPanel.current = undefined;
    this.held = null;
    this.rpc.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

/** NormLab: Why Normalize? (Feature Scaling). */
export function openFeatureScalingCommand(services: Services): void {
  try {
    FeatureScalingPanel.createOrShow(services);
  } catch (e) {
    services.reportError(e, vscode.l10n.t('Why Normalize? (Feature Scaling)'));
  }
}
