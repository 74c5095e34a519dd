import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatNorms, parseNorms } from '../../../src/experiments/grid';
import { preset } from '../../../src/experiments/presets';
import { parseExperimentsMessage, type PanelConfig } from '../../../src/protocol/experiments';

const panelConfig = (): PanelConfig => ({ ...preset('fig1'), data: { train: { kind: 'bundled' }, val: { kind: 'bundled' } } });

test('valid requests pass with their params', () => {
  assert.deepEqual(parseExperimentsMessage({ type: 'ready' }), { type: 'ready' });
  const start = parseExperimentsMessage({ type: 'start', id: 3, params: { config: panelConfig() } });
  assert.equal(start.type, 'start');
  assert.deepEqual(parseExperimentsMessage({ type: 'cancel', id: 4, params: { index: null } }), { type: 'cancel', id: 4, params: { index: null } });
  assert.deepEqual(parseExperimentsMessage({ type: 'openPast', id: 5, params: { folder: 'fig1-20261202-010203' } }), { type: 'openPast', id: 5, params: { folder: 'fig1-20261202-010203' } });
  const c = panelConfig();
  c.data.train = { kind: 'file', token: '1-abc', label: 'data/my.npz' };
  assert.doesNotThrow(() => parseExperimentsMessage({ type: 'exportTorch', id: 6, params: { config: c } }));
  // folder null: beside the results.json the host shows (the webview names no path).
  assert.deepEqual(parseExperimentsMessage({ type: 'savePng', id: 7, params: { folder: null, name: 'val-error', png: 'iVBORw0=' } }), { type: 'savePng', id: 7, params: { folder: null, name: 'val-error', png: 'iVBORw0=' } });
  // After a reload: the outside results.json the host kept; whatever the webview adds (a path) is dropped.
  assert.deepEqual(parseExperimentsMessage({ type: 'openShownFile', id: 8, params: { uri: 'file:///etc/passwd' } }), { type: 'openShownFile', id: 8, params: {} });
});

test('a hostile or broken webview message is refused naming the field', () => {
  assert.throws(() => parseExperimentsMessage({ type: 'rm', id: 1 }), /message.type: expected one of/);
  assert.throws(() => parseExperimentsMessage({ type: 'openPast', id: 1, params: { folder: '../../etc' } }), /openPast.folder: expected an experiment folder name/);
  assert.throws(() => parseExperimentsMessage({ type: 'savePng', id: 1, params: { folder: 'fig1-20261202-010203', name: '../x', png: 'iVBO' } }), /savePng.name/);
  assert.throws(() => parseExperimentsMessage({ type: 'savePng', id: 1, params: { folder: '../torch-out', name: 'x', png: 'iVBO' } }), /savePng.folder: expected an experiment folder name/);
  assert.throws(() => parseExperimentsMessage({ type: 'start', id: 1, params: { config: { ...panelConfig(), seeds: 1000 } } }), /config.seeds: expected at most 10/);
  assert.throws(() => parseExperimentsMessage({ type: 'start', id: 1, params: { config: { ...panelConfig(), data: { train: { kind: 'file', path: '/etc/passwd' }, val: null } } } }), /config.data.train.token/);
  assert.throws(() => parseExperimentsMessage({ type: 'start', id: 1, params: { config: { ...panelConfig(), epochs: '3' } } }), /epochs: expected a number/);
  assert.throws(() => parseExperimentsMessage({ type: 'cancel', id: -1, params: { index: 0 } }), /message.id/);
});

test('norms as text: the CLI\'s --methods and the panel\'s field', () => {
  assert.deepEqual(parseNorms('bn, GN:4, gn/8, ln,in'), [{ method: 'bn' }, { method: 'gn', groups: 4 }, { method: 'gn', channelsPerGroup: 8 }, { method: 'ln' }, { method: 'in' }]);
  assert.equal(parseNorms('bn, xn'), 'xn');
  assert.equal(parseNorms('bn:4'), 'bn:4');
  assert.equal(formatNorms([{ method: 'bn' }, { method: 'gn' }, { method: 'gn', channelsPerGroup: 2 }]), 'bn, gn:8, gn/2');
});
