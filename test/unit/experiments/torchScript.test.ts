// The exported train.py runs under PyTorch (where /usr/bin/python3 has torch) and writes results in our schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { preset } from '../../../src/experiments/presets';
import { parseResults } from '../../../src/experiments/results';
import { torchScript } from '../../../src/experiments/torchScript';
import type { ExperimentConfig } from '../../../src/experiments/types';
import { npyBytes as npy, rng } from '../helpers';

const PYTHON = '/usr/bin/python3';

function torchMissing(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} is not available (${r.error.message})`;
  return r.status === 0 ? null : `${PYTHON} has no torch/numpy (${r.stderr.trim().split('\n').at(-1)})`;
}

/** An .npz with uint8 x (N, 8, 8) and int64 y (N,) in [0, 3). */
function tinyNpz(path: string, n: number, seed: number): void {
  const r = rng(seed);
  const x = new Uint8Array(n * 64).map(() => Math.floor(r() * 256));
  const y = new BigInt64Array(n).map(() => BigInt(Math.floor(r() * 3)));
  writeFileSync(path, zipSync({ 'x.npy': npy('|u1', [n, 8, 8], x), 'y.npy': npy('<i8', [n], new Uint8Array(y.buffer)) }));
}

const tinyConfig = (): ExperimentConfig => ({
  ...preset('custom'),
  model: {
    input_shape: [1, 8, 8],
    layers: [
      ['Conv2d', { in_channels: 1, out_channels: 4, kernel_size: 3, padding: 1, bias: false }],
      ['BatchNorm2d', { num_features: 4 }], ['ReLU', {}], ['AdaptiveAvgPool2d', { output_size: 1 }], ['Flatten', {}],
      ['Linear', { in_features: 4, out_features: 3 }],
    ],
  },
  norms: [{ method: 'bn' }, { method: 'gn', groups: 2 }],
  batchSizes: [8, 4], epochs: 2, trainSize: 41, valSize: 12, schedule: { kind: 'cosine' }, warmupEpochs: 1,
  data: { train: { kind: 'npz', path: 'train.npz' }, val: { kind: 'npz', path: 'val.npz' } },
});

test('the script embeds the run grid with each run\'s nn.Sequential spec', () => {
  const py = torchScript(tinyConfig(), { pathOf: (s) => ({ images: s.kind === 'npz' ? `/data/${s.path}` : '' }), dataName: 'tiny' });
  assert.match(py, /^#!\/usr\/bin\/env python3/);
  assert.match(py, /nn\.Sequential\(\*\[getattr\(nn, name\)\(\*\*kwargs\) for name, kwargs in run\["model"\]\["layers"\]\]\)/);
  const json = JSON.parse(/EXPERIMENT = json\.loads\(r"""([\s\S]*?)"""\)/.exec(py)![1]);
  assert.equal(json.runs.length, 4);
  assert.deepEqual(json.runs[2].model.layers[1], ['GroupNorm', { num_groups: 2, num_channels: 4 }]);
  assert.equal(json.runs[1].lr, 0.1 * 4 / 32);
  assert.equal(json.train.path, '/data/train.npz');
  assert.throws(() => torchScript({ ...tinyConfig(), norms: [{ method: 'gn', groups: 3 }] }, { pathOf: () => ({ images: '' }), dataName: '' }), /does not divide/);
});

test('train.py runs with PyTorch on a tiny config and writes results.json in the same schema', (t) => {
  const missing = torchMissing();
  if (missing) {
    console.log(`# skipped: ${missing}`);
    t.skip(missing);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'normlab-torch-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  tinyNpz(join(dir, 'train.npz'), 50, 1);
  tinyNpz(join(dir, 'val.npz'), 12, 2);
  const script = join(dir, 'train.py');
  writeFileSync(script, torchScript(tinyConfig(), { pathOf: (s) => ({ images: s.kind === 'npz' ? join(dir, s.path) : '' }), dataName: 'tiny' }));
  const r = spawnSync(PYTHON, [script, '--out', join(dir, 'out')], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /GN \(G=2\) · B=4: epoch 2\/2/);
  const results = parseResults(JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8')));
  assert.match(results.engine, /^pytorch 1\./);
  assert.equal(results.runs.length, 4);
  assert.deepEqual(results.runs.map((run) => [run.status, run.batch_size, run.epochs.length]), [['done', 8, 2], ['done', 4, 2], ['done', 8, 2], ['done', 4, 2]]);
  assert.equal(results.data.trainSize, 41);
  assert.equal(results.data.valSize, 12);
  assert.ok(results.data.standardized && results.data.standardized.std > 0);
  for (const run of results.runs) for (const e of run.epochs) assert.ok(e.val_error !== null && e.val_error >= 0 && e.val_error <= 1);
  const csv = readFileSync(join(dir, 'out', 'results.csv'), 'utf8').trimEnd().split('\n');
  assert.equal(csv.length, 1 + 8);
  assert.match(csv[0], /^run,label,method,groups,channels_per_group,batch_size/);
});
