// What every NormLab webview panel shares (playground, experiments, feature scaling), after the webview-sample's
// single-instance panel: one panel per kind (`PanelSlot.show` reveals it, or opens it), a serializer that revives
// it after a reload with the webview's last state, the document with its strict CSP (webviewHtml.ts), the one gate
// for webview messages (a cancelRequest; else validate, then `ready` or a request for RpcHost) and dispose. A panel
// class keeps only its own work: its validator, its request handlers and what it posts on `ready`.
import * as vscode from 'vscode';
import { parseCancelRequest, type RequestMapShape, type RequestOf } from '../protocol/rpc';
import { RpcHost, type Handlers } from './rpcHost';
import type { Services } from './services';
import { renderHtml, webviewOptions } from './webviewHtml';

/** A kind of panel: its view type, its bundle and stylesheet, and its titles. */
export interface PanelKind {
  viewType: string;
  /** dist/webview/<script> and media/<css>. */
  script: string;
  css: string;
  /** The document's <title> (not shown). */
  documentTitle: string;
  /** The tab's title when the panel opens (localized, so asked for when needed). */
  title(): string;
  /** How the log names the panel: "playground: refused a webview message: ...". */
  logName: string;
}

/** A panel's own part of the message gate. */
export interface PanelParts<M extends RequestMapShape<M>> {
  /** The panel's validator: a well-typed message, or a ValidationError naming the field. */
  parse(raw: unknown): { type: 'ready' } | RequestOf<M>;
  handlers: Handlers<M>;
  /** The webview is ready (loaded or reloaded): post what it starts from. */
  onReady(): void;
  /** The panel closes: stop what it runs (the host's requests are cancelled here in any case). */
  onDispose?(): void;
}

/** The UI strings of a webview, localized for the init message (English is the key). */
export function localizedStrings(keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.map((s) => [s, vscode.l10n.t(s)]));
}

/** One open panel: its document, its RpcHost and the listeners, all disposed with it. */
export class PanelHost<M extends RequestMapShape<M>, ToWebview> {
  readonly rpc: RpcHost<M>;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  constructor(readonly panel: vscode.WebviewPanel, kind: PanelKind, private readonly services: Services, private readonly parts: PanelParts<M>) {
    this.rpc = new RpcHost<M>({
      handlers: parts.handlers,
      post: (reply) => void panel.webview.postMessage(reply),
      logError: (text) => services.log.error(`${kind.logName}: ${text}`),
    });
    panel.webview.html = renderHtml(panel.webview, services.context.extensionUri, { script: kind.script, css: kind.css, title: kind.documentTitle });
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m, kind.logName), null, this.disposables);
  }

  post(m: ToWebview): void {
    void this.panel.webview.postMessage(m);
  }

  /** The one gate: a message that fails validation is logged and refused (its caller's promise rejects). */
  private onMessage(raw: unknown, logName: string): void {
    let msg;
    try {
      const cancel = parseCancelRequest(raw);
      if (cancel) return this.rpc.cancel(cancel.id); // the webview's Cancel of one running request
      msg = this.parts.parse(raw);
    } catch (e) {
      this.services.log.warn(`${logName}: refused a webview message: ${e instanceof Error ? e.message : String(e)}`);
      this.rpc.refuse(raw, e);
      return;
    }
    if (msg.type === 'ready') this.parts.onReady();
    else void this.rpc.dispatch(msg as RequestOf<M>); // not 'ready': a request (TypeScript does not narrow the generic union)
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.parts.onDispose?.();
    this.rpc.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

/**
 * The one panel of a kind. `open` makes the panel object for a new or revived vscode panel (`state`: what the webview
 * kept with setState, handed back after a reload; undefined for a new panel).
 */
export class PanelSlot<P extends { readonly host: { readonly panel: vscode.WebviewPanel }; dispose(): void }> {
  private current: P | undefined;

  constructor(readonly kind: PanelKind, private readonly open: (panel: vscode.WebviewPanel, services: Services, state: unknown) => P) {}

  /** The open panel, if any. */
  get instance(): P | undefined {
    return this.current;
  }

  /** Reveals the open panel, or opens one in the active editor's column. */
  show(services: Services, options: vscode.WebviewPanelOptions = {}): P {
    const column = vscode.window.activeTextEditor?.viewColumn ?? vscode.ViewColumn.One;
    if (this.current) {
      this.current.host.panel.reveal(column);
      return this.current;
    }
    const panel = vscode.window.createWebviewPanel(this.kind.viewType, this.kind.title(), column, { ...webviewOptions(services.context.extensionUri), ...options });
    return this.hold(panel, services, undefined);
  }

  /** Revives the panel after a reload (its webview state handed back); registered for the extension's lifetime. */
  registerSerializer(services: Services): void {
    services.context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(this.kind.viewType, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        panel.webview.options = webviewOptions(services.context.extensionUri);
        this.current?.dispose();
        this.hold(panel, services, state);
      },
    }));
  }

  private hold(panel: vscode.WebviewPanel, services: Services, state: unknown): P {
    const p = this.open(panel, services, state);
    this.current = p;
    panel.onDidDispose(() => {
      if (this.current === p) this.current = undefined;
    });
    return p;
  }
}
