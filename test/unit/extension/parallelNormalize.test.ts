// parallelNormalize through the real worker entry (moments/apply jobs) against the reference kernel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { WorkerPool } from '../../../src/extension/pool';
import { parallelNormalize, splitRange } from '../../../src/extension/parallelNormalize';
import { runApplyPart, runMomentsPart } from '../../../src/kernels/fast/parts';
import { normalize, numel, type NormParams } from '../../../src/kernels';
import { assertClose, assertMatchesReference, randn } from '../helpers';

// Bootstrap shared with poolJobs.test.ts: src/extension/worker.ts through tsx.
const workerFile = fileURLToPath(new URL('./poolRealWorker.mjs', import.meta.url));
let pool: WorkerPool;
before(() => {
  pool = new WorkerPool({ size: 2, workerFile });
});
after(() => pool.dispose());

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
      assertMatchesReference(got, ref);
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
  assertMatchesReference(got, normalize({ data: x, shape }, params));
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
  assertMatchesReference(await parallelNormalize(pool, x, shape, params), normalize({ data: x, shape }, params));
});

test('worker parts computed in this thread add up to the whole (no threads involved)', () => {
  const shape = [3, 30, 30, 8];
  const params: NormParams = { method: 'batch', layout: 'NHWC', eps: 1e-5 };
  const x = randn(numel(shape), 14);
  const part = (unit0: number, unit1: number) => runMomentsPart({ kind: 'twoPass', x, shape, params, unit0, unit1 });
  const [a, b, whole] = [part(0, 1000), part(1000, 2700), part(0, 2700)];
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
  const { allocSharedTensor, sharedSlotOf } = await import('../../../src/kernels/fast/sharedTensor');
  const shape = [3, 8, 50, 50];
  const params: NormParams = { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 4, weight: randn(8, 21, 1, 0.2), bias: randn(8, 22) };
  const x = allocSharedTensor(numel(shape));
  x.set(randn(x.length, 23, 1e4, 1e-2));
  const slot = sharedSlotOf(x)!;
  const a = await parallelNormalize(pool, x, shape, params);
  assert.equal(a.y.buffer, x.buffer, 'y lives in the same shared memory as x');
  assert.equal(a.y.byteOffset, slot.yp);
  assertMatchesReference(a, normalize({ data: x, shape }, params));
  // Two calls at once on the same input (> 1M elements, so both are in the workers): the second gets its own
  // memory instead of racing on the slot.
  const big = [2, 8, 256, 288];
  const xb = allocSharedTensor(numel(big));
  xb.set(randn(xb.length, 24));
  const [b, c] = await Promise.all([parallelNormalize(pool, xb, big, params), parallelNormalize(pool, xb, big, params)]);
  assert.ok(b.y.buffer !== c.y.buffer, 'two concurrent calls wrote two memories');
  assertClose(b.y, c.y, 0, 0, 'y');
});

test('a cancelled zero-copy call does not hand its slot to the next call (a worker may still be writing it)', async () => {
  const { allocSharedTensor, sharedSlotOf } = await import('../../../src/kernels/fast/sharedTensor');
  const shape = [2, 8, 256, 288]; // > 1M elements: workers only (smaller calls may finish in this thread at once)
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
  assertMatchesReference(next, normalize({ data: x, shape }, params));
});

