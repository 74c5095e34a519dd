#!/usr/bin/env node
// `npm run test:electron`: the same in-host mocha suite as `npm run test:e2e`, run by @vscode/test-electron in a
// desktop VS Code. That VS Code is downloaded from Microsoft's update service on first use, so this only works
// where that service is reachable (not on the offline CI machine, where test:e2e runs the suite in code-server).
// VSCODE_EXECUTABLE=/path/to/code uses an installed desktop VS Code instead of downloading one.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

try {
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out/e2e/suite/index.js'),
    launchArgs: [path.join(root, 'examples'), '--disable-extensions', '--disable-workspace-trust'],
    ...(process.env.VSCODE_EXECUTABLE ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE } : { version: '1.100.3' }),
  });
} catch (e) {
  console.error(`test:electron: ${e instanceof Error ? e.message : e}`);
  console.error('test:electron needs a desktop VS Code: network access to download one, or VSCODE_EXECUTABLE=/path/to/code.');
  process.exit(1);
}
