// parallelNormalize(): the fast kernels split across the worker pool over SharedArrayBuffers, executing the strategy
// that strategy() picks (src/kernels/fast/strategy.ts; normalizeFast executes the same one in one thread):
// - 'shared' (fused plans: GroupNorm, LayerNorm, RMSNorm, Instance/BatchNorm in training; NCHW or S = 1): x and y live
//   in one shared wasm memory, so the workers' SIMD code reads x and writes y in place (sharedTensor.ts), one
//   `moments` job per worker; up to 1M elements the calling thread does it alone (see CALLER_MAX);
// - 'fused' (the same plans when `out` is given): `moments` jobs compute their sets' sums AND write their y;
// - 'twoPass' (BatchNorm on (N, C), channels-last, eval with running stats): `moments` jobs return shifted sums, the
//   host folds them (PyTorch's running-stat rules in foldStatistics), then `apply` jobs write y.
// Cancelling (opts.signal) stops the workers inside the kernel: their parts run in pieces (or claimed chunks) with a
// cancellation check before each (runMomentsPieces, runApplyPieces, JobContext.throwIfCancelled).
// No vscode import: the benchmark and the tests run it outside VS Code.
import { foldForApply, statsOf, strategy, type Strategy } from '../kernels/fast';
import { fusedArgs } from '../kernels/fast/fused';
import { fusedShared, gatherMoments, runApplyPart, runMomentsPart, sharedMoments, type MomentsPart } from '../kernels/fast/parts';
import { allocSharedTensor, fitsShared, sharedSlotOf, toShared, writeHeader } from '../kernels/fast/sharedTensor';
import { checkNormInput, type CheckedParams } from '../kernels/normalize';
import type { NormPlan } from '../kernels/plan';
import type { FloatArray, NormParams, NormResult } from '../kernels/types';
import { CancelledError, type WorkerPool } from './pool';

export interface ParallelOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /**
   * Strategies 'fused' and 'twoPass': parts per worker (more balance a shared machine better, fewer cost fewer
   * messages). Default 2 (1 below 4M values).
   */
  partsPerWorker?: number;
  /**
   * Receives y: a Float32Array over a SharedArrayBuffer of x's length (reuse it to skip allocating y). After a
   * cancelled call a worker may still be writing it for a moment. Without `out`, fused plans (strategy 'shared')
   * return y as a view of the shared wasm memory that holds x (see allocSharedTensor).
   */
  out?: Float32Array;
}

/**
 * Strategy 'shared' above CALLER_MAX: one message per worker, the sets cut into pool.size × CHUNKS_PER_WORKER chunks
 * taken from a shared counter (dynamic balance without more messages). Measured on A, C, D against fixed parts,
 * alternating in one process: 8 chunks per worker 3–10% faster than 2 fixed parts per worker, as fast as 1.
 */
const CHUNKS_PER_WORKER = 8;

/** 'fused' and 'twoPass': two parts per worker balance a shared machine; small tensors are not worth the extra messages. */
const partsPerWorker = (numel: number, opts: ParallelOptions) => opts.partsPerWorker ?? (numel >= 1 << 22 ? 2 : 1);

/**
 * The calling thread's share. On a small VM a message round trip to an idle worker costs ~150-200 µs (measured), as
 * much as normalizing a few MB, so small tensors are normalized here, with no message at all:
 * - zero-copy plans (fused, x in a shared wasm memory) up to CALLER_MAX elements (4 MB): one thread's SIMD kernel
 *   does 1M elements in ~0.3 ms here, less than a worker takes to receive its message;
 * - other plans below IN_THREAD_MAX elements (256 KB); up to CALLER_MAX they are split between this thread and
 *   pool.size − 1 workers (as many threads as cores: a third thread on 2 cores measured slower), the caller's part
 *   (1 + CALLER_HEAD_START)/(workers + 1), larger than an equal split because the workers start one message later;
 * - above CALLER_MAX, nothing: large work never runs on the caller (the extension host's main thread).
 */
