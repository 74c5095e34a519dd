// Entry of dist/webview/tensorEditor.js (browser bundle): registers the UI components and starts the viewer.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { TensorEditorApp } from './editor/app';

new TensorEditorApp(document.getElementById('app')!);
