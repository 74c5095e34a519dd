// In-host mocha entry: VS Code loads this (bundled to out/e2e/suite/index.js) as extensionTestsPath
// inside the Node extension host and waits for run() to settle. Every test/e2e/suite/*.test.ts is
// bundled next to it as out/e2e/suite/<name>.test.js and added here. Both mocha UIs work:
// bdd (describe/it) and tdd (suite/test).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import Mocha from 'mocha';

export function run(): Promise<void> {
  // The extension host joins console arguments without printf formatting and prefixes them;
  // tag each mocha line so test/e2e/run.mjs can echo exactly the reporter output.
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => console.log('[test] ' + util.format(...args));
  Mocha.reporters.Base.useColors = false;
  const mocha = new Mocha({ ui: 'tdd', reporter: 'spec', timeout: Number(process.env.NORMLAB_E2E_TEST_TIMEOUT_MS ?? 60_000) });
  // A second interface: each ui() call binds its globals on the same pre-require event.
  mocha.ui('bdd');
  const grep = process.env.NORMLAB_E2E_GREP;
  if (grep) mocha.grep(grep);

  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  console.log(`[test] in-host suite: ${files.length} file(s): ${files.join(', ')}`);

  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => {
        if (failures > 0) reject(new Error(`${failures} in-host test(s) failed`));
        else if (files.length === 0) reject(new Error('no in-host test files found'));
        else resolve();
      });
    } catch (err) {
      reject(err);
    }
  });
}
