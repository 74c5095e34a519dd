// Every playground string (webview table and host l10n.t calls) is in both bundles, with the same placeholders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLAYGROUND_STRINGS } from '../../../src/protocol/playgroundStrings';

const root = join(import.meta.dirname, '..', '..', '..');
const bundle = (name: string): Record<string, string> => JSON.parse(readFileSync(join(root, 'l10n', name), 'utf8'));
const placeholders = (s: string) => [...s.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();

/** The t('...') keys used in the webview sources and the l10n.t('...') keys of the panel. */
function usedStrings(): string[] {
  const out: string[] = [];
  const webview = join(root, 'src/webview/playground');
  for (const f of readdirSync(webview).filter((name) => name.endsWith('.ts'))) {
    for (const m of readFileSync(join(webview, f), 'utf8').matchAll(/\bt\('((?:[^'\\]|\\.)*)'/g)) out.push(m[1].replace(/\\(.)/g, '$1'));
  }
  for (const m of readFileSync(join(root, 'src/extension/playgroundPanel.ts'), 'utf8').matchAll(/l10n\.t\('((?:[^'\\]|\\.)*)'/g)) out.push(m[1].replace(/\\(.)/g, '$1'));
  return out;
}

test('the webview string table lists every t() key of the webview', () => {
  const host = readFileSync(join(root, 'src/extension/playgroundPanel.ts'), 'utf8');
  const webviewKeys = usedStrings().filter((k) => !host.includes(`l10n.t('${k.replace(/'/g, "\\'")}'`));
  assert.deepEqual(webviewKeys.filter((k) => !PLAYGROUND_STRINGS.includes(k)), []);
});

test('English and Simplified Chinese bundles have every playground string with its placeholders', () => {
  const en = bundle('bundle.l10n.json');
  const zh = bundle('bundle.l10n.zh-cn.json');
  const keys = [...new Set([...PLAYGROUND_STRINGS, ...usedStrings()])];
  assert.deepEqual(keys.filter((k) => !(k in en)), [], 'missing in bundle.l10n.json');
  assert.deepEqual(keys.filter((k) => !(k in zh)), [], 'missing in bundle.l10n.zh-cn.json');
  for (const k of keys) assert.deepEqual(placeholders(zh[k]), placeholders(k), `"${k}" -> "${zh[k]}"`);
  assert.equal(zh['Compare'], '对比');
});
