// Cancelling one large normalization stops its worker within a chunk, not at the end of the kernel. The pool has one
// worker and a grace period of a minute, so only the job's own checks can free that worker quickly; each case then
// runs the next job on it.
//   - Jobs that report progress from inside the kernel (the reference normalize job, the playground's jobs) are
//     cancelled at their first report from inside a normalization; the worker must be free well before the job's
//     uncancelled duration.
//   - parallelNormalize writes y into shared memory, so what its workers did after a cancel is visible: cancelled
//     as soon as its jobs are posted, most of y must never have been written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { WorkerPool, CancelledError } from '../../../src/extension/pool';
import { parallelNormalize } from '../../../src/extension/parallelNormalize';
import { allocSharedTensor, sharedSlotOf } from '../../../src/kernels/fast/sharedTensor';
import { normalize, type NormParams } from '../../../src/kernels';
import type { Controls } from '../../../src/protocol/playground';
import type { PlaygroundJob } from '../../../src/protocol/playgroundJob';
import { assertMatchesReference } from '../helpers';

const workerFile = fileURLToPath(new URL('./poolRealWorker.mjs', import.meta.url));
let pool: WorkerPool;
before(() => {
  pool = new WorkerPool({ size: 1, workerFile, cancelGraceMs: 60_000 });
});
after(() => pool.dispose());

const tiny = async () => {
  const r = await pool.run('normalize', { x: Float32Array.of(1, 3), shape: [1, 2], params: { method: 'layer', layout: 'NCHW', eps: 1e-12 } });
  assert.deepEqual([...r.y], [-1, 1], 'the next job computes normally'); // (x - 2) / sqrt(1 + 1e-12), in float32
};

function wave(x: Float32Array | Float64Array): void {
  for (let i = 0; i < x.length; i++) x[i] = ((i * 2654435761) >>> 0) / 2 ** 31 - 1 + (i % 13) * 0.1;
}

type Start = (signal?: AbortSignal, onProgress?: (f: number) => void) => Promise<unknown>;

/**
 * Runs `start` to the end (its duration T, the faster of two runs), then again, cancelled at its first progress
 * report in (lo, hi): from inside a normalization. Progress crosses the thread at most every 100 ms, so on an idle
 * machine a short stage can pass with no report: then the run is cancelled at 0.3·T by the clock instead (inside the
 * job's kernels all the same). It rejects with CancelledError, and a tiny job queued after the cancel must finish
 * within T/2 of it (a worker that finished the kernel first would need most of T).
 */
async function cancelledInsideKernel(start: Start, lo: number, hi: number): Promise<void> {
  await tiny(); // the worker is up
  let full = Infinity;
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    await start();
    full = Math.min(full, performance.now() - t0);
  }
  const ac = new AbortController();
  let cancelledAt = 0;
  let at = '';
  const cancel = (why: string) => {
    if (cancelledAt !== 0) return;
    at = why;
    cancelledAt = performance.now();
    ac.abort();
  };
  const timer = setTimeout(() => cancel(`${(0.3 * full).toFixed(0)} ms in`), 0.3 * full);
  const run = start(ac.signal, (f) => {
    if (f > lo && f < hi) cancel(`progress ${f.toFixed(2)}`);
  });
  await assert.rejects(run, (e: Error) => e instanceof CancelledError);
  clearTimeout(timer);
  await tiny();
  const freed = performance.now() - cancelledAt;
  assert.ok(freed < full / 2, `cancelled at ${at}, the worker was free ${freed.toFixed(0)} ms later; the whole job takes ${full.toFixed(0)} ms`);
}

test('the reference normalize job (float64 input) stops between its chunks', async () => {
  const shape = [32, 64, 64, 128];
  const x = new Float64Array(new SharedArrayBuffer(32 * 64 * 64 * 128 * 8)); // shared: no copy to the worker
  wave(x);
  const params: NormParams = { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 8 };
  await cancelledInsideKernel((signal, onProgress) => pool.run('normalize', { x, shape, params }, { signal, onProgress }), 0, 0.9);
});

