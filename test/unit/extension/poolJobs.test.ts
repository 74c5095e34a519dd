// The real job handlers, run through the pool in worker threads, on files written to a temp folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeNpy } from '../../../src/formats/npy';
import { normalize } from '../../../src/kernels/normalize';
import { summarize } from '../../../src/kernels/summary';
import { WorkerPool } from '../../../src/extension/pool';
import type { FileRef } from '../../../src/protocol/worker';

const workerFile = fileURLToPath(new URL('./poolRealWorker.mjs', import.meta.url));
let pool: WorkerPool;
let dir: string;
let npy: FileRef;
const shape = [2, 3, 4, 5];
const data = Float32Array.from({ length: 120 }, (_, i) => Math.sin(i) * 3 + (i % 7));

before(() => {
  pool = new WorkerPool({ size: 2, workerFile });
  dir = mkdtempSync(join(tmpdir(), 'normlab-pool-'));
  const path = join(dir, 'x.npy');
  writeFileSync(path, encodeNpy(data, shape));
  npy = { kind: 'path', path, name: 'x.npy' };
});
after(async () => {
  await pool.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('normalize job equals the kernel', async () => {
  const params = { method: 'group' as const, layout: 'NCHW' as const, eps: 1e-5, groups: 3 };
  const r = await pool.run('normalize', { x: data.slice(), shape, params });
  const ref = normalize({ data, shape }, params);
  assert.deepEqual([...r.y], [...ref.y]);
  assert.deepEqual([...r.stats.mean], [...ref.stats.mean]);
});

test('kernel errors come back typed', async () => {
  await assert.rejects(
    pool.run('normalize', { x: new Float32Array(6), shape: [2, 3], params: { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 2 } }),
    { name: 'NormError', message: /divisible/ },
  );
});

test('fileList, fileStats and readTensor on a local .npy', async () => {
  const list = await pool.run('fileList', { file: npy });
  assert.equal(list.format, 'npy');
  assert.equal(list.tensors.length, 1);
  assert.deepEqual(list.tensors[0].shape, shape);
  assert.equal(list.tensors[0].dtype, 'float32');
  const name = list.tensors[0].name;
  const seen: number[] = [];
  const st = await pool.run('fileStats', { file: npy, tensor: name, bins: 8 }, { onProgress: (f) => seen.push(f) });
  const ref = summarize(data);
  assert.equal(st.summary.count, 120);
  assert.ok(Math.abs(st.summary.mean! - ref.mean!) < 1e-12);
  assert.equal(st.histogram.counts.reduce((a, b) => a + b, 0), 120);
  assert.equal(st.histogram.edges.length, 9);
  const rt = await pool.run('readTensor', { file: npy, tensor: name, maxBytes: 1 << 20 });
  assert.deepEqual([...rt.data], [...data]);
  await assert.rejects(pool.run('readTensor', { file: npy, tensor: name, maxBytes: 100 }), { name: 'TooLargeError', message: /above the limit of 100 bytes/ });
});

test('bytes refs in a SharedArrayBuffer work like paths', async () => {
  const bytes = readFileSync(npy.kind === 'path' ? npy.path : '');
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
  shared.set(bytes);
  const list = await pool.run('fileList', { file: { kind: 'bytes', bytes: shared, name: 'x.npy' } });
  assert.deepEqual(list.tensors[0].shape, shape);
});

test('heatmap: a slice of a 4-D tensor, downsampled by block means', async () => {
  const list = await pool.run('fileList', { file: npy });
  const name = list.tensors[0].name;
  const full = await pool.run('heatmap', { file: npy, tensor: name, index: [1, 2], maxSide: 64 });
  assert.equal(full.rows, 4);
  assert.equal(full.cols, 5);
  const off = (1 * 3 + 2) * 20;
  assert.deepEqual([...full.values], [...data.subarray(off, off + 20)]);
  const small = await pool.run('heatmap', { file: npy, tensor: name, index: [0, 0], maxSide: 2 });
  assert.equal(small.rows, 2);
  assert.equal(small.cols, 2);
  assert.ok(Math.abs(small.values[0] - (data[0] + data[1] + data[2] + data[5] + data[6] + data[7]) / 6) < 1e-5);
  await assert.rejects(pool.run('heatmap', { file: npy, tensor: name, index: [2, 0], maxSide: 8 }), { message: /does not fit/ });
});

test('heatmap: a slice in the middle of a tensor, full and downsampled, with progress relative to the slice', async () => {
  const shp = [3, 5, 6, 7];
  const vals = Float32Array.from({ length: 3 * 5 * 6 * 7 }, (_, i) => Math.cos(i * 0.37) * 10 + i / 100);
  const path = join(dir, 'mid.npy');
  writeFileSync(path, encodeNpy(vals, shp));
  const file: FileRef = { kind: 'path', path, name: 'mid.npy' };
  const off = (1 * 5 + 3) * 42;
  const seen: number[] = [];
  const full = await pool.run('heatmap', { file, tensor: 'mid', index: [1, 3], maxSide: 64 }, { onProgress: (f) => seen.push(f) });
  assert.equal(full.rows, 6);
  assert.equal(full.cols, 7);
  assert.deepEqual([...full.values], [...vals.subarray(off, off + 42)]);
  assert.ok(seen.length > 0 && seen.every((f) => f >= 0 && f <= 1), `progress ${seen.join(', ')}`);
  assert.equal(full.min, Math.min(...vals.subarray(off, off + 42)));
  // maxSide 3: rows {0,1}, {2,3}, {4,5}; cols {0,1,2}, {3,4}, {5,6} (cell = floor(i * 3 / 6), floor(j * 3 / 7)).
  const small = await pool.run('heatmap', { file, tensor: 'mid', index: [1, 3], maxSide: 3 });
  assert.equal(small.rows, 3);
  assert.equal(small.cols, 3);
  const want = new Array<number>(9).fill(0);
  const cnt = new Array<number>(9).fill(0);
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j < 7; j++) {
      const cell = Math.floor((i * 3) / 6) * 3 + Math.floor((j * 3) / 7);
      want[cell] += vals[off + i * 7 + j];
      cnt[cell]++;
    }
  }
  for (let c = 0; c < 9; c++) assert.ok(Math.abs(small.values[c] - want[c] / cnt[c]) < 1e-5, `cell ${c}: ${small.values[c]} vs ${want[c] / cnt[c]}`);
});

