// Every UI string of the tensor viewer and the host has a Simplified Chinese translation with the same placeholders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EDITOR_STRINGS } from '../../../src/protocol/editor';

const root = join(import.meta.dirname, '..', '..', '..');
const zh: Record<string, string> = JSON.parse(readFileSync(join(root, 'l10n', 'bundle.l10n.zh-cn.json'), 'utf8'));
const placeholders = (s: string) => [...s.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();

/** The playground's host files keep their own strings (and their own check). */
const OTHERS = ['extension/playgroundPanel.ts', 'jobs/playground.ts', 'extension/parallelNormalize.ts'];

function hostStrings(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !OTHERS.some((o) => p.replaceAll('\\', '/').endsWith(o))) {
        for (const m of readFileSync(p, 'utf8').matchAll(/l10n\.t\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")/g)) out.push((m[1] ?? m[2]).replace(/\\(.)/g, '$1'));
      }
    }
  };
  walk(join(root, 'src', 'extension'));
  return out;
}

test('zh-cn has every string of the tensor viewer and the extension host', () => {
  const missing = [...EDITOR_STRINGS, ...hostStrings()].filter((k) => !(k in zh));
  assert.deepEqual(missing, []);
});

test('translations keep their placeholders', () => {
  for (const [k, v] of Object.entries(zh)) assert.deepEqual(placeholders(v), placeholders(k), `"${k}" -> "${v}"`);
});
