import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { expandGrid } from '../../../src/experiments/grid';
import { preset } from '../../../src/experiments/presets';
import { CSV_COLUMNS, experimentFolderName, meanStd, newResults, parseConfig, parseResults, resultsCsv, resultsJson, summarize } from '../../../src/experiments/results';

const data = { name: 'Fashion-MNIST subset (bundled)', trainSize: 4000, valSize: 1000, standardized: { mean: 0.286, std: 0.353 } };

function finished() {
  const c = { ...preset('fig1'), seeds: 2, epochs: 2 };
  const r = newResults(c, expandGrid(c), data, 'normlab test', new Date('2026-12-02T01:02:03Z'));
  r.runs.forEach((run, i) => {
    run.status = 'done';
    run.seconds = 3;
    run.epochs = [1, 2].map((epoch) => ({ epoch, train_loss: 1 / epoch, train_error: 0.3, val_loss: 0.9, val_error: (10 + i) / 100, seconds: 1.5 }));
  });
  return r;
}

test('newResults: every run pending, the config, model and data description kept', () => {
  const c = preset('fig1');
  const r = newResults(c, expandGrid(c), data, 'normlab 0.2.0', new Date('2026-12-02T01:02:03Z'));
  assert.equal(r.format, 'normlab-experiment');
  assert.equal(r.created, '2026-12-02T01:02:03.000Z');
  assert.equal(r.runs.length, 10);
  assert.deepEqual(r.runs[9], { index: 9, label: 'GN (G=8) · B=2', method: 'gn', groups: 8, channels_per_group: null, batch_size: 2, seed: 0, lr: 0.00625, status: 'pending', epochs: [], seconds: 0 });
  assert.deepEqual(r.data.standardized, data.standardized);
  assert.deepEqual(parseResults(JSON.parse(resultsJson(r))), r);
});

test('results.json round-trips; a diverged NaN is written as null', () => {
  const r = finished();
  assert.deepEqual(parseResults(JSON.parse(resultsJson(r))), r);
  r.runs[0].epochs[1].val_loss = NaN;
  assert.equal(JSON.parse(resultsJson(r)).runs[0].epochs[1].val_loss, null);
});

test('parseResults names the first wrong field', () => {
  const good = () => JSON.parse(resultsJson(finished()));
  assert.throws(() => parseResults([]), { message: 'results.json: the file: expected a JSON object, found []' });
  assert.throws(() => parseResults({ ...good(), format: 'x' }), { message: 'results.json: format: expected "normlab-experiment", found "x"' });
  const a = good();
  a.runs[3].epochs[1].epoch = 5;
  assert.throws(() => parseResults(a), { message: 'results.json: runs[3].epochs[1].epoch: expected 2, found 5' });
  const b = good();
  b.runs[1].method = 'xn';
  assert.throws(() => parseResults(b), /runs\[1\]\.method: expected bn \| gn \| ln \| in, found "xn"/);
  const d = good();
  d.data.standardized = { mean: 1 };
  assert.throws(() => parseResults(d), /data.standardized/);
});

test('results.csv: a header and one row per run and epoch; cells with commas are quoted', () => {
  const r = finished();
  r.runs[0].label = 'BN, "odd" · B=32';
  r.runs[1].epochs = [];
  r.runs[1].status = 'cancelled';
  const lines = resultsCsv(r).trimEnd().split('\n');
  assert.equal(lines[0], CSV_COLUMNS.join(','));
  assert.equal(lines.length, 1 + 19 * 2 + 1);
  assert.equal(lines[1], '0,"BN, ""odd"" · B=32",bn,,,32,0,0.1,done,1,1,0.3,0.9,0.1,1.5');
  assert.equal(lines[3], '1,BN · B=32 · seed 1,bn,,,32,1,0.1,cancelled,,,,,,');
  assert.equal(lines.at(-1), '19,GN (G=8) · B=2 · seed 1,gn,8,,2,1,0.00625,done,2,0.5,0.3,0.9,0.29,1.5');
});

test('summarize: mean ± std over seeds per method and batch size, finished runs only', () => {
  const r = finished();
  r.runs[1].status = 'failed';
  const s = summarize(r);
  assert.equal(s.length, 10);
  assert.deepEqual(s[0], { key: 'BN · B=32', method: 'bn', batchSize: 32, groups: null, channelsPerGroup: null, mean: 10, std: 0, n: 1 });
  const gn2 = s.find((x) => x.key === 'GN (G=8) · B=2')!;
  assert.equal(gn2.n, 2);
  assert.ok(Math.abs(gn2.mean - 28.5) < 1e-9);
  assert.ok(Math.abs(gn2.std - Math.SQRT1_2) < 1e-9);
});

test('meanStd is the sample mean and std (property)', () => {
  fc.assert(fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 2, maxLength: 20 }), (xs) => {
    const { mean, std } = meanStd(xs);
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(Math.abs(mean - m) <= 1e-9 * (1 + Math.abs(m)));
    assert.ok(std >= 0);
    const shifted = meanStd(xs.map((x) => x + 5));
    assert.ok(Math.abs(shifted.std - std) <= 1e-6 * (1 + std));
  }));
});

test('folder names and parseConfig', () => {
  assert.equal(experimentFolderName('fig1', new Date('2026-12-02T01:02:03Z')), 'fig1-20261202-010203');
  const c = preset('curves');
  assert.deepEqual(parseConfig(JSON.parse(JSON.stringify(c))), c);
  assert.throws(() => parseConfig({ ...c, epochs: 'x' }), { message: 'config: epochs: expected a number, found "x"' });
  assert.throws(() => parseConfig({ ...c, data: { train: { kind: 'csv' }, val: null } }), /config: data: expected/);
  assert.throws(() => parseConfig({ ...c, model: { input_shape: [1], layers: [['ReLU']] } }), /model.layers\[0\]/);
});