const controls: Controls = { method: 'group', groups: 8, eps: 1e-5, momentum: 0.1, affine: false, gamma: [], beta: [], layout: 'NCHW', training: true };
const bigShape = [32, 64, 64, 64];
let bigX: Float32Array | undefined;
const big = () => {
  if (!bigX) wave((bigX = new Float32Array(new SharedArrayBuffer(32 * 64 * 64 * 64 * 4))));
  return bigX;
};
// Which progress fractions come from inside a normalization (not from a checkpoint between stages).
const playgroundJobs: [string, () => PlaygroundJob, number, number][] = [
  ['compute', () => ({ op: 'compute', x: big(), shape: bigShape, controls, view: { sliceN: 0, sliceC: 0 } }), 0, 0.5],
  ['compare', () => ({ op: 'compare', x: big(), shape: bigShape, controls, view: { sliceN: 0, sliceC: 0 } }), 0, 0.25],
  ['train steps', () => ({ op: 'train', x: big(), shape: bigShape, controls, running: null, steps: 2, batchSize: 8, seed: 1 }), 0.5, 0.75],
  ['output (export)', () => ({ op: 'output', x: big(), shape: bigShape, controls }), 0, 1],
];
for (const [name, job, lo, hi] of playgroundJobs) {
  test(`the playground's ${name} job stops inside its normalization`, async () => {
    await cancelledInsideKernel((signal, onProgress) => pool.run('playground', job(), { signal, onProgress }), lo, hi);
  });
}

// parallelNormalize: 32M values (128 MB) in a shared wasm memory, made once.
const hugeShape = [64, 64, 64, 128];
let hugeX: Float32Array | undefined;
const huge = () => {
  if (!hugeX) wave((hugeX = allocSharedTensor(64 * 64 * 64 * 128)));
  return hugeX;
};
const gn: NormParams = { method: 'group', layout: 'NCHW', eps: 1e-5, groups: 32 };

/** Starts a call whose y is `y` (filled with NaN first), cancels it at once, runs the next job, counts what was written. */
async function writtenAfterCancel(y: Float32Array, start: (signal: AbortSignal) => Promise<unknown>): Promise<number> {
  y.fill(NaN);
  const ac = new AbortController();
  const run = start(ac.signal); // its jobs are posted before this returns
  ac.abort();
  await assert.rejects(run, (e: Error) => e instanceof CancelledError);
  await tiny(); // the worker has stopped: nothing writes y any more
  let written = 0;
  for (let i = 0; i < y.length; i++) if (!Number.isNaN(y[i])) written++;
  return written;
}

test('parallelNormalize, strategy shared: the worker stops before its next claimed chunk, and the next call is right', async () => {
  const x = huge();
  const slot = sharedSlotOf(x)!;
  const y = new Float32Array(slot.memory.buffer, slot.yp, x.length);
  const written = await writtenAfterCancel(y, (signal) => parallelNormalize(pool, x, hugeShape, gn, { signal }));
  assert.ok(written < x.length / 2, `${written} of ${x.length} values written after the cancel`);
  // The cancelled call's memory stays busy; this call copies x into a fresh one.
  const r = await parallelNormalize(pool, x, hugeShape, gn);
  assert.ok(!r.y.some(Number.isNaN));
});

test('parallelNormalize, strategy fused (y given): the moments job stops between pieces', async () => {
  const x = huge();
  const out = new Float32Array(new SharedArrayBuffer(x.length * 4));
  const written = await writtenAfterCancel(out, (signal) => parallelNormalize(pool, x, hugeShape, gn, { signal, out }));
  assert.ok(written < x.length / 2, `${written} of ${x.length} values written after the cancel`);
});

test('after the cancellations the pool computes the same numbers as the reference', async () => {
  const shape = [8, 32, 16, 16];
  const x = new Float32Array(8 * 32 * 16 * 16);
  wave(x);
  for (const params of [gn, { method: 'batch', layout: 'NHWC', eps: 1e-5, training: false, runningMean: new Float32Array(32).fill(0.1), runningVar: new Float32Array(32).fill(2) }] as NormParams[]) {
    const s = params.layout === 'NHWC' ? [8, 16, 16, 32] : shape;
    const ref = normalize({ data: x, shape: s }, params);
    assertMatchesReference(await parallelNormalize(pool, x, s, params), ref);
    const f64 = await pool.run('normalize', { x: Float64Array.from(x), shape: s, params });
    assertMatchesReference(f64, normalize({ data: Float64Array.from(x), shape: s }, params));
  }
});
