// The read-only tensor viewer (custom editor) for .npy/.npz/.safetensors and, as an option, checkpoints.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { baseName } from '../fileRefs';
import { renderHtml, webviewOptions } from '../webviewHtml';
import { EditorSession } from './session';

export const VIEW_TYPES = ['normlab.tensorFile', 'normlab.tensorFile.checkpoint'] as const;

export class TensorEditorProvider implements vscode.CustomReadonlyEditorProvider {
  /** Open sessions (for the in-host tests). */
  readonly sessions = new Set<EditorSession>();

  static register(services: Services): TensorEditorProvider {
    const provider = new TensorEditorProvider(services);
    for (const viewType of VIEW_TYPES) {
      services.context.subscriptions.push(vscode.window.registerCustomEditorProvider(viewType, provider, {
        supportsMultipleEditorsPerDocument: true,
      }));
    }
    return provider;
  }

  private constructor(private readonly services: Services) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const { extensionUri } = this.services.context;
    panel.webview.options = webviewOptions(extensionUri);
    const session = new EditorSession(this.services, document.uri, panel.webview);
    this.sessions.add(session);
    const sub = panel.webview.onDidReceiveMessage((m: unknown) => void session.receive(m));
    // A file rewritten on disk (a training run saving a checkpoint) is shown anew.
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(document.uri, '..'), baseName(document.uri)), true, false, true);
    let timer: NodeJS.Timeout | undefined;
    watcher.onDidChange(() => {
      clearTimeout(timer);
      timer = setTimeout(() => void session.reload(), 300); // one reload for a burst of writes
    });
    panel.onDidDispose(() => {
      clearTimeout(timer);
      watcher.dispose();
      sub.dispose();
      session.dispose();
      this.sessions.delete(session);
    });
    panel.webview.html = renderHtml(panel.webview, extensionUri, { script: 'tensorEditor.js', css: 'tensorEditor.css', title: baseName(document.uri) });
  }
}