const IN_THREAD_MAX = 1 << 16;
const CALLER_MAX = 1 << 20;
const CALLER_HEAD_START = 0.2;

/** Which units [0, n) the caller runs itself (`local`) and which go to the workers (`remote`), each aligned. */
export function shareOut(n: number, align: number, numel: number, poolSize: number, perWorker = 1): { local?: [number, number]; remote: [number, number][] } {
  if (numel < IN_THREAD_MAX) return { local: [0, n], remote: [] };
  if (numel > CALLER_MAX) return { remote: splitRange(n, poolSize * perWorker, align) };
  const workers = Math.max(1, poolSize - 1);
  const blocks = Math.ceil(n / align);
  const c = Math.min(n, Math.round((blocks * (1 + CALLER_HEAD_START)) / (workers + 1)) * align);
  const remote = splitRange(n - c, workers, align).map(([a, b]): [number, number] => [a + c, b + c]);
  return c > 0 ? { local: [0, c], remote } : { remote };
}

/**
 * Posts `remote` to the pool first, then runs `local` in this thread while those messages are in flight, and returns
 * all results (local first). `done` is called once per finished part.
 */
async function runShared<R>(share: { local?: [number, number]; remote: [number, number][] }, post: (r: [number, number]) => Promise<R>,
  here: (r: [number, number]) => R, done: () => void, signal?: AbortSignal): Promise<R[]> {
  if (signal?.aborted) throw new CancelledError();
  const remote = Promise.all(share.remote.map((r) => post(r).then((v) => (done(), v))));
  let mine: R[] = [];
  try {
    if (share.local) {
      mine = [here(share.local)];
      done();
    }
  } catch (e) {
    remote.catch(() => undefined); // the caller's error wins; the workers' outcome no longer matters
    throw e;
  }
  return [...mine, ...(await remote)];
}

/**
 * Normalizes x (stored shape `shape`) in the pool. x is copied once into shared memory unless it already is a view of
 * one (allocate it with allocSharedTensor to save that copy). y is returned as a view of a SharedArrayBuffer.
 * Float64 input runs the reference kernel in one worker.
 */
export async function parallelNormalize(pool: WorkerPool, x: FloatArray, shape: number[], params: NormParams, opts: ParallelOptions = {}): Promise<NormResult> {
  const { signal, onProgress } = opts;
  if (!(x instanceof Float32Array)) return pool.run('normalize', { x, shape, params }, { signal, onProgress });
  const { plan, p } = checkNormInput({ data: x, shape }, params);
  const s = strategy(plan, p, { zeroCopy: !opts.out && fitsShared(x.length) });
  if (s.kind === 'shared') return zeroCopy(pool, x, shape, params, plan, p, opts);
  const { out } = opts;
  if (out && (out.length !== x.length || !(out.buffer instanceof SharedArrayBuffer))) {
    throw new RangeError(`out must be a Float32Array over a SharedArrayBuffer with ${x.length} values`);
  }
  return inParts(pool, toShared(x), shape, params, plan, p, s, out ?? new Float32Array(new SharedArrayBuffer(x.length * 4)), opts);
}

