// From moments to the reported statistics, the running-stat update and the scale/shift, reusing the reference's
// foldStatistics where it is cheap, so PyTorch's rules (momentum, unbiased running_var, eval) live in one place.
import type { Moments } from '../moments';
import { foldStatistics, type CheckedParams, type Folded } from '../normalize';
import type { NormPlan } from '../plan';
import type { SetStats } from '../types';

/**
 * foldStatistics builds N·C scale/shift values. BatchNorm's are the same for every sample, so it is folded as one
 * sample of N·S positions (same set, same count, same unbiased factor n = N·S) and gets C values instead.
 */
export function foldForApply(plan: NormPlan, p: CheckedParams, m: Moments): Folded {
  const view = plan.reduceN ? { ...plan, N: 1, S: plan.N * plan.S } : plan;
  return foldStatistics(view, p, m);
}

/** Statistics only, for the fused path without running stats (the output is already written). */
export function statsOf(plan: NormPlan, p: CheckedParams, m: Moments): { stats: SetStats; running?: Folded['running'] } {
  if (p.runningMean && p.runningVar) {
    // InstanceNorm with running stats: N·C values here is one per set, as cheap as the stats themselves.
    const { stats, running } = foldStatistics(plan, p, m);
    return { stats, running };
  }
  const rstd = new Float64Array(plan.numSets);
  const v = plan.centered ? m.var : m.ms;
  for (let s = 0; s < plan.numSets; s++) rstd[s] = 1 / Math.sqrt(v[s] + p.eps);
  const stats: SetStats = { shape: plan.statsShape, count: plan.setSize, mean: m.mean, var: m.var, rstd };
  if (!plan.centered) stats.ms = m.ms;
  return { stats };
}
