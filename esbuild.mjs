// One build() helper, one call per bundle. Flags: --production (minify, no sourcemaps), --watch.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @param {import('esbuild').BuildOptions} options */
async function build(options) {
  const config = {
    bundle: true,
    minify: production,
    sourcemap: production ? false : 'linked',
    logLevel: 'warning',
    ...options,
  };
  if (watch) {
    const ctx = await esbuild.context(config);
    await ctx.watch();
  } else {
    await esbuild.build(config);
  }
}

const node = { platform: 'node', target: 'node20', format: 'cjs' };

await Promise.all([
  // Extension host: vscode is provided by the editor at run time.
  build({ ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  // Kernel worker for the worker_threads pool (no vscode import allowed).
  build({ ...node, entryPoints: ['src/extension/worker.ts'], outfile: 'dist/worker.js' }),
  // CLI over the same kernels and readers.
  build({ ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  // Webviews: browser bundles, no Node APIs.
  build({ platform: 'browser', target: 'es2022', format: 'iife', entryPoints: ['src/webview/playground.ts'], outfile: 'dist/webview/playground.js' }),
  build({ platform: 'browser', target: 'es2022', format: 'iife', entryPoints: ['src/webview/tensorEditor.ts'], outfile: 'dist/webview/tensorEditor.js' }),
  build({ platform: 'browser', target: 'es2022', format: 'iife', entryPoints: ['src/webview/featureScaling.ts'], outfile: 'dist/webview/featureScaling.js' }),
  build({ platform: 'browser', target: 'es2022', format: 'iife', entryPoints: ['src/webview/experiments.ts'], outfile: 'dist/webview/experiments.js' }),
  // In-host e2e suite: test/e2e/suite/*.ts -> out/e2e/suite/*.js, loaded by VS Code as extensionTestsPath.
  build({ ...node, entryPoints: ['test/e2e/suite/*.ts'], outdir: 'out/e2e/suite', external: ['vscode', 'mocha'] }),
]);
if (watch) console.log('esbuild: watching for changes');
