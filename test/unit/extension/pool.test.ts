import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { CancelledError, JobStalledError, WorkerPool, poolSize } from '../../../src/extension/pool';
import type { TestJobs } from './poolTestWorker';

const workerFile = fileURLToPath(new URL('./poolTestWorker.mjs', import.meta.url));
const makePool = (size = 2, cancelGraceMs = 300) =>
  new WorkerPool<TestJobs>({ size, workerFile, cancelGraceMs });

test('starts no worker before the first job and runs jobs', async (t) => {
  const pool = makePool();
  t.after(() => pool.dispose());
  assert.equal(pool.liveWorkers, 0);
  assert.deepEqual(await pool.run('echo', { a: [1, 2] }), { a: [1, 2] });
  assert.equal(pool.liveWorkers, 1);
});

test('uses up to size workers in parallel and queues the rest', async (t) => {
  const pool = makePool(2);
  t.after(() => pool.dispose());
  const results = await Promise.all([1, 2, 3, 4, 5].map((n) => pool.run('steps', { n, ms: 10 })));
  assert.deepEqual(results, [1, 2, 3, 4, 5]);
  assert.equal(pool.liveWorkers, 2);
});

test('errors come back with their name and message', async (t) => {
  const pool = makePool();
  t.after(() => pool.dispose());
  await assert.rejects(pool.run('fail', { name: 'FormatError', message: 'bad header' }), { name: 'FormatError', message: 'bad header' });
  await assert.rejects(pool.run('nope' as never, null as never), { message: "unknown job kind 'nope'" });
  // the worker survives a failing job
  assert.equal(await pool.run('echo', 7), 7);
});

test('reports progress in order, ending at 1', async (t) => {
  const pool = makePool();
  t.after(() => pool.dispose());
  const seen: number[] = [];
  await pool.run('steps', { n: 4, ms: 60 }, { onProgress: (f) => seen.push(f) });
  assert.ok(seen.length >= 2, `expected progress reports, got ${seen.length}`);
  assert.deepEqual([...seen].sort((a, b) => a - b), seen);
  assert.equal(seen.at(-1), 1);
});

test('a running job is cancelled with CancelledError and the worker is reused', async (t) => {
  const pool = makePool(1);
  t.after(() => pool.dispose());
  const ac = new AbortController();
  const p = pool.run('steps', { n: 1000, ms: 5 }, { signal: ac.signal });
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(p, (e: Error) => e instanceof CancelledError && e.name === 'CancelledError');
  const id = await pool.run('threadId', null);
  assert.equal(await pool.run('threadId', null), id);
});

test('a synchronous job that never yields stops at its next throwIfCancelled; the same worker runs the next job', async (t) => {
  const pool = makePool(1, 60_000); // no replacement within the test: only the job's own check can free the worker
  t.after(() => pool.dispose());
  const before = await pool.run('threadId', null);
  const ac = new AbortController();
  const p = pool.run('spin', { ms: 20_000 }, { signal: ac.signal });
  await new Promise((r) => setTimeout(r, 100));
  const t0 = Date.now();
  ac.abort();
  await assert.rejects(p, (e: Error) => e instanceof CancelledError);
  assert.equal(await pool.run('threadId', null), before, 'the worker was not replaced');
  assert.ok(Date.now() - t0 < 2000, `the worker was busy ${Date.now() - t0} ms after the cancel`);
  assert.equal(await pool.run('echo', 'next'), 'next');
});

test('a queued job is cancelled without running, an aborted signal rejects at once', async (t) => {
  const pool = makePool(1);
  t.after(() => pool.dispose());
  const first = pool.run('steps', { n: 5, ms: 10 });
  const ac = new AbortController();
  const queued = pool.run('echo', 'never', { signal: ac.signal });
  ac.abort();
  await assert.rejects(queued, { name: 'CancelledError' });
  assert.equal(await first, 5);
  await assert.rejects(pool.run('echo', 1, { signal: AbortSignal.abort() }), { name: 'CancelledError' });
});

