// parallelNormalize through the real worker entry (moments/apply jobs) against the reference kernel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { WorkerPool } from '../../src/extension/pool';
import { parallelNormalize, splitRange } from '../../src/extension/parallelNormalize';
import { runApplyPart, runMomentsPart } from '../../src/kernels/fast/parts';
import { normalize, numel, type NormParams, type NormResult } from '../../src/kernels';
import { assertClose, randn } from './helpers';

// Bootstrap shared with poolJobs.test.ts: src/extension/worker.ts through tsx.
const workerFile = fileURLToPath(new URL('./poolRealWorker.mjs', import.meta.url));
let pool: WorkerPool;
before(() => {
  pool = new WorkerPool({ size: 2, workerFile });
});
after(() => pool.dispose());

function assertSame(a: NormResult, ref: NormResult): void {
  let maxY = 1;
  for (const v of ref.y) maxY = Math.max(maxY, Math.abs(v));
  assertClose(a.y, ref.y, 1e-5 * maxY, 1e-4, 'y');
  assertClose(a.stats.mean, ref.stats.mean, 1e-9, 1e-12, 'mean');
  assertClose(a.stats.var, ref.stats.var, 1e-12, 1e-9, 'var');
  assertClose(a.stats.rstd, ref.stats.rstd, 0, 1e-9, 'rstd');
  assert.equal(!!a.running, !!ref.running);
  if (ref.running) {
    assertClose(a.running!.mean, ref.running.mean, 1e-9, 1e-12, 'running mean');
    assertClose(a.running!.var, ref.running.var, 1e-9, 1e-9, 'running var');
  }
}

// Big enough (> 65536 elements) to be split across both workers; every path: fused, sums+apply, rows walk.
const C = 16;
const cases: [string, number[], NormParams][] = [
  ['GN NCHW (fused)', [4, C, 40, 40], { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 4, weight: randn(C, 1, 1, 0.3), bias: randn(C, 2) }],
  ['GN NHWC (rows)', [4, 40, 40, C], { method: 'group', layout: 'NHWC', eps: 1e-5, groups: 4 }],
  ['BN NCHW training + running', [4, C, 40, 40], { method: 'batch', layout: 'NCHW', eps: 1e-5, momentum: 0.1, runningMean: randn(C, 3), runningVar: randn(C, 4, 1, 0.1).map(Math.abs), weight: randn(C, 5) }],
  ['BN NHWC, momentum none', [4, 40, 40, C], { method: 'batch', layout: 'NHWC', eps: 1e-5, momentum: null, numBatchesTracked: 3, runningMean: randn(C, 3), runningVar: randn(C, 4, 1, 0.1).map(Math.abs) }],
  ['BN (N, C)', [8000, C], { method: 'batch', layout: 'NCHW', eps: 1e-5 }],
  ['IN NCHW eval', [4, C, 40, 40], { method: 'instance', layout: 'NCHW', eps: 1e-5, training: false, runningMean: randn(C, 6), runningVar: randn(C, 7, 1, 0.1).map(Math.abs) }],
  ['IN NHWC training + running', [4, 40, 40, C], { method: 'instance', layout: 'NHWC', eps: 1e-5, runningMean: randn(C, 6), runningVar: randn(C, 7, 1, 0.1).map(Math.abs) }],
  ['LN (fused)', [200, 30, 17], { method: 'layer', layout: 'NCHW', eps: 1e-5, normalizedShape: [30, 17], weight: randn(510, 8), bias: randn(510, 9) }],
  ['RMS (fused)', [700, 130], { method: 'rms', layout: 'NCHW', eps: 1e-6, weight: randn(130, 10) }],
];

for (const [name, shape, params] of cases) {
  test(`parallel == reference: ${name}, normal and large-offset data`, async () => {
    for (const [mean, std] of [[0, 1], [1e4, 1e-2]]) {
      const x = randn(numel(shape), 42, mean, std);
      const ref = normalize({ data: x, shape }, params);
      const got = await parallelNormalize(pool, x, shape, params);
      assert.ok(got.y.buffer instanceof SharedArrayBuffer);
      assertSame(got, ref);
    }
  });
}

test('x already in a SharedArrayBuffer is used in place; `out` receives y', async () => {
  const shape = [2, 8, 64, 64];
  const params: NormParams = { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 2 };
  const x = new Float32Array(new SharedArrayBuffer(numel(shape) * 4));
  x.set(randn(x.length, 11));
  const out = new Float32Array(new SharedArrayBuffer(x.length * 4));
  const got = await parallelNormalize(pool, x, shape, params, { out });
  assert.equal(got.y, out);
  assertSame(got, normalize({ data: x, shape }, params));
  await assert.rejects(parallelNormalize(pool, x, shape, params, { out: new Float32Array(x.length) }), RangeError);
});

