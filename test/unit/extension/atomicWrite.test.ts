// The extension's writes (src/extension/atomicWrite.ts) over an in-memory file system: the overwrite prompt is
// asked exactly when the target exists, No writes nothing, and a failure leaves no temp file behind.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { writeAtomically, type WriteFs } from '../../../src/extension/atomicWrite';

function memoryFs(failWrite = false) {
  const files = new Map<string, Uint8Array>();
  const fs: WriteFs<string> & { files: Map<string, Uint8Array> } = {
    files,
    exists: async (u) => files.has(u),
    writeFile: async (u, b) => {
      files.set(u, b.slice(0, failWrite ? 1 : b.length)); // a partial temp file, then the failure
      if (failWrite) throw new Error('ENOSPC: no space left on device');
    },
    rename: async (from, to, overwrite) => {
      if (files.has(to) && !overwrite) throw new Error(`EEXIST: ${to}`);
      files.set(to, files.get(from)!);
      files.delete(from);
    },
    delete: async (u) => void files.delete(u),
    sibling: (u, name) => `${u.slice(0, u.lastIndexOf('/') + 1)}${name}`,
    nameOf: (u) => u.slice(u.lastIndexOf('/') + 1),
  };
  return fs;
}

test('a new file is written without asking, through a temp file that does not remain', async () => {
  const fs = memoryFs();
  let asked = 0;
  const r = await writeAtomically(fs, '/w/y.npy', Uint8Array.of(1, 2), { confirmOverwrite: async () => (asked++, true) });
  assert.equal(r, 'written');
  assert.equal(asked, 0);
  assert.deepEqual([...fs.files.keys()], ['/w/y.npy']);
});

test('an existing file: the prompt is asked; No keeps it untouched, Yes replaces it', async () => {
  const fs = memoryFs();
  fs.files.set('/w/y.npy', Uint8Array.of(9));
  assert.equal(await writeAtomically(fs, '/w/y.npy', Uint8Array.of(1), { confirmOverwrite: async () => false }), 'declined');
  assert.deepEqual([...fs.files.get('/w/y.npy')!], [9]);
  assert.equal(await writeAtomically(fs, '/w/y.npy', Uint8Array.of(1), { confirmOverwrite: async () => true }), 'written');
  assert.deepEqual([...fs.files.get('/w/y.npy')!], [1]);
  assert.deepEqual([...fs.files.keys()], ['/w/y.npy']);
});

test('without a prompt (a save dialog confirmed already) an existing file is replaced', async () => {
  const fs = memoryFs();
  fs.files.set('/w/y.npy', Uint8Array.of(9));
  assert.equal(await writeAtomically(fs, '/w/y.npy', Uint8Array.of(5)), 'written');
  assert.deepEqual([...fs.files.get('/w/y.npy')!], [5]);
});

test('a file that appears after the check is not replaced unasked, and a failed write leaves nothing behind', async () => {
  const fs = memoryFs();
  const exists = fs.exists;
  fs.exists = async (u) => {
    const r = await exists(u);
    fs.files.set('/w/y.npy', Uint8Array.of(7)); // another program writes it right after the check
    return r;
  };
  await assert.rejects(writeAtomically(fs, '/w/y.npy', Uint8Array.of(1), { confirmOverwrite: async () => true }), /EEXIST/);
  assert.deepEqual([...fs.files.get('/w/y.npy')!], [7]);
  assert.deepEqual([...fs.files.keys()], ['/w/y.npy']);
  const full = memoryFs(true);
  await assert.rejects(writeAtomically(full, '/w/z.npy', Uint8Array.of(1, 2, 3)), /ENOSPC/);
  assert.deepEqual([...full.files.keys()], []);
});
