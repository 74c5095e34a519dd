// The feature-scaling webview's messages: every field checked, errors that name the field; and its strings, in
// English and Simplified Chinese with the same placeholders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFeatureScalingMessage } from '../../../src/protocol/featureScaling';
import { FEATURE_SCALING_STRINGS } from '../../../src/protocol/featureScalingStrings';

const token = '0123456789abcdef0123456789abcdef';
const columns = (params: Record<string, unknown>) => ({ type: 'columns', id: 3, params: { token, x1: 0, x2: 1, target: null, ...params } });

test('valid messages pass through unchanged', () => {
  assert.deepEqual(parseFeatureScalingMessage({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parseFeatureScalingMessage({ type: 'pickFile', id: 1, params: {} }), { type: 'pickFile', id: 1, params: {} });
  assert.deepEqual(parseFeatureScalingMessage(columns({ target: 4 })), { type: 'columns', id: 3, params: { token, x1: 0, x2: 1, target: 4 } });
});

test('bad messages are refused with the field, what was expected and what was found', () => {
  const cases: [unknown, RegExp][] = [
    [null, /^message: expected an object, got null$/],
    [{ type: 'readFile' }, /^message.type: expected one of 'ready', 'pickFile', 'columns', got "readFile"$/],
    [{ type: 'pickFile', id: -1, params: {} }, /^pickFile.id: expected an integer from 0 to \d+, got -1$/],
    [{ type: 'pickFile', id: 1 }, /^pickFile.params: expected an object, got undefined$/],
    [columns({ token: '/etc/passwd' }), /^columns.token: expected the token the host gave for the picked file \(32 hex digits\), got "\/etc\/passwd"$/],
    [columns({ x1: 1.5 }), /^columns.x1: expected an integer from 0 to \d+, got 1.5$/],
    [columns({ x2: '1' }), /^columns.x2: expected an integer from 0 to \d+, got "1"$/],
    [columns({ x2: 0 }), /^columns.x2: expected a column other than x1's \(0\), got the same$/],
    [columns({ target: -2 }), /^columns.target: expected an integer from 0 to \d+, got -2$/],
  ];
  for (const [raw, message] of cases) assert.throws(() => parseFeatureScalingMessage(raw), (e: Error) => e.name === 'ValidationError' && message.test(e.message), JSON.stringify(raw));
});

const root = join(import.meta.dirname, '..', '..', '..');
const bundle = (name: string): Record<string, string> => JSON.parse(readFileSync(join(root, 'l10n', name), 'utf8'));
const placeholders = (s: string) => [...s.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();
const literalKeys = (file: string, call: RegExp) => [...readFileSync(join(root, file), 'utf8').matchAll(call)].map((m) => m[1].replace(/\\(.)/g, '$1'));

test('every t() key of the webview is in the strings table; every string is in both bundles with its placeholders', () => {
  const used = literalKeys('src/webview/featureScaling/app.ts', /\bt\('((?:[^'\\]|\\.)*)'/g);
  assert.deepEqual(used.filter((k) => !FEATURE_SCALING_STRINGS.includes(k)), []);
  const host = literalKeys('src/extension/featureScalingPanel.ts', /l10n\.t\('((?:[^'\\]|\\.)*)'/g);
  assert.ok(host.length >= 4);
  const en = bundle('bundle.l10n.json');
  const zh = bundle('bundle.l10n.zh-cn.json');
  for (const k of [...FEATURE_SCALING_STRINGS, ...host]) {
    assert.ok(k in en, `missing in bundle.l10n.json: ${k}`);
    assert.ok(k in zh, `missing in bundle.l10n.zh-cn.json: ${k}`);
    assert.deepEqual(placeholders(zh[k]), placeholders(k), `"${k}" -> "${zh[k]}"`);
  }
  assert.equal(zh['Standardized'], '标准化');
  const nls = JSON.parse(readFileSync(join(root, 'package.nls.zh-cn.json'), 'utf8'));
  assert.equal(nls['cmd.openFeatureScaling'], '为什么要归一化？（特征缩放）');
});
