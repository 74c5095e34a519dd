#!/usr/bin/env node
// `npm run test:unit`: every test/unit/**/*.test.ts under node's test runner (tsx for TypeScript).
// Args narrow the run to files whose path contains one of them (`npm run test:unit -- nn/ formats`).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const unitDir = path.join(root, 'test', 'unit');
const filters = process.argv.slice(2);

function find(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return find(p);
    return e.name.endsWith('.test.ts') ? [path.relative(root, p)] : [];
  });
}

const files = find(unitDir).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))).sort();
if (files.length === 0) {
  console.error(`test:unit: no test file matches ${filters.join(', ') || 'test/unit/**/*.test.ts'}`);
  process.exit(1);
}
// --expose-gc: memory checks (formats/lazy) measure what is held after a full collection.
const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--test', ...files], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