// The calling thread's share (shareOut): small tensors run here without a message, mid-size ones are split between
// this thread and pool.size − 1 workers, large ones go to the workers only.
test('shareOut: all here below 64K elements, caller + size−1 workers up to 1M, workers only above', async () => {
  const { shareOut } = await import('../../../src/extension/parallelNormalize');
  assert.deepEqual(shareOut(10, 1, 65535, 2), { local: [0, 10], remote: [] });
  const mid = shareOut(256, 1, 786432, 2);
  assert.deepEqual(mid, { local: [0, 154], remote: [[154, 256]] });
  const four = shareOut(1000, 1, 1 << 20, 4);
  assert.deepEqual(four.local, [0, 300]);
  assert.equal(four.remote.length, 3);
  assert.equal(four.remote.at(-1)![1], 1000);
  // Rows aligned to samples (channels-last): every boundary is a multiple of align.
  const rows = shareOut(4 * 1600, 1600, 102400, 2);
  for (const [a] of [rows.local!, ...rows.remote]) assert.equal(a % 1600, 0);
  assert.deepEqual(shareOut(256, 1, (1 << 20) + 1, 2, 2), { remote: splitRange(256, 4, 1) });
  assert.deepEqual(shareOut(256, 1, 786432, 1).remote, [[154, 256]]);
});

test('small tensors and zero-copy ones up to 1M elements are normalized in this thread (no worker starts); other mid-size ones use pool.size − 1 workers', async (t) => {
  const fresh = new WorkerPool({ size: 2, workerFile });
  t.after(() => fresh.dispose());
  const small: [number[], NormParams][] = [
    [[2, 8, 30, 30], { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 2, weight: randn(8, 41), bias: randn(8, 42) }],
    [[2, 30, 30, 8], { method: 'batch', layout: 'NHWC', eps: 1e-5, runningMean: randn(8, 43), runningVar: randn(8, 44, 1, 0.1).map(Math.abs) }],
  ];
  for (const [shape, params] of small) {
    const x = randn(numel(shape), 45);
    assertMatchesReference(await parallelNormalize(fresh, x, shape, params), normalize({ data: x, shape }, params));
    const out = new Float32Array(new SharedArrayBuffer(x.length * 4));
    assertMatchesReference(await parallelNormalize(fresh, x, shape, params, { out }), normalize({ data: x, shape }, params));
  }
  assert.equal(fresh.liveWorkers, 0);
  await assert.rejects(parallelNormalize(fresh, randn(100, 1), [2, 5, 10], { method: 'layer', layout: 'NCHW', eps: 1e-5, normalizedShape: [10] }, { signal: AbortSignal.abort() }), { name: 'CancelledError' });
  // Shape E of the benchmark (GN G=1, 786K elements, zero-copy): this thread alone, still no worker.
  const shape = [256, 3, 32, 32];
  const params: NormParams = { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 1, weight: randn(3, 46), bias: randn(3, 47) };
  const x = randn(numel(shape), 48, 1e4, 1e-2);
  assertMatchesReference(await parallelNormalize(fresh, x, shape, params), normalize({ data: x, shape }, params));
  assert.equal(fresh.liveWorkers, 0);
  // A mid-size two-phase plan (channels-last): this thread and one worker.
  const nhwc = [64, 32, 32, 4];
  const xn = randn(numel(nhwc), 51);
  const pn: NormParams = { method: 'group', layout: 'NHWC', eps: 1e-5, groups: 2 };
  assertMatchesReference(await parallelNormalize(fresh, xn, nhwc, pn), normalize({ data: xn, shape: nhwc }, pn));
  assert.equal(fresh.liveWorkers, 1);
  // Above 1M elements this thread takes no share: both workers run.
  const big = [2, 8, 256, 257];
  const xb = randn(numel(big), 49);
  const pb: NormParams = { method: 'instance', layout: 'NCHW', eps: 1e-5 };
  assertMatchesReference(await parallelNormalize(fresh, xb, big, pb), normalize({ data: xb, shape: big }, pb));
  assert.equal(fresh.liveWorkers, 2);
});