/** Strategies 'fused' and 'twoPass': parts of the units in the workers (and the caller, for small tensors). */
async function inParts(pool: WorkerPool, xs: Float32Array, shape: number[], params: NormParams, plan: NormPlan, p: CheckedParams,
  s: Strategy, y: Float32Array, opts: ParallelOptions): Promise<NormResult> {
  const { signal, onProgress } = opts;
  const perWorker = partsPerWorker(xs.length, opts);
  // Progress: each finished part; the two-pass strategy counts both passes.
  const passes = s.kind === 'fused' ? 1 : 2;
  let done = 0;
  let total = 1;
  const tick = () => onProgress?.(Math.min(1, ++done / total));
  onProgress?.(0);

  const units = shareOut(s.units, s.align, xs.length, pool.size, perWorker);
  const nUnits = units.remote.length + (units.local ? 1 : 0);
  total = nUnits * passes;
  const part = ([unit0, unit1]: [number, number]): MomentsPart =>
    s.kind === 'fused' ? { kind: 'fused', x: xs, shape, params, unit0, unit1, y } : { kind: 'twoPass', x: xs, shape, params, unit0, unit1 };
  const sums = await runShared(units, (r) => pool.run('moments', part(r), { signal }), (r) => [runMomentsPart(part(r))], tick, signal);
  const m = gatherMoments(plan, xs, sums.flat());

  if (s.kind === 'fused') {
    const { stats, running } = statsOf(plan, p, m);
    return running ? { y, stats, running } : { y, stats };
  }
  const { stats, running, scale, shift } = foldForApply(plan, p, m);
  const rows = shareOut(s.rows, 1, xs.length, pool.size, perWorker);
  total = nUnits + rows.remote.length + (rows.local ? 1 : 0);
  const apart = ([row0, row1]: [number, number]) => ({ x: xs, y, shape, params, scale, shift, row0, row1 });
  await runShared(rows, (r) => pool.run('apply', apart(r), { signal }), (r) => runApplyPart(apart(r)), tick, signal);
  return running ? { y, stats, running } : { y, stats };
}

/**
 * Strategy 'shared': x, y and the per-set statistics in one shared wasm memory; one SIMD call per part of the sets
 * reads x and writes y in place (no chunk copies), in this thread up to CALLER_MAX elements, else in the workers. x is
 * copied in once unless it came from allocSharedTensor (and is not in use by another call).
 */
async function zeroCopy(pool: WorkerPool, x: Float32Array, shape: number[], params: NormParams, plan: NormPlan, p: CheckedParams, opts: ParallelOptions): Promise<NormResult> {
  const { signal, onProgress } = opts;
  if (signal?.aborted) throw new CancelledError();
  let slot = sharedSlotOf(x);
  if (!slot || slot.busy) {
    const fresh = allocSharedTensor(x.length);
    fresh.set(x);
    slot = sharedSlotOf(fresh)!;
  }
  slot.busy = true;
  const { memory, xp, yp } = slot;
  const { wp, bp, statp } = writeHeader(slot, plan, p.weight, p.bias);
  const shared = { memory, xp, yp, statp, fused: fusedArgs(plan, p, wp, bp) };
  onProgress?.(0);
  if (x.length <= CALLER_MAX) {
    fusedShared(shared, 0, plan.numSets);
  } else {
    // One message per worker; the workers take chunks of the sets from one counter until none is left.
    const claim = { control: new Int32Array(new SharedArrayBuffer(4)), chunk: Math.max(1, Math.ceil(plan.numSets / (pool.size * CHUNKS_PER_WORKER))) };
    let done = 0;
    await Promise.all(Array.from({ length: pool.size }, () =>
      pool.run('moments', { kind: 'shared', x: slot.x, shape, params, unit0: 0, unit1: plan.numSets, shared, claim }, { signal })
        .then(() => onProgress?.(++done / pool.size))));
  }
  onProgress?.(1);
  const { stats, running } = statsOf(plan, p, sharedMoments(plan, slot.x, memory, statp));
  const y = new Float32Array(memory.buffer, yp, x.length);
  // Released only on success: a cancelled or failed call may leave a worker still writing this slot's y, so the
  // slot stays busy and later calls on this input copy it into a fresh memory instead.
  slot.busy = false;
  return running ? { y, stats, running } : { y, stats };
}

/** [start, end) ranges covering [0, n) in at most `parts` pieces, each a multiple of `align` (except the last). */
export function splitRange(n: number, parts: number, align: number): [number, number][] {
  const blocks = Math.ceil(n / align);
  const k = Math.max(1, Math.min(parts, blocks));
  const out: [number, number][] = [];
  for (let i = 0; i < k; i++) {
    const a = Math.min(n, Math.floor((blocks * i) / k) * align);
    const b = Math.min(n, Math.floor((blocks * (i + 1)) / k) * align);
    if (b > a) out.push([a, b]);
  }
  return out;
}
