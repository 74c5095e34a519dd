// One entry point for "normalize this tensor in the workers", so the split across workers can change in one place.
import type { FloatArray, NormParams, NormResult } from '../kernels/types';
import { parallelNormalize } from './parallelNormalize';
import type { RunOptions, WorkerPool } from './pool';

/**
 * Normalizes in the pool with the sets split across workers (parallelNormalize: x is shared with the workers
 * through one SharedArrayBuffer, never copied per worker).
 */
export function normalizeInPool(pool: WorkerPool, x: FloatArray, shape: number[], params: NormParams, opts: Omit<RunOptions, 'transfer'> = {}): Promise<NormResult> {
  return parallelNormalize(pool, x, shape, params, { signal: opts.signal, onProgress: opts.onProgress });
}
