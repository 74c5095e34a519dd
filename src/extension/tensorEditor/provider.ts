// The read-only tensor viewer (custom editor) for .npy/.npz/.safetensors and, as an option, checkpoints.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { baseName } from '../fileRefs';
import { renderHtml, webviewOptions } from '../webviewHtml';
import { EditorSession } from './session';

export const VIEW_TYPES = ['normlab.tensorFile', 'normlab.tensorFile.checkpoint'] as const;

export class TensorEditorProvider implements vscode.CustomReadonlyEditorProvider {
  static register(services: Services): void {
    const provider = new TensorEditorProvider(services);
    for (const viewType of VIEW_TYPES) {
      services.context.subscriptions.push(vscode.window.registerCustomEditorProvider(viewType, provider, {
        supportsMultipleEditorsPerDocument: true,
      }));
    }
  }

  private constructor(private readonly services: Services) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const { extensionUri } = this.services.context;
    panel.webview.options = webviewOptions(extensionUri);
    const session = new EditorSession(this.services, document.uri, (m) => void panel.webview.postMessage(m));
    const sub = panel.webview.onDidReceiveMessage((m: unknown) => void session.receive(m));
    panel.onDidDispose(() => {
      sub.dispose();
      session.dispose();
    });
    panel.webview.html = renderHtml(panel.webview, extensionUri, { script: 'tensorEditor.js', css: 'tensorEditor.css', title: baseName(document.uri) });
  }
}
