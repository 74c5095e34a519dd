// One entry point for "normalize this tensor in the workers", so the split across workers can change in one place.
import type { FloatArray, NormParams, NormResult } from '../kernels/types';
import type { RunOptions, WorkerPool } from './pool';

/**
 * Runs the normalization in the pool. x's buffer is moved to the worker (x is unusable afterwards) unless it is
 * a SharedArrayBuffer. TODO(speed): call parallelNormalize(pool, x, shape, params) from ./parallelNormalize once
 * it lands, so that big normalizations split their sets across workers.
 */
export function normalizeInPool(pool: WorkerPool, x: FloatArray, shape: number[], params: NormParams, opts: Omit<RunOptions, 'transfer'> = {}): Promise<NormResult> {
  const transfer = x.buffer instanceof ArrayBuffer ? [x.buffer] : [];
  return pool.run('normalize', { x, shape, params }, { ...opts, transfer });
}
