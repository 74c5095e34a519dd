#!/usr/bin/env node
// Runs the PyTorch reference cases (public set copied from the shared golden suite, plus our own extra set
// made by scripts/make-golden.py) against the built CLI, stats and running stats required.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const cli = path.join(root, 'dist/cli.js');
if (!existsSync(cli)) {
  console.error('test/golden: dist/cli.js is missing; run `npm run build` first');
  process.exit(1);
}
let passed = 0;
let failed = 0;
for (const set of ['public', 'extra']) {
  const r = spawnSync(process.execPath, [path.join(here, 'check.mjs'), '--cases', path.join(here, set),
    '--cmd', `"${process.execPath}" "${cli}" normalize {opts}`, '--require-stats', '--require-running'], { encoding: 'utf8' });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  const m = /(\d+) passed, (\d+) failed\s*$/.exec(r.stdout);
  if (!m) {
    console.error(`golden ${set}: the checker did not report a result (exit ${r.status})`);
    failed++;
    continue;
  }
  passed += Number(m[1]);
  failed += Number(m[2]);
}
// Training: normalization backward passes and SGD trajectories (test/golden/train: the shared suite in public/,
// our own from scripts/make-golden-train.py in extra/).
for (const set of ['public', 'extra']) {
  const node = `"${process.execPath}" "${cli}"`;
  const r = spawnSync(process.execPath, [path.join(here, 'train', 'check-train.mjs'), '--cases', path.join(here, 'train', set),
    '--cmd', `${node} normalize {opts}`, '--train-cmd', `${node} train {opts}`], { encoding: 'utf8' });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  const m = /(\d+) passed, (\d+) failed\s*$/.exec(r.stdout);
  if (!m) {
    console.error(`golden train ${set}: the checker did not report a result (exit ${r.status})`);
    failed++;
  } else {
    passed += Number(m[1]);
    failed += Number(m[2]);
  }
}
console.log(`golden: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
