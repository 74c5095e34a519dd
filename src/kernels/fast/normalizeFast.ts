// normalizeFast(): the single-thread fast path the CLI calls. Same checks, folding and results as the reference
// normalize() (within the golden tolerances; the output pass is bit-identical for equal statistics), with the hot
// loops in WebAssembly SIMD. Falls back to the reference for float64 input or where SIMD is unavailable.
import type { Moments } from '../moments';
import { checkNormInput, normalize, type CheckedParams } from '../normalize';
import type { NormPlan } from '../plan';
import type { NormParams, NormResult, Tensor } from '../types';
import { applyFast, applyRows } from './apply';
import { foldForApply, statsOf } from './fold';
import { canFuseInChunks, fusedSets } from './fused';
import { finishMoments, sumsOfRows, sumsOfSets, unitCount, walkOf } from './sums';
import { kernels, type Kernels } from './wasm';

/** `out`, when given, receives y (same length as x; it may be reused between calls to skip allocating y). */
export function normalizeFast(x: Tensor, params: NormParams, out?: Float32Array): NormResult {
  const K = kernels();
  if (!K || !(x.data instanceof Float32Array)) return normalize(x, params);
  const { plan, p } = checkNormInput(x, params);
  if (out && out.length !== x.data.length) throw new RangeError(`out has ${out.length} values, x has ${x.data.length}`);
  const y = out ?? new Float32Array(x.data.length);
  return normalizeInto(K, plan, p, x.data, y);
}

/** Moments of every set (non-fused plans). */
export function momentsFast(K: Kernels, plan: NormPlan, x: Float32Array): Moments {
  const sums = walkOf(plan) === 'sets' ? sumsOfSets(K, plan, x, 0, plan.numSets) : sumsOfRows(K, plan, x, 0, unitCount(plan));
  return finishMoments(plan, x, sums, 0, plan.numSets);
}

function normalizeInto(K: Kernels, plan: NormPlan, p: CheckedParams, x: Float32Array, y: Float32Array): NormResult {
  if (canFuseInChunks(plan, p)) {
    const m = fusedSets(K, plan, p, x, y, 0, plan.numSets);
    const { stats, running } = statsOf(plan, p, m);
    return running ? { y, stats, running } : { y, stats };
  }
  const m = momentsFast(K, plan, x);
  const { stats, running, scale, shift } = foldForApply(plan, p, m);
  applyFast(K, plan, x, y, scale, shift, 0, applyRows(plan).rows);
  return running ? { y, stats, running } : { y, stats };
}
