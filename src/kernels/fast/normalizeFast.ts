// normalizeFast(): the single-thread fast path the CLI calls. Same checks, folding and PyTorch rules as the reference
// normalize(), with the hot loops in WebAssembly SIMD; results agree within the golden tolerances (the two-pass
// strategy's output pass is bit-identical to the reference's for equal statistics, the fused one is float32).
// Falls back to the reference for float64 input or where SIMD is unavailable.
import type { Moments } from '../moments';
import { checkNormInput, normalize } from '../normalize';
import type { NormPlan } from '../plan';
import type { NormParams, NormResult, Tensor } from '../types';
import { applyFast } from './apply';
import { foldForApply, statsOf } from './fold';
import { fusedSets } from './fused';
import { strategy } from './strategy';
import { finishMoments, sumsOfUnits, unitCount } from './sums';
import { kernels, type Kernels } from './wasm';

/** `out`, when given, receives y (same length as x; it may be reused between calls to skip allocating y). */
export function normalizeFast(x: Tensor, params: NormParams, out?: Float32Array): NormResult {
  const K = kernels();
  if (!K || !(x.data instanceof Float32Array)) return normalize(x, params);
  const { plan, p } = checkNormInput(x, params);
  if (out && out.length !== x.data.length) throw new RangeError(`out has ${out.length} values, x has ${x.data.length}`);
  const y = out ?? new Float32Array(x.data.length);
  const s = strategy(plan, p, { zeroCopy: false });
  if (s.kind === 'fused') {
    const { stats, running } = statsOf(plan, p, fusedSets(K, plan, p, x.data, y, 0, s.units));
    return running ? { y, stats, running } : { y, stats };
  }
  const { stats, running, scale, shift } = foldForApply(plan, p, momentsFast(K, plan, x.data));
  applyFast(K, plan, x.data, y, scale, shift, 0, s.rows);
  return running ? { y, stats, running } : { y, stats };
}

/** Moments of every set from the two-pass strategy's sums. */
function momentsFast(K: Kernels, plan: NormPlan, x: Float32Array): Moments {
  return finishMoments(plan, x, sumsOfUnits(K, plan, x, 0, unitCount(plan)), 0, plan.numSets);
}