test('claims: a worker takes chunks from the shared counter until none is left, and leaves taken ones alone (no threads)', async () => {
  const { allocSharedTensor, sharedSlotOf, writeHeader } = await import('../../../src/kernels/fast/sharedTensor');
  const { checkNormInput } = await import('../../../src/kernels/normalize');
  const { fusedArgs } = await import('../../../src/kernels/fast/fused');
  const shape = [40, 6, 10, 10];
  const params: NormParams = { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 3, weight: randn(6, 51), bias: randn(6, 52) };
  const x = allocSharedTensor(numel(shape));
  x.set(randn(x.length, 53, 1e4, 1e-2));
  const slot = sharedSlotOf(x)!;
  const { plan, p } = checkNormInput({ data: x, shape }, params);
  const { wp, bp, statp } = writeHeader(slot, plan, p.weight, p.bias);
  const y = new Float32Array(slot.memory.buffer, slot.yp, x.length);
  y.fill(NaN);
  const control = new Int32Array(new SharedArrayBuffer(4));
  control[0] = 3; // chunks 0-2 (sets [0, 21)) were taken by another worker
  const shared = { memory: slot.memory, xp: slot.xp, yp: slot.yp, statp, fused: fusedArgs(plan, p, wp, bp) };
  const part = { kind: 'shared', x, shape, params, unit0: 0, unit1: 120, shared, claim: { control, chunk: 7 } } as const;
  runMomentsPart(part);
  const L = 2 * 100;
  assert.ok(y.subarray(0, 21 * L).every(Number.isNaN), 'chunks taken elsewhere are left alone');
  const ref = normalize({ data: x, shape }, params);
  assertClose(y.subarray(21 * L), ref.y.subarray(21 * L), 1e-4, 1e-4, 'y');
  const taken = control[0];
  assert.ok(taken * 7 >= 120);
  runMomentsPart(part); // nothing left: returns at once, one more failed claim
  assert.equal(control[0], taken + 1);
});

test("a worker that crashes, hangs or is cancelled never gives a wrong result and never hangs the call", async (t) => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'normlab-share-'));
  const crash = join(dir, 'crash.mjs');
  const hang = join(dir, 'hang.mjs');
  writeFileSync(crash, "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => process.exit(3));\n");
  writeFileSync(hang, "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => {});\n");
  const shape = [64, 4, 32, 32]; // 262K elements: this thread and one worker
  const params: NormParams = { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 2 };
  const x = randn(numel(shape), 50);
  const ref = normalize({ data: x, shape }, params);

  // Zero-copy up to 1M elements runs in this thread: no worker is asked, so a broken one cannot matter.
  for (const file of [crash, hang]) {
    const p = new WorkerPool({ size: 2, workerFile: file, cancelGraceMs: 50 });
    t.after(() => p.dispose());
    assertMatchesReference(await parallelNormalize(p, x, shape, params), ref);
    assert.equal(p.liveWorkers, 0);
  }
  // Above 1M elements the workers do it all: one that crashes fails the call instead of leaving y unwritten.
  const big = [4, 4, 256, 257];
  const crashingBig = new WorkerPool({ size: 2, workerFile: crash });
  t.after(() => crashingBig.dispose());
  await assert.rejects(parallelNormalize(crashingBig, randn(numel(big), 52), big, params), { name: 'WorkerCrashedError' });

  // Fixed shares (two-phase plans, or with `out`): the worker's outcome is the call's.
  const nhwc: NormParams = { method: 'batch', layout: 'NHWC', eps: 1e-5 };
  const out = new Float32Array(new SharedArrayBuffer(x.length * 4));
  const crashing = new WorkerPool({ size: 2, workerFile: crash });
  t.after(() => crashing.dispose());
  await assert.rejects(parallelNormalize(crashing, x, shape, nhwc, { out }), { name: 'WorkerCrashedError' });
  const hanging = new WorkerPool({ size: 2, workerFile: hang, cancelGraceMs: 50 });
  const ac = new AbortController();
  const cancelled = assert.rejects(parallelNormalize(hanging, x, shape, nhwc, { out, signal: ac.signal }), { name: 'CancelledError' });
  ac.abort();
  await cancelled;
  const disposed = assert.rejects(parallelNormalize(hanging, x, shape, nhwc, { out }), /shut down/);
  await new Promise((r) => setTimeout(r, 20));
  await hanging.dispose();
  await disposed;
});
