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
// our own from scripts/make-golden-train.py in extra/); then every trajectory again with each batch split across two
// workers (public's trajectories are the traj_* cases; extra holds only trajectories), and ours across three (batches
// of 4, 5, 6 and 8: uneven parts, parts of one sample).
const trainRuns = [
  { set: 'public', workers: 1 }, { set: 'extra', workers: 1 },
  { set: 'public', workers: 2, filter: '^traj_' }, { set: 'extra', workers: 2 }, { set: 'extra', workers: 3 },
];
for (const { set, workers, filter } of trainRuns) {
  const node = `"${process.execPath}" "${cli}"`;
  const r = spawnSync(process.execPath, [path.join(here, 'train', 'check-train.mjs'), '--cases', path.join(here, 'train', set),
    '--cmd', `${node} normalize {opts}`, '--train-cmd', `${node} train {opts}${workers > 1 ? ` --workers ${workers}` : ''}`,
    ...(filter ? ['--filter', filter] : [])], { encoding: 'utf8' });
  if (workers > 1) console.log(`golden train ${set}, each batch split across ${workers} workers:`);
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  const m = /(\d+) passed, (\d+) failed\s*$/.exec(r.stdout);
  if (!m || Number(m[1]) + Number(m[2]) === 0) {
    console.error(`golden train ${set} (workers ${workers}): the checker did not report a result (exit ${r.status})`);
    failed++;
  } else {
    passed += Number(m[1]);
    failed += Number(m[2]);
  }
}
console.log(`golden: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
