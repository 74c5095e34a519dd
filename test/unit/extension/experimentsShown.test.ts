import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseShownRecord, showsAlready } from '../../../src/extension/experimentsShown';

const outside = 'file:///work/ws/torch-out/results.json';

test('a kept record is read back; a damaged or foreign one gives null', () => {
  assert.deepEqual(parseShownRecord({ kind: 'folder', folder: 'fig1-20261202-010203' }), { kind: 'folder', folder: 'fig1-20261202-010203' });
  assert.deepEqual(parseShownRecord({ kind: 'file', uri: outside }), { kind: 'file', uri: outside });
  for (const bad of [
    undefined, null, 42, 'file:///x/results.json', [], {},
    { kind: 'folder', folder: '../../etc' }, { kind: 'folder', folder: 'fig1' }, { kind: 'folder' },
    { kind: 'file', uri: 'not a uri' }, { kind: 'file', uri: 7 }, { kind: 'file', uri: `file:///${'a'.repeat(9000)}` },
    { kind: 'other', uri: outside },
  ]) assert.equal(parseShownRecord(bad), null, JSON.stringify(bad)?.slice(0, 60));
});

test('the panel shows a results.json already: the same outside file, or the same experiment folder', () => {
  const file = parseShownRecord({ kind: 'file', uri: outside });
  const folder = parseShownRecord({ kind: 'folder', folder: 'fig1-20261202-010203' });
  const inWorkspace = { uri: 'file:///work/ws/.normlab/experiments/fig1-20261202-010203/results.json', folder: 'fig1-20261202-010203' };
  assert.equal(showsAlready(file, { uri: outside, folder: null }), true);
  assert.equal(showsAlready(file, { uri: 'file:///work/ws/other/results.json', folder: null }), false);
  assert.equal(showsAlready(file, inWorkspace), false);
  assert.equal(showsAlready(folder, inWorkspace), true);
  assert.equal(showsAlready(folder, { ...inWorkspace, folder: 'fig1-20261202-010204', uri: inWorkspace.uri.replace('010203', '010204') }), false);
  assert.equal(showsAlready(folder, { uri: outside, folder: null }), false);
  assert.equal(showsAlready(null, { uri: outside, folder: null }), false);
});
