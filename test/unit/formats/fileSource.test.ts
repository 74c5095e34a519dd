// openFileSource refuses anything but a regular file BEFORE opening it (a FIFO's open blocks until a writer comes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileSource } from '../../../src/formats/fileSource';

const dir = mkdtempSync(join(tmpdir(), 'normlab-filesource-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('a FIFO is refused at once, with what was expected and what was found', async (t) => {
  if (process.platform === 'win32') return t.skip('no FIFOs on Windows');
  const path = join(dir, 'x.npy');
  if (spawnSync('mkfifo', [path]).status !== 0) return t.skip('mkfifo is not available');
  const t0 = Date.now();
  await assert.rejects(openFileSource(path), { name: 'FormatError', message: `expected a regular file, found a named pipe (FIFO): ${path}` });
  assert.ok(Date.now() - t0 < 1000);
});

test('a directory, a character device and a missing file are refused by name', async () => {
  const sub = join(dir, 'folder.npy');
  mkdirSync(sub);
  await assert.rejects(openFileSource(sub), { message: `expected a regular file, found a directory: ${sub}` });
  if (process.platform !== 'win32') await assert.rejects(openFileSource('/dev/zero'), { message: 'expected a regular file, found a character device: /dev/zero' });
  await assert.rejects(openFileSource(join(dir, 'nope.npy')), { message: /^no such file: / });
});

test('a regular file opens and reads by position', async () => {
  const path = join(dir, 'r.bin');
  writeFileSync(path, Uint8Array.from([1, 2, 3, 4, 5]));
  const src = await openFileSource(path);
  try {
    assert.equal(src.size, 5);
    assert.deepEqual([...(await src.read(1, 3))], [2, 3, 4]);
  } finally {
    await src.close();
  }
});
