// Entry of dist/webview/featureScaling.js (browser bundle): registers the UI components and starts the view.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { FeatureScalingApp } from './featureScaling/app';

new FeatureScalingApp(document.getElementById('app')!);
