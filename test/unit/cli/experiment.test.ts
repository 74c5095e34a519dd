// `normlab experiment` as a user runs it: fresh bundles of the CLI and the worker, a tiny model and data set.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { parseResults } from '../../../src/experiments/results';
import { npyBytes as npy, rng } from '../helpers';

const dir = mkdtempSync(path.join(tmpdir(), 'normlab-experiment-cli-'));
const cli = path.join(dir, 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'experiment', ...args], { encoding: 'utf8', cwd: dir, timeout: 120_000 });

before(async () => {
  const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'error' } as const;
  await build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: cli });
  await build({ ...common, entryPoints: ['src/extension/worker.ts'], outfile: path.join(dir, 'worker.js') });
  // 60 uint8 images 8×8 in 3 classes, the class written into the image's mean so that it can be learned.
  const r = rng(7);
  const n = 60;
  const y = new BigInt64Array(n).map((_, i) => BigInt(i % 3));
  const x = new Uint8Array(n * 64).map((_, k) => Math.min(255, Math.floor(r() * 80 + 60 * Number(y[Math.floor(k / 64)]))));
  writeFileSync(path.join(dir, 'tiny.npz'), zipSync({ 'x.npy': npy('|u1', [n, 8, 8], x), 'y.npy': npy('<i8', [n], new Uint8Array(y.buffer)) }));
  writeFileSync(path.join(dir, 'tiny.normlab-model.json'), JSON.stringify({
    input_shape: [1, 8, 8],
    layers: [
      ['Conv2d', { in_channels: 1, out_channels: 4, kernel_size: 3, padding: 1, bias: false }], ['BatchNorm2d', { num_features: 4 }], ['ReLU', {}],
      ['AdaptiveAvgPool2d', { output_size: 1 }], ['Flatten', {}], ['Linear', { in_features: 4, out_features: 3 }],
    ],
  }));
});

const tiny = ['--model', 'tiny.normlab-model.json', '--data', 'tiny.npz', '--train-size', '40', '--val-size', '12', '--epochs', '2'];

test('runs every run in worker threads and writes results.json and results.csv', () => {
  const r = run('custom', ...tiny, '--batch-sizes', '8,4', '--methods', 'bn,gn:2', '--workers', '2', '--out', 'out', '--json');
  assert.equal(r.status, 0, r.stderr);
  const results = parseResults(JSON.parse(r.stdout));
  assert.deepEqual(results.runs.map((x) => [x.label, x.status, x.epochs.length]), [
    ['BN · B=8', 'done', 2], ['BN · B=4', 'done', 2], ['GN (G=2) · B=8', 'done', 2], ['GN (G=2) · B=4', 'done', 2],
  ]);
  assert.deepEqual(results.data, { ...results.data, name: 'tiny.npz', trainSize: 40, valSize: 12 });
  assert.ok(results.data.standardized && results.data.standardized.std > 0);
  assert.equal(results.runs[1].lr, 0.1 * 4 / 32);
  assert.deepEqual(JSON.parse(readFileSync(path.join(dir, 'out', 'results.json'), 'utf8')), JSON.parse(r.stdout));
  assert.equal(readFileSync(path.join(dir, 'out', 'results.csv'), 'utf8').trim().split('\n').length, 1 + 8);
  assert.match(r.stderr, /^normlab experiment custom: 4 runs on 2 worker\(s\), 40 training \/ 12 validation samples of tiny\.npz$/m);
  assert.match(r.stderr, /GN \(G=2\) · B=4: done, val error/);
});

test('a bad config is one normlab: line and exit 2, before any run', () => {
  for (const [args, message] of [
    [['fig1', '--methods', 'bn,xn'], /^normlab: --methods: unknown method 'xn'/],
    [['custom', ...tiny, '--batch-sizes', '64'], /^normlab: batch size 64 is larger than the training data \(40 samples\)$/],
    [['custom', ...tiny, '--methods', 'gn:3'], /^normlab: GN \(G=3\): num_groups 3 does not divide num_channels 4 \(layer 1\)$/],
    [['custom', ...tiny, '--train-size', '59'], /^normlab: training size 59 is larger than the data \(48 samples after holding out 12 for validation\)$/],
    [['fig2'], /^normlab: experiment: expected a preset \(fig1, curves, groups, custom\), got 'fig2'$/],
  ] as [string[], RegExp][]) {
    const r = run(...args, '--out', 'never');
    assert.equal(r.status, 2, `${args.join(' ')}: exit code (stderr: ${r.stderr})`);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
    assert.match(lines[0], message);
  }
  assert.ok(!existsSync(path.join(dir, 'never')), 'no output folder for a refused config');
});

test('--export-torch writes train.py instead of running', () => {
  const r = run('fig1', ...tiny, '--methods', 'bn,gn:2', '--export-torch', 'train.py');
  assert.equal(r.status, 0, r.stderr);
  const py = readFileSync(path.join(dir, 'train.py'), 'utf8');
  assert.match(py, /^#!\/usr\/bin\/env python3/);
  assert.ok(py.includes(path.join(dir, 'tiny.npz')), 'the data path, absolute');
});