test('a job that ignores cancellation gets its worker replaced', async (t) => {
  const pool = makePool(1, 100);
  t.after(() => pool.dispose());
  const before = await pool.run('threadId', null);
  const ac = new AbortController();
  const p = pool.run('stubborn', { ms: 5000 }, { signal: ac.signal });
  setTimeout(() => ac.abort(), 50);
  const t0 = Date.now();
  await assert.rejects(p, { name: 'CancelledError' });
  assert.ok(Date.now() - t0 < 1000);
  const after = await pool.run('threadId', null);
  assert.notEqual(after, before);
});

test('a crashing worker rejects its job and is replaced', async (t) => {
  const pool = makePool(1);
  t.after(() => pool.dispose());
  await assert.rejects(pool.run('crash', null), { name: 'WorkerCrashedError', message: /boom/ });
  assert.equal(await pool.run('echo', 'alive'), 'alive');
});

test('transferred buffers move, shared buffers are shared', async (t) => {
  const pool = makePool(1);
  t.after(() => pool.dispose());
  const x = new Float32Array([1, 2, 3]);
  const r = await pool.run('double', { x }, { transfer: [x.buffer] });
  assert.equal(x.length, 0, 'the host copy was detached (moved, not copied)');
  assert.deepEqual([...r.x], [2, 4, 6]);
  const shared = new Float32Array(new SharedArrayBuffer(16));
  await pool.run('fillShared', { x: shared, value: 3 });
  assert.deepEqual([...shared], [3, 3, 3, 3]);
});

test('dispose rejects pending jobs and refuses new ones', async () => {
  const pool = makePool(1);
  const running = assert.rejects(pool.run('steps', { n: 100, ms: 10 }), /shut down/);
  const queued = assert.rejects(pool.run('echo', 1), /shut down/);
  await pool.dispose();
  await running;
  await queued;
  await assert.rejects(pool.run('echo', 1), /shut down/);
});

test('drain waits for queued and running jobs, then the pool can be retired', async () => {
  const pool = makePool(1);
  let finished = 0;
  const jobs = [pool.run('steps', { n: 3, ms: 20 }), pool.run('steps', { n: 2, ms: 20 })].map((p) => p.then(() => finished++));
  await pool.drain();
  assert.equal(finished, 2);
  await Promise.all(jobs);
  await pool.drain(); // idle: resolves at once
  await pool.dispose();
});

test('poolSize: 0 means one per core, otherwise the setting', () => {
  assert.ok(poolSize(0) >= 1);
  assert.equal(poolSize(3), 3);
  assert.throws(() => makePool(0), /positive integer/);
});

test('a job silent past its stall bound rejects with JobStalledError; its worker is replaced and the queue runs', async (t) => {
  const pool = makePool(1);
  t.after(() => pool.dispose());
  const before = await pool.run('threadId', null);
  const t0 = Date.now();
  const stuck = pool.run('stubborn', { ms: 20_000 }, { stallMs: 200 });
  const queued = pool.run('echo', 'next');
  await assert.rejects(stuck, (e: Error) => e instanceof JobStalledError && /no progress/.test(e.message));
  // Far below the job's 20 s, with room for a loaded machine.
  assert.ok(Date.now() - t0 < 10_000, `stopped after ${Date.now() - t0} ms`);
  assert.equal(await queued, 'next');
  assert.notEqual(await pool.run('threadId', null), before);
});

test('progress reports keep a long job within its stall bound', async (t) => {
  const pool = makePool(1);
  t.after(() => pool.dispose());
  await pool.run('echo', 'warm'); // a worker's start-up counts against the bound: start it first
  // 6 steps of 400 ms = 2.4 s in all, past the 1.5 s bound, but never 1.5 s without a report (margin for a
  // loaded machine, where a 300 ms bound was seen to pass between two 80 ms steps).
  assert.equal(await pool.run('steps', { n: 6, ms: 400 }, { stallMs: 1500 }), 6);
});
