import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyNorm, checkDataSizes, expandGrid, normChannels, runLr, validateConfig } from '../../../src/experiments/grid';
import { MINI_CNN, groupsChoices, preset } from '../../../src/experiments/presets';
import { PRESETS, type ExperimentConfig } from '../../../src/experiments/types';

const normsOf = (c: ExperimentConfig, i: number) => expandGrid(c)[i].model.layers.filter(([n]) => /Norm/.test(n));

test('fig1 expands to BN and GN × batch 32, 16, 8, 4, 2 with lr = base · B / 32', () => {
  const c = preset('fig1');
  const runs = expandGrid(c);
  assert.equal(runs.length, 10);
  assert.deepEqual(runs.map((r) => `${r.method}${r.batchSize}`), ['bn32', 'bn16', 'bn8', 'bn4', 'bn2', 'gn32', 'gn16', 'gn8', 'gn4', 'gn2']);
  for (const r of runs) assert.equal(r.lr, (c.lr * r.batchSize) / 32);
  assert.deepEqual(runs.map((r) => r.index), [...runs.keys()]);
  assert.equal(runs[0].label, 'BN · B=32');
  assert.equal(runs[5].label, 'GN (G=8) · B=32');
  assert.deepEqual(normsOf(c, 0).map(([n, kw]) => [n, kw.num_features]), [['BatchNorm2d', 16], ['BatchNorm2d', 32], ['BatchNorm2d', 64]]);
  assert.deepEqual(normsOf(c, 5).map(([n, kw]) => [n, kw.num_groups, kw.num_channels]), [['GroupNorm', 8, 16], ['GroupNorm', 8, 32], ['GroupNorm', 8, 64]]);
});

test('LN is GroupNorm(1, C) and IN is GroupNorm(C, C); other layers are untouched', () => {
  const c = preset('curves');
  const runs = expandGrid(c);
  assert.deepEqual(runs.map((r) => r.method), ['bn', 'ln', 'in', 'gn']);
  assert.deepEqual(runs[1].model.layers[5], ['GroupNorm', { num_groups: 1, num_channels: 32 }]);
  assert.deepEqual(runs[2].model.layers[9], ['GroupNorm', { num_groups: 64, num_channels: 64 }]);
  assert.deepEqual(runs[2].groups, 16);
  assert.deepEqual(runs[0].model.layers[0], MINI_CNN.layers[0]);
  assert.equal(runs[0].model.layers.length, MINI_CNN.layers.length);
});

test('seeds multiply the grid and appear in the label', () => {
  const c = { ...preset('fig1'), seeds: 3 };
  const runs = expandGrid(c);
  assert.equal(runs.length, 30);
  assert.deepEqual(runs.slice(0, 3).map((r) => r.seed), [0, 1, 2]);
  assert.equal(runs[2].label, 'BN · B=32 · seed 2');
});

test('groups preset: G = 1..16 and 1..16 channels per group, as the widths allow', () => {
  const runs = expandGrid(preset('groups'));
  assert.deepEqual(runs.map((r) => r.label), [
    'GN (G=1) · B=32', 'GN (G=2) · B=32', 'GN (G=4) · B=32', 'GN (G=8) · B=32', 'GN (G=16) · B=32',
    'GN (1 ch/group) · B=32', 'GN (2 ch/group) · B=32', 'GN (4 ch/group) · B=32', 'GN (8 ch/group) · B=32', 'GN (16 ch/group) · B=32',
  ]);
  // 4 channels per group: G = 4, 8, 16 for widths 16, 32, 64
  assert.deepEqual(runs[7].model.layers.filter(([n]) => n === 'GroupNorm').map(([, kw]) => kw.num_groups), [4, 8, 16]);
  const narrow = { input_shape: [1, 8, 8], layers: [['Conv2d', { in_channels: 1, out_channels: 4, kernel_size: 3 }], ['BatchNorm2d', { num_features: 4 }]] } as ExperimentConfig['model'];
  assert.deepEqual(groupsChoices(narrow).map((n) => n.groups ?? `${n.channelsPerGroup}c`), [1, 2, 4, 8, 16, '1c', '2c', '4c']);
});

test('GN uses min(G, C); groups that do not divide channels are one clear error before any run', () => {
  const m = applyNorm(MINI_CNN, { method: 'gn', groups: 32 });
  assert.deepEqual(m.layers.filter(([n]) => n === 'GroupNorm').map(([, kw]) => kw.num_groups), [16, 32, 32]);
  assert.throws(() => expandGrid({ ...preset('custom'), norms: [{ method: 'gn', groups: 3 }] }), {
    name: 'ValidationError', message: 'GN (G=3): num_groups 3 does not divide num_channels 16 (layer 1)',
  });
  assert.throws(() => validateConfig({ ...preset('custom'), norms: [{ method: 'gn', channelsPerGroup: 3 }] }), /layer 1 has 16 channels, which 3 channels per group do not divide/);
});

test('bad configs: unknown method, batch larger than the data, no norm layer, bad numbers', () => {
  const c = preset('custom');
  assert.throws(() => validateConfig({ ...c, norms: [{ method: 'xn' as never }] }), { message: "unknown method 'xn' (expected one of bn, gn, ln, in)" });
  assert.throws(() => validateConfig({ ...c, trainSize: 20, batchSizes: [32] }), { message: 'batch size 32 is larger than the training data (20 samples)' });
  assert.throws(() => validateConfig({ ...c, model: { input_shape: [4], layers: [['Linear', { in_features: 4, out_features: 2 }]] } }), /no normalization layer/);
  assert.throws(() => validateConfig({ ...c, epochs: 0 }), /epochs, found 0/);
  assert.throws(() => validateConfig({ ...c, lr: -1 }), /positive learning rate, found -1/);
  assert.throws(() => validateConfig({ ...c, batchSizes: [] }), /at least one batch size/);
  assert.throws(() => validateConfig({ ...c, warmupEpochs: 3, epochs: 3 }), /warm-up/);
  assert.throws(() => validateConfig({ ...c, schedule: { kind: 'step', milestones: [9] }, epochs: 3 }), /milestones between 1 and 3, found 9/);
  for (const p of PRESETS) assert.doesNotThrow(() => validateConfig(preset(p)));
});

test('data sizes are checked against what the files hold', () => {
  const c = { ...preset('custom'), trainSize: 100, valSize: 50 };
  assert.doesNotThrow(() => checkDataSizes(c, { train: 100, val: 50 }));
  assert.throws(() => checkDataSizes(c, { train: 99, val: 50 }), { message: 'training size 100 is larger than the data (99 samples)' });
  assert.throws(() => checkDataSizes(c, { train: 100, val: 10 }), /validation size 50 is larger than the validation data \(10 samples\)/);
  assert.throws(() => checkDataSizes(c, { train: 120, val: null }), /larger than the data \(70 samples after holding out 50/);
  assert.doesNotThrow(() => checkDataSizes(c, { train: 150, val: null }));
});

test('runLr and normChannels', () => {
  assert.equal(runLr({ lr: 0.1, scaleLrByBatch: true }, 2), 0.00625);
  assert.equal(runLr({ lr: 0.1, scaleLrByBatch: false }, 2), 0.1);
  assert.deepEqual(normChannels(MINI_CNN).map((n) => n.channels), [16, 32, 64]);
  // presets are fresh copies
  const a = preset('fig1');
  a.batchSizes.push(1);
  a.model.layers.pop();
  assert.deepEqual(preset('fig1').batchSizes, [32, 16, 8, 4, 2]);
  assert.equal(preset('fig1').model.layers.length, 14);
});