test('progress rises to 1; an aborted signal rejects with CancelledError; bad input rejects with the reference error', async () => {
  const shape = [4, 16, 40, 40];
  const x = randn(numel(shape), 12);
  const seen: number[] = [];
  await parallelNormalize(pool, x, shape, { method: 'batch', layout: 'NCHW', eps: 1e-5 }, { onProgress: (f) => seen.push(f) });
  assert.equal(seen[0], 0);
  assert.equal(seen[seen.length - 1], 1);
  assert.deepEqual(seen, [...seen].sort((a, b) => a - b));
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(parallelNormalize(pool, x, shape, { method: 'batch', layout: 'NCHW', eps: 1e-5 }, { signal: ac.signal }), { name: 'CancelledError' });
  await assert.rejects(parallelNormalize(pool, x, shape, { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 3 }), { name: 'NormError', message: /divisible/ });
});

test('float64 input runs the reference kernel in a worker', async () => {
  const shape = [3, 5, 7];
  const x = Float64Array.from(randn(105, 13));
  const params: NormParams = { method: 'instance', layout: 'NCHW', eps: 1e-5 };
  assertSame(await parallelNormalize(pool, x, shape, params), normalize({ data: x, shape }, params));
});

test('worker parts computed in this thread add up to the whole (no threads involved)', () => {
  const shape = [3, 30, 30, 8];
  const params: NormParams = { method: 'batch', layout: 'NHWC', eps: 1e-5 };
  const x = randn(numel(shape), 14);
  const [a, b] = [runMomentsPart({ x, shape, params, unit0: 0, unit1: 1000 }), runMomentsPart({ x, shape, params, unit0: 1000, unit1: 2700 })];
  const whole = runMomentsPart({ x, shape, params, unit0: 0, unit1: 2700 });
  for (let c = 0; c < 8; c++) {
    assert.equal(a.k[c], whole.k[c]);
    assert.ok(Math.abs(a.s1[c] + b.s1[c] - whole.s1[c]) < 1e-9);
    assert.ok(Math.abs(a.s2[c] + b.s2[c] - whole.s2[c]) < 1e-9);
  }
  const y = new Float32Array(x.length);
  runApplyPart({ x, y, shape, params, scale: new Float64Array(8).fill(2), shift: new Float64Array(8).fill(1), row0: 0, row1: 2700 });
  assert.equal(y[17], Math.fround(x[17] * 2 + 1));
});

test('splitRange covers [0, n) with aligned, non-empty parts', () => {
  assert.deepEqual(splitRange(10, 3, 1), [[0, 3], [3, 6], [6, 10]]);
  assert.deepEqual(splitRange(10, 4, 5), [[0, 5], [5, 10]]);
  assert.deepEqual(splitRange(2, 8, 1), [[0, 1], [1, 2]]);
  assert.deepEqual(splitRange(7, 2, 3), [[0, 3], [3, 7]]);
});

test('zero-copy: x from allocSharedTensor is normalized in place into its slot, wasm-shared with the workers', async () => {
  const { allocSharedTensor, sharedSlotOf } = await import('../../src/kernels/fast/sharedTensor');
  const shape = [3, 8, 50, 50];
  const params: NormParams = { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 4, weight: randn(8, 21, 1, 0.2), bias: randn(8, 22) };
  const x = allocSharedTensor(numel(shape));
  x.set(randn(x.length, 23, 1e4, 1e-2));
  const slot = sharedSlotOf(x)!;
  const a = await parallelNormalize(pool, x, shape, params);
  assert.equal(a.y.buffer, x.buffer, 'y lives in the same shared memory as x');
  assert.equal(a.y.byteOffset, slot.yp);
  assertSame(a, normalize({ data: x, shape }, params));
  // Two calls at once on the same input: the second gets its own memory instead of racing on the slot.
  const [b, c] = await Promise.all([parallelNormalize(pool, x, shape, params), parallelNormalize(pool, x, shape, params)]);
  assert.notEqual(b.y.buffer, c.y.buffer);
  assertClose(b.y, c.y, 0, 0, 'y');
});

test('a cancelled zero-copy call does not hand its slot to the next call (a worker may still be writing it)', async () => {
  const { allocSharedTensor, sharedSlotOf } = await import('../../src/kernels/fast/sharedTensor');
  const shape = [2, 8, 64, 64];
  const params: NormParams = { method: 'instance', layout: 'NCHW', eps: 1e-5 };
  const x = allocSharedTensor(numel(shape));
  x.set(randn(x.length, 31));
  const ac = new AbortController();
  const first = parallelNormalize(pool, x, shape, params, { signal: ac.signal });
  ac.abort();
  await assert.rejects(first, { name: 'CancelledError' });
  assert.equal(sharedSlotOf(x)!.busy, true);
  const next = await parallelNormalize(pool, x, shape, params);
  assert.notEqual(next.y.buffer, x.buffer);
  assertSame(next, normalize({ data: x, shape }, params));
});
