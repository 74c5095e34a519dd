// The document of every NormLab webview: strict CSP (default-src 'none', scripts only by nonce, no <base>, no form
// posts), resources only from dist/webview/ (the browser bundles; never extension.js, cli.js or source maps of the
// host) and media/, the shared media/base.css and then the view's own stylesheet.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/** The Content-Security-Policy of every NormLab webview (`src` is webview.cspSource). */
export function contentSecurityPolicy(src: string, nonce: string): string {
  // Lit (vscode-elements) styles its components with constructable stylesheets, which CSP does not restrict.
  return [
    "default-src 'none'",
    `img-src ${src} data:`,
    `style-src ${src} 'nonce-${nonce}'`,
    `font-src ${src}`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function renderHtml(webview: vscode.Webview, extensionUri: vscode.Uri, opts: { script: string; css: string; title: string }): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', opts.script));
  const styles = ['base.css', opts.css].map((name) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', name)));
  const csp = contentSecurityPolicy(webview.cspSource, nonce);
  const lang = vscode.env.language.replace(/[^A-Za-z-]/g, '');
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles.map((href) => `<link rel="stylesheet" href="${href}" nonce="${nonce}">`).join('\n')}
<title>${escapeHtml(opts.title)}</title>
</head>
<body>
<main id="app" data-testid="app" aria-busy="true"></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
