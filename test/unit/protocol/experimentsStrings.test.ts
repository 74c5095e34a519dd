// Every experiments-panel string (the webview's t() keys and the panel's l10n.t calls) is in both bundles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXPERIMENTS_STRINGS } from '../../../src/protocol/experimentsStrings';

const root = join(import.meta.dirname, '..', '..', '..');
const read = (f: string) => readFileSync(join(root, f), 'utf8');
const bundle = (name: string): Record<string, string> => JSON.parse(read(join('l10n', name)));
const placeholders = (s: string) => [...s.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();
const keys = (text: string, re: RegExp) => [...text.matchAll(re)].map((m) => m[1].replace(/\\(.)/g, '$1'));

const webviewKeys = keys(read('src/webview/experiments/app.ts'), /\bt\('((?:[^'\\]|\\.)*)'/g);
const hostKeys = keys(read('src/extension/experimentsPanel.ts'), /l10n\.t\('((?:[^'\\]|\\.)*)'/g);

test('the string table lists every t() key of the webview', () => {
  assert.ok(webviewKeys.length > 40);
  assert.deepEqual(webviewKeys.filter((k) => !EXPERIMENTS_STRINGS.includes(k)), []);
});

test('English and Simplified Chinese bundles have every experiments string with its placeholders', () => {
  const en = bundle('bundle.l10n.json');
  const zh = bundle('bundle.l10n.zh-cn.json');
  const all = [...new Set([...EXPERIMENTS_STRINGS, ...hostKeys])];
  assert.deepEqual(all.filter((k) => !(k in en)), [], 'missing in bundle.l10n.json');
  assert.deepEqual(all.filter((k) => !(k in zh)), [], 'missing in bundle.l10n.zh-cn.json');
  for (const k of all) assert.deepEqual(placeholders(zh[k]), placeholders(k), `"${k}" -> "${zh[k]}"`);
  assert.equal(zh['NormLab Experiments'], 'NormLab 实验');
  assert.equal(JSON.parse(read('package.nls.zh-cn.json'))['cmd.openExperiments'], '打开实验');
});
