// The layer rules of DESIGN.md as lint errors: which folder of src/ may import what.
// One config object per folder (flat config does not merge two `no-restricted-imports` settings for one file).
import { builtinModules } from 'node:module';

const nodeBuiltins = [...new Set(builtinModules.flatMap((m) => [m, `node:${m}`]))];

/** A relative import into one of src/'s folders, e.g. '../extension/pool' or '../../webview/common/dom'. */
const intoFolder = (folder, why) => ({ regex: `^(\\.{1,2}/)+${folder}(/|$)`, message: why });

const vscode = { name: 'vscode', message: 'only src/extension runs in the extension host; pass data in instead.' };
const workerThreads = ['worker_threads', 'node:worker_threads'].map((name) => ({
  name,
  message: 'threads belong to src/extension (pool.ts, worker.ts); keep this layer single-threaded and pure.',
}));
const domOnly = ['chart.js', '@vscode-elements/elements'].map((name) => ({
  name,
  message: 'a DOM-only module: it belongs to src/webview.',
}));
const domOnlyPatterns = [{ group: ['chart.js/*', '@vscode-elements/*'], message: 'a DOM-only module: it belongs to src/webview.' }];

const extension = intoFolder('extension', 'src/extension is the host; lower layers must not depend on it.');
const webview = intoFolder('webview', 'src/webview is browser code; share types and strings through src/protocol.');
const cli = intoFolder('cli', 'src/cli is an entry point; move what you need into src/kernels or src/formats.');

const webviewPaths = [vscode, ...nodeBuiltins.map((name) => ({ name, message: 'src/webview runs in the browser: no Node APIs.' }))];
/** The folders of src/webview with one webview each (their entries are src/webview/<name>.ts). */
const WEBVIEWS = ['playground', 'experiments', 'featureScaling', 'editor'];
const otherWebviews = (name) => ({
  regex: `^(\\.\\./)+(webview/)?(${WEBVIEWS.filter((w) => w !== name).join('|')})(/|$)`,
  message: `src/webview/${name} is one webview: share code with the others through src/webview/common.`,
});

const restrict = (files, paths, patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { paths, patterns }] },
});

export default [
  // Pure layers: they run unchanged in the worker, the CLI, the tests and the webview.
  restrict(
    ['src/kernels/**', 'src/formats/**', 'src/nn/**', 'src/experiments/**'],
    [vscode, ...workerThreads, ...domOnly],
    [...domOnlyPatterns, extension, webview, cli],
  ),
  // Types, validators and strings shared by host, worker and webview: no Node, no vscode, no DOM modules.
  restrict(
    ['src/protocol/**'],
    [vscode, ...domOnly, ...nodeBuiltins.map((name) => ({ name, message: 'src/protocol is also bundled into the webview.' }))],
    [...domOnlyPatterns, extension, webview, cli],
  ),
  // Browser bundles: no Node, no vscode module, no host or CLI code.
  restrict(['src/webview/**'], webviewPaths, [extension, cli]),
  // Each webview's folder uses src/webview/common and its own files, never another webview's.
  ...WEBVIEWS.map((name) => restrict([`src/webview/${name}/**`], webviewPaths, [extension, cli, otherWebviews(name)])),
  // The host: no browser code (strings shared with a webview live in src/protocol).
  restrict(['src/extension/**'], [...domOnly], [...domOnlyPatterns, webview, cli]),
  // The CLI: plain Node, no editor and no browser. It shares the worker pool (pool.ts and what runs jobs in it,
  // trainInPool.ts: no vscode import) to run experiments in parallel.
  restrict(['src/cli/**'], [vscode, ...domOnly], [...domOnlyPatterns, { regex: '^(\\.{1,2}/)+extension(/(?!pool$|trainInPool$)|$)', message: extension.message }, webview]),
];