test('Fortran-order arrays: statistics in storage order, heatmap in logical order', async () => {
  const stored = Float32Array.from({ length: 12 }, (_, i) => i); // column-major (3, 4): element [r, c] = stored[c * 3 + r]
  const bytes = encodeNpy(stored, [3, 4]);
  const header = new TextDecoder('latin1').decode(bytes.subarray(10, 80));
  const at = 10 + header.indexOf("'fortran_order': False,");
  bytes.set(new TextEncoder().encode("'fortran_order': True, "), at);
  const path = join(dir, 'f.npy');
  writeFileSync(path, bytes);
  const file: FileRef = { kind: 'path', path, name: 'f.npy' };
  const st = await pool.run('fileStats', { file, tensor: 'f', bins: 4 });
  assert.equal(st.summary.count, 12);
  assert.equal(st.summary.mean, 5.5);
  const tile = await pool.run('heatmap', { file, tensor: 'f', index: [], maxSide: 8 });
  assert.deepEqual([...tile.values], [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11]);
});

test('a file rewritten between jobs is read anew (the worker keeps the last file open briefly)', async () => {
  const path = join(dir, 'rewritten.npy');
  const file: FileRef = { kind: 'path', path, name: 'rewritten.npy' };
  writeFileSync(path, encodeNpy(new Float32Array(6), [2, 3]));
  const one = new WorkerPool({ size: 1, workerFile });
  try {
    assert.deepEqual((await one.run('fileList', { file })).tensors[0].shape, [2, 3]);
    assert.equal((await one.run('fileStats', { file, tensor: 'rewritten', bins: 2 })).summary.count, 6);
    writeFileSync(path, encodeNpy(new Float32Array(20).fill(1), [4, 5]));
    assert.deepEqual((await one.run('fileList', { file })).tensors[0].shape, [4, 5]);
    assert.equal((await one.run('fileStats', { file, tensor: 'rewritten', bins: 2 })).summary.mean, 1);
  } finally {
    await one.dispose();
  }
});

test('a bad file gives a clear error, not a crash', async () => {
  const path = join(dir, 'bad.npy');
  writeFileSync(path, 'not a tensor');
  await assert.rejects(pool.run('fileList', { file: { kind: 'path', path, name: 'bad.npy' } }), { name: 'FormatError', message: /bad\.npy/ });
  await assert.rejects(pool.run('fileList', { file: { kind: 'path', path: join(dir, 'missing.npy'), name: 'missing.npy' } }), { name: 'FormatError', message: /no such file/ });
});

test('a FIFO named *.npy is refused before it is opened, and the pool keeps serving jobs', async (t) => {
  if (process.platform === 'win32') return t.skip('no FIFOs on Windows');
  const path = join(dir, 'pipe.npy');
  const made = spawnSync('mkfifo', [path]);
  if (made.status !== 0) return t.skip(`mkfifo is not available: ${made.stderr}`);
  const fifo: FileRef = { kind: 'path', path, name: 'pipe.npy' };
  // More jobs than workers: a blocking open would wedge them all (and the process's fs thread pool).
  const results = await Promise.allSettled([1, 2, 3, 4].map(() => pool.run('fileList', { file: fifo }, { stallMs: 5000 })));
  for (const r of results) {
    assert.equal(r.status, 'rejected');
    assert.match(String((r as PromiseRejectedResult).reason), /^FormatError: expected a regular file, found a named pipe \(FIFO\)/);
  }
  assert.equal((await pool.run('fileList', { file: npy })).tensors.length, 1);
});
