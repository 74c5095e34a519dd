// Per-set moments by the corrected two-pass algorithm, accumulated in float64.
// Pass 1: mean = Σx / n. Pass 2: Σd and Σd² with d = x - mean; var = (Σd² - (Σd)²/n) / n.
// The Σd term removes the rounding left in the mean (Chan, Golub & LeVeque), so the large-offset
// cases (mean 1e4, std 1e-2) are exact to float64 — never E[x²] - E[x]².
import type { NormPlan } from './plan';
import type { FloatArray } from './types';

export interface Moments {
  mean: Float64Array;
  /** Biased variance. */
  var: Float64Array;
  /** mean(x²): needed by RMS, cheap to keep for every method. */
  ms: Float64Array;
}

/**
 * Walks the elements of one set as contiguous runs: NCHW runs are (n, group) blocks of cpg·S elements;
 * NHWC runs are, for each (n, s), the cpg channels of the group.
 */
function forEachRun(plan: NormPlan, set: number, visit: (start: number, length: number) => void): void {
  const { N, C, S, groups, channelsPerGroup: cpg, layout } = plan;
  const g = set % groups;
  const n0 = plan.reduceN ? 0 : Math.floor(set / groups);
  const n1 = plan.reduceN ? N : n0 + 1;
  for (let n = n0; n < n1; n++) {
    if (layout === 'NCHW' || S === 1) {
      visit(n * C * S + g * cpg * S, cpg * S);
    } else {
      const base = n * S * C + g * cpg;
      for (let s = 0; s < S; s++) visit(base + s * C, cpg);
    }
  }
}

/** Reference moments for sets [set0, set1): clear, layout-generic, float64. */
export function setMoments(plan: NormPlan, x: FloatArray, set0 = 0, set1 = plan.numSets): Moments {
  const k = set1 - set0;
  const out: Moments = { mean: new Float64Array(k), var: new Float64Array(k), ms: new Float64Array(k) };
  const n = plan.setSize;
  for (let set = set0; set < set1; set++) {
    let sum = 0;
    let sq = 0;
    forEachRun(plan, set, (start, len) => {
      for (let i = start; i < start + len; i++) {
        sum += x[i];
        sq += x[i] * x[i];
      }
    });
    const mean = n > 0 ? sum / n : NaN;
    let sd = 0;
    let sd2 = 0;
    forEachRun(plan, set, (start, len) => {
      for (let i = start; i < start + len; i++) {
        const d = x[i] - mean;
        sd += d;
        sd2 += d * d;
      }
    });
    const v = n > 0 ? Math.max(0, (sd2 - (sd * sd) / n) / n) : NaN;
    // Math.max(0, NaN) is NaN, so a NaN or Inf in the set propagates as in PyTorch.
    out.mean[set - set0] = mean;
    out.var[set - set0] = v;
    // RMS needs mean(x²) itself (no cancellation: it is a sum of squares).
    out.ms[set - set0] = n > 0 ? sq / n : NaN;
  }
  return out;
}
