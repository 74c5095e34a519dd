// The naive two-pass JS kernel the benchmark compares against: per set, a mean loop, a variance loop, then
// y = (x - mean)·rstd·w + b element by element. Plain Float32Array loops, float64 accumulation, one thread.
// NCHW plans only (all benchmark shapes are); it is a yardstick, not a product path.
import { makePlan } from '../src/kernels/plan';
import type { NormParams } from '../src/kernels/types';

export function naiveNormalize(x: Float32Array, shape: number[], p: NormParams, y: Float32Array): void {
  const plan = makePlan(shape, p);
  const { N, C, S, groups, channelsPerGroup: cpg } = plan;
  const L = cpg * S;
  const nRuns = plan.reduceN ? N : 1;
  const w = p.weight;
  const b = p.bias;
  for (let set = 0; set < plan.numSets; set++) {
    const g = set % groups;
    const n0 = plan.reduceN ? 0 : Math.floor(set / groups);
    const runStart = (r: number) => (n0 + r) * C * S + g * L;
    let sum = 0;
    for (let r = 0; r < nRuns; r++) for (let i = runStart(r), e = i + L; i < e; i++) sum += x[i];
    const mean = sum / plan.setSize;
    let sq = 0;
    for (let r = 0; r < nRuns; r++) {
      for (let i = runStart(r), e = i + L; i < e; i++) {
        const d = x[i] - mean;
        sq += d * d;
      }
    }
    const rstd = 1 / Math.sqrt(sq / plan.setSize + p.eps);
    for (let r = 0; r < nRuns; r++) {
      const base = runStart(r);
      for (let i = 0; i < L; i++) {
        // Channel of element i within the run (S = 1 for LayerNorm: one weight per element).
        const c = S === 1 ? g * cpg + i : g * cpg + Math.floor(i / S);
        y[base + i] = (x[base + i] - mean) * rstd * (w ? w[c] : 1) + (b ? b[c] : 0);
      }
    }
  }
}
